"""Across processes: two uvicorn servers on the same PostgreSQL test database and the same Redis; a question asked
through one appears on the other (``cluster`` marker: skipped without PostgreSQL and Redis, see tests/conftest.py)."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.live.conftest import make_session

ROOT = Path(__file__).resolve().parents[2]
IDLE_SECONDS = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database pytest-django created for this run (test_…), for the server processes."""
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_server(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "einblick.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_until_listening(process: subprocess.Popen, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on {port} ended: {process.stdout.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def receive(ws, kind: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def journey(session_id: int, port_a: int, port_b: int) -> tuple[dict, dict]:
    from websockets.asyncio.client import connect

    path = f"/ws/live/sessions/{session_id}/"
    async with (
        connect(f"ws://127.0.0.1:{port_a}{path}", origin=f"http://127.0.0.1:{port_a}") as asker,
        connect(f"ws://127.0.0.1:{port_b}{path}", origin=f"http://127.0.0.1:{port_b}") as watcher,
    ):
        await asker.send(json.dumps({"type": "hello", "visitor": "cluster-asker-0123456789"}))
        await watcher.send(json.dumps({"type": "hello", "visitor": "cluster-watcher-0123456789"}))
        await receive(asker, "welcome")
        await receive(watcher, "welcome")
        # Idle for longer than channels_redis's 5-second blocking pop: the connections must stay open (redis-py 8's
        # 5-second default socket timeout used to tear them down, see settings.CHANNEL_LAYERS).
        await asyncio.sleep(IDLE_SECONDS)
        await asker.send(json.dumps({"type": "ask", "nickname": "Möwe", "text": "Hört mich Prozess B?"}))
        ack = await receive(asker, "asked")
        seen = await receive(watcher, "question")
        return ack, seen


@pytest.mark.cluster
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_question_asked_on_one_server_appears_on_the_other(fair, company):
    session = make_session(fair, company)
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_SETTINGS_MODULE": "einblick.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "EINBLICK_QA_VIEWER_SECONDS": "0",
    }
    port_a, port_b = free_port(), free_port()
    servers = []
    try:
        servers.append(start_server(port_a, env))
        servers.append(start_server(port_b, env))
        wait_until_listening(servers[0], port_a)
        wait_until_listening(servers[1], port_b)
        ack, seen = asyncio.run(journey(session.pk, port_a, port_b))
    finally:
        for server in servers:
            stop(server)
    assert ack["question"]["text"] == "Hört mich Prozess B?"
    assert seen["question"]["text"] == "Hört mich Prozess B?"
    assert seen["question"]["mine"] is False
    assert seen["seq"] == ack["question"]["rev"]
