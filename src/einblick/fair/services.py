"""Writes of the fair: sessions and their search text; exhibitors."""

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from einblick.catalog import search
from einblick.core.services import email_enqueue

from .models import (
    AgendaFeed,
    AgendaItem,
    BoothMaterial,
    BoothQuestion,
    BoothVisit,
    Exhibitor,
    Fair,
    Session,
    SessionCounter,
)


def session_refresh_search_text(session: Session) -> None:
    parts = [session.title, session.get_format_display()]
    if session.company_id:
        parts.append(session.company.name)
    parts += [p.name for p in session.professions.all()]
    parts += [speaker.get("name", "") for speaker in session.speakers]
    text = search.document(*parts)
    Session.objects.filter(pk=session.pk).update(search_text=text)
    session.search_text = text


@transaction.atomic
def session_save(*, fair: Fair, session: Session | None = None, professions=None, **fields) -> Session:
    session = session or Session(fair=fair)
    for key, value in fields.items():
        setattr(session, key, value)
    session.fair = fair
    session.full_clean()
    session.save()
    if professions is not None:
        session.professions.set(professions)
    session_refresh_search_text(session)
    return session


def exhibitor_add(*, fair: Fair, company, intro: str = "", video_url: str = "") -> Exhibitor:
    exhibitor, _ = Exhibitor.objects.get_or_create(
        fair=fair, company=company, defaults={"intro": intro, "video_url": video_url}
    )
    return exhibitor


def _increment(model, *, lookup: dict, field: str) -> None:
    """Add one to a per-key counter row: an F() update, the row created on first use (race-safe)."""
    if model.objects.filter(**lookup).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **{field: 1})
    except IntegrityError:  # created by a concurrent request in the meantime
        model.objects.filter(**lookup).update(**{field: F(field) + 1})


# --- Booths (issue #4) --------------------------------------------------------------------------------------------
def booth_update(*, exhibitor: Exhibitor, intro: str, video_url: str) -> Exhibitor:
    exhibitor.intro, exhibitor.video_url = intro.strip(), video_url.strip()
    exhibitor.full_clean(exclude=["fair", "company"])
    exhibitor.save(update_fields=["intro", "video_url"])
    return exhibitor


def booth_material_add(*, exhibitor: Exhibitor, title: str, file) -> BoothMaterial:
    """Store a checked PDF (see ``forms.validate_pdf``) under a name of our own, never the uploaded one."""
    material = BoothMaterial(exhibitor=exhibitor, title=title.strip())
    material.file.save(f"{exhibitor.company.slug}-{secrets.token_hex(8)}.pdf", file, save=False)
    try:
        material.save()
    except Exception:
        material.file.delete(save=False)
        raise
    return material


def booth_material_delete(*, material: BoothMaterial) -> None:
    storage, name = material.file.storage, material.file.name
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _company_member_emails(company) -> list[str]:
    return [
        m.user.email for m in company.memberships.select_related("user") if m.user.email and m.user.is_active
    ]


def booth_question_ask(*, exhibitor: Exhibitor, nickname: str, text: str, email: str = "") -> BoothQuestion:
    """A visitor's question through the booth's "ask us" form; the company's members are told by e-mail
    (without the asker's address)."""
    question = BoothQuestion(
        exhibitor=exhibitor, nickname=nickname.strip(), text=text.strip(), email=email.strip()
    )
    question.full_clean(exclude=["exhibitor", "answer"])
    question.save()
    base_url = settings.EINBLICK["BASE_URL"]
    email_enqueue(
        to=_company_member_emails(exhibitor.company),
        template="fair/email/booth_question",
        context={
            "question": question,
            "exhibitor": exhibitor,
            "fair": exhibitor.fair,
            "manage_url": base_url
            + reverse("fair:booth_manage", args=[exhibitor.fair.slug, exhibitor.company.slug]),
        },
    )
    return question


@transaction.atomic
def booth_question_answer(*, question: BoothQuestion, answer: str, public: bool, by=None) -> BoothQuestion:
    """Answer a booth question: by e-mail when the asker left an address (the address is deleted once the answer
    is queued), and/or publicly on the booth."""
    question.answer = answer.strip()
    question.answer_public = bool(public)
    question.status = BoothQuestion.Status.ANSWERED
    question.answered_at = timezone.now()
    recipient, question.email = question.email, ""
    question.save(update_fields=["answer", "answer_public", "status", "answered_at", "email"])
    if recipient:
        exhibitor = question.exhibitor
        email_enqueue(
            to=recipient,
            template="fair/email/booth_answer",
            context={
                "question": question,
                "company": exhibitor.company,
                "fair": exhibitor.fair,
                "booth_url": settings.EINBLICK["BASE_URL"] + exhibitor.get_absolute_url(),
            },
        )
    return question


def booth_question_hide(*, question: BoothQuestion) -> BoothQuestion:
    question.status, question.answer_public, question.email = BoothQuestion.Status.HIDDEN, False, ""
    question.save(update_fields=["status", "answer_public", "email"])
    return question


