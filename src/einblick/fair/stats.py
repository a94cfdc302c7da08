"""Reads for the exhibitor statistics: per session viewers and live questions (from the live app), agenda adds;
per booth visits per day and "ask us" questions. Numbers only — nothing about a visitor.

The live figures come from ``einblick.live.selectors.session_stats(session_ids) -> {id: {peak_viewers,
avg_viewers, questions_asked, questions_answered}}``; without the live app they are zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import BoothQuestion, BoothVisit, Exhibitor, Fair, Session

LIVE_KEYS = ("peak_viewers", "avg_viewers", "questions_asked", "questions_answered")


def live_session_stats(session_ids: list[int]) -> dict[int, dict]:
    """The live app's figures per session, or {} when the live app is not installed."""
    if not session_ids or not apps.is_installed("einblick.live"):
        return {}
    try:
        from einblick.live.selectors import session_stats
    except ImportError:
        return {}
    return session_stats(list(session_ids)) or {}


@dataclass
class SessionStats:
    session: Session
    peak_viewers: int = 0
    avg_viewers: float = 0.0
    questions_asked: int = 0
    questions_answered: int = 0
    agenda_accounts: int = 0
    agenda_anonymous: int = 0

    @property
    def agenda_total(self) -> int:
        return self.agenda_accounts + self.agenda_anonymous


@dataclass
class ExhibitorStats:
    exhibitor: Exhibitor
    visits_by_day: list[tuple[date, int]] = field(default_factory=list)
    booth_questions: int = 0
    booth_questions_answered: int = 0
    sessions: list[SessionStats] = field(default_factory=list)

    @property
    def visits_total(self) -> int:
        return sum(count for _, count in self.visits_by_day)

    @property
    def peak_viewers(self) -> int:
        return max((s.peak_viewers for s in self.sessions), default=0)

    @property
    def avg_viewers(self) -> float:
        return sum(s.avg_viewers for s in self.sessions) / len(self.sessions) if self.sessions else 0.0

    @property
    def questions_asked(self) -> int:
        return sum(s.questions_asked for s in self.sessions)

    @property
    def questions_answered(self) -> int:
        return sum(s.questions_answered for s in self.sessions)

    @property
    def agenda_total(self) -> int:
        return sum(s.agenda_total for s in self.sessions)


def _number(value, kind=int):
    try:
        return kind(value or 0)
    except (TypeError, ValueError):
        return kind(0)


def _collect(fair: Fair, exhibitors: list[Exhibitor]) -> list[ExhibitorStats]:
    """Statistics of some exhibitors of a fair in a fixed number of queries, whatever their number."""
    by_id = {e.pk: ExhibitorStats(exhibitor=e) for e in exhibitors}
    by_company = {e.company_id: by_id[e.pk] for e in exhibitors}
    if not by_id:
        return []
    sessions = list(
        Session.objects.filter(fair=fair, company_id__in=by_company, status=Session.Status.PUBLISHED)
        .exclude(starts_at__isnull=True)
        .select_related("stage", "counter")
        .annotate(agenda_accounts=Count("agenda_items", distinct=True))
        .order_by("starts_at", "id")
    )
    live = live_session_stats([s.pk for s in sessions])
    for session in sessions:
        figures = live.get(session.pk) or {}
        counter = getattr(session, "counter", None)
        by_company[session.company_id].sessions.append(
            SessionStats(
                session=session,
                peak_viewers=_number(figures.get("peak_viewers")),
                avg_viewers=_number(figures.get("avg_viewers"), float),
                questions_asked=_number(figures.get("questions_asked")),
                questions_answered=_number(figures.get("questions_answered")),
                agenda_accounts=session.agenda_accounts,
                agenda_anonymous=counter.agenda_adds if counter else 0,
            )
        )
    visits = defaultdict(list)
    for row in (
        BoothVisit.objects.filter(exhibitor_id__in=by_id)
        .order_by("day")
        .values("exhibitor_id", "day", "count")
    ):
        visits[row["exhibitor_id"]].append((row["day"], row["count"]))
    for exhibitor_id, days in visits.items():
        by_id[exhibitor_id].visits_by_day = days
    questions = (
        BoothQuestion.objects.filter(exhibitor_id__in=by_id)
        .values("exhibitor_id")
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(status=BoothQuestion.Status.ANSWERED)))
        .order_by()
    )
    for row in questions:
        by_id[row["exhibitor_id"]].booth_questions = row["asked"]
        by_id[row["exhibitor_id"]].booth_questions_answered = row["answered"]
    return list(by_id.values())


def exhibitor_stats(exhibitor: Exhibitor) -> ExhibitorStats:
    return _collect(exhibitor.fair, [exhibitor])[0]


def fair_stats(fair: Fair) -> list[ExhibitorStats]:
    exhibitors = list(
        Exhibitor.objects.filter(fair=fair).select_related("company", "fair").order_by("company__name")
    )
    return _collect(fair, exhibitors)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "d.m.Y H:i") if value else ""


def session_table(stats: ExhibitorStats) -> tuple[list[str], list[list]]:
    header = [
        _("Session"),
        _("Start"),
        _("Stage"),
        _("Viewers (peak)"),
        _("Viewers (average)"),
        _("Live questions asked"),
        _("Live questions answered"),
        _("Agenda adds (accounts)"),
        _("Agenda adds (without account)"),
    ]
    rows = [
        [
            s.session.title,
            _when(s.session.starts_at),
            s.session.stage.name if s.session.stage_id else "",
            s.peak_viewers,
            float(s.avg_viewers),
            s.questions_asked,
            s.questions_answered,
            s.agenda_accounts,
            s.agenda_anonymous,
        ]
        for s in stats.sessions
    ]
    return header, rows


def visit_table(stats: ExhibitorStats) -> tuple[list[str], list[list]]:
    return [_("Day"), _("Booth visits")], [
        [formats.date_format(d, "d.m.Y"), n] for d, n in stats.visits_by_day
    ]


def exhibitor_table(all_stats: list[ExhibitorStats]) -> tuple[list[str], list[list]]:
    header = [
        _("Exhibitor"),
        _("Booth visits"),
        _("Booth questions"),
        _("Booth questions answered"),
        _("Sessions"),
        _("Viewers (peak)"),
        _("Viewers (average)"),
        _("Live questions asked"),
        _("Live questions answered"),
        _("Agenda adds"),
    ]
    rows = [
        [
            s.exhibitor.company.name,
            s.visits_total,
            s.booth_questions,
            s.booth_questions_answered,
            len(s.sessions),
            s.peak_viewers,
            float(s.avg_viewers),
            s.questions_asked,
            s.questions_answered,
            s.agenda_total,
        ]
        for s in all_stats
    ]
    return header, rows
