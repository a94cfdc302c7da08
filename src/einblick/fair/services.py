"""Writes of the fair: sessions and their search text; exhibitors."""

import logging
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from einblick.catalog import search
from einblick.core import counts, pagecache
from einblick.core.services import email_enqueue

from . import planner
from .models import (
    AgendaFeed,
    AgendaItem,
    BoothMaterial,
    BoothQuestion,
    BoothVisit,
    Exhibitor,
    Fair,
    PlanRun,
    Session,
    SessionCounter,
    SessionRequest,
    Stage,
)

logger = logging.getLogger(__name__)


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


def _increment(model, *, lookup: dict, field: str, by: int = 1) -> None:
    """Add ``by`` to a per-key counter row: an F() update, the row created on first use (race-safe)."""
    if model.objects.filter(**lookup).update(**{field: F(field) + by}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **{field: by})
    except IntegrityError:  # created by a concurrent request in the meantime
        model.objects.filter(**lookup).update(**{field: F(field) + by})


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


def booth_visits_write(rows: list[tuple[int, date]]) -> None:
    """Write queued booth visits (``core/counts.py``): one update per booth and day, all or nothing (a failed batch
    is queued again and must not count twice); visits of booths deleted meanwhile are dropped."""
    visits = Counter(rows)
    existing = set(Exhibitor.objects.filter(pk__in={pk for pk, _day in visits}).values_list("pk", flat=True))
    with transaction.atomic():
        for (exhibitor_id, day), number in visits.items():
            if exhibitor_id in existing:
                _increment(
                    BoothVisit, lookup={"exhibitor_id": exhibitor_id, "day": day}, field="count", by=number
                )


counts.register("fair.booth_visit", booth_visits_write)


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


# --- Programme planner (issue #4): session requests, planner runs, moving and pinning by hand -------------------


class MoveRefused(Exception):
    """A move that breaks a hard rule (overlap on a stage): never carried out."""

    def __init__(self, conflicts):
        super().__init__("move refused")
        self.conflicts = conflicts


class MoveNeedsConfirmation(Exception):
    """A move with warnings (company on two stages, outside opening hours …): carried out only when confirmed."""

    def __init__(self, conflicts):
        super().__init__("move needs confirmation")
        self.conflicts = conflicts


def school_hours() -> planner.SchoolHours:
    start, end = (time.fromisoformat(value.strip()) for value in settings.EINBLICK_SCHOOL_HOURS)
    weekdays = tuple(day - 1 for day in settings.EINBLICK_SCHOOL_DAYS)
    return planner.SchoolHours(weekdays=weekdays, start=start, end=end, timezone=settings.TIME_ZONE)


def planner_options(*, time_limit: float | None = None, seed: int | None = None) -> planner.Options:
    return planner.Options(
        time_limit=settings.EINBLICK_PLANNER_TIME_LIMIT if time_limit is None else time_limit,
        workers=settings.EINBLICK_PLANNER_WORKERS,
        seed=settings.EINBLICK_PLANNER_SEED if seed is None else seed,
        school_hours=school_hours(),
    )


def fair_windows(fair: Fair) -> tuple[planner.Window, ...]:
    return tuple(planner.Window(day.starts_at, day.ends_at) for day in fair.days.all())