def booth_visit_count(*, exhibitor: Exhibitor, day: date | None = None) -> None:
    """Count one visit of a booth on a day: a number, nothing about the visitor."""
    _increment(BoothVisit, lookup={"exhibitor": exhibitor, "day": day or timezone.localdate()}, field="count")


# --- Agenda and reminders (issue #4) ------------------------------------------------------------------------------
REMINDER_LEAD = timedelta(minutes=15)


def session_counter_agenda_add(*, session: Session) -> None:
    """A visitor without an account put the session on the agenda kept in the browser (a number only)."""
    _increment(SessionCounter, lookup={"session": session}, field="agenda_adds")


def agenda_add(*, user, session: Session, remind: bool | None = None) -> AgendaItem:
    item, created = AgendaItem.objects.get_or_create(
        user=user, session=session, defaults={"remind": bool(remind and user.email)}
    )
    if not created and remind is not None and item.remind != remind:
        return agenda_set_remind(item=item, remind=remind)
    if created and item.remind:
        _reminder_schedule(item)
    return item


def agenda_remove(*, user, session: Session) -> None:
    AgendaItem.objects.filter(user=user, session=session).delete()


def agenda_import(*, user, sessions) -> int:
    """Take over the bookmarks kept in the browser into the account; returns how many were new."""
    existing = set(AgendaItem.objects.filter(user=user).values_list("session_id", flat=True))
    new = [AgendaItem(user=user, session=s) for s in sessions if s.pk not in existing]
    AgendaItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def agenda_set_remind(*, item: AgendaItem, remind: bool) -> AgendaItem:
    item.remind = bool(remind and item.user.email)
    item.save(update_fields=["remind"])
    if item.remind and item.reminded_at is None:
        _reminder_schedule(item)
    return item


def _reminder_schedule(item: AgendaItem) -> None:
    """Queue the reminder for 15 minutes before the start (the worker runs it then). A periodic sweep
    (``python -m einblick send_reminders``) catches reminders whose session was moved; sending twice is
    impossible either way (see ``agenda_reminder_send``)."""
    from .tasks import agenda_reminder_task

    starts_at = item.session.starts_at
    now = timezone.now()
    if not starts_at or starts_at <= now:
        return
    run_after = max(starts_at - REMINDER_LEAD, now)
    item_id = item.pk
    transaction.on_commit(lambda: agenda_reminder_task.using(run_after=run_after).enqueue(item_id=item_id))


def agenda_reminders_due(now: datetime | None = None):
    now = now or timezone.now()
    return AgendaItem.objects.filter(
        remind=True,
        reminded_at__isnull=True,
        user__is_active=True,
        session__status=Session.Status.PUBLISHED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_LEAD,
    ).exclude(user__email="")


def agenda_reminders_send(*, now: datetime | None = None) -> int:
    """Send every reminder that is due now; returns how many were queued. Safe to run as often as you like and
    from several processes at once."""
    now = now or timezone.now()
    ids = list(agenda_reminders_due(now).order_by("session__starts_at").values_list("pk", flat=True))
    return sum(agenda_reminder_send(item_id=pk, now=now) for pk in ids)


def agenda_reminder_send(*, item_id: int, now: datetime | None = None, reschedule: bool = False) -> bool:
    """Send one reminder at most once: inside one transaction the row is locked (PostgreSQL), claimed by a
    conditional update of ``reminded_at`` and the e-mail queued; a second run — also a concurrent one, or after
    a worker restart — finds ``reminded_at`` set and sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = AgendaItem.objects.filter(pk=item_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        item = rows.select_related("user", "session__fair", "session__stage", "session__company").first()
        if (
            item is None
            or item.reminded_at
            or not item.remind
            or not item.user.email
            or not item.user.is_active
        ):
            return False
        session = item.session
        if session.status != Session.Status.PUBLISHED or not session.starts_at or session.starts_at <= now:
            return False
        if session.starts_at - REMINDER_LEAD > now + timedelta(seconds=60):
            if reschedule:  # the session was moved to a later time: come back then
                _reminder_schedule(item)
            return False
        claimed = AgendaItem.objects.filter(pk=item.pk, reminded_at__isnull=True, remind=True).update(
            reminded_at=now
        )
        if claimed != 1:
            return False
        base_url = settings.EINBLICK["BASE_URL"]
        email_enqueue(
            to=item.user.email,
            template="fair/email/agenda_reminder",
            context={
                "user": item.user,
                "session": session,
                "fair": session.fair,
                "session_url": base_url + session.get_absolute_url(),
                "agenda_url": base_url + reverse("fair:agenda", args=[session.fair.slug]),
            },
        )
        return True


def agenda_feed_get(*, user) -> AgendaFeed:
    feed, _ = AgendaFeed.objects.get_or_create(user=user, defaults={"key": secrets.token_urlsafe(24)})
    return feed


def agenda_feed_reset(*, user) -> AgendaFeed:
    """A new secret: every feed URL handed out before stops working (404)."""
    feed, _ = AgendaFeed.objects.update_or_create(user=user, defaults={"key": secrets.token_urlsafe(24)})
    return feed
