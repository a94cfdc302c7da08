"""Writes of the events app: registration of pupils and classes, waiting list with automatic moving up, consent
holds, cancellation, check-in, reminders, feedback.

Places: every write that takes or frees places locks the event row (``select_for_update``) while the places held
(confirmed + offered + awaiting a parent) are summed, so concurrent requests never overbook
(tests/events/test_concurrency_postgres.py).
"""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from einblick.core.services import email_enqueue

from .models import ACTIVE, HOLDING, Event, Feedback, Registration

logger = logging.getLogger(__name__)

CHECKIN_EARLY = timedelta(hours=3)  # check-in opens this long before the start …
CHECKIN_LATE = timedelta(hours=6)  # … and closes this long after the end


def consent_purpose(event: Event) -> str:
    return f"events.event.{event.pk}"


def consent_label(event: Event) -> str:
    return gettext("Event: %(title)s on %(date)s") % {
        "title": event.title,
        "date": timezone.localtime(event.starts_at).strftime("%d.%m.%Y"),
    }


def _consent_ok(event: Event, pupil) -> bool:
    from einblick.accounts.selectors import consent_ok

    return consent_ok(pupil, consent_purpose(event))


def _abs(path: str) -> str:
    return settings.EINBLICK["BASE_URL"] + path


def _consent_hold() -> timedelta:
    return timedelta(hours=settings.EINBLICK["EVENT_CONSENT_HOLD_HOURS"])


def places_held(event: Event) -> int:
    return Registration.objects.filter(event=event, status__in=HOLDING).aggregate(n=Sum("places"))["n"] or 0


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _mail(registration: Registration, template: str, **extra) -> None:
    to = registration.teacher.email if registration.is_group else registration.pupil.email
    if not to:
        return
    if registration.company_id:  # a company's staff at a seminar: formal address, online room
        template = f"company_{template}"
    email_enqueue(
        to=to,
        template=f"events/email/{template}",
        context={
            "registration": registration,
            "event": registration.event,
            "name": registration.teacher.display_name
            if registration.is_group
            else registration.pupil.display_name,
            "url": _abs(reverse("events:mine")),
            "event_url": _abs(registration.event.get_absolute_url()),
            **extra,
        },
    )


def _check_open(event: Event, now) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(gettext("This event is not open for registration."), code="not_published")
    if now < event.registration_opens:
        raise ValidationError(
            gettext("Registration opens on %(date)s.")
            % {"date": timezone.localtime(event.registration_opens).strftime("%d.%m.%Y %H:%M")},
            code="not_yet",
        )
    if now > event.registration_closes:
        raise ValidationError(gettext("Registration for this event has closed."), code="closed")


def _grade_ok(event: Event, year: int | None) -> bool:
    return year is None or event.grade_min <= year <= event.grade_max


def _status_for_pupil(event: Event, pupil, now):
    """Confirmed, or awaiting a parent (place kept for a while) when the consent rule is not met."""
    if _consent_ok(event, pupil):
        return Registration.Status.CONFIRMED, None
    return Registration.Status.AWAITING_PARENT, min(now + _consent_hold(), event.starts_at)


# ------------------------------------------------------------------------------------------------------ events


def event_save(*, form) -> Event:
    """Save the event form (staff or host). More places move the waiting list up at once."""
    with transaction.atomic():
        event = form.save()
        promote(event=_lock(event))
    return event


# ------------------------------------------------------------------------------------------------ registration


