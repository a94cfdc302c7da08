"""The Q&A consumer through ``WebsocketCommunicator`` against the project's ASGI application: every command,
permissions per command, moderation flows, filters and limits, bad frames, catch-up after reconnect, viewer counts."""

import contextlib
import json

import pytest
from asgiref.sync import async_to_sync

from einblick.live import groups
from einblick.live.models import Ban, Question, Room, ViewerSample, Vote
from einblick.live.presence import tracker
from tests.live.conftest import Viewer, make_session

pytestmark = pytest.mark.django_db


def run(body):
    """Run an async test body so that the consumer's database calls use the test's connection."""
    return async_to_sync(body)()


async def settle(viewer) -> None:
    """A refused connection's consumer is still waiting for frames: end it inside the test's event loop (left
    for the loop's shutdown, its channel-layer receive could keep that shutdown waiting)."""
    with contextlib.suppress(Exception):
        await viewer.comm.wait(timeout=1)


async def ask(viewer, text="Wie lange dauert die Ausbildung?", nickname="Möwe"):
    await viewer.send(type="ask", nickname=nickname, text=text)
    return await viewer.receive_type("asked")


# --- connect ----------------------------------------------------------------------------------------------------
def test_connect_and_hello(session):
    viewer = Viewer(session.pk)

    async def body():
        frames = await viewer.hello()
        assert frames["welcome"]["role"] == "viewer"
        assert frames["welcome"]["open"] is True
        assert frames["welcome"]["seq"] == 0
        assert frames["snapshot"] == {"type": "snapshot", "seq": 0, "questions": []}
        assert frames["viewers"]["count"] == 1
        await viewer.send(type="ping")
        assert (await viewer.receive())["type"] == "pong"
        await viewer.close()

    run(body)


def test_unknown_session_wrong_origin_and_closed_qa_are_refused(session, fair, company):
    no_qa = make_session(fair, company, qa_enabled=False)
    missing = Viewer(999999)
    closed = Viewer(no_qa.pk)
    stranger = Viewer(session.pk)
    stranger.comm.scope["headers"] = [(b"origin", b"https://evil.example")]

    async def body():
        assert (await missing.connect())[0] is False
        assert (await closed.connect())[0] is False
        assert (await stranger.connect())[0] is False

    run(body)


def test_commands_need_hello_first(session):
    viewer = Viewer(session.pk)

    async def body():
        await viewer.connect()
        await viewer.send(type="ask", nickname="Möwe", text="Hallo?")
        error = await viewer.receive_type("error")
        assert error["code"] == "hello_first"
        await viewer.send(type="hello", visitor="short")
        assert (await viewer.receive_type("error"))["code"] == "bad_visitor"
        await viewer.close()

    run(body)
    assert not Question.objects.exists()


# --- asking, voting, answering ----------------------------------------------------------------------------------
def test_ask_reaches_everyone_and_asker_sees_it_as_own(session):
    asker, other = Viewer(session.pk), Viewer(session.pk)

    async def body():
        await asker.hello()
        await other.hello()
        ack = await ask(asker)
        assert ack["pending"] is False
        assert ack["question"]["mine"] is True
        own = await asker.receive_type("question")
        assert own["question"]["mine"] is True
        seen = await other.receive_type("question")
        assert seen["seq"] == 1
        assert seen["question"]["text"] == "Wie lange dauert die Ausbildung?"
        assert seen["question"]["nickname"] == "Möwe"
        assert seen["question"]["mine"] is False
        assert "visitor" not in json.dumps(seen)
        await asker.close()
        await other.close()

    run(body)
    question = Question.objects.get()
    assert question.status == Question.Status.VISIBLE
    assert question.rev == 1


def test_vote_once_per_visitor(session):
    asker, voter = Viewer(session.pk), Viewer(session.pk)

    async def body():
        await asker.hello()
        await voter.hello()
        question_id = (await ask(asker))["question"]["id"]
        await voter.receive_type("question")
        await voter.send(type="vote", question=question_id)
        assert (await voter.receive_type("voted"))["id"] == question_id
        assert (await voter.receive_type("question"))["question"]["votes"] == 1
        await asker.receive_type("question")
        assert (await asker.receive_type("question"))["question"]["votes"] == 1
        await voter.send(type="vote", question=question_id)
        assert (await voter.receive_type("voted"))["id"] == question_id
        assert await asker.nothing()  # a second vote changes nothing, so nothing is broadcast
        await asker.close()
        await voter.close()

    run(body)
    assert Question.objects.get().votes == 1
    assert Vote.objects.count() == 1


