"""Writes of the live Q&A. Every change to a question takes the next number of the session's event sequence in
the same transaction (``_next_seq``) and stores it on the question (``rev``); the caller broadcasts the changed
questions after the commit (``events.publish``).

Lock order in every transaction: the vote/report row, then the session's ``Room`` row, then the question — so two
writers never wait for each other crosswise (PostgreSQL); SQLite runs writers one after the other anyway.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import wordfilter
from .models import Ban, Question, Report, Room, ViewerSample, Vote


def _next_seq(session_id: int) -> int:
    """The next event number of the session's Q&A (call inside a transaction; holds the room's row lock)."""
    if not Room.objects.filter(session_id=session_id).update(last_seq=F("last_seq") + 1):
        try:
            with transaction.atomic():
                Room.objects.create(session_id=session_id, last_seq=1)
            return 1
        except IntegrityError:  # created at the same moment by another writer
            Room.objects.filter(session_id=session_id).update(last_seq=F("last_seq") + 1)
    return Room.objects.filter(session_id=session_id).values_list("last_seq", flat=True).get()


def _save(question: Question, **fields) -> Question:
    """Apply the changes with a new event number; counters given as F() expressions are read back."""
    fields["rev"] = _next_seq(question.session_id)
    Question.objects.filter(pk=question.pk).update(**fields)
    question.refresh_from_db()
    return question


def hold_reason(*, session, nickname: str, text: str) -> str:
    if wordfilter.matches(nickname) or wordfilter.matches(text):
        return Question.Held.FILTER
    if session.qa_premoderation:
        return Question.Held.PREMODERATION
    return Question.Held.NONE


@transaction.atomic
def question_ask(*, session, visitor_id: str, nickname: str, text: str) -> Question:
    """A visitor's question. Held for a moderator (pending) when the word filter finds something or the session is
    pre-moderated; visible to everyone at once otherwise."""
    held = hold_reason(session=session, nickname=nickname, text=text)
    seq = _next_seq(session.pk)
    return Question.objects.create(
        session=session,
        visitor_id=visitor_id,
        nickname=nickname,
        text=text,
        held=held,
        status=Question.Status.PENDING if held else Question.Status.VISIBLE,
        rev=seq,
    )


@transaction.atomic
def question_vote(*, question: Question, visitor_id: str) -> bool:
    """One vote per visitor and question; False when the visitor had voted already (nothing changes)."""
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, visitor_id=visitor_id)
    except IntegrityError:
        return False
    _save(question, votes=F("votes") + 1)
    return True


@transaction.atomic
def question_report(*, question: Question, visitor_id: str, threshold: int) -> bool:
    """Count a visitor's report (once per visitor). At ``threshold`` reports a visible question no moderator has
    decided on yet is held until one does. False when the visitor had reported it already."""
    try:
        with transaction.atomic():
            Report.objects.create(question=question, visitor_id=visitor_id)
    except IntegrityError:
        return False
    _save(question, reports=F("reports") + 1)
    if question.reports >= threshold and question.status == Question.Status.VISIBLE and not question.reviewed:
        # Same event number: one change as far as the viewers are concerned.
        Question.objects.filter(pk=question.pk).update(
            status=Question.Status.PENDING, held=Question.Held.REPORTS
        )
        question.refresh_from_db()
    return True


@transaction.atomic
def question_answer(*, question: Question, text: str, by) -> Question:
    """The presenter's written answer; answering a held question approves it."""
    fields = {"answer": text, "answered": True, "answered_at": timezone.now(), "answered_by": by}
    if question.status == Question.Status.PENDING:
        fields.update(status=Question.Status.VISIBLE, held="", reviewed=True)
    return _save(question, **fields)


@transaction.atomic
def question_mark_answered(*, question: Question, answered: bool, by) -> Question:
    return _save(
        question,
        answered=answered,
        answered_at=timezone.now() if answered else None,
        answered_by=by if answered else None,
    )


@transaction.atomic
def question_hide(*, question: Question, by) -> Question:
    return _save(question, status=Question.Status.HIDDEN, reviewed=True)


@transaction.atomic
def question_approve(*, question: Question, by) -> Question:
    """Show a held (or hidden) question to everyone; reports no longer hold it afterwards."""
    return _save(question, status=Question.Status.VISIBLE, held="", reviewed=True)


@transaction.atomic
def visitor_ban(*, question: Question, by) -> tuple[Ban, list[Question]]:
    """Ban the question's visitor and nickname from this session's Q&A and hide all their questions there."""
    key = wordfilter.nickname_key(question.nickname)
    ban = Ban.objects.create(
        session_id=question.session_id,
        visitor_id=question.visitor_id,
        nickname=question.nickname,
        nickname_key=key,
        created_by=by,
    )
    hidden = []
    candidates = Question.objects.filter(session_id=question.session_id).exclude(
        status=Question.Status.HIDDEN
    )
    for other in candidates.order_by("id"):
        if other.visitor_id == question.visitor_id or wordfilter.nickname_key(other.nickname) == key:
            hidden.append(_save(other, status=Question.Status.HIDDEN, reviewed=True))
    return ban, hidden


def viewer_sample_record(*, session_id: int, count: int, at=None) -> ViewerSample:
    return ViewerSample.objects.create(
        session_id=session_id, count=max(0, int(count)), at=at or timezone.now()
    )


# -------------------------------------------------------------------------------------------- the word filter


def blocked_word_add(*, entry: str, by):
    from .models import BlockedWord

    word, _created = BlockedWord.objects.get_or_create(
        entry=entry.strip().lower()[:60], defaults={"created_by": by}
    )
    wordfilter.wordlist_changed()
    return word


def blocked_word_delete(*, word) -> None:
    word.delete()
    wordfilter.wordlist_changed()
