"""Reads of the live Q&A: the session, its questions for each kind of viewer, bans, catch-up, statistics."""

from django.db.models import Avg, Count, Max, Q, QuerySet

from einblick.fair.models import Session

from . import wordfilter
from .models import Ban, Question, Room, ViewerSample, Vote


def session_for_qa(session_id: int) -> Session | None:
    """A published session of a published fair with the Q&A switched on."""
    return (
        Session.objects.select_related("company", "fair", "stage")
        .filter(pk=session_id, status=Session.Status.PUBLISHED, qa_enabled=True, fair__is_published=True)
        .first()
    )


def room_seq(session_id: int) -> int:
    return Room.objects.filter(session_id=session_id).values_list("last_seq", flat=True).first() or 0


def questions_public(session_id: int) -> QuerySet[Question]:
    """What every visitor sees: visible questions, most votes first, then oldest first."""
    return Question.objects.filter(session_id=session_id, status=Question.Status.VISIBLE).order_by(
        "-votes", "created_at", "id"
    )


def questions_for(session_id: int, *, moderator: bool, visitor: str = "") -> QuerySet[Question]:
    qs = Question.objects.filter(session_id=session_id)
    if not moderator:
        own_pending = Q(status=Question.Status.PENDING, visitor_id=visitor) if visitor else Q(pk__in=[])
        qs = qs.filter(Q(status=Question.Status.VISIBLE) | own_pending)
    return qs.order_by("-votes", "created_at", "id")


def questions_changed_since(session_id: int, seq: int) -> QuerySet[Question]:
    return Question.objects.filter(session_id=session_id, rev__gt=seq).order_by("rev")


def questions_own_pending(session_id: int, visitor: str) -> list[Question]:
    if not visitor:
        return []
    return list(
        Question.objects.filter(session_id=session_id, visitor_id=visitor, status=Question.Status.PENDING)
    )


def voted_ids(session_id: int, visitor: str) -> list[int]:
    if not visitor:
        return []
    return list(
        Vote.objects.filter(question__session_id=session_id, visitor_id=visitor).values_list(
            "question_id", flat=True
        )
    )


def question_of(session_id: int, question_id) -> Question | None:
    try:
        return Question.objects.get(pk=int(question_id), session_id=session_id)
    except (Question.DoesNotExist, TypeError, ValueError):
        return None


def is_banned(session_id: int, *, visitor: str, nickname: str = "") -> bool:
    condition = Q(visitor_id=visitor) if visitor else Q(pk__in=[])
    key = wordfilter.nickname_key(nickname) if nickname else ""
    if key:
        condition |= Q(nickname_key=key)
    return Ban.objects.filter(condition, session_id=session_id).exists()


def bans_of(session_id: int) -> QuerySet[Ban]:
    return Ban.objects.filter(session_id=session_id).order_by("-created_at")


def session_stats(session_ids: list[int]) -> dict[int, dict]:
    """Per session: peak and average viewers (from the samples) and the number of questions asked and answered.

    Every id asked for is in the result (zeros without data). Two queries whatever the number of sessions;
    ``questions_asked`` counts every question sent, also those held or hidden.
    """
    ids = list(dict.fromkeys(int(pk) for pk in session_ids))
    stats = {
        pk: {"peak_viewers": 0, "avg_viewers": 0.0, "questions_asked": 0, "questions_answered": 0}
        for pk in ids
    }
    if not ids:
        return stats
    viewers = (
        ViewerSample.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(peak=Max("count"), avg=Avg("count"))
        .order_by()
    )
    for row in viewers:
        stats[row["session_id"]]["peak_viewers"] = int(row["peak"] or 0)
        stats[row["session_id"]]["avg_viewers"] = round(float(row["avg"] or 0), 1)
    questions = (
        Question.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(answered=True)))
        .order_by()
    )
    for row in questions:
        stats[row["session_id"]]["questions_asked"] = row["asked"]
        stats[row["session_id"]]["questions_answered"] = row["answered"]
    return stats


def moderation_queue() -> dict:
    """Held or reported live questions not yet reviewed (all sessions), reported leaderboard nicknames not yet
    reviewed, the words staff added."""
    from django.db.models import Q

    from einblick.duels.models import LeaderboardEntry

    from .models import BlockedWord, Question

    questions = (
        Question.objects.filter(reviewed=False)
        .filter(Q(status=Question.Status.PENDING) | Q(reports__gt=0))
        .select_related("session")
        .order_by("-created_at")[:100]
    )
    nicknames = (
        LeaderboardEntry.objects.filter(reviewed=False)
        .exclude(reported_by=[])
        .select_related("season")
        .order_by("-created_at")[:100]
    )
    return {"questions": questions, "nicknames": nicknames, "words": BlockedWord.objects.all()}