def test_presenter_answers_and_everyone_sees_it(session, member):
    pupil, presenter = Viewer(session.pk), Viewer(session.pk, user=member)

    async def body():
        await pupil.hello()
        welcome = (await presenter.hello())["welcome"]
        assert welcome["role"] == "moderator"
        question_id = (await ask(pupil))["question"]["id"]
        moderated = await presenter.receive_type("question")
        assert moderated["question"]["status"] == "visible"
        await presenter.send(type="answer", question=question_id, text="Drei Jahre, mit Abitur oft kürzer.")
        assert (await presenter.receive_type("done"))["command"] == "answer"
        assert (await presenter.receive_type("question"))["question"]["answered"] is True
        await pupil.receive_type("question")  # own question
        answered = await pupil.receive_type("question")
        assert answered["question"]["answered"] is True
        assert answered["question"]["answer"] == "Drei Jahre, mit Abitur oft kürzer."
        await presenter.send(type="answered", question=question_id, answered=False)
        await presenter.receive_type("done")
        assert (await pupil.receive_type("question"))["question"]["answered"] is False
        await pupil.close()
        await presenter.close()

    run(body)
    question = Question.objects.get()
    assert question.answer == "Drei Jahre, mit Abitur oft kürzer."
    assert question.answered is False


@pytest.mark.parametrize(
    "command, extra",
    [
        ("answer", {"text": "Ich bin gar nicht der Betrieb"}),
        ("answered", {}),
        ("hide", {}),
        ("approve", {}),
        ("ban", {}),
    ],
)
def test_pupils_cannot_moderate(session, pupil, other_member, command, extra):
    question = Question.objects.create(session=session, visitor_id="x" * 20, nickname="Möwe", text="Frage?")
    as_pupil, as_other_company = Viewer(session.pk, user=pupil), Viewer(session.pk, user=other_member)

    async def body():
        for viewer in (as_pupil, as_other_company):
            assert (await viewer.hello())["welcome"]["role"] == "viewer"
            await viewer.send(type=command, question=question.pk, **extra)
            error = await viewer.receive_type("error")
            assert error["code"] == "forbidden"
            assert error["message"] == "Das kann nur die Moderation dieser Session."
            await viewer.close()

    run(body)
    question.refresh_from_db()
    assert (question.status, question.answered, question.answer) == ("visible", False, "")
    assert not Ban.objects.exists()


def test_staff_may_moderate_any_session(session, staff):
    viewer = Viewer(session.pk, user=staff)

    async def body():
        assert (await viewer.hello())["welcome"]["role"] == "moderator"
        await viewer.close()

    run(body)


def test_hide_removes_question_for_viewers_but_not_for_moderators(session, member):
    pupil, other, presenter = Viewer(session.pk), Viewer(session.pk), Viewer(session.pk, user=member)

    async def body():
        for viewer in (pupil, other, presenter):
            await viewer.hello()
        question_id = (await ask(pupil))["question"]["id"]
        await other.receive_type("question")
        await presenter.receive_type("question")
        await presenter.send(type="hide", question=question_id)
        await presenter.receive_type("done")
        assert (await presenter.receive_type("question"))["question"]["status"] == "hidden"
        removed = await other.receive_type("removed")
        assert removed["id"] == question_id
        await pupil.receive_type("question")
        assert (await pupil.receive_type("removed"))["id"] == question_id
        for viewer in (pupil, other, presenter):
            await viewer.close()

    run(body)
    assert Question.objects.get().status == Question.Status.HIDDEN


def test_ban_hides_all_questions_and_stops_the_visitor(session, member, live_settings, settings):
    settings.LIVE_QA = {**live_settings, "QUESTION_SECONDS": 0}
    troll, same_name, presenter = Viewer(session.pk), Viewer(session.pk), Viewer(session.pk, user=member)

    async def body():
        for viewer in (troll, same_name, presenter):
            await viewer.hello()
        first = (await ask(troll, "Erste Frage", nickname="Kevin"))["question"]["id"]
        await ask(troll, "Zweite Frage", nickname="Kevin")
        await presenter.send(type="ban", question=first)
        done = await presenter.receive_type("done")
        assert "Kevin" in done["message"]
        await ask_fails(troll, "Noch eine", "Kevin", "banned")
        await ask_fails(same_name, "Ich bin auch Kevin", "KEVIN", "banned")
        for viewer in (troll, same_name, presenter):
            await viewer.close()

    async def ask_fails(viewer, text, nickname, code):
        await viewer.send(type="ask", nickname=nickname, text=text)
        assert (await viewer.receive_type("error"))["code"] == code

    run(body)
    assert set(Question.objects.values_list("status", flat=True)) == {"hidden"}
    assert Ban.objects.get().nickname == "Kevin"