def availability_windows(session_request: SessionRequest) -> tuple[planner.Window, ...]:
    return tuple(
        planner.Window(datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in session_request.availability
    )


def unplaced_reason_text(reason: str, detail: dict | None = None) -> str:
    """One sentence for the company and the staff, in the active language."""
    detail = detail or {}
    texts = {
        planner.Reason.TOO_LONG: gettext(
            "The session is longer than any opening window of the fair (longest window: %(longest)s minutes)."
        )
        % {"longest": detail.get("longest_window", "–")},
        planner.Reason.OUTSIDE_AVAILABILITY: gettext(
            "Your available times do not leave %(minutes)s minutes in a row within the fair's opening hours."
        )
        % {"minutes": detail.get("duration", "–")},
        planner.Reason.SCHOOL_HOURS: gettext(
            "Aimed at school hours, but your available times contain no school hours (%(school_hours)s)."
        )
        % {"school_hours": school_hours_label()},
        planner.Reason.COMPANY_FIXED: gettext(
            "Your company's other fixed sessions take all the times you are available."
        ),
        planner.Reason.BLOCKED: gettext(
            "Fixed sessions take every stage at all the times you are available."
        ),
        planner.Reason.COMPANY_BUSY: gettext(
            "A stage would be free only when your company is already on another stage."
        ),
        planner.Reason.STAGES_FULL: gettext(
            "All stages are taken at the times you are available; the plan places as many requests as possible."
        ),
        "changed": gettext("The programme changed while the planner was running; please plan again."),
    }
    return texts.get(reason, reason)


def school_hours_label() -> str:
    hours = school_hours()
    names = [
        gettext("Mon"),
        gettext("Tue"),
        gettext("Wed"),
        gettext("Thu"),
        gettext("Fri"),
        gettext("Sat"),
        gettext("Sun"),
    ]
    days = sorted(hours.weekdays)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        day_text = f"{names[days[0]]}–{names[days[-1]]}"
    else:
        day_text = ", ".join(names[d] for d in days)
    return f"{day_text} {hours.start:%H:%M}–{hours.end:%H:%M}"


def session_request_validate(
    *,
    fair: Fair,
    duration_minutes: int,
    availability,
    preferred_stage: Stage | None,
    school_hours_required: bool,
) -> None:
    """The rules of a request, with messages for the company. Raises ValidationError (field → messages)."""
    errors: dict[str, list[str]] = {}
    if (
        not (planner.MIN_LENGTH <= duration_minutes <= planner.MAX_LENGTH)
        or duration_minutes % planner.STEP_MINUTES
    ):
        errors.setdefault("duration_minutes", []).append(
            gettext("Please choose a length between 15 and 180 minutes in steps of 15 minutes.")
        )
    if preferred_stage is not None and preferred_stage.fair_id != fair.pk:
        errors.setdefault("preferred_stage", []).append(gettext("Please choose a stage of this fair."))
    windows = fair_windows(fair)
    if not windows:
        errors.setdefault("__all__", []).append(gettext("The fair has no opening hours yet."))
    if not availability:
        errors.setdefault("availability", []).append(
            gettext("Please choose at least one day on which you can.")
        )
    for start, end in availability:
        if end <= start:
            errors.setdefault("availability", []).append(
                gettext("Each time window must end after it starts.")
            )
        elif not any(w.starts_at <= start and end <= w.ends_at for w in windows):
            errors.setdefault("availability", []).append(
                gettext("%(start)s–%(end)s lies outside the fair's opening hours.")
                % {
                    "start": formats.date_format(timezone.localtime(start), "D j.n. H:i"),
                    "end": formats.time_format(timezone.localtime(end), "H:i"),
                }
            )
    if not errors:
        request = planner.Request(
            id=0,
            company=0,
            duration_minutes=duration_minutes,
            availability=tuple(planner.Window(start, end) for start, end in availability),
            school_hours=school_hours_required,
        )
        reason = planner.unplaceable_reason(request, windows, planner_options())
        if reason == planner.Reason.SCHOOL_HOURS:
            errors["school_hours"] = [
                gettext(
                    "Your times contain no school hours (%(school_hours)s). Choose a weekday morning or untick "
                    "“during school hours”."
                )
                % {"school_hours": school_hours_label()}
            ]
        elif reason is not None:
            errors["availability"] = [
                gettext("Your times leave no %(minutes)s minutes in a row within the opening hours.")
                % {"minutes": duration_minutes}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_request_create(
    *,
    fair: Fair,
    company,
    title: str,
    description: str = "",
    format: str = Session.Format.PRESENTATION,
    professions=(),
    duration_minutes: int,
    availability: list[tuple[datetime, datetime]],
    preferred_stage: Stage | None = None,
    school_hours: bool = True,
) -> SessionRequest:
    session_request_validate(
        fair=fair,
        duration_minutes=duration_minutes,
        availability=availability,
        preferred_stage=preferred_stage,
        school_hours_required=school_hours,
    )
    session_request = SessionRequest(
        fair=fair,
        company=company,
        title=title,
        description=description,
        format=format,
        duration_minutes=duration_minutes,
        preferred_stage=preferred_stage,
        school_hours=school_hours,
        availability=[[start.isoformat(), end.isoformat()] for start, end in sorted(availability)],
    )
    session_request.full_clean()
    session_request.save()
    session_request.professions.set(professions)
    return session_request


def _session_unschedule(session: Session) -> None:
    """A planned session loses its slot: a draft disappears, a published one is cancelled (agendas show it)."""
    if session.status == Session.Status.DRAFT:
        session.delete()
    else:
        Session.objects.filter(pk=session.pk).update(
            status=Session.Status.CANCELLED, is_pinned=False, updated_at=timezone.now()
        )
        pagecache.invalidate()


@transaction.atomic
@transaction.atomic
def session_request_withdraw(*, session_request: SessionRequest) -> SessionRequest:
    # The same lock as plan_apply and session_move: a running plan cannot re-create a withdrawn session.
    Fair.objects.select_for_update().filter(pk=session_request.fair_id).first()
    session_request.refresh_from_db()
    if session_request.session_id:
        _session_unschedule(session_request.session)
    SessionRequest.objects.filter(pk=session_request.pk).update(
        status=SessionRequest.Status.WITHDRAWN, session=None, unplaced_reason=""
    )
    session_request.refresh_from_db()
    return session_request


ACTIVE_REQUEST_STATUSES = (
    SessionRequest.Status.OPEN,
    SessionRequest.Status.PLANNED,
    SessionRequest.Status.UNPLACED,
)


def plan_problem(fair: Fair) -> planner.Problem:
    """The fair as the planner sees it. Requests with a pinned session, and sessions not made by the planner,
    are fixed; the other requests are placed (again), starting from where they are now."""
    requests = list(
        SessionRequest.objects.filter(fair=fair, status__in=ACTIVE_REQUEST_STATUSES)
        .select_related("session")
        .prefetch_related("professions")
        .order_by("pk")
    )
    movable_sessions = {
        r.session_id
        for r in requests
        if r.session_id and not r.session.is_pinned and r.session.status != "cancelled"
    }
    sessions = (
        Session.objects.filter(fair=fair, stage__isnull=False, starts_at__isnull=False)
        .exclude(status=Session.Status.CANCELLED)
        .exclude(pk__in=movable_sessions)
        .prefetch_related("professions")
        .select_related("request")
    )
    fixed = []
    for session in sessions:
        linked = getattr(session, "request", None)
        fixed.append(
            planner.Fixed(
                id=session.pk,
                stage=session.stage_id,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                company=session.company_id,
                professions=frozenset(p.pk for p in session.professions.all()),
                request=linked.pk if linked is not None else None,
            )
        )
    planner_requests = []
    for r in requests:
        current = r.session if r.session_id in movable_sessions else None
        planner_requests.append(
            planner.Request(
                id=r.pk,
                company=r.company_id,
                duration_minutes=r.duration_minutes,
                professions=frozenset(p.pk for p in r.professions.all()),
                availability=availability_windows(r),
                preferred_stage=r.preferred_stage_id,
                school_hours=r.school_hours,
                current_stage=current.stage_id if current and current.starts_at else None,
                current_start=current.starts_at if current and current.stage_id else None,
            )
        )
    return planner.Problem(
        windows=fair_windows(fair),
        stages=tuple(fair.stages.values_list("pk", flat=True)),
        requests=tuple(planner_requests),
        fixed=tuple(fixed),
    )


def plan_run_is_stale(run: PlanRun, now: datetime | None = None) -> bool:
    """A queued or running run that should have ended long ago (the worker died): it no longer blocks."""
    now = now or timezone.now()
    return now - run.created_at > timedelta(seconds=max(600, 10 * run.time_limit))


def plan_run_start(*, fair: Fair, by=None) -> tuple[PlanRun, bool]:
    """Queue a planner run; returns (run, created). While a run is queued or running, that run is returned."""
    from .tasks import plan_run_task

    with transaction.atomic():
        Fair.objects.select_for_update().filter(pk=fair.pk).first()
        active = [
            r
            for r in PlanRun.objects.filter(fair=fair, status__in=["queued", "running"])
            if not plan_run_is_stale(r)
        ]
        if active:
            return active[0], False
        run = PlanRun.objects.create(
            fair=fair,
            created_by=by,
            time_limit=settings.EINBLICK_PLANNER_TIME_LIMIT,
            seed=settings.EINBLICK_PLANNER_SEED,
        )
    plan_run_task.enqueue(run_id=run.pk)
    return run, True


def plan_run_execute(*, run_id: int) -> PlanRun | None:
    """Solve and apply one queued run (called by the task worker). Progress is written to the run while the
    solver works in a second thread; the solver itself never touches the database."""
    updated = PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.QUEUED).update(
        status=PlanRun.Status.RUNNING, started_at=timezone.now()
    )
    if not updated:
        return None  # already run, or unknown
    run = PlanRun.objects.select_related("fair").get(pk=run_id)
    try:
        problem = plan_problem(run.fair)
        options = planner_options(time_limit=run.time_limit, seed=run.seed)
        progress = planner.Progress()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner") as pool:
            future = pool.submit(planner.solve, problem, options, progress)
            while True:
                try:
                    result = future.result(timeout=1.0)
                    break
                except FuturesTimeout:
                    PlanRun.objects.filter(pk=run.pk).update(
                        phase=progress.phase,
                        solutions=progress.solutions,
                        objective=progress.objective,
                        best_bound=progress.best_bound,
                    )
        counts = plan_apply(fair=run.fair, result=result, started_at=run.started_at)
        stats = {**result.stats, **counts, "greedy_placed": result.greedy_placed}
        stats["fixed_conflicts"] = len(result.fixed_conflicts)
        PlanRun.objects.filter(pk=run.pk).update(
            status=PlanRun.Status.DONE,
            finished_at=timezone.now(),
            solver_status=result.status,
            objective=result.objective,
            best_bound=result.best_bound,
            first_solution_seconds=result.first_solution_seconds,
            wall_seconds=result.wall_seconds,
            solutions=result.solutions,
            requests=len(problem.requests),
            placed=counts["placed"],
            unplaced=counts["unplaced"],
            placed_bound=result.placed_bound,
            stats=stats,
        )
    except Exception as error:  # the run must end visibly, whatever happened
        logger.exception("planner run %s failed", run_id)
        PlanRun.objects.filter(pk=run.pk).update(
            status=PlanRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
    run.refresh_from_db()
    return run


@transaction.atomic
def plan_apply(*, fair: Fair, result: planner.Result, started_at: datetime | None = None) -> dict:
    """Write a planner result: sessions (drafts when new) for placed requests, reasons for the others.

    Nothing a person changed meanwhile is overwritten: a request withdrawn, a session pinned or moved by hand after
    ``started_at`` is left alone, and a placement that now collides with such a change is not applied."""
    Fair.objects.select_for_update().filter(pk=fair.pk).first()
    ids = [p.request for p in result.placements] + [u.request for u in result.unplaced]
    requests = {
        r.pk: r
        for r in SessionRequest.objects.filter(pk__in=ids, fair=fair)
        .select_related("session", "company")
        .prefetch_related("professions")
    }

    def touched(r: SessionRequest) -> bool:
        if r.status == SessionRequest.Status.WITHDRAWN:
            return True
        session = r.session
        return bool(session and (session.is_pinned or (started_at and session.updated_at > started_at)))

    replanned = {r.session_id for r in requests.values() if r.session_id and not touched(r)}
    standing = [
        planner.Slot(s.pk, s.stage_id, s.starts_at, s.ends_at, s.company_id)
        for s in Session.objects.filter(fair=fair, stage__isnull=False, starts_at__isnull=False)
        .exclude(status=Session.Status.CANCELLED)
        .exclude(pk__in=replanned)
    ]
    counts = {"placed": 0, "unplaced": 0, "skipped": 0}
    for placement in result.placements:
        r = requests.get(placement.request)
        if r is None or touched(r):
            counts["skipped"] += 1
            continue
        slot = planner.Slot(
            r.session_id or 0, placement.stage, placement.starts_at, placement.ends_at, r.company_id
        )
        if any(
            c.kind in ("stage", "company") for c in planner.slot_conflicts(slot, standing, fair_windows(fair))
        ):
            r.status, r.unplaced_reason = SessionRequest.Status.UNPLACED, unplaced_reason_text("changed")
            r.save(update_fields=["status", "unplaced_reason"])
            counts["unplaced"] += 1
            continue
        fields = {"stage_id": placement.stage, "starts_at": placement.starts_at, "ends_at": placement.ends_at}
        if r.session_id:
            session = session_save(fair=fair, session=r.session, **fields)
            if session.status == Session.Status.CANCELLED:
                Session.objects.filter(pk=session.pk).update(status=Session.Status.DRAFT)
        else:
            session = session_save(
                fair=fair,
                company=r.company,
                title=r.title,
                description=r.description,
                format=r.format,
                status=Session.Status.DRAFT,
                professions=list(r.professions.all()),
                **fields,
            )
        standing.append(
            planner.Slot(session.pk, placement.stage, placement.starts_at, placement.ends_at, r.company_id)
        )
        SessionRequest.objects.filter(pk=r.pk).update(
            status=SessionRequest.Status.PLANNED, session=session, unplaced_reason=""
        )
        counts["placed"] += 1
    with translation.override(settings.LANGUAGE_CODE):
        for unplaced in result.unplaced:
            r = requests.get(unplaced.request)
            if r is None or touched(r):
                counts["skipped"] += 1
                continue
            if r.session_id:
                _session_unschedule(r.session)
            SessionRequest.objects.filter(pk=r.pk).update(
                status=SessionRequest.Status.UNPLACED,
                session=None,
                unplaced_reason=unplaced_reason_text(unplaced.reason, unplaced.detail),
            )
            counts["unplaced"] += 1
    return counts


def session_move_conflicts(
    *, session: Session, stage: Stage, starts_at: datetime, ends_at: datetime, session_request=None
) -> list[planner.Conflict]:
    others = [
        planner.Slot(s.pk, s.stage_id, s.starts_at, s.ends_at, s.company_id)
        for s in Session.objects.filter(
            fair=session.fair, stage__isnull=False, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(status=Session.Status.CANCELLED)
        .exclude(pk=session.pk)
    ]
    if session_request is None:
        session_request = SessionRequest.objects.filter(session=session).first() if session.pk else None
    slot = planner.Slot(session.pk or 0, stage.pk, starts_at, ends_at, session.company_id)
    return planner.slot_conflicts(
        slot,
        others,
        fair_windows(session.fair),
        availability=availability_windows(session_request) if session_request else (),
        school_hours_required=bool(session_request and session_request.school_hours),
        school_hours=school_hours(),
    )


@transaction.atomic
def session_move(
    *, session: Session, stage: Stage, starts_at: datetime, confirm: bool = False, pin: bool = True
) -> Session:
    """Put a session on a stage at a time by hand, keeping its length. An overlap on the stage is refused
    (MoveRefused); other conflicts need ``confirm`` (else MoveNeedsConfirmation). A moved session is pinned by
    default, so the next planner run keeps it."""
    Fair.objects.select_for_update().filter(pk=session.fair_id).first()
    if stage.fair_id != session.fair_id:
        raise ValueError("stage of another fair")
    session_request = SessionRequest.objects.filter(session=session).first()
    minutes = session.duration_minutes or (session_request.duration_minutes if session_request else 30)
    ends_at = starts_at + timedelta(minutes=minutes)
    conflicts = session_move_conflicts(
        session=session, stage=stage, starts_at=starts_at, ends_at=ends_at, session_request=session_request
    )
    if any(c.hard for c in conflicts):
        raise MoveRefused(conflicts)
    if conflicts and not confirm:
        raise MoveNeedsConfirmation(conflicts)
    session = session_save(
        fair=session.fair,
        session=session,
        stage=stage,
        starts_at=starts_at,
        ends_at=ends_at,
        is_pinned=pin or session.is_pinned,
        status=Session.Status.DRAFT if session.status == Session.Status.CANCELLED else session.status,
    )
    if session_request:
        SessionRequest.objects.filter(pk=session_request.pk).update(
            status=SessionRequest.Status.PLANNED, unplaced_reason=""
        )
    return session


@transaction.atomic
def session_request_place(
    *,
    session_request: SessionRequest,
    stage: Stage,
    starts_at: datetime,
    confirm: bool = False,
    pin: bool = True,
) -> Session:
    """Place a request by hand (e.g. one the planner could not place): like ``session_move``, for its session."""
    Fair.objects.select_for_update().filter(pk=session_request.fair_id).first()
    if session_request.status == SessionRequest.Status.WITHDRAWN:
        raise ValueError("withdrawn request")
    session = session_request.session or Session(
        fair=session_request.fair,
        company=session_request.company,
        title=session_request.title,
        description=session_request.description,
        format=session_request.format,
        status=Session.Status.DRAFT,
    )
    ends_at = starts_at + timedelta(minutes=session_request.duration_minutes)
    conflicts = session_move_conflicts(
        session=session, stage=stage, starts_at=starts_at, ends_at=ends_at, session_request=session_request
    )
    if any(c.hard for c in conflicts):
        raise MoveRefused(conflicts)
    if conflicts and not confirm:
        raise MoveNeedsConfirmation(conflicts)
    session = session_save(
        fair=session_request.fair,
        session=session if session.pk else None,
        professions=list(session_request.professions.all()) if not session.pk else None,
        company=session.company,
        title=session.title,
        description=session.description,
        format=session.format,
        status=Session.Status.DRAFT if session.status == Session.Status.CANCELLED else session.status,
        stage=stage,
        starts_at=starts_at,
        ends_at=ends_at,
        is_pinned=pin or session.is_pinned,
    )
    SessionRequest.objects.filter(pk=session_request.pk).update(
        status=SessionRequest.Status.PLANNED, session=session, unplaced_reason=""
    )
    return session


def session_pin(*, session: Session, pinned: bool) -> Session:
    Session.objects.filter(pk=session.pk).update(is_pinned=pinned, updated_at=timezone.now())
    pagecache.invalidate()
    session.refresh_from_db()
    return session


def plan_publish(*, fair: Fair) -> int:
    """Publish the planned draft sessions that have a place on the programme."""
    published = Session.objects.filter(
        fair=fair,
        status=Session.Status.DRAFT,
        stage__isnull=False,
        starts_at__isnull=False,
        request__isnull=False,
    ).update(status=Session.Status.PUBLISHED, updated_at=timezone.now())
    pagecache.invalidate()  # after the update: a page rendered in between must not keep the old programme
    return published
