"""The Q&A on the session page, the presenter's page (permission matrix) and the plain forms without JavaScript."""

import pytest
from django.urls import reverse

from einblick.live import services
from einblick.live.models import Question
from tests.factories import PASSWORD
from tests.live.conftest import make_session

pytestmark = pytest.mark.django_db
VISITOR = "visitor-0123456789abcdef"


def ask(session, text="Was verdient man im ersten Jahr?", nickname="Möwe", visitor=VISITOR):
    return services.question_ask(session=session, visitor_id=visitor, nickname=nickname, text=text)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


# --- presenter's page: URL × role ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", 302), ("pupil", 404), ("other_member", 404), ("member", 200), ("staff", 200)],
)
def test_moderation_page_permission_matrix(client, session, request, role, expected):
    if role != "anonymous":
        login(client, request.getfixturevalue(role))
    url = reverse("live:moderate", args=[session.pk])
    response = client.get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    if expected == 200:
        assert "Fragen moderieren" in response.content.decode()
    action = client.post(
        reverse("live:moderate_action", args=[session.pk]), {"command": "hide", "question": ask(session).pk}
    )
    assert action.status_code == (302 if expected != 404 else 404)


def test_moderation_page_of_unknown_or_closed_session_is_404(client, staff, fair, company):
    login(client, staff)
    assert client.get(reverse("live:moderate", args=[999999])).status_code == 404
    no_qa = make_session(fair, company, qa_enabled=False)
    assert client.get(reverse("live:moderate", args=[no_qa.pk])).status_code == 404


def test_moderation_page_lists_questions_in_sections(client, session, member):
    ask(session, "Offene Frage")
    held = ask(session, "Du Arschloch?")
    answered = ask(session, "Beantwortet?")
    services.question_answer(question=answered, text="Ja, gern.", by=member)
    hidden = ask(session, "Weg damit")
    services.question_hide(question=hidden, by=member)
    login(client, member)
    response = client.get(reverse("live:moderate", args=[session.pk]))
    sections = response.context["sections"]
    assert [q.text for q in sections["pending"]] == [held.text]
    assert [q.text for q in sections["open"]] == ["Offene Frage"]
    assert [q.text for q in sections["answered"]] == ["Beantwortet?"]
    assert [q.text for q in sections["hidden"]] == ["Weg damit"]
    html = response.content.decode()
    assert "vom Wortfilter zurückgehalten" in html
    assert "Antwort senden" in html


def test_moderation_without_javascript(client, session, member):
    question = ask(session)
    login(client, member)
    url = reverse("live:moderate_action", args=[session.pk])
    response = client.post(
        url, {"command": "answer", "question": question.pk, "text": "Rund 900 Euro."}, follow=True
    )
    assert "Die Antwort ist veröffentlicht." in response.content.decode()
    question.refresh_from_db()
    assert (question.answered, question.answer, question.answered_by) == (True, "Rund 900 Euro.", member)
    response = client.post(url, {"command": "answer", "question": question.pk, "text": "  "}, follow=True)
    assert "Bitte schreiben Sie eine Antwort." in response.content.decode()
    client.post(url, {"command": "ban", "question": question.pk})
    question.refresh_from_db()
    assert question.status == "hidden"
    assert client.post(url, {"command": "ask", "question": question.pk}).status_code == 400


# --- the session page ---------------------------------------------------------------------------------------------
def test_live_session_page_shows_the_qa(client, session):
    visible = ask(session, "Sichtbare Frage")
    ask(session, "Du Arschloch")  # held by the word filter
    hidden = ask(session, "Ausgeblendet")
    services.question_hide(question=hidden, by=None)
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Fragen & Antworten" in html
    assert "Frage stellen" in html
    assert "Dein Spitzname" in html
    assert visible.text in html
    assert "Arschloch" not in html
    assert "Ausgeblendet" not in html
    assert f'data-ws-path="/ws/live/sessions/{session.pk}/"' in html
    assert "Fragen moderieren" not in html