# --- moderation before publication ------------------------------------------------------------------------------
def test_premoderation_flow(session, member):
    session.qa_premoderation = True
    session.save()
    asker, other, presenter = Viewer(session.pk), Viewer(session.pk), Viewer(session.pk, user=member)

    async def body():
        for viewer in (asker, other, presenter):
            await viewer.hello()
        ack = await ask(asker, "Darf ich ein Praktikum machen?")
        assert ack["pending"] is True
        assert "Freigabe" in ack["message"]
        own = await asker.receive_type("question")
        assert own["question"]["pending"] is True
        assert own["question"]["mine"] is True
        hidden = await other.receive_type(
            "removed"
        )  # the sequence goes on, the text does not leave the server
        assert "Praktikum" not in json.dumps(hidden)
        held = (await presenter.receive_type("question"))["question"]
        assert (held["status"], held["held"]) == ("pending", "premoderation")
        await presenter.send(type="approve", question=held["id"])
        await presenter.receive_type("done")
        shown = await other.receive_type("question")
        assert shown["question"]["text"] == "Darf ich ein Praktikum machen?"
        assert (await asker.receive_type("question"))["question"]["pending"] is False
        for viewer in (asker, other, presenter):
            await viewer.close()

    run(body)


def test_own_pending_question_comes_back_after_reload(session):
    session.qa_premoderation = True
    session.save()
    first_tab = Viewer(session.pk, visitor="same-visitor-0123456789")
    reloaded = Viewer(session.pk, visitor="same-visitor-0123456789")
    stranger = Viewer(session.pk)

    async def body():
        await first_tab.hello()
        await ask(first_tab, "Wartet das?")
        await first_tab.close()
        welcome = (await reloaded.hello(last_seq=1))["welcome"]
        assert [q["text"] for q in welcome["own"]] == ["Wartet das?"]
        assert welcome["own"][0]["pending"] is True
        frames = await stranger.hello()
        assert frames["welcome"]["own"] == []
        assert frames["snapshot"]["questions"] == []
        await reloaded.close()
        await stranger.close()

    run(body)


def test_word_filter_holds_the_question(session, member):
    asker, other, presenter = Viewer(session.pk), Viewer(session.pk), Viewer(session.pk, user=member)

    async def body():
        for viewer in (asker, other, presenter):
            await viewer.hello()
        ack = await ask(asker, "Ist euer Chef ein 4rschl0ch?")
        assert ack["pending"] is True
        removed = await other.receive_type("removed")
        assert "4rschl0ch" not in json.dumps(removed)
        held = (await presenter.receive_type("question"))["question"]
        assert (held["status"], held["held"]) == ("pending", "filter")
        assert held["text"] == "Ist euer Chef ein 4rschl0ch?"
        for viewer in (asker, other, presenter):
            await viewer.close()

    run(body)
    assert Question.objects.get().held == "filter"


def test_reports_hold_a_question_until_a_moderator_decides(session, member, live_settings, settings):
    settings.LIVE_QA = {**live_settings, "REPORT_THRESHOLD": 2}
    asker, reporter1, reporter2, presenter = (
        Viewer(session.pk),
        Viewer(session.pk),
        Viewer(session.pk),
        Viewer(session.pk, user=member),
    )

    async def body():
        for viewer in (asker, reporter1, reporter2, presenter):
            await viewer.hello()
        question_id = (await ask(asker, "Harmlos oder nicht?"))["question"]["id"]
        await reporter1.send(type="report", question=question_id)
        assert (await reporter1.receive_type("reported"))["id"] == question_id
        assert (await reporter2.receive_event(2))["type"] == "question"  # one report: still visible
        await reporter1.send(type="report", question=question_id)  # twice by one visitor counts once
        await reporter1.receive_type("reported")
        await reporter2.send(type="report", question=question_id)
        await reporter2.receive_type("reported")
        assert (await reporter1.receive_event(3))["type"] == "removed"
        held = (await presenter.receive_event(3))["question"]
        assert (held["status"], held["held"], held["reports"]) == ("pending", "reports", 2)
        await presenter.send(type="approve", question=question_id)
        await presenter.receive_type("done")
        assert (await reporter1.receive_event(4))["question"]["id"] == question_id
        for viewer in (asker, reporter1, reporter2, presenter):
            await viewer.close()

    run(body)
    question = Question.objects.get()
    assert (question.status, question.reports, question.reviewed) == ("visible", 2, True)


