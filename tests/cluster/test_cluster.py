"""Scale-out (issue #11): two ASGI processes A and B on one PostgreSQL and one Redis, addressed directly and through
the cluster's load balancer, behave as one site — sessions, live Q&A, bookings, bookmarks — and a task enqueued on A
runs once on the worker even when the worker is killed in the middle of it.

The cluster is bench/cluster.py (fixtures in conftest.py). Markers ``cluster`` and ``slow``: skipped without
PostgreSQL and Redis (tests/conftest.py); CI runs them in its second phase.
"""

import asyncio
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cluster.conftest import Browser, QaSocket, load_cluster_module
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, PupilFactory, UserFactory

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

wait_until = load_cluster_module().wait_until
IDLE_SECONDS = 6


def agenda_pressed(page: str, session_id: int) -> str:
    """The state of the "Merken" button of one session on a page ("true" = bookmarked)."""
    form = re.search(rf'<form[^>]*data-session="{session_id}".*?</form>', page, re.S)
    assert form, f"no bookmark button for session {session_id}"
    return re.search(r'aria-pressed="(true|false)"', form.group(0)).group(1)


def test_login_on_a_counts_on_b_and_both_share_one_live_qa(cluster, node_a, node_b, live_session):
    """A company member logs in on A through the form; the session cookie is valid on B (pages and WebSocket).
    Questions asked on A — over the WebSocket and through the plain form — reach the moderator's WebSocket on B
    and a viewer behind the balancer; the answer given on B reaches the asker's WebSocket on A."""
    member = MembershipFactory(company=live_session.company, user=UserFactory(username="ausbilderin")).user
    moderate_path = reverse("live:moderate", args=[live_session.pk])

    on_a = Browser()
    login = on_a.login(node_a, "ausbilderin", PASSWORD)
    assert login.status_code == 302 and login.headers["Location"] == "/konto/", login.text[:500]
    session_cookie = on_a.cookie("sessionid")
    assert session_cookie

    on_b = Browser(cookies={"sessionid": session_cookie})  # only the session cookie travels to B
    home = on_b.get(f"{node_b}/konto/", allow_redirects=False)
    assert home.status_code == 200 and member.username in home.text
    assert on_b.get(f"{node_b}{moderate_path}", allow_redirects=False).status_code == 200
    stranger = Browser().get(f"{node_b}/konto/", allow_redirects=False)
    assert stranger.status_code == 302 and "/konto/anmelden/" in stranger.headers["Location"]

    session_id = live_session.pk
    pupil_page = f"{node_a}{live_session.get_absolute_url()}"
    ask_url = f"{node_a}{reverse('live:visitor_action', args=[live_session.pk])}"

    async def journey():
        async with (
            QaSocket(
                node_b, session_id, visitor="moderator-b-0123456789", cookie=f"sessionid={session_cookie}"
            ) as moderator_b,
            QaSocket(node_a, session_id, visitor="pupil-on-a-0123456789") as pupil_a,
            QaSocket(cluster.url, session_id, visitor="via-balancer-0123456789") as watcher,
        ):
            roles = [s.welcome["role"] for s in (moderator_b, pupil_a, watcher)]
            # Idle for longer than channels_redis's 5-second blocking pop: the connections must stay open (redis-py
            # 8's 5-second default socket timeout used to tear them down, see settings.CHANNEL_LAYERS).
            await asyncio.sleep(IDLE_SECONDS)
            await pupil_a.send(type="ask", nickname="Möwe", text="Wie lange dauert die Ausbildung?")
            asked = (await pupil_a.receive("asked"))["question"]
            on_b = await moderator_b.question(id=asked["id"])
            behind_balancer = await watcher.question(id=asked["id"])

            # without JavaScript: the plain form on A (a browser with a CSRF cookie, no account)
            posted = await asyncio.to_thread(
                Browser().submit,
                pupil_page,
                ask_url,
                {"command": "ask", "nickname": "Kiebitz", "text": "Urlaub?"},
            )
            from_form = await moderator_b.question(text="Urlaub?")

            await moderator_b.send(type="answer", question=asked["id"], text="Dreieinhalb Jahre.")
            done = await moderator_b.receive("done")
            answer_on_a = await pupil_a.question(id=asked["id"], answered=True)
            answer_behind_balancer = await watcher.question(id=asked["id"], answered=True)
            return (
                roles,
                asked,
                on_b,
                behind_balancer,
                posted,
                from_form,
                done,
                answer_on_a,
                answer_behind_balancer,
            )

    roles, asked, on_b, behind_balancer, posted, from_form, done, answer_a, answer_lb = asyncio.run(journey())

    assert roles == ["moderator", "viewer", "viewer"]  # the login made on A is a moderator on B's WebSocket
    assert on_b["seq"] == behind_balancer["seq"] == asked["rev"]
    assert (
        on_b["question"]["text"] == behind_balancer["question"]["text"] == "Wie lange dauert die Ausbildung?"
    )
    assert on_b["question"]["status"] == "visible" and behind_balancer["question"]["mine"] is False
    assert posted.status_code == 302 and posted.headers["Location"].endswith("#live-qa")
    assert (from_form["question"]["nickname"], from_form["question"]["status"]) == ("Kiebitz", "visible")
    assert done["command"] == "answer" and done["id"] == asked["id"]
    assert answer_a["question"]["answer"] == answer_lb["question"]["answer"] == "Dreieinhalb Jahre."
    assert answer_a["question"]["mine"] is True and answer_lb["question"]["mine"] is False
    assert live_session.live_questions.count() == 2


