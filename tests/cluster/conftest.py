"""The cluster test's fixtures: one local cluster (bench/cluster.py: two uvicorn processes A and B, a private Redis,
a load balancer; a worker only where a test starts one) per test module, on pytest-django's PostgreSQL test database.
Test data is made with the factories in this process and committed (``django_db(transaction=True)``); the cluster's
processes read it from the same database.

Helpers: ``Browser`` (a cookie jar that can talk to any node, logs in through the real form) and ``QaSocket`` (one
WebSocket viewer of a session's live Q&A). Tests without PostgreSQL and Redis are skipped (tests/conftest.py).
"""

import asyncio
import contextlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Every process of the test cluster: a short worker lease (a killed worker's task runs again after 3 s), no
# background viewer ticker, counts written at once (no batch pending when a test's data is flushed).
CLUSTER_ENV = {
    "EINBLICK_WORKER_LEASE_SECONDS": "3",
    "EINBLICK_QA_VIEWER_SECONDS": "0",
    "EINBLICK_COUNT_FLUSH_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}


def load_cluster_module():
    """bench/cluster.py, imported by path (bench/ is not a package and should not shadow anything on sys.path)."""
    name = "einblick_bench_cluster"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "cluster.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def database_url(connection) -> str:
    """The URL of the database pytest-django created for this run (test_…), for the cluster's processes."""
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or '5432'}/{params['NAME']}"


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    with django_db_blocker.unblock():
        url = database_url(connection)
    Cluster = load_cluster_module().Cluster
    with Cluster(
        web=2, worker=False, database_url=url, env=CLUSTER_ENV, base_dir=tmp_path_factory.mktemp("cluster")
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def _like_the_cluster(cluster, settings):
    """Passwords hashed so that the nodes can check them (tests/conftest.py's fast MD5 hasher is not in the
    production list), and this process shares the cluster's cache (its page-cache invalidations must reach the
    nodes), emptied before each test (page cache, rate limits, login throttle)."""
    from django.conf import global_settings
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cluster.redis_url}
    }
    cache.clear()
    yield
    cache.close()


@pytest.fixture
def node_a(cluster) -> str:
    return cluster.web_urls[0]


@pytest.fixture
def node_b(cluster) -> str:
    return cluster.web_urls[1]


@pytest.fixture
def live_fair(db):
    """A published fair open now, with one stage."""
    from tests.live.conftest import make_fair

    return make_fair()


@pytest.fixture
def live_session(live_fair):
    """A session of a company, live now (started 10 minutes ago), with its Q&A open."""
    from tests.factories import CompanyFactory
    from tests.live.conftest import make_session

    return make_session(live_fair, CompanyFactory(name="Meyer Metallbau GmbH"))


class Browser:
    """One browser: its own cookie jar (cookies are per host, not per port — as in a real browser, one jar serves
    every node on 127.0.0.1). Forms are sent with the CSRF token of the page they come from."""

    def __init__(self, cookies: dict[str, str] | None = None):
        import requests

        self.http = requests.Session()
        self.http.trust_env = False  # loopback: no proxy from the environment
        for name, value in (cookies or {}).items():
            self.http.cookies.set(name, value, domain="127.0.0.1", path="/")

    def get(self, url: str, **kwargs):
        return self.http.get(url, timeout=15, **kwargs)

    def post(self, url: str, data: dict, **kwargs):
        return self.http.post(url, data=data, timeout=15, **kwargs)

    def submit(self, page_url: str, action_url: str, data: dict, **kwargs):
        """Open the page, take its CSRF token, post the form (redirects are not followed unless asked)."""
        page = self.get(page_url)
        assert page.status_code == 200, (page_url, page.status_code)
        match = CSRF_INPUT.search(page.text)
        assert match, f"no form with a CSRF token on {page_url}"
        kwargs.setdefault("allow_redirects", False)
        return self.post(action_url, {"csrfmiddlewaretoken": match.group(1), **data}, **kwargs)

    def login(self, node: str, username: str, password: str):
        """The real login form (accounts:login); returns the answer to the POST (a redirect when it worked)."""
        url = f"{node}/konto/anmelden/"
        return self.submit(url, url, {"username": username, "password": password})

    def cookie(self, name: str) -> str:
        return self.http.cookies.get(name, domain="127.0.0.1", path="/") or ""


class QaSocket:
    """One WebSocket viewer of a session's live Q&A on one node (docs/live.md: hello → welcome, then events)."""

    def __init__(
        self, node: str, session_id: int, *, visitor: str, cookie: str = "", last_seq: int | None = None
    ):
        self.uri = node.replace("http://", "ws://") + f"/ws/live/sessions/{session_id}/"
        self.origin = node
        self.visitor = visitor
        self.headers = {"Cookie": cookie} if cookie else {}
        self.last_seq = last_seq  # a reconnect: the last event number seen (qa.js sends it with "hello")
        self.ws = None

    async def __aenter__(self):
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.uri, origin=self.origin, additional_headers=self.headers, open_timeout=10
        )
        if self.last_seq is None:
            await self.send(type="hello", visitor=self.visitor)
        else:
            await self.send(type="hello", visitor=self.visitor, last_seq=self.last_seq)
        self.welcome = await self.receive("welcome")
        if self.last_seq is not None and self.welcome["seq"] != self.last_seq:
            self.state = await self.receive("catchup")
        return self

    async def __aexit__(self, *exc):
        with contextlib.suppress(Exception):
            await self.ws.close()

    async def send(self, **message) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, kind: str, timeout: float = 10, **match) -> dict:
        """The next frame of this type (whose fields equal ``match``); frames in between are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                    return frame

    async def question(self, timeout: float = 10, **fields) -> dict:
        """The next "question" event whose question's fields equal ``fields`` (e.g. ``id=…, answered=True``)."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.receive("question", timeout=timeout)
                if all(frame["question"].get(k) == v for k, v in fields.items()):
                    return frame