# --- limits and bad input ---------------------------------------------------------------------------------------
def test_question_rate_limit(session):
    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        await ask(viewer, "Erste Frage")
        await viewer.send(type="ask", nickname="Möwe", text="Gleich noch eine")
        error = await viewer.receive_type("error")
        assert error["code"] == "rate_limited"
        assert "Sekunden" in error["message"]
        await viewer.close()

    run(body)
    assert Question.objects.count() == 1


def test_vote_rate_limit(session, live_settings):
    questions = [
        Question.objects.create(session=session, visitor_id="a" * 20, nickname="A", text=f"Frage {n}")
        for n in range(live_settings["VOTES"] + 1)
    ]
    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        codes = []
        for question in questions:
            await viewer.send(type="vote", question=question.pk)
            while True:
                frame = await viewer.receive()
                if frame["type"] in {"voted", "error"}:
                    codes.append(frame.get("code", "ok"))
                    break
        assert codes == ["ok"] * live_settings["VOTES"] + ["rate_limited"]
        await viewer.close()

    run(body)
    assert Vote.objects.count() == live_settings["VOTES"]


@pytest.mark.parametrize(
    "payload, code",
    [
        ("{not json", "bad_json"),
        ("[1, 2, 3]", "bad_message"),
        ('{"type": 42}', "bad_message"),
        ('{"type": "drop_tables"}', "unknown_command"),
        (json.dumps({"type": "ask", "nickname": "Möwe", "text": "x" * 5000}), "too_large"),
    ],
)
def test_bad_frames_get_an_error_and_the_connection_stays(session, payload, code):
    viewer, bystander = Viewer(session.pk), Viewer(session.pk)

    async def body():
        await viewer.hello()
        await bystander.hello()
        await viewer.send_raw(text=payload)
        error = await viewer.receive_type("error")
        assert error["code"] == code
        assert error["message"]
        await viewer.send(type="ping")
        assert (await viewer.receive())["type"] == "pong"
        assert await bystander.nothing()
        await viewer.close()
        await bystander.close()

    run(body)
    assert not Question.objects.exists()


def test_binary_frames_are_refused(session):
    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        await viewer.send_raw(data=b"\x00\x01")
        assert (await viewer.receive_type("error"))["code"] == "text_only"
        await viewer.close()

    run(body)


def test_invalid_questions(session):
    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        for nickname, text in [("", "Frage?"), ("Möwe", "   "), ("M" * 41, "Frage?"), ("Möwe", "x" * 301)]:
            await viewer.send(type="ask", nickname=nickname, text=text)
            assert (await viewer.receive_type("error"))["code"] == "invalid"
        await viewer.close()

    run(body)
    assert not Question.objects.exists()


def test_too_many_frames_close_only_the_offender(session, live_settings):
    flooder, bystander = Viewer(session.pk), Viewer(session.pk)

    async def body():
        await flooder.hello()
        await bystander.hello()
        for _ in range(live_settings["FRAMES"] + live_settings["STRIKES"]):
            await flooder.send(type="ping")
        codes = []
        while True:
            output = await flooder.comm.receive_output(2)
            if output["type"] == "websocket.close":
                assert output["code"] == 4008
                break
            frame = json.loads(output["text"])
            codes.append(frame.get("code", frame["type"]))
        assert codes.count("pong") == live_settings["FRAMES"] - 1  # the hello was the first frame
        assert codes.count("too_fast") == live_settings["STRIKES"]
        await bystander.send(type="ping")
        assert (await bystander.receive())["type"] == "pong"
        await bystander.close()

    run(body)


def test_ask_only_while_live(fair, company):
    later = make_session(fair, company, minutes_from_now=60)
    viewer = Viewer(later.pk)

    async def body():
        frames = await viewer.hello()
        assert frames["welcome"]["open"] is False
        await viewer.send(type="ask", nickname="Möwe", text="Schon offen?")
        assert (await viewer.receive_type("error"))["code"] == "closed"
        await viewer.close()

    run(body)


