"""Writes of the interest check: progress in the session, results saved to an account, sharing."""

from django.db import transaction

from .models import InterestResult
from .scoring import valid_answers
from .statements import DIMENSIONS, STATEMENTS

SESSION_KEY = "interest_check"


def check_answers(session) -> dict[str, str]:
    return valid_answers(session.get(SESSION_KEY, {}).get("answers", {}))


def check_answer(*, session, index: int, answer: str) -> dict[str, str]:
    """Record the answer to statement ``index`` (0-based) in the visitor's session."""
    answers = check_answers(session)
    answers[STATEMENTS[index].key] = answer
    session[SESSION_KEY] = {"answers": valid_answers(answers)}
    return answers


def check_restart(*, session) -> None:
    session.pop(SESSION_KEY, None)


def first_open_index(answers: dict[str, str]) -> int | None:
    return next((n for n, s in enumerate(STATEMENTS) if s.key not in answers), None)


@transaction.atomic
def result_save(*, user, profile: dict[str, int], share_with_teacher: bool = False) -> InterestResult:
    share = share_with_teacher and user.school_class_id is not None
    return InterestResult.objects.create(
        user=user, shared_with_teacher=share, **{d.lower(): profile[d] for d in DIMENSIONS}
    )


def result_set_shared(*, result: InterestResult, shared: bool) -> InterestResult:
    result.shared_with_teacher = shared and result.user.school_class_id is not None
    result.save(update_fields=["shared_with_teacher"])
    return result