def register_pupil(*, event: Event, pupil, now=None) -> Registration:
    """A pupil registers alone: a free place → confirmed (or awaiting a parent's consent), else the waiting list."""
    now = now or timezone.now()
    _check_open(event, now)
    if event.for_companies:
        raise ValidationError(gettext("This seminar is for the staff of member companies."), code="seminar")
    if not _grade_ok(event, pupil.school_year):
        raise ValidationError(
            gettext("This event is for school years %(min)d to %(max)d.")
            % {"min": event.grade_min, "max": event.grade_max},
            code="grade",
        )
    with transaction.atomic():
        event = _lock(event)
        if Registration.objects.filter(event=event, pupil=pupil, status__in=ACTIVE).exists():
            raise ValidationError(gettext("You are already registered for this event."), code="duplicate")
        if places_held(event) + 1 <= event.capacity:
            status, hold = _status_for_pupil(event, pupil, now)
        else:
            status, hold = Registration.Status.WAITLISTED, None
        registration = Registration.objects.create(
            event=event,
            pupil=pupil,
            places=1,
            status=status,
            hold_until=hold,
            confirmed_at=now if status == Registration.Status.CONFIRMED else None,
        )
        _mail(registration, "registered")
    return registration


def register_class(
    *, event: Event, teacher, school_class, places: int, allow_split: bool = False, names: str = "", now=None
) -> list[Registration]:
    """A teacher registers a class with ``places`` pupils (names optional, completed later). All places free →
    confirmed; otherwise the waiting list, or — if the teacher allowed splitting — the free part confirmed and the
    rest waiting. A school event's class registration covers the consent rule. Returns the registrations made."""
    now = now or timezone.now()
    _check_open(event, now)
    if school_class.teacher_id != teacher.pk:
        raise ValidationError(gettext("This is not one of your classes."), code="not_your_class")
    if not event.school_event:
        raise ValidationError(
            gettext("Pupils register for this event themselves; classes cannot be registered."),
            code="not_school_event",
        )
    if event.for_companies:
        raise ValidationError(gettext("This seminar is for the staff of member companies."), code="seminar")
    _check_group_size(event, places)
    if not _grade_ok(event, school_class.school_year):
        raise ValidationError(
            gettext("This event is for school years %(min)d to %(max)d.")
            % {"min": event.grade_min, "max": event.grade_max},
            code="grade",
        )
    with transaction.atomic():
        event = _lock(event)
        if Registration.objects.filter(event=event, school_class=school_class, status__in=ACTIVE).exists():
            raise ValidationError(
                gettext("This class is already registered for this event."), code="duplicate"
            )
        common = {"teacher": teacher, "school_class": school_class}
        return _register_group(event, common, places, names, allow_split, now)


def register_company(
    *, event: Event, user, company, places: int, names: str = "", allow_split: bool = False, now=None
) -> list[Registration]:
    """A member of a company registers ``places`` of its staff for a seminar (an event for companies), with the
    participants' names (one per line; needed for their attendance confirmations). Same places, waiting list and
    splitting as a class. Returns the registrations made."""
    now = now or timezone.now()
    _check_open(event, now)
    if not event.for_companies:
        raise ValidationError(
            gettext("This event is for pupils; companies cannot register staff for it."), code="not_seminar"
        )
    if not company.memberships.filter(user=user).exists():
        raise ValidationError(gettext("You are not a member of this company."), code="not_member")
    if not company.is_public:
        raise ValidationError(
            gettext("Your company's profile is not approved yet; the network team will check it soon."),
            code="not_approved",
        )
    _check_group_size(event, places)
    with transaction.atomic():
        event = _lock(event)
        if Registration.objects.filter(event=event, company=company, status__in=ACTIVE).exists():
            raise ValidationError(
                gettext("Your company is already registered; change the number of places there."),
                code="duplicate",
            )
        common = {"teacher": user, "company": company}
        return _register_group(event, common, places, names, allow_split, now)


def _check_group_size(event: Event, places: int) -> None:
    if places < 1:
        raise ValidationError(gettext("Register at least one person."), code="places")
    if places > event.capacity:
        raise ValidationError(
            gettext("The group is larger than the event (%(n)d places).") % {"n": event.capacity},
            code="too_large",
        )