def test_talk_booked_and_session_bookmarked_on_a_show_on_b(cluster, node_a, node_b, live_session):
    """A pupil books a free talk seat (talks:book, after the plan is published) and bookmarks a session ("Merken")
    on A; their plan and the bookmark show on B and behind the balancer."""
    from einblick.talks.models import Talk, TalkOffer, TalkRound

    now = timezone.now()
    talk_round = TalkRound.objects.create(
        title="Speed-Dating Ausbildung",
        wish_deadline=now - timedelta(days=1),
        first_slot_at=now + timedelta(days=2),
        slot_minutes=15,
        n_slots=4,
        max_wishes=3,
        status=TalkRound.Status.PUBLISHED,
    )
    offer = TalkOffer.objects.create(
        round=talk_round, company=CompanyFactory(name="Tischlerei Bruns"), parallel=1, table="T1"
    )
    pupil = PupilFactory(username="moewe", consent_age_declared_at=now)
    mine = reverse("talks:mine", args=[talk_round.pk])
    session_page = live_session.get_absolute_url()

    browser = Browser()
    assert browser.login(node_a, "moewe", PASSWORD).status_code == 302
    before = browser.get(f"{node_b}{mine}")
    assert before.status_code == 200 and "talk-plan" not in before.text and "Tischlerei Bruns" in before.text
    assert agenda_pressed(browser.get(f"{node_b}{session_page}").text, live_session.pk) == "false"

    booked = browser.submit(
        f"{node_a}{mine}",
        f"{node_a}{reverse('talks:book', args=[talk_round.pk])}",
        {"offer": offer.pk, "slot": 1},
    )
    assert booked.status_code == 302 and booked.headers["Location"] == mine
    talk = Talk.objects.get(round=talk_round, pupil=pupil)
    assert (talk.offer, talk.slot, talk.status) == (offer, 1, Talk.Status.BOOKED)

    bookmarked = browser.submit(
        f"{node_a}{session_page}",
        f"{node_a}{reverse('fair:agenda_toggle', args=[live_session.fair.slug, live_session.pk])}",
        {"action": "add"},
    )
    assert bookmarked.status_code == 302
    assert pupil.agenda.filter(session=live_session).exists()

    for node in (node_b, cluster.url):
        plan = browser.get(f"{node}{mine}").text
        entry = re.search(rf'<li id="talk-{talk.pk}".*?</li>', plan, re.S)
        assert entry and "Tischlerei Bruns" in entry.group(0), node
        assert agenda_pressed(browser.get(f"{node}{session_page}").text, live_session.pk) == "true", node
        agenda = browser.get(f"{node}{reverse('fair:agenda', args=[live_session.fair.slug])}").text
        assert "Live aus der Werkstatt" in agenda, node


