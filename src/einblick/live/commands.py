"""The commands of the live Q&A — one dispatcher for the WebSocket consumer and for the plain HTML forms that
work without JavaScript. Parses and checks the input, checks permission and rate limits, calls one service and says
what to send back to the actor (``Outcome.frames``) and which changed questions to broadcast (``Outcome.changed``).

Runs synchronously (the consumer calls it through ``database_sync_to_async``).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import protocol, ratelimit, rules, selectors, services
from .models import Question

VISITOR_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Control characters, zero-width characters and bidirectional overrides (text that reads differently than it is).
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)
MODERATOR_COMMANDS = {"answer", "answered", "hide", "approve", "ban"}


class CommandError(Exception):
    """A command that cannot be carried out; ``message`` is in the actor's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Actor:
    user: Any = None
    visitor: str = ""
    is_moderator: bool = False
    connection: str = ""  # the WebSocket's channel name: a second key for the rate limits
    address: str = ""  # the client's network address: a third key, with generous limits (classes share one)
    language: str = settings.LANGUAGE_CODE


@dataclass
class Outcome:
    frames: list[str] = field(default_factory=list)
    changed: list[Question] = field(default_factory=list)
    visitor: str | None = None
    message: str = ""  # what to tell the actor (the plain-form pages show it as a message)


def limits() -> dict:
    return settings.LIVE_QA


def dispatch(session, actor: Actor, command: str, data: dict) -> Outcome:
    with translation.override(actor.language):
        handler = HANDLERS.get(command)
        if handler is None:
            raise CommandError("unknown_command", _("Unknown command."))
        if command in MODERATOR_COMMANDS and not actor.is_moderator:
            raise CommandError("forbidden", _("Only the presenter of this session can do that."))
        return handler(session, actor, data)


