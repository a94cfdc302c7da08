"""Fixtures of the live Q&A tests: a fair open now with a live session of a company, its member, staff, a pupil,
and WebSocket viewers (``channels.testing.WebsocketCommunicator`` against ``einblick.asgi.application``).

The consumer tests are plain (sync) tests that run their async body with ``async_to_sync``: the consumer's
database calls then come back to the test's thread and see the test's transaction (no ``transaction=True``
needed).
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from einblick.fair import services as fair_services
from einblick.fair.models import Fair, FairDay, Stage
from tests.factories import CompanyFactory, MembershipFactory, PupilFactory, StaffFactory, UserFactory

ORIGIN = (b"origin", b"http://testserver")
EVENTS = {"question", "removed"}


@pytest.fixture(autouse=True)
def live_settings(settings):
    # No background viewer ticker in tests (they call presence.tracker.tick() themselves); small limits stay.
    settings.LIVE_QA = {**settings.LIVE_QA, "VIEWER_SECONDS": 0}
    return settings.LIVE_QA


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """Channels closes "old" database connections around every consumer database call. Here those calls run on
    the test's own connection (inside the test's transaction), which must stay open — on PostgreSQL closing it
    would end the test's transaction."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def _fresh_presence():
    from einblick.live.presence import tracker

    tracker.rooms.clear()
    tracker.estimates.clear()
    tracker.reported.clear()
    yield
    tracker.rooms.clear()


def make_fair():
    """A published fair open now, with one stage (also used by tests/cluster)."""
    now = timezone.now()
    fair = Fair.objects.create(name="55 Stunden Zukunft", slug="55-stunden", is_published=True)
    FairDay.objects.create(fair=fair, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=9))
    Stage.objects.create(fair=fair, name="Bühne 1", slug="buehne-1", position=0)
    return fair


@pytest.fixture
def fair(db):
    return make_fair()


@pytest.fixture
def company(db):
    return CompanyFactory(name="Meyer Metallbau GmbH")


def make_session(fair, company, *, minutes_from_now=-10, **fields):
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    return fair_services.session_save(
        fair=fair,
        stage=fair.stages.first(),
        company=company,
        title=fields.pop("title", "Live aus der Werkstatt"),
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        stream_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        **fields,
    )


@pytest.fixture
def session(fair, company):
    return make_session(fair, company)


@pytest.fixture
def member(company):
    return MembershipFactory(company=company, user=UserFactory(username="ausbilderin")).user


@pytest.fixture
def other_member(db):
    return MembershipFactory(
        company=CompanyFactory(name="Andere GmbH"), user=UserFactory(username="fremd")
    ).user


@pytest.fixture
def staff(db):
    return StaffFactory(username="netzwerkteam")


@pytest.fixture
def pupil(db):
    return PupilFactory(username="moewe")


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


class Viewer:
    """One browser tab on the Q&A: a WebSocket with a visitor id (and a logged-in user if given)."""

    def __init__(self, session_id: int, *, user=None, visitor: str | None = None, path: str | None = None):
        from channels.testing import WebsocketCommunicator

        from einblick.asgi import application

        headers = [ORIGIN]
        if user is not None:
            headers.append((b"cookie", session_cookie(user)))
        self.visitor = visitor or f"visitor-{id(self):x}-0123456789"
        self.comm = WebsocketCommunicator(
            application, path or f"/ws/live/sessions/{session_id}/", headers=headers
        )

    async def connect(self):
        connected, code = await self.comm.connect()
        return connected, code

    async def hello(self, last_seq=None) -> dict:
        """Connect and say hello; the frames of the answer by type (welcome, snapshot/catchup, viewers)."""
        connected, code = await self.connect()
        assert connected, code
        await self.send(type="hello", visitor=self.visitor, last_seq=last_seq)
        frames = {}
        while "viewers" not in frames:
            frame = await self.receive()
            frames[frame["type"]] = frame
        return frames

    async def send(self, **message):
        await self.comm.send_to(text_data=json.dumps(message))

    async def send_raw(self, text=None, data=None):
        await self.comm.send_to(text_data=text, bytes_data=data)

    async def receive(self, timeout: float = 2) -> dict:
        return json.loads(await self.comm.receive_from(timeout))

    async def receive_type(self, kind: str, timeout: float = 2, skip=None) -> dict:
        """The next frame of this type. Viewer counts in between are skipped; while waiting for a reply (not an
        event), so are the events broadcast in between."""
        if skip is None:
            skip = {"viewers"} if kind in EVENTS else {"viewers", *EVENTS}
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame
            assert frame["type"] in skip, f"expected {kind}, got {frame}"

    async def receive_event(self, seq: int, timeout: float = 2) -> dict:
        """Events up to the one with this number (earlier ones are skipped)."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] in EVENTS and frame["seq"] == seq:
                return frame
            assert frame["type"] == "viewers" or (frame["type"] in EVENTS and frame["seq"] < seq), frame

    async def nothing(self, timeout: float = 0.2) -> bool:
        return await self.comm.receive_nothing(timeout)

    async def close(self):
        await self.comm.disconnect()