def _register_group(event: Event, common: dict, places: int, names: str, allow_split: bool, now):
    """All places free → confirmed; otherwise the waiting list, or — if splitting is allowed — the free part
    confirmed and the rest waiting (call with the event row locked)."""
    free = max(0, event.capacity - places_held(event))
    common = {"event": event, "allow_split": allow_split, **common}
    made = []
    if free >= places:
        made.append(
            Registration.objects.create(
                **common, places=places, names=names, status=Registration.Status.CONFIRMED, confirmed_at=now
            )
        )
    elif allow_split and free > 0:
        made.append(
            Registration.objects.create(
                **common, places=free, names=names, status=Registration.Status.CONFIRMED, confirmed_at=now
            )
        )
        made.append(
            Registration.objects.create(
                **common, places=places - free, status=Registration.Status.WAITLISTED, split_from=made[0]
            )
        )
    else:
        made.append(
            Registration.objects.create(
                **common, places=places, names=names, status=Registration.Status.WAITLISTED
            )
        )
    for registration in made:
        _mail(registration, "registered")
    return made


def group_update(*, registration: Registration, places: int, names: str, members=()) -> Registration:
    """The teacher completes the names (and pupils with accounts) or changes the group size: fewer places free
    them for the waiting list; more places only if they are free (otherwise nothing changes)."""
    if not registration.is_group or registration.status not in ACTIVE or registration.checked_in_at:
        raise ValidationError(gettext("This registration cannot be changed any more."), code="status")
    if timezone.now() >= registration.event.starts_at:
        raise ValidationError(
            gettext("The event has started; the group cannot be changed any more."), code="started"
        )
    if len([line for line in names.splitlines() if line.strip()]) > places:
        raise ValidationError(
            gettext("More names than places: please register as many places as names."), code="names"
        )
    with transaction.atomic():
        event = _lock(registration.event)
        registration.refresh_from_db()
        _check_group_size(event, places)
        grow = places - registration.places
        if grow > 0 and registration.status in HOLDING and places_held(event) + grow > event.capacity:
            raise ValidationError(
                gettext("Only %(n)d more places are free.")
                % {"n": max(0, event.capacity - places_held(event))},
                code="full",
            )
        registration.places, registration.names = places, names
        registration.save(update_fields=["places", "names"])
        registration.members.set(
            [
                m
                for m in members
                if registration.school_class_id and m.school_class_id == registration.school_class_id
            ]
        )
        if grow < 0:  # places freed, or a waiting group that may fit now
            promote(event=event)
    return registration