def test_hostile_text_is_kept_as_text(session):
    viewer = Viewer(session.pk)
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} \u202eabc\x00"

    async def body():
        await viewer.hello()
        ack = await ask(viewer, hostile, nickname="<b>Möwe</b>")
        assert (
            ack["question"]["text"] == "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} abc"
        )
        assert ack["question"]["nickname"] == "<b>Möwe</b>"
        await viewer.close()

    run(body)


# --- reconnect and catch-up -------------------------------------------------------------------------------------
def test_catch_up_after_reconnect_without_duplicates(session, member, live_settings, settings):
    settings.LIVE_QA = {**live_settings, "QUESTION_SECONDS": 0}
    watcher, asker, presenter = Viewer(session.pk), Viewer(session.pk), Viewer(session.pk, user=member)
    back = Viewer(session.pk, visitor=watcher.visitor)
    later = Viewer(session.pk, visitor=watcher.visitor)

    async def body():
        await watcher.hello()
        await asker.hello()
        await presenter.hello()
        first = (await ask(asker, "Frage eins"))["question"]["id"]
        seen = (await watcher.receive_event(1))["seq"]
        await watcher.close()  # the train goes into a tunnel
        second = (await ask(asker, "Frage zwei"))["question"]["id"]
        third = (await ask(asker, "Frage drei"))["question"]["id"]
        await asker.send(type="vote", question=first)
        await asker.receive_type("voted")
        await presenter.send(type="vote", question=first)  # moderators have a visitor id too
        await presenter.receive_type("voted")
        await presenter.send(type="hide", question=third)
        await presenter.receive_type("done")

        frames = await back.hello(last_seq=seen)
        catchup = frames["catchup"]
        assert catchup["since"] == seen
        assert catchup["seq"] == frames["welcome"]["seq"] == 6
        ids = [q["id"] for q in catchup["questions"]]
        assert sorted(ids) == [first, second]  # each changed question once, in its latest state
        assert len(ids) == len(set(ids))
        assert {q["id"]: q["votes"] for q in catchup["questions"]}[first] == 2
        assert catchup["removed"] == [{"id": third, "rev": 6}]
        assert await back.nothing()
        # Live events go on from there.
        await presenter.send(type="answer", question=second, text="Ja.")
        event = await back.receive_type("question")
        assert (event["seq"], event["question"]["answer"]) == (7, "Ja.")
        await back.close()

        # Up to date: nothing to catch up. Numbers from another world (server reset): a full snapshot.
        frames = await later.hello(last_seq=7)
        assert "catchup" not in frames and "snapshot" not in frames
        await later.close()
        again = Viewer(session.pk, visitor=watcher.visitor)
        snapshot = (await again.hello(last_seq=99))["snapshot"]
        assert snapshot["seq"] == 7
        assert [q["text"] for q in snapshot["questions"]] == ["Frage eins", "Frage zwei"]
        await again.close()
        await asker.close()
        await presenter.close()

    run(body)


def test_sync_after_a_gap(session):
    viewer = Viewer(session.pk)
    for n in range(3):
        Question.objects.create(
            session=session, visitor_id="a" * 20, nickname="A", text=f"Frage {n}", rev=n + 1
        )
    Room.objects.create(session=session, last_seq=3)

    async def body():
        await viewer.hello(last_seq=3)
        await viewer.send(type="sync", last_seq=1)
        catchup = await viewer.receive_type("catchup")
        assert [q["text"] for q in catchup["questions"]] == ["Frage 1", "Frage 2"]
        await viewer.close()

    run(body)


# --- viewers ----------------------------------------------------------------------------------------------------
def test_viewer_count_and_samples(session):
    first, second = Viewer(session.pk), Viewer(session.pk)

    async def body():
        assert (await first.hello())["viewers"]["count"] == 1
        assert (await second.hello())["viewers"]["count"] == 2
        counts = await tracker.tick()
        assert counts == {session.pk: 2}
        assert (await first.receive_type("viewers"))["count"] == 2
        assert (await second.receive_type("viewers"))["count"] == 2
        await first.close()
        await second.close()

    run(body)
    sample = ViewerSample.objects.get()
    assert (sample.session_id, sample.count) == (session.pk, 2)
    assert tracker.local(session.pk) == 0


