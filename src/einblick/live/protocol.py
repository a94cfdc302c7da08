"""The Q&A wire format: how a question looks to each kind of viewer, and the frames (JSON text) sent.

Three views of a question: the public one (only visible questions), the asker's own (their pending question too,
marked ``pending``) and the moderators' (everything, with status, reason for holding and report count). The visitor
id is in none of them. See docs/live.md for all message types.
"""

import json

from django.utils import timezone

from .models import Question


def frame(kind: str, **data) -> str:
    return json.dumps({"type": kind, **data}, ensure_ascii=False, separators=(",", ":"))


def _base(question: Question) -> dict:
    return {
        "id": question.pk,
        "rev": question.rev,
        "nickname": question.nickname,
        "text": question.text,
        "votes": question.votes,
        "answered": question.answered,
        "answer": question.answer,
        "created": timezone.localtime(question.created_at).isoformat(timespec="seconds"),
    }


def question_public(question: Question, *, mine: bool = False) -> dict:
    return {**_base(question), "mine": mine, "pending": question.status == Question.Status.PENDING}


def question_moderator(question: Question) -> dict:
    return {
        **_base(question),
        "mine": False,
        "pending": question.status == Question.Status.PENDING,
        "status": question.status,
        "held": question.held,
        "reports": question.reports,
    }


def question_for(question: Question, *, moderator: bool, visitor: str = "") -> dict | None:
    """The question as this viewer sees it, or None when they may not see it."""
    if moderator:
        return question_moderator(question)
    mine = bool(visitor) and question.visitor_id == visitor
    if question.status == Question.Status.VISIBLE or (mine and question.status == Question.Status.PENDING):
        return question_public(question, mine=mine)
    return None


def event_frame(question: Question, view: dict | None) -> str:
    if view is None:
        return frame("removed", seq=question.rev, id=question.pk, rev=question.rev)
    return frame("question", seq=question.rev, question=view)


def channel_message(question: Question) -> dict:
    """The channel-layer message for one change: the frames for every kind of viewer rendered once, so each
    consumer only picks one (no per-connection work on large rooms)."""
    return {
        "type": "qa.event",
        "seq": question.rev,
        "owner": question.visitor_id,
        "public": event_frame(question, question_for(question, moderator=False)),
        "own": event_frame(question, question_for(question, moderator=False, visitor=question.visitor_id)),
        "moderator": event_frame(question, question_moderator(question)),
    }


def state_frames(*, seq: int, questions, moderator: bool, visitor: str, since: int | None) -> str:
    """A full snapshot (``since`` None) or the changes after ``since`` (catch-up), as one frame."""
    shown, removed = [], []
    for question in questions:
        view = question_for(question, moderator=moderator, visitor=visitor)
        if view is not None:
            shown.append(view)
        elif since is not None:
            removed.append({"id": question.pk, "rev": question.rev})
    if since is None:
        return frame("snapshot", seq=seq, questions=shown)
    return frame("catchup", seq=seq, since=since, questions=shown, removed=removed)


def moderator_section(question: Question) -> str:
    """Where the presenter's page lists a question: pending, open, answered or hidden."""
    if question.status == Question.Status.PENDING:
        return "pending"
    if question.status == Question.Status.HIDDEN:
        return "hidden"
    return "answered" if question.answered else "open"
