"""Back office for staff and host companies: events, registrations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import rules, selectors, services
from ..forms import EventForm
from ..models import HOLDING, Event, Registration


@login_required
def manage_list(request):
    if rules.can_manage_events(request.user):
        events = Event.objects.order_by("-starts_at")
    else:
        events = selectors.events_hosted_by(request.user)
        if not events.exists():
            raise Http404
    return render(
        request, "events/manage.html", {"events": events, "staff": rules.can_manage_events(request.user)}
    )


@login_required
def event_edit(request, slug: str | None = None):
    event = get_object_or_404(Event, slug=slug) if slug else None
    staff = rules.can_manage_events(request.user)
    if not (staff or (event and rules.can_host(request.user, event))):
        raise Http404
    form = EventForm(request.POST or None, instance=event, host_only=not staff)
    if request.method == "POST" and form.is_valid():
        event = services.event_save(form=form)
        messages.success(request, _("The event is saved."))
        return redirect("events:registrations", slug=event.slug)
    title = _("Edit event") if event else _("New event")
    back = event.get_absolute_url() if event else "/veranstaltungen/verwalten/"
    return render(
        request, "core/form_page.html", {"form": form, "title": title, "back": back, "submit": _("Save")}
    )


@login_required
def registrations(request, slug: str):
    event = get_object_or_404(Event.objects.select_related("place"), slug=slug)
    if not rules.can_host(request.user, event):
        raise Http404
    regs = list(selectors.registrations_of_event(event))
    held = sum(r.places for r in regs if r.status in HOLDING)
    staff = rules.can_manage_events(request.user)
    if not staff:
        selectors.hide_names_without_consent(regs, services.consent_purpose(event))
    else:
        from einblick.accounts.audit import record

        record(request.user, "data_viewed", f"registrations: {event.title}", count=len(regs))
    context = {
        "event": event,
        "registrations": regs,
        "held": held,
        "waiting": sum(r.places for r in regs if r.status == "waitlisted"),
        "checked_in": sum(r.attended or 0 for r in regs if r.checked_in_at),
        "staff": staff,
    }
    return render(request, "events/registrations.html", context)


@login_required
@require_POST
def checkin_undo(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if not rules.can_host(request.user, registration.event):
        raise Http404
    services.checkin_undo(registration=registration)
    messages.success(request, _("The check-in is taken back."))
    return redirect("events:registrations", slug=registration.event.slug)