def registration_confirm(*, registration: Registration, now=None) -> Registration:
    """Confirm a place offered from the waiting list (within its time limit)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(registration.event)
        registration.refresh_from_db()
        if registration.status != Registration.Status.OFFERED or not registration.hold_until:
            raise ValidationError(gettext("There is no place to confirm."), code="status")
        if registration.hold_until <= now:
            raise ValidationError(
                gettext("The time to confirm has passed; the place went to the next on the waiting list."),
                code="expired",
            )
        if registration.is_group:
            status, hold = Registration.Status.CONFIRMED, None
        else:
            status, hold = _status_for_pupil(event, registration.pupil, now)
        registration.status, registration.hold_until = status, hold
        registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
        registration.save(update_fields=["status", "hold_until", "confirmed_at"])
        _mail(registration, "confirmed" if status == Registration.Status.CONFIRMED else "registered")
    return registration


def registration_cancel(*, registration: Registration, by_staff: bool = False, now=None) -> Registration:
    """Cancel (pupil, teacher until the cut-off; staff at any time). Freed places move the waiting list up."""
    now = now or timezone.now()
    if registration.status not in ACTIVE:
        raise ValidationError(gettext("This registration is already cancelled."), code="status")
    if not by_staff and now > registration.event.cancel_until:
        raise ValidationError(
            gettext("Cancelling online was possible until %(date)s. Please contact the network team.")
            % {"date": timezone.localtime(registration.event.cancel_until).strftime("%d.%m.%Y %H:%M")},
            code="too_late",
        )
    with transaction.atomic():
        event = _lock(registration.event)
        updated = Registration.objects.filter(pk=registration.pk, status=registration.status).update(
            status=Registration.Status.CANCELLED, cancelled_at=now, hold_until=None
        )
        if not updated:
            raise ValidationError(gettext("This registration is already cancelled."), code="status")
        registration.refresh_from_db()
        # the waiting rest of a split class goes with it
        Registration.objects.filter(split_from=registration, status__in=ACTIVE).update(
            status=Registration.Status.CANCELLED, cancelled_at=now, hold_until=None
        )
        _mail(registration, "cancelled")
        promote(event=event, now=now)
    return registration


def promote(*, event: Event, now=None) -> list[Registration]:
    """Move the waiting list up while places are free (call with the event row locked): the first entry that fits
    gets the place offered with a time limit to confirm; a group only as a whole, or split if allowed."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or now >= event.starts_at:
        return []
    moved = []
    free = event.capacity - places_held(event)
    hold = min(now + timedelta(hours=event.hold_hours), event.starts_at)
    for entry in Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(
        "created_at", "pk"
    ):
        if free <= 0:
            break
        if entry.places > free:
            if not (entry.is_group and entry.allow_split):
                continue  # does not fit; a smaller entry further down may
            rest = Registration.objects.create(
                event=event,
                teacher=entry.teacher,
                school_class=entry.school_class,
                company=entry.company,
                allow_split=True,
                places=entry.places - free,
                status=Registration.Status.WAITLISTED,
                split_from=entry.split_from or entry,
            )
            Registration.objects.filter(pk=rest.pk).update(created_at=entry.created_at)  # keeps its turn
            entry.places = free
        entry.status, entry.hold_until = Registration.Status.OFFERED, hold
        entry.save(update_fields=["status", "hold_until", "places"])
        free -= entry.places
        moved.append(entry)
        _mail(entry, "offered")
    return moved


def holds_expire(*, now=None) -> int:
    """Offered places not confirmed in time and places kept for a parent's consent that did not come expire;
    the waiting list moves up. Safe to run as often as you like."""
    now = now or timezone.now()
    count = 0
    for registration in Registration.objects.filter(
        status__in=[Registration.Status.OFFERED, Registration.Status.AWAITING_PARENT], hold_until__lte=now
    ).select_related("event"):
        with transaction.atomic():
            event = _lock(registration.event)
            if Registration.objects.filter(
                pk=registration.pk, hold_until__lte=now, status=registration.status
            ).update(status=Registration.Status.EXPIRED, hold_until=None):
                registration.refresh_from_db()
                _mail(registration, "expired")
                promote(event=event, now=now)
                count += 1
    return count


def consent_changed(*, pupil, purpose: str, accepted: bool, now=None) -> None:
    """A parent answered (accounts.signals.consent_answered): confirm the kept place, or cancel it on a decline."""
    if not purpose.startswith("events.event."):
        return
    now = now or timezone.now()
    try:
        event_id = int(purpose.rsplit(".", 1)[1])
    except ValueError:
        return
    if not accepted:
        # declined, or a consent withdrawn later: the registration ends unless the pupil may consent alone
        if not _consent_ok(Event(pk=event_id), pupil):
            for registration in Registration.objects.filter(
                event_id=event_id, pupil=pupil, status__in=ACTIVE
            ):
                registration_cancel(registration=registration, by_staff=True, now=now)
        return
    registration = Registration.objects.filter(
        event_id=event_id, pupil=pupil, status=Registration.Status.AWAITING_PARENT
    ).first()
    if registration is None:
        return
    Registration.objects.filter(pk=registration.pk).update(
        status=Registration.Status.CONFIRMED, hold_until=None, confirmed_at=now
    )
    registration.refresh_from_db()
    _mail(registration, "confirmed")


# ---------------------------------------------------------------------------------------------------- check-in