def test_connections_renew_their_group_membership(session):
    """Redis restarted: the groups are gone, open connections would hear nothing more — until the ticker renews
    their membership (Presence.rejoin)."""
    from channels.layers import get_channel_layer

    from einblick.live import groups

    watcher, asker = Viewer(session.pk), Viewer(session.pk)

    async def body():
        await watcher.hello()
        await asker.hello()
        layer = get_channel_layer()
        group = groups.session_group(session.pk)
        for consumer in tracker.rooms[session.pk]:  # what a Redis restart does to the groups
            await layer.group_discard(group, consumer.channel_name)
        await ask(asker, text="Hört mich noch jemand?")
        assert await watcher.comm.receive_nothing(timeout=0.3)
        assert await tracker.rejoin() == 2
        second = Viewer(session.pk)
        await second.hello()
        question = (await ask(second, text="Und jetzt?"))["question"]
        seen = await watcher.receive_type("question")
        assert seen["question"]["id"] == question["id"]
        for viewer in (watcher, asker, second):
            await viewer.close()

    run(body)


def test_database_away_during_a_command_keeps_the_connection(session, monkeypatch):
    from django.db import OperationalError

    from einblick.live import commands

    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        real = commands.dispatch

        def away(*args, **kwargs):
            raise OperationalError("the database system is shutting down")

        monkeypatch.setattr(commands, "dispatch", away)
        await viewer.send(type="ask", nickname="Möwe", text="Noch da?")
        error = await viewer.receive_type("error")
        assert (error["code"], error["command"]) == ("unavailable", "ask")
        assert "Moment" in error["message"]  # German first
        monkeypatch.setattr(commands, "dispatch", real)
        asked = await ask(viewer, text="Noch da?")  # the same connection, once the database is back
        assert asked["question"]["text"] == "Noch da?"
        await viewer.close()

    run(body)


def test_database_away_at_connect_refuses_with_unavailable(session, monkeypatch):
    from django.db import OperationalError

    from einblick.live import consumers

    def away(*args, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(consumers.selectors, "session_for_qa", away)
    viewer = Viewer(session.pk)

    async def body():
        connected, code = await viewer.connect()
        assert not connected
        assert code == consumers.CLOSE_UNAVAILABLE
        await settle(viewer)

    run(body)


def test_a_redis_restart_is_noticed_by_its_run_id(monkeypatch):
    from einblick.live import presence

    class Connection:
        run_id = "erster-start"

        async def info(self, section):
            return {"run_id": self.run_id}

    class Layer:
        ring_size = 1
        redis = Connection()

        def connection(self, index):
            return self.redis

    layer = Layer()
    monkeypatch.setattr(presence, "get_channel_layer", lambda: layer)
    tracker_ = presence.Presence()

    async def body():
        assert await tracker_._channel_layer_restarted() is False  # first look: nothing to compare with
        assert await tracker_._channel_layer_restarted() is False
        layer.redis.run_id = "neu-gestartet"
        assert await tracker_._channel_layer_restarted() is True
        assert await tracker_._channel_layer_restarted() is False

    run(body)


# --- Redis away ---------------------------------------------------------------------------------------------------
def test_channel_layer_unavailable_refuses_the_connection(session, monkeypatch):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def broken(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(layer, "group_add", broken)
    viewer = Viewer(session.pk)

    async def body():
        connected, code = await viewer.connect()
        assert connected is False
        assert code == 1011
        await settle(viewer)

    run(body)


def test_group_names_in_one_place():
    assert groups.session_group(42) == "live.session.42"


def test_settings_changed_while_connected_apply_to_the_next_question(session):
    """Pre-moderation switched on after the viewer connected still holds the viewer's next question."""
    viewer = Viewer(session.pk)

    async def body():
        await viewer.hello()
        from channels.db import database_sync_to_async

        await database_sync_to_async(type(session).objects.filter(pk=session.pk).update)(
            qa_premoderation=True
        )
        asked = await ask(viewer, "Kommt die erst nach Freigabe?")
        assert asked["pending"] is True
        await database_sync_to_async(type(session).objects.filter(pk=session.pk).update)(qa_enabled=False)
        await viewer.send(type="ask", nickname="Möwe", text="Und jetzt?")
        outputs = [await viewer.comm.receive_output(timeout=2) for _ in range(1)]
        while outputs[-1]["type"] != "websocket.close" and len(outputs) < 10:
            outputs.append(await viewer.comm.receive_output(timeout=2))
        assert outputs[-1]["type"] == "websocket.close"

    run(body)
    assert Question.objects.filter(text="Und jetzt?").count() == 0
