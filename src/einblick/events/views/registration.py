"""Registration: a pupil alone, a teacher for a class; "My events" with tickets, confirming, cancelling, groups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.accounts import selectors as account_selectors
from einblick.accounts import services as account_services
from einblick.accounts.forms import ConsentForm

from .. import rules, selectors, services
from ..forms import ClassRegistrationForm, CompanyRegistrationForm, GroupForm
from ..models import Event, Registration
from .public import ics_response


def _published(slug: str) -> Event:
    return get_object_or_404(Event.objects.select_related("place"), slug=slug, status=Event.Status.PUBLISHED)


@login_required
def register(request, slug: str):
    """A pupil registers alone; under the consent age the parent's e-mail address is asked on the same page."""
    if not rules.can_register_alone(request.user):
        raise Http404
    event = _published(slug)
    pupil = request.user
    purpose = services.consent_purpose(event)
    state = account_selectors.consent_state(pupil, purpose)
    needs_consent = state not in ("self", "parent")
    consent_form = ConsentForm(
        request.POST or None, prefix="consent", pupil=pupil, required=state in ("missing", "expired")
    )
    if request.method == "POST" and (not needs_consent or consent_form.is_valid()):
        try:
            with transaction.atomic():
                if needs_consent:
                    account_services.consent_handle(
                        pupil=pupil,
                        purpose=purpose,
                        label=services.consent_label(event),
                        cleaned_data=consent_form.cleaned_data,
                    )
                registration = services.register_pupil(event=event, pupil=pupil)
        except ValidationError as exc:
            consent_form.add_error(None, exc)
        else:
            texts = {
                Registration.Status.CONFIRMED: _("You are registered. Your ticket is on “My events”."),
                Registration.Status.AWAITING_PARENT: _(
                    "Your place is kept. It is confirmed as soon as a parent agrees by the link in their e-mail."
                ),
                Registration.Status.WAITLISTED: _(
                    "The event is full. You are on the waiting list and move up automatically when a place is free."
                ),
            }
            messages.success(request, texts.get(registration.status, _("Saved.")))
            return redirect("events:mine")
    return render(
        request,
        "events/register.html",
        {
            "event": event,
            "consent_form": consent_form,
            "consent_state": state,
            "needs_consent": needs_consent,
            "left": selectors.places_left(event),
        },
    )


def _group_message(made: list[Registration], *, full: str, done: str) -> str:
    """What a group registration came to: all confirmed, all waiting, or split."""
    confirmed = sum(r.places for r in made if r.status == Registration.Status.CONFIRMED)
    waiting = sum(r.places for r in made if r.status == Registration.Status.WAITLISTED)
    if waiting and confirmed:
        return _("%(c)d places are confirmed, %(w)d are on the waiting list.") % {
            "c": confirmed,
            "w": waiting,
        }
    return full if waiting else done


@login_required
def register_class(request, slug: str):
    if not rules.can_register_classes(request.user):
        raise Http404
    event = _published(slug)
    form = ClassRegistrationForm(request.POST or None, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.register_class(
                event=event,
                teacher=request.user,
                school_class=form.cleaned_data["school_class"],
                places=form.cleaned_data["places"],
                allow_split=form.cleaned_data["allow_split"],
                names=form.cleaned_data["names"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _group_message(
                    made,
                    full=_("The event is full. Your class is on the waiting list."),
                    done=_("Your class is registered. The ticket is on “My events”."),
                ),
            )
            return redirect("events:mine")
    return render(
        request,
        "events/register_class.html",
        {"event": event, "form": form, "left": selectors.places_left(event)},
    )


@login_required
def register_company(request, slug: str):
    """A company member registers staff for a seminar (the Digital-Tandem's seminars are events for companies)."""
    event = _published(slug)
    companies = rules.companies_registering(request.user, event)
    if not companies.exists():
        raise Http404
    form = CompanyRegistrationForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.register_company(event=event, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _group_message(
                    made,
                    full=_("The seminar is full. Your registration is on the waiting list."),
                    done=_("You are registered. The tickets and the online room are on “My events”."),
                ),
            )
            return redirect("events:mine")
    return render(
        request,
        "events/register_company.html",
        {"event": event, "form": form, "left": selectors.places_left(event)},
    )


@login_required
def my_events(request):
    user = request.user
    own = list(selectors.registrations_of_pupil(user)) if user.is_pupil else []
    classes = [r for r in selectors.registrations_of_teacher(user) if not r.company_id]
    seminars = list(selectors.registrations_of_companies(user))
    groups = classes + seminars
    for r in own + groups:
        r.position = selectors.waitlist_position(r)
    return render(
        request,
        "events/mine.html",
        {
            "own": own,
            "classes": classes,
            "seminars": seminars,
            "hosted": selectors.events_hosted_by(user),
            "staff": rules.can_manage_events(user),
        },
    )


@login_required
def my_events_ics(request):
    user = request.user
    regs = list(selectors.registrations_of_pupil(user)) + list(selectors.registrations_of_teacher(user))
    events = {
        r.event_id: r.event
        for r in regs
        if r.status in ("confirmed", "awaiting_parent", "offered")
        and r.event.status == Event.Status.PUBLISHED
    }
    return ics_response(sorted(events.values(), key=lambda e: e.starts_at), "meine-veranstaltungen.ics")


def _own(request, pk: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("event", "pupil", "teacher", "company"), pk=pk
    )
    if not rules.owns_registration(request.user, registration):
        raise Http404
    return registration


@login_required
@require_POST
def confirm(request, pk: int):
    registration = _own(request, pk)
    try:
        registration = services.registration_confirm(registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, _("Confirmed. Your ticket is below."))
        else:
            messages.success(request, _("Your place is kept until a parent agrees."))
    return redirect("events:mine")


@login_required
@require_POST
def cancel(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("event", "company"), pk=pk)
    staff = rules.can_manage_events(request.user)
    if not (staff or rules.owns_registration(request.user, registration)):
        raise Http404
    try:
        services.registration_cancel(registration=registration, by_staff=staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if staff and not rules.owns_registration(request.user, registration):
            from einblick.accounts.audit import record

            record(
                request.user, "reg_cancelled", f"registration #{registration.pk}: {registration.event.title}"
            )
        messages.success(request, _("The registration is cancelled."))
    if staff and request.POST.get("next") == "registrations":
        return redirect("events:registrations", slug=registration.event.slug)
    return redirect("events:mine")


@login_required
def group_edit(request, pk: int):
    registration = get_object_or_404(
        Registration.objects.select_related("event", "school_class", "company"), pk=pk
    )
    if not registration.is_group or not rules.owns_registration(request.user, registration):
        raise Http404
    form = GroupForm(
        request.POST or None,
        registration=registration,
        initial={
            "places": registration.places,
            "names": registration.names,
            "members": registration.members.all(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(
                registration=registration,
                places=form.cleaned_data["places"],
                names=form.cleaned_data["names"],
                members=form.cleaned_data.get("members", ()),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The group is saved."))
            return redirect("events:mine")
    return render(
        request,
        "events/group.html",
        {"registration": registration, "event": registration.event, "form": form},
    )


@login_required
@require_POST
def certificate_name(request):
    """The pupil's optional real name for certificates (the nickname is used otherwise)."""
    if not rules.can_register_alone(request.user):
        raise Http404
    try:
        account_services.certificate_name_set(
            user=request.user,
            first_name=request.POST.get("first_name", ""),
            last_name=request.POST.get("last_name", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("events:mine") + "#certificate-name")