# --- input ------------------------------------------------------------------------------------------------------
def clean_text(value, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    # invisible characters first: removed between a letter and its accent, NFC then joins them ("José")
    value = INVISIBLE.sub("", value.replace("\r\n", "\n"))
    value = unicodedata.normalize("NFC", value)
    if multiline:
        lines = [" ".join(line.split()) for line in value.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(value.split())


def _nickname(value) -> str:
    nickname = clean_text(value)
    if not nickname:
        raise CommandError("invalid", _("Please write a nickname."))
    if len(nickname) > limits()["MAX_NICKNAME_CHARS"]:
        raise CommandError(
            "invalid",
            _("Your nickname can have at most %(max)s characters.") % {"max": limits()["MAX_NICKNAME_CHARS"]},
        )
    return nickname


def _question_text(value) -> str:
    text = clean_text(value)
    if not text:
        raise CommandError("invalid", _("Please write your question."))
    if len(text) > limits()["MAX_QUESTION_CHARS"]:
        raise CommandError(
            "invalid",
            _("Your question can have at most %(max)s characters (now %(count)s).")
            % {"max": limits()["MAX_QUESTION_CHARS"], "count": len(text)},
        )
    return text


def _answer_text(value) -> str:
    text = clean_text(value, multiline=True)
    if not text:
        raise CommandError("invalid", _("Please write an answer."))
    if len(text) > limits()["MAX_ANSWER_CHARS"]:
        raise CommandError(
            "invalid",
            _("The answer can have at most %(max)s characters.") % {"max": limits()["MAX_ANSWER_CHARS"]},
        )
    return text


def _seq(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _require_visitor(actor: Actor) -> None:
    if not actor.visitor:
        raise CommandError("hello_first", _("Not connected yet. Please wait a moment and try again."))


def _require_open(session, actor: Actor) -> None:
    if not rules.can_ask(session, is_moderator=actor.is_moderator):
        raise CommandError("closed", _("Questions can be asked only while the session is live."))


def _require_not_banned(session, actor: Actor, nickname: str = "") -> None:
    if selectors.is_banned(session.pk, visitor=actor.visitor, nickname=nickname):
        raise CommandError("banned", _("You can no longer take part in the questions of this session."))


def _question(session, data, *, visible_only: bool) -> Question:
    question = selectors.question_of(session.pk, data.get("question"))
    if question is None or (visible_only and question.status != Question.Status.VISIBLE):
        raise CommandError("not_found", _("This question is no longer there."))
    return question


def _require_address_within(actor: Actor, action: str) -> None:
    """Visitor ids are chosen by the browser: a script could invent new ones. Per network address the limits are
    generous (a class of 30 shares one address) but bounded."""
    limit = limits()[f"ADDRESS_{action.upper()}S_PER_MINUTE"]
    if actor.address and not ratelimit.within(f"{action}:ip:{actor.address}", limit, 60):
        raise CommandError("rate_limited", _("Too many requests from your network. Please wait a minute."))


def _keys(actor: Actor, action: str) -> list[str]:
    keys = [f"{action}:v:{actor.visitor}"]
    if actor.connection:
        keys.append(f"{action}:c:{actor.connection}")
    return keys


# --- visitors ---------------------------------------------------------------------------------------------------
def _state(session, actor: Actor, seq: int, since: int | None) -> list[str]:
    if since is not None and since == seq:
        return []
    if since is None or since == 0 or since > seq:
        questions = selectors.questions_for(session.pk, moderator=actor.is_moderator, visitor=actor.visitor)
        return [
            protocol.state_frames(
                seq=seq, questions=questions, moderator=actor.is_moderator, visitor=actor.visitor, since=None
            )
        ]
    changed = selectors.questions_changed_since(session.pk, since)
    return [
        protocol.state_frames(
            seq=seq, questions=changed, moderator=actor.is_moderator, visitor=actor.visitor, since=since
        )
    ]


def hello(session, actor: Actor, data: dict) -> Outcome:
    """First message of a connection: who the visitor is and the last event number they saw."""
    visitor = data.get("visitor")
    if not isinstance(visitor, str) or not VISITOR_RE.match(visitor):
        raise CommandError("bad_visitor", _("Your browser sent no valid visitor id. Please reload the page."))
    actor.visitor = visitor
    seq = selectors.room_seq(session.pk)
    own = [
        protocol.question_public(q, mine=True) for q in selectors.questions_own_pending(session.pk, visitor)
    ]
    welcome = protocol.frame(
        "welcome",
        role="moderator" if actor.is_moderator else "viewer",
        seq=seq,
        open=rules.can_ask(session, is_moderator=actor.is_moderator),
        voted=selectors.voted_ids(session.pk, visitor),
        own=own,
        limits={
            "question_chars": limits()["MAX_QUESTION_CHARS"],
            "nickname_chars": limits()["MAX_NICKNAME_CHARS"],
            "question_seconds": limits()["QUESTION_SECONDS"],
        },
    )
    return Outcome([welcome, *_state(session, actor, seq, _seq(data.get("last_seq")))], visitor=visitor)


def sync(session, actor: Actor, data: dict) -> Outcome:
    """What changed after ``last_seq`` (or everything): sent by a client that noticed a gap in the numbers."""
    seq = selectors.room_seq(session.pk)
    return Outcome(_state(session, actor, seq, _seq(data.get("last_seq"))))


def ask(session, actor: Actor, data: dict) -> Outcome:
    _require_visitor(actor)
    _require_open(session, actor)
    nickname = _nickname(data.get("nickname"))
    text = _question_text(data.get("text"))
    _require_not_banned(session, actor, nickname)
    _require_address_within(actor, "question")
    seconds = limits()["QUESTION_SECONDS"]
    started = []
    for key in _keys(actor, "ask"):
        wait = ratelimit.cooldown(key, seconds)
        if wait:
            for done in started:
                ratelimit.release(done)
            raise CommandError(
                "rate_limited",
                ngettext(
                    "Please wait %(seconds)s second before you ask your next question.",
                    "Please wait %(seconds)s seconds before you ask your next question.",
                    wait,
                )
                % {"seconds": wait},
            )
        started.append(key)
    question = services.question_ask(session=session, visitor_id=actor.visitor, nickname=nickname, text=text)
    pending = question.status == Question.Status.PENDING
    message = (
        _("Thanks! Your question is waiting for approval and will be shown after that.")
        if pending
        else _("Thanks! Your question is in the list.")
    )
    reply = protocol.frame(
        "asked", question=protocol.question_public(question, mine=True), pending=pending, message=message
    )
    return Outcome([reply], [question], message=message)


def vote(session, actor: Actor, data: dict) -> Outcome:
    _require_visitor(actor)
    _require_open(session, actor)
    question = _question(session, data, visible_only=True)
    _require_not_banned(session, actor)
    _require_address_within(actor, "vote")
    if not all(
        ratelimit.within(key, limits()["VOTES"], limits()["VOTE_WINDOW"]) for key in _keys(actor, "vote")
    ):
        raise CommandError("rate_limited", _("You are voting very fast. Please wait a moment."))
    counted = services.question_vote(question=question, visitor_id=actor.visitor)
    return Outcome(
        [protocol.frame("voted", id=question.pk, votes=question.votes)],
        [question] if counted else [],
        message=_("Thanks for your vote."),
    )


def report(session, actor: Actor, data: dict) -> Outcome:
    _require_visitor(actor)
    question = _question(session, data, visible_only=True)
    _require_not_banned(session, actor)
    _require_address_within(actor, "report")
    if not all(
        ratelimit.within(key, limits()["REPORTS"], limits()["REPORT_WINDOW"])
        for key in _keys(actor, "report")
    ):
        raise CommandError(
            "rate_limited", _("You have reported a lot in a short time. Please wait a moment.")
        )
    counted = services.question_report(
        question=question, visitor_id=actor.visitor, threshold=limits()["REPORT_THRESHOLD"]
    )
    message = _("Thank you. A moderator will look at the question.")
    return Outcome(
        [protocol.frame("reported", id=question.pk, message=message)],
        [question] if counted else [],
        message=message,
    )


def ping(session, actor: Actor, data: dict) -> Outcome:
    return Outcome([protocol.frame("pong")])


# --- moderators -------------------------------------------------------------------------------------------------
def _done(command: str, question: Question, message: str, changed: list[Question]) -> Outcome:
    return Outcome(
        [protocol.frame("done", command=command, id=question.pk, message=message)], changed, message=message
    )


def answer(session, actor: Actor, data: dict) -> Outcome:
    question = _question(session, data, visible_only=False)
    text = _answer_text(data.get("text"))
    question = services.question_answer(question=question, text=text, by=actor.user)
    return _done("answer", question, _("The answer is published."), [question])


def answered(session, actor: Actor, data: dict) -> Outcome:
    question = _question(session, data, visible_only=False)
    value = data.get("answered", True)
    question = services.question_mark_answered(question=question, answered=value is not False, by=actor.user)
    message = _("Marked as answered.") if question.answered else _("Marked as open again.")
    return _done("answered", question, message, [question])


def hide(session, actor: Actor, data: dict) -> Outcome:
    question = _question(session, data, visible_only=False)
    question = services.question_hide(question=question, by=actor.user)
    return _done("hide", question, _("The question is hidden."), [question])


def approve(session, actor: Actor, data: dict) -> Outcome:
    question = _question(session, data, visible_only=False)
    question = services.question_approve(question=question, by=actor.user)
    return _done("approve", question, _("The question is visible to everyone."), [question])


def ban(session, actor: Actor, data: dict) -> Outcome:
    question = _question(session, data, visible_only=False)
    _ban, hidden = services.visitor_ban(question=question, by=actor.user)
    message = _("“%(nickname)s” can no longer take part in this session's questions.") % {
        "nickname": question.nickname
    }
    return _done("ban", question, message, hidden)


HANDLERS = {
    "hello": hello,
    "sync": sync,
    "ask": ask,
    "vote": vote,
    "report": report,
    "ping": ping,
    "answer": answer,
    "answered": answered,
    "hide": hide,
    "approve": approve,
    "ban": ban,
}