def test_session_page_without_qa(client, fair, company, member):
    later = make_session(fair, company, minutes_from_now=90)
    assert "live-qa" not in client.get(later.get_absolute_url()).content.decode()
    login(client, member)  # the presenter sees it before the start, without the ask form
    html = client.get(later.get_absolute_url()).content.decode()
    assert "Fragen moderieren" in html
    assert "Frage stellen" not in html
    no_qa = make_session(fair, company, qa_enabled=False)
    assert "live-qa" not in client.get(no_qa.get_absolute_url()).content.decode()


def test_hostile_questions_are_escaped(client, session):
    ask(session, '<script>alert("x")</script><img src=x onerror=alert(1)>', nickname="<b>fett</b>")
    html = client.get(session.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    # The state for the script is JSON inside <script type="application/json"> without a way out of it.
    assert "\\u003Cscript\\u003E" in html


def test_session_page_queries_do_not_grow_with_questions(client, session, django_assert_num_queries):
    ask(session, "Eins")
    client.get(session.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(session.get_absolute_url())
    ask(session, "Zwei")
    ask(session, "Drei")
    with django_assert_num_queries(len(one)):
        response = client.get(session.get_absolute_url())
    assert len(response.context["qa"]["questions"]) == 3


# --- plain forms for visitors ---------------------------------------------------------------------------------------
def test_ask_vote_report_without_javascript(client, session):
    url = reverse("live:visitor_action", args=[session.pk])
    response = client.post(
        url, {"command": "ask", "nickname": "Möwe", "text": "Ohne JavaScript?"}, follow=True
    )
    assert "Danke! Deine Frage steht in der Liste." in response.content.decode()
    question = Question.objects.get()
    assert question.text == "Ohne JavaScript?"
    visitor = client.cookies["einblick_live_visitor"].value
    assert question.visitor_id == visitor
    client.post(url, {"command": "vote", "question": question.pk})
    client.post(url, {"command": "vote", "question": question.pk})
    question.refresh_from_db()
    assert question.votes == 1
    response = client.post(url, {"command": "report", "question": question.pk}, follow=True)
    assert "Danke. Die Moderation schaut sich die Frage an." in response.content.decode()
    assert client.post(url, {"command": "hide", "question": question.pk}).status_code == 400


def test_script_visitor_id_is_used_by_the_plain_form(client, session):
    url = reverse("live:visitor_action", args=[session.pk])
    client.post(url, {"command": "ask", "nickname": "Möwe", "text": "Frage", "visitor": VISITOR})
    assert Question.objects.get().visitor_id == VISITOR


def test_a_refused_question_keeps_what_was_typed(client, session):
    url = reverse("live:visitor_action", args=[session.pk])
    response = client.post(url, {"command": "ask", "nickname": "", "text": "Meine lange Frage"}, follow=True)
    html = response.content.decode()
    assert "Bitte schreib einen Spitznamen." in html
    assert ">Meine lange Frage</textarea>" in html
    assert not Question.objects.exists()
    response = client.post(
        url, {"command": "ask", "nickname": "Möwe", "text": "Meine lange Frage"}, follow=True
    )
    assert Question.objects.count() == 1
    assert ">Meine lange Frage</textarea>" not in response.content.decode()


def test_premoderated_question_without_javascript(client, fair, company):
    session = make_session(fair, company, qa_premoderation=True)
    url = reverse("live:visitor_action", args=[session.pk])
    response = client.post(url, {"command": "ask", "nickname": "Möwe", "text": "Geheim?"}, follow=True)
    html = response.content.decode()
    assert "wartet auf Freigabe" in html
    assert '<p class="qa-text" data-slot="text">Geheim?</p>' not in html


# --- Redis away -----------------------------------------------------------------------------------------------------
def test_pages_load_and_questions_are_kept_when_redis_is_down(client, session, settings):
    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [dead]}}
    }
    ask(session, "Schon da")
    response = client.get(session.get_absolute_url())
    assert response.status_code == 200
    assert "Schon da" in response.content.decode()
    url = reverse("live:visitor_action", args=[session.pk])
    response = client.post(url, {"command": "ask", "nickname": "Möwe", "text": "Trotz Ausfall?"})
    assert response.status_code == 302
    assert Question.objects.filter(text="Trotz Ausfall?").exists()