def normalise_code(raw: str) -> str:
    """A scanned QR payload ("EINBLICK-TICKET:ABCD…") or a typed code ("abcd-efgh-jkmn") → the bare code."""
    text = (raw or "").strip().upper()
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    return "".join(ch for ch in text if ch.isalnum())


def checkin(*, event: Event, code: str, by, attended: int | None = None, now=None) -> Registration:
    """Check a ticket in once. Forged codes, tickets of another event, unconfirmed or cancelled registrations and
    a second check-in are refused with a clear message; nothing changes then."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(gettext("This event is not open for check-in."), code="not_published")
    if not (event.starts_at - CHECKIN_EARLY <= now <= event.ends_at + CHECKIN_LATE):
        raise ValidationError(gettext("Check-in is open only on the day of the event."), code="not_today")
    ticket = normalise_code(code)
    registration = (
        Registration.objects.select_related("event", "pupil", "teacher", "school_class")
        .filter(ticket=ticket)
        .first()
        if ticket
        else None
    )
    if registration is None:
        raise ValidationError(gettext("Unknown ticket. Check the code."), code="unknown")
    if registration.event_id != event.pk:
        raise ValidationError(gettext("This ticket is for another event."), code="other_event")
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(
            gettext("This registration is not confirmed (%(status)s).")
            % {"status": registration.get_status_display()},
            code="not_confirmed",
        )
    if attended is None:
        present = registration.places
    else:
        try:
            present = int(attended)
        except (TypeError, ValueError):
            present = 0
        if not 1 <= present <= registration.places:
            raise ValidationError(
                gettext("Enter how many are present: 1 to %(n)d.") % {"n": registration.places},
                code="attended",
            )
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=by, attended=present
    )
    if not updated:
        registration.refresh_from_db()
        raise ValidationError(
            gettext("Already checked in at %(time)s.")
            % {"time": timezone.localtime(registration.checked_in_at).strftime("%H:%M")},
            code="already",
        )
    registration.refresh_from_db()
    return registration


def checkin_undo(*, registration: Registration) -> Registration:
    """Take back a check-in made by mistake (hosts and staff); the certificate goes with it."""
    Registration.objects.filter(pk=registration.pk).update(
        checked_in_at=None, checked_in_by=None, attended=None
    )
    registration.refresh_from_db()
    return registration


# ---------------------------------------------------------------------------------------------------- reminders


def reminders_send(*, now=None) -> int:
    """The reminder the day before: confirmed registrations of events starting within 24 hours, each once."""
    now = now or timezone.now()
    count = 0
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(hours=24),
    ).select_related("event", "pupil", "teacher")
    for registration in due:
        with transaction.atomic():
            if Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                _mail(registration, "reminder")
                count += 1
    return count


def sweep(*, now=None) -> tuple[int, int]:
    return holds_expire(now=now), reminders_send(now=now)


# ----------------------------------------------------------------------------------------------------- feedback


def feedback_voter(registration: Registration) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"event-feedback:{registration.pk}".encode(), hashlib.sha256).hexdigest()


def feedback_submit(
    *, registration: Registration, stars: int, liked: str = "", improve: str = "", now=None
) -> Feedback:
    """Anonymous feedback once per registration, after the event, from those who were checked in."""
    now = now or timezone.now()
    event = registration.event
    if now < event.ends_at:
        raise ValidationError(gettext("Feedback opens when the event is over."), code="early")
    if registration.checked_in_at is None:
        raise ValidationError(gettext("Feedback is for participants who were there."), code="not_attended")
    if not 1 <= int(stars) <= 5:
        raise ValidationError(gettext("Choose one to five stars."), code="stars")
    voter = feedback_voter(registration)
    duplicate = ValidationError(gettext("You have already given feedback. Thank you!"), code="duplicate")
    if Feedback.objects.filter(event=event, voter=voter).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                event=event, voter=voter, stars=int(stars), liked=liked, improve=improve
            )
    except IntegrityError:  # the same answer sent twice at once
        raise duplicate from None