def test_task_enqueued_on_a_runs_once_although_its_worker_is_killed(cluster, node_a, tmp_path):
    """A password reset asked on A queues an e-mail task. The worker takes it and is killed (SIGKILL) while
    sending (slow e-mail backend, tests/support/slow_mail.py); a new worker re-runs it after the lease: the task
    ends SUCCESSFUL, claimed by both workers, and exactly one e-mail is written."""
    from django_tasks_db.models import DBTaskResult

    UserFactory(username="vergesslich", email="vergesslich@example.org")
    markers = tmp_path / "started"
    slow = {
        "EINBLICK_EMAIL_BACKEND": "tests.support.slow_mail.EmailBackend",
        "SLOW_MAIL_MARKER_DIR": str(markers),
        "SLOW_MAIL_SECONDS": "120",
    }
    tasks = DBTaskResult.objects.filter(task_path="einblick.core.tasks.email_send")
    mails_before = set(cluster.mails())
    try:
        first = cluster.start_worker(env=slow)
        reset = reverse("accounts:password_reset")
        answer = Browser().submit(
            f"{node_a}{reset}", f"{node_a}{reset}", {"email": "vergesslich@example.org"}
        )
        assert answer.status_code == 302 and answer.headers["Location"] == reverse(
            "accounts:password_reset_done"
        )
        task = tasks.get()  # enqueued by the request on A

        wait_until(
            lambda: markers.exists() and any(markers.iterdir()), 30, "the worker starts sending the e-mail"
        )
        task.refresh_from_db()
        assert (task.status, task.worker_ids) == ("RUNNING", [first])
        cluster.kill_worker()
        assert set(cluster.mails()) == mails_before  # killed before the e-mail was written

        second = cluster.start_worker(env={**slow, "SLOW_MAIL_SECONDS": "0"})
        wait_until(
            lambda: tasks.filter(pk=task.pk, status__in=["SUCCESSFUL", "FAILED"]).exists(),
            40,
            "the task runs again on the new worker",
        )
    finally:
        cluster.stop_worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    assert task.worker_ids == [first, second]
    assert len(list(markers.iterdir())) == 2  # two attempts at sending …
    new_mails = sorted(set(cluster.mails()) - mails_before)
    assert len(new_mails) == 1  # … one e-mail
    text = new_mails[0].read_text()
    assert "To: vergesslich@example.org" in text and "/konto/passwort/neu/" in text
    assert tasks.count() == 1


def test_redis_restart_pages_keep_working_and_the_qa_catches_up(cluster, node_a, node_b, live_session):
    """Redis (channel layer and cache) goes away: pages still answer on both nodes, a question sent through the
    plain form is stored (no error for the pupil); once Redis is back a client that reconnects with the last event
    number it saw gets the question it missed (what live/qa.js does on reconnect)."""
    session_id = live_session.pk
    session_page = live_session.get_absolute_url()
    programme = reverse("fair:programme", args=[live_session.fair.slug])
    ask_url = f"{node_a}{reverse('live:visitor_action', args=[session_id])}"

    async def seen_seq() -> int:
        async with QaSocket(node_b, session_id, visitor="reconnecting-0123456789") as viewer:
            await viewer.send(type="ask", nickname="Möwe", text="Vorher gefragt")
            return (await viewer.receive("asked"))["question"]["rev"]

    last_seq = asyncio.run(seen_seq())
    try:
        cluster.stop_redis()
        during = [
            Browser().get(f"{node}{path}").status_code
            for node in (node_a, node_b)
            for path in (programme, session_page)
        ]
        posted = Browser().submit(
            f"{node_a}{session_page}",
            ask_url,
            {"command": "ask", "nickname": "Seeschwalbe", "text": "Ausfall?"},
        )
    finally:
        cluster.start_redis()
    assert during == [200, 200, 200, 200]
    assert posted.status_code == 302
    assert live_session.live_questions.filter(text="Ausfall?").exists()

    async def reconnect() -> tuple[int, dict]:
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        for attempt in range(
            1, 21
        ):  # like qa.js: the first attempts may be refused while the pool reconnects
            try:
                async with QaSocket(
                    node_b, session_id, visitor="reconnecting-0123456789", last_seq=last_seq
                ) as v:
                    return attempt, v.state
            except (InvalidStatus, ConnectionClosed, OSError):
                await asyncio.sleep(0.5)
        raise AssertionError("no WebSocket after Redis came back")

    attempts, catchup = asyncio.run(reconnect())
    assert attempts <= 10
    assert catchup["since"] == last_seq and catchup["seq"] > last_seq
    assert catchup["type"] == "catchup"  # only what was missed, not the whole list again
    assert [q["text"] for q in catchup["questions"]] == ["Ausfall?"]


def test_balancer_skips_a_node_that_is_down(cluster):
    """With B stopped, every new connection through the balancer still gets an answer (from A); B comes back."""
    try:
        cluster.stop_web(1)
        answers = [Browser().get(f"{cluster.url}/healthz").status_code for _ in range(6)]
    finally:
        cluster.start_web(1)
    assert answers == [200] * 6
    assert Browser().get(f"{cluster.web_urls[1]}/healthz").status_code == 200
