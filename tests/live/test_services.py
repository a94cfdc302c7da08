"""Services, selectors and the word filter of the live Q&A, called directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from einblick.live import commands, protocol, selectors, services, wordfilter
from einblick.live.models import Question, Room, ViewerSample
from tests.factories import UserFactory
from tests.live.conftest import make_session

VISITOR = "visitor-0123456789abcdef"


def ask(session, text="Was verdient man im ersten Jahr?", visitor=VISITOR, nickname="Möwe"):
    return services.question_ask(session=session, visitor_id=visitor, nickname=nickname, text=text)


# --- word filter --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Du Arschloch",
        "ARSCHLOCH!!!",
        "4rschl0ch",
        "a r s c h l o c h",
        "a.r.s.c.h.l.o.c.h",
        "Arschhhloch",
        "Hurensohn",
        "huren sohn",
        "Kümmeltürke",
        "Kuemmeltuerke",
        "Mißgeburt",
        "f1ck dich",
        "Spasti",
        "Heil Hitler",
        "sieg heil",
        "Schw*chtel",
        "Ist euer Chef ein Drecksarschloch?",
    ],
)
def test_word_filter_finds_insults_in_disguise(text):
    assert wordfilter.matches(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Wie viel verdient man als Mechatroniker:in im ersten Lehrjahr?",
        "Muss ich für den Vergaser viel Mathe können?",
        "Welche Schulnoten braucht man? Ist Spaß wichtig?",
        "Wie sieht ein Arbeitstag in der Schichtarbeit aus?",
        "Kann ich das Praktikum im Sommer machen?",
        "Gibt es Ausbildungsplätze in Papenburg und Meppen?",
        "Was macht eine Fachinformatikerin mit Integer-Werten?",
        "Wie heißt eure Ausbilderin?",
        "Ist die Berufsschule in Leer?",
    ],
)
def test_word_filter_leaves_ordinary_questions_alone(text):
    assert wordfilter.matches(text) == [], text


def test_word_filter_list_format():
    words = wordfilter.parse(["# comment", "", "arschloch", "spast*", "*fotze*"])
    assert wordfilter.matches("arschloch", words) == ["arschloch"]
    assert wordfilter.matches("drecksarschloch", words) == []  # whole word only
    assert wordfilter.matches("spastis", words) == ["spast"]
    assert wordfilter.matches("blödefotze", words) == ["fotze"]
    assert (
        wordfilter.nickname_key("Möwe") == wordfilter.nickname_key("MOEWE") == wordfilter.nickname_key("m0we")
    )


def test_shipped_word_list_is_small_and_curated():
    words = wordfilter.wordlist()
    assert 30 < len(words.whole) + len(words.prefixes) + len(words.anywhere) < 200


# --- services -------------------------------------------------------------------------------------------------------
def test_ask_numbers_every_change(session):
    first = ask(session)
    second = ask(session, "Und im zweiten?")
    assert (first.rev, second.rev) == (1, 2)
    assert Room.objects.get(session=session).last_seq == 2
    assert first.status == Question.Status.VISIBLE and first.held == ""
    services.question_vote(question=first, visitor_id="another-visitor-0123")
    assert first.rev == 3 and first.votes == 1
    assert selectors.room_seq(session.pk) == 3
    assert [q.text for q in selectors.questions_changed_since(session.pk, 1)] == [
        "Und im zweiten?",
        first.text,
    ]


def test_ask_is_held_by_the_filter_or_premoderation(session, fair, company):
    assert ask(session, "Du Spast").held == Question.Held.FILTER
    assert ask(session, "Hallo", nickname="Hurensohn").held == Question.Held.FILTER
    premoderated = make_session(fair, company, qa_premoderation=True)
    question = ask(premoderated)
    assert (question.status, question.held) == (Question.Status.PENDING, Question.Held.PREMODERATION)


def test_vote_once(session):
    question = ask(session)
    assert services.question_vote(question=question, visitor_id="v" * 20) is True
    assert services.question_vote(question=question, visitor_id="v" * 20) is False
    assert services.question_vote(question=question, visitor_id="w" * 20) is True
    question.refresh_from_db()
    assert question.votes == 2
    assert question.rev == 3  # the refused vote took no number (no gap for the clients)


def test_report_threshold_and_moderator_decision(session):
    question = ask(session)
    for n in range(3):
        services.question_report(question=question, visitor_id=f"reporter-{n}-0123456789", threshold=3)
    assert (question.status, question.held, question.reports) == ("pending", "reports", 3)
    services.question_approve(question=question, by=None)
    services.question_report(question=question, visitor_id="reporter-4-0123456789", threshold=3)
    assert (question.status, question.reports) == ("visible", 4)  # reviewed: reports no longer hold it


def test_answer_approves_a_held_question(session, member):
    question = ask(session, "Du Arschloch, wie viel verdient man?")
    assert question.status == "pending"
    services.question_answer(question=question, text="Bitte freundlich bleiben: 900 Euro.", by=member)
    assert (question.status, question.answered, question.answered_by) == ("visible", True, member)
    services.question_mark_answered(question=question, answered=False, by=member)
    assert (question.answered, question.answered_at) == (False, None)


def test_ban_hides_questions_of_visitor_and_nickname(session, member):
    troll = ask(session, "Eins", nickname="Kevin")
    ask(session, "Zwei", visitor="other-visitor-0123456789", nickname="kevin")
    keep = ask(session, "Drei", visitor="third-visitor-0123456789", nickname="Lena")
    ban, hidden = services.visitor_ban(question=troll, by=member)
    assert len(hidden) == 2
    assert set(Question.objects.filter(status="hidden").values_list("text", flat=True)) == {"Eins", "Zwei"}
    keep.refresh_from_db()
    assert keep.status == "visible"
    assert selectors.is_banned(session.pk, visitor=VISITOR)
    assert selectors.is_banned(session.pk, visitor="new-visitor-0123456789", nickname="KEVIN")
    assert not selectors.is_banned(session.pk, visitor="new-visitor-0123456789", nickname="Lena")
    assert list(selectors.bans_of(session.pk)) == [ban]


def test_questions_for_each_kind_of_viewer(session):
    visible = ask(session, "Sichtbar")
    mine = ask(session, "Du Arschloch")  # held by the filter
    hidden = ask(session, "Weg damit", visitor="other-visitor-0123456789")
    services.question_hide(question=hidden, by=None)
    assert list(selectors.questions_for(session.pk, moderator=False)) == [visible]
    assert set(selectors.questions_for(session.pk, moderator=False, visitor=VISITOR)) == {visible, mine}
    assert set(selectors.questions_for(session.pk, moderator=True)) == {visible, mine, hidden}
    assert protocol.question_for(mine, moderator=False) is None
    assert protocol.question_for(mine, moderator=False, visitor=VISITOR)["pending"] is True
    assert protocol.moderator_section(hidden) == "hidden"


def test_clean_text_removes_invisible_and_control_characters():
    assert commands.clean_text("  Hallo\u202e  \x00Welt\u200b  ") == "Hallo Welt"
    assert commands.clean_text("Zeile 1\r\n\r\n\r\n\r\nZeile 2", multiline=True) == "Zeile 1\n\nZeile 2"
    assert commands.clean_text(None) == ""


# --- statistics -----------------------------------------------------------------------------------------------------
def test_session_stats(session, fair, company, django_assert_num_queries):
    other = make_session(fair, company, minutes_from_now=40)
    quiet = make_session(fair, company, minutes_from_now=80)
    now = timezone.now()
    for minutes, count in [(0, 10), (1, 30), (2, 20)]:
        services.viewer_sample_record(session_id=session.pk, count=count, at=now + timedelta(minutes=minutes))
    services.viewer_sample_record(session_id=other.pk, count=5)
    answered = ask(session)
    ask(session, "Noch offen")
    ask(session, "Du Spast")  # held, still asked
    services.question_answer(question=answered, text="Ja.", by=UserFactory())
    ask(other, "Andere Session")
    with django_assert_num_queries(2):
        stats = selectors.session_stats([session.pk, other.pk, quiet.pk])
    assert stats[session.pk] == {
        "peak_viewers": 30,
        "avg_viewers": 20.0,
        "questions_asked": 3,
        "questions_answered": 1,
    }
    assert stats[other.pk] == {
        "peak_viewers": 5,
        "avg_viewers": 5.0,
        "questions_asked": 1,
        "questions_answered": 0,
    }
    assert stats[quiet.pk] == {
        "peak_viewers": 0,
        "avg_viewers": 0.0,
        "questions_asked": 0,
        "questions_answered": 0,
    }
    assert selectors.session_stats([]) == {}
    assert ViewerSample.objects.count() == 4
