"""Live Q&A in the demo fair: a pupil on a phone asks under a nickname in a live session, the company's presenter
answers at a desk in a second browser, and the answer appears on the pupil's phone without a reload.

pytest-django's live server speaks WSGI only, so the ASGI application (HTTP and WebSockets) runs under uvicorn in a
thread of the test process, on a free port, against the test database (testing.md, "Browser journeys").
"""

import re
import socket
import threading
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    PUPIL_VIEWPORT,
    TIMEOUT_MS,
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
)

QUESTION = "Muss ich in der Ausbildung auch samstags arbeiten?"
ANSWER = "Nein, bei uns ist samstags frei – nur in der Erntezeit mal ausnahmsweise."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    """einblick.asgi.application under uvicorn in a thread (static files from the apps, as runserver does)."""
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from einblick.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def asgi_context(browser, asgi_server):
    contexts = []

    def make(viewport):
        context = browser.new_context(
            base_url=asgi_server, viewport=viewport, locale="de-DE", timezone_id="Europe/Berlin"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _live_session_and_presenter():
    from einblick.catalog.models import CompanyMembership
    from einblick.fair.models import Session

    now = timezone.now()
    running = Session.objects.filter(
        fair__slug="55-stunden-zukunft",
        starts_at__lte=now,
        ends_at__gt=now,
        company__isnull=False,
        qa_enabled=True,
    ).select_related("company", "fair")
    session = max(running, key=lambda s: s.ends_at)  # the one with the most time left
    member = CompanyMembership.objects.filter(company=session.company).select_related("user").first().user
    return session, member


def test_pupil_asks_and_sees_the_presenters_answer_live(asgi_context, demo, demo_password):
    session, presenter_user = _live_session_and_presenter()
    url = session.get_absolute_url()

    # 1. A pupil on a phone opens the live session: no account, the Q&A connects by itself.
    pupil = asgi_context(PUPIL_VIEWPORT).new_page()
    pupil.goto(url)
    expect_heading(pupil, session.title)
    qa = pupil.get_by_role("region", name="Fragen & Antworten")
    expect(qa.get_by_text("Live: Neue Fragen und Antworten erscheinen von selbst.")).to_be_visible()
    expect(qa.get_by_text("Noch keine Fragen. Stell die erste!")).to_be_visible()
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)

    # 2. The pupil asks under a nickname.
    field(qa, "Dein Spitzname").fill("Deichmöwe")
    field(qa, "Deine Frage").fill(QUESTION)
    qa.get_by_role("button", name="Frage stellen").click()
    expect(qa.get_by_role("status")).to_have_text("Danke! Deine Frage steht in der Liste.")
    mine = qa.get_by_role("listitem").filter(has_text=QUESTION)
    expect(mine).to_be_visible()
    expect(mine.get_by_text("deine Frage", exact=True)).to_be_visible()
    expect(mine.get_by_text("Deichmöwe")).to_be_visible()
    expect(field(qa, "Deine Frage")).to_have_value("")
    assert pupil.evaluate("localStorage.getItem('einblick.live.nickname')") == "Deichmöwe"
    assert re.fullmatch(r"[0-9a-f]{36}", pupil.evaluate("localStorage.getItem('einblick.live.visitor')"))
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)

    # 3. The company's presenter, logged in at a desk, opens the moderation from the session page.
    presenter = asgi_context(DESKTOP_VIEWPORT).new_page()
    log_in(presenter, presenter_user.username, demo_password)
    presenter.goto(url)
    presenter.get_by_role("link", name="Fragen moderieren").click()
    expect_heading(presenter, "Fragen moderieren")
    expect(presenter.get_by_text("Live: Fragen erscheinen von selbst.")).to_be_visible()
    question = presenter.locator('[data-qa-list="open"] > li').filter(has_text=QUESTION)
    expect(question).to_be_visible()
    expect(question.get_by_text("Stimmen: 0")).to_be_visible()
    axe_check(presenter)

    # 4. … and answers it.
    question.get_by_label("Ihre Antwort").fill(ANSWER)
    question.get_by_role("button", name="Antwort senden").click()
    expect(presenter.get_by_role("status").filter(has_text="Die Antwort ist veröffentlicht.")).to_be_visible()
    answered = presenter.locator('[data-qa-list="answered"] > li').filter(has_text=QUESTION)
    expect(answered.get_by_text(ANSWER)).to_be_visible()
    expect(presenter.locator('[data-qa-count="answered"]')).to_have_text("1")
    axe_check(presenter)

    # 5. The pupil sees the answer appear without reloading …
    expect(mine.get_by_text(ANSWER)).to_be_visible()
    expect(mine.get_by_text("beantwortet", exact=True)).to_be_visible()
    axe_check(pupil)

    # 6. … and after a reload the page shows what was stored.
    pupil.reload()
    expect(qa.get_by_role("listitem").filter(has_text=QUESTION).get_by_text(ANSWER)).to_be_visible()
    expect(qa.get_by_text("Live: Neue Fragen und Antworten erscheinen von selbst.")).to_be_visible()
    axe_check(pupil)
