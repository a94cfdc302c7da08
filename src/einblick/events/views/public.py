"""Public pages: the event list with filters, an event's page, its calendar file."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from einblick.core.ics import Entry, calendar_response
from einblick.insights.tracking import track

from .. import rules, selectors
from ..forms import EventFilterForm
from ..models import ACTIVE, Event, Registration


def event_list(request):
    form = EventFilterForm(request.GET or None, districts=list(selectors.districts()))
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.events_filtered(
        when=filters.get("when") or "upcoming",
        district=filters.get("district") or "",
        profession=filters.get("profession"),
        grade=filters.get("grade"),
        free_only=bool(filters.get("free")),
    )
    return render(
        request,
        "events/list.html",
        {
            "form": form,
            "events": events,
            "filtered": bool(request.GET),
            "staff": rules.can_manage_events(request.user),
        },
    )


def event_detail(request, slug: str):
    event = get_object_or_404(
        Event.objects.select_related("place", "series").prefetch_related("hosts", "professions"), slug=slug
    )
    if event.status == Event.Status.DRAFT and not rules.can_host(request.user, event):
        raise Http404
    if event.status == Event.Status.PUBLISHED:
        track(request, "event", profession=event.professions.first)
    user = request.user
    mine = company_registration = None
    companies = rules.companies_registering(user, event)
    if user.is_authenticated:
        mine = Registration.objects.filter(event=event, pupil=user, status__in=ACTIVE).first()
        if event.for_companies:
            company_registration = selectors.company_registration(event, companies)
    now = timezone.now()
    context = {
        "event": event,
        "left": selectors.places_left(event),
        "open": event.status == Event.Status.PUBLISHED
        and event.registration_opens <= now <= event.registration_closes,
        "not_yet": now < event.registration_opens,
        "mine": mine,
        "company_registration": company_registration,
        "companies_registering": companies.exists(),
        "position": selectors.waitlist_position(mine) if mine else None,
        "can_register_alone": rules.can_register_alone(user),
        "can_register_classes": rules.can_register_classes(user),
        "can_host": rules.can_host(user, event),
        "stops": event.stops.select_related("company"),
    }
    return render(request, "events/detail.html", context)


def ics_response(events, filename: str):
    entries = [
        Entry(
            uid=f"event-{event.pk}@einblick",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            summary=event.title,
            location=", ".join(x for x in (event.address, event.place.name if event.place_id else "") if x),
            description=event.description[:500],
        )
        for event in events
    ]
    return calendar_response(entries, filename, product="Events")


def event_ics(request, slug: str):
    event = get_object_or_404(Event.objects.select_related("place"), slug=slug, status=Event.Status.PUBLISHED)
    return ics_response([event], f"{event.slug}.ics")
