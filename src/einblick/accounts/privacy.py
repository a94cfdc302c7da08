"""The privacy centre (issue #10): what Einblick stores about a user (export), deleting an account with everything
personal (places released properly, anonymous counts kept), and the retention sweep for pupils' data.

Every app's personal data are listed here; a test checks that after deleting a user no row refers to them.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _iso(value):
    return value.isoformat() if value else None


def personal_data(user) -> dict:
    """Everything stored about ``user``, machine-readable (JSON-ready)."""
    from einblick.catalog.models import CompanyMembership
    from einblick.events.models import Registration
    from einblick.fair.models import AgendaItem
    from einblick.orientation.models import InterestResult
    from einblick.talks.models import Talk, TalkParticipant, TalkWish, WaitlistEntry
    from einblick.tandem.models import Need, Note, Step

    from .selectors import consents_export

    school_class = user.school_class
    return {
        "format": "einblick-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "nickname": user.nickname,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "pending_email": user.pending_email,
            "roles": [str(role) for role in user.roles],
            "school_year": user.school_year,
            "school": str(user.school) if user.school_id else None,
            "school_class": str(school_class) if school_class else None,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "consent_age_declared_at": _iso(user.consent_age_declared_at),
        },
        "parental_consents": consents_export(user),
        "interest_results": [
            {
                "created_at": _iso(r.created_at),
                "profile": r.profile,
                "shared_with_teacher": r.shared_with_teacher,
            }
            for r in InterestResult.objects.filter(user=user).order_by("created_at")
        ],
        "fair_agenda": [
            {"session": str(a.session), "starts_at": _iso(a.session.starts_at), "remind": a.remind}
            for a in AgendaItem.objects.filter(user=user).select_related("session")
        ],
        "talk_wishes": [
            {
                "round": str(w.round),
                "rank": w.rank + 1,
                "company": str(w.company) if w.company_id else None,
                "profession": str(w.profession) if w.profession_id else None,
                "outcome": w.outcome,
            }
            for w in TalkWish.objects.filter(pupil=user).select_related("round", "company", "profession")
        ],
        "talk_rounds": [
            {"round": str(p.round), "available_slots": p.available_slots}
            for p in TalkParticipant.objects.filter(pupil=user).select_related("round")
        ],
        "talks": [
            {"round": str(t.round), "company": str(t.offer.company), "slot": t.slot, "status": t.status}
            for t in Talk.objects.filter(pupil=user).select_related("round", "offer__company")
        ],
        "talk_waiting_lists": [
            {"round": str(e.round_id), "company": str(e.offer.company)}
            for e in WaitlistEntry.objects.filter(pupil=user).select_related("offer__company")
        ],
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": _iso(r.event.starts_at),
                "status": r.status,
                "places": r.places,
                "names": r.name_list if r.teacher_id == user.pk else None,
                "checked_in_at": _iso(r.checked_in_at),
            }
            for r in Registration.objects.filter(pupil=user).select_related("event")
            | Registration.objects.filter(teacher=user).select_related("event")
            | Registration.objects.filter(members=user).select_related("event")
        ],
        "classes": [
            {"name": c.name, "school": str(c.school), "school_year": c.school_year}
            for c in user.classes.all()
        ]
        if user.is_teacher
        else [],
        "company_memberships": [
            {"company": m.company.name, "role": getattr(m, "role", "")}
            for m in CompanyMembership.objects.filter(user=user).select_related("company")
        ],
        "tandem": {
            "needs_entered": [
                {"company": n.company.name, "text": n.text, "created_at": _iso(n.created_at)}
                for n in Need.objects.filter(created_by=user).select_related("company")
            ],
            "notes_written": [
                {"met_on": _iso(n.met_on), "text": n.text} for n in Note.objects.filter(author=user)
            ],
            "steps_done": [
                {"title": s.title, "done_at": _iso(s.done_at)} for s in Step.objects.filter(done_by=user)
            ],
        },
        "not_linked_to_you": (
            "Q&A questions, duel guesses and votes, class-game nicknames and feedback answers are stored without your "
            "account (a random key in your browser or a keyed hash) and cannot be attributed to you; page views are "
            "counted without personal data."
        ),
    }


def account_delete(user, *, by=None, now=None) -> None:
    """Delete ``user`` and everything personal: places they hold are released (waiting lists move up), classes of a
    teacher lose their teacher, company memberships end; anonymous counts (insights) stay."""
    from einblick.events import services as event_services
    from einblick.events.models import ACTIVE, Registration
    from einblick.talks.models import Talk
    from einblick.talks.services import seats

    now = now or timezone.now()
    for registration in Registration.objects.filter(status__in=ACTIVE, split_from__isnull=True).filter(
        pupil=user
    ) | Registration.objects.filter(
        status__in=ACTIVE, split_from__isnull=True, teacher=user, company__isnull=True
    ):
        try:
            event_services.registration_cancel(registration=registration, by_staff=True, now=now)
        except Exception:  # already over or cancelled meanwhile: deleted with the user below
            logger.info("privacy: registration %s not cancelled before deletion", registration.pk)
    for talk in Talk.objects.filter(pupil=user, status=Talk.Status.BOOKED).select_related("round", "offer"):
        try:
            seats.booking_cancel(talk=talk)
        except Exception:
            logger.info("privacy: talk %s not cancelled before deletion", talk.pk)
    # a company's seminar registration stays with the company when another member can take it over
    for registration in Registration.objects.filter(teacher=user, company__isnull=False):
        successor = _company_contact_or_none(user, registration.company)
        if successor is not None:
            Registration.objects.filter(pk=registration.pk).update(teacher=successor)
        elif registration.status in ACTIVE and registration.split_from_id is None:
            try:
                event_services.registration_cancel(registration=registration, by_staff=True, now=now)
            except Exception:
                logger.info("privacy: registration %s not cancelled before deletion", registration.pk)
    from .audit import record
    from .models import AuditEntry

    with transaction.atomic():
        # the log keeps only the account's number and roles, nothing that names the person
        record(by, AuditEntry.Action.ACCOUNT_DELETED, f"#{user.pk}", roles=[str(r) for r in user.roles])
        # everything else that refers to the user goes with it (CASCADE) or loses the reference (SET_NULL)
        user.delete()


def _company_contact_or_none(user, company):
    """Another member of the company takes over a seminar registration of a member who deletes the account."""
    other = company.memberships.exclude(user=user).select_related("user").order_by("pk").first()
    return other.user if other else None


# ----------------------------------------------------------------------------------------------------- retention


def school_year_end(day: date) -> date:
    """31 July of the school year ``day`` belongs to (Lower Saxony: 1 August – 31 July)."""
    return date(day.year + (1 if day.month >= 8 else 0), 7, 31)


def pupil_expires_on(last_active: date) -> date:
    """A pupil's data expire at the end of the school year of their last activity + the retention months."""
    end = school_year_end(last_active)
    months = settings.EINBLICK["PUPIL_RETENTION_MONTHS"]
    year, month = end.year + (end.month + months - 1) // 12, (end.month + months - 1) % 12 + 1
    # the last day of that month
    first_next = date(year + (month // 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def expired_pupils(today: date):
    """Pupils whose last activity (last login, else sign-up) lies so far back that their data have expired."""
    from .models import User

    # expired ⇔ pupil_expires_on(last_active) < today ⇔ last_active < the start of the school year whose data
    # expire last before today
    cutoff = _activity_cutoff(today)
    tz = timezone.get_current_timezone()
    start = datetime.combine(cutoff, time.min, tzinfo=tz)
    from django.db.models import Q

    return User.objects.filter(is_pupil=True, is_staff=False).filter(
        Q(last_login__lt=start) | Q(last_login__isnull=True, date_joined__lt=start)
    )


def _activity_cutoff(today: date) -> date:
    """The first day of the oldest school year whose pupils' data have not expired yet."""
    start = date(today.year if today.month >= 8 else today.year - 1, 8, 1)  # this school year
    while pupil_expires_on(start - timedelta(days=1)) >= today:  # last year's data still kept?
        start = date(start.year - 1, 8, 1)
    return start


def retention_sweep(*, now=None) -> dict[str, int]:
    """Delete what has expired: pupils' accounts (with all their data), unanswered consent requests long past,
    the names teachers typed for class registrations of events long over, and the nicknames and texts of live Q&A
    questions of sessions over for ``EINBLICK_QA_ANONYMISE_DAYS``. Safe to run as often as you like."""
    from einblick.events.models import Registration
    from einblick.live.models import Question

    from .models import ParentalConsent

    now = now or timezone.now()
    today = timezone.localdate(now)
    done = {"pupils": 0, "consents": 0, "names": 0, "questions": 0}
    for pupil in expired_pupils(today).iterator():
        account_delete(pupil, now=now)
        done["pupils"] += 1
    done["consents"], _ = ParentalConsent.objects.filter(
        confirmed_at__isnull=True, expires_at__lt=now - timedelta(days=30)
    ).delete()
    cutoff = datetime.combine(_activity_cutoff(today), time.min, tzinfo=timezone.get_current_timezone())
    done["names"] = Registration.objects.filter(event__ends_at__lt=cutoff).exclude(names="").update(names="")
    qa_before = now - timedelta(days=settings.EINBLICK["QA_ANONYMISE_DAYS"])
    done["questions"] = (
        Question.objects.filter(session__ends_at__lt=qa_before)
        .exclude(nickname="", visitor_id="")
        .update(nickname="", visitor_id="", text="–")
    )
    if any(done.values()):
        from .audit import record
        from .models import AuditEntry

        record(None, AuditEntry.Action.RETENTION, "retention_sweep", **done)
    return done
