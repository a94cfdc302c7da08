"""Live Q&A fan-out: N WebSocket viewers in one session room, questions at a steady rate; deliveries per second and
delivery latency, with the in-memory channel layer and with Redis.

Run:  .venv/bin/python bench/qa_fanout.py [--clients 500] [--rate 2] [--seconds 20] [--layer memory|redis|both]
                                          [--redis-url redis://127.0.0.1:6379/9]

Starts one uvicorn process on 127.0.0.1 (a free port) with a throw-away SQLite database in a temporary
EINBLICK_VAR_DIR, creates a live session, connects the clients (all in this process, one asyncio loop), lets ten of
them ask questions at ``--rate`` per second for ``--seconds`` and measures, for every question that reaches every
client, the time from sending to receiving. Stops by itself (hard limit ``--max-seconds`` per run) and always ends the
server. Redis runs use their own database number (``--redis-url``; the bench flushes nothing). Nothing is asserted.
"""

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
VAR_DIR = tempfile.mkdtemp(prefix="einblick-bench-qa-")
os.environ["EINBLICK_VAR_DIR"] = VAR_DIR
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

ASKERS = 10
HOST = "127.0.0.1"


def create_session() -> int:
    from datetime import timedelta

    from einblick.fair import services
    from einblick.fair.models import Fair, FairDay, Stage

    call_command("migrate", verbosity=0)
    now = timezone.now()
    fair = Fair.objects.create(name="Bench-Messe", slug="bench", is_published=True)
    FairDay.objects.create(fair=fair, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3))
    stage = Stage.objects.create(fair=fair, name="Bühne", slug="buehne", position=0)
    session = services.session_save(
        fair=fair,
        stage=stage,
        title="Bench-Session",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
    )
    return session.pk


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, redis_url: str | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "EINBLICK_QA_QUESTION_SECONDS": "0",  # the askers are bench clients, not pupils
        "EINBLICK_QA_VIEWER_SECONDS": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "einblick.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
            "--backlog",
            "4096",
        ],
        cwd=ROOT,
        env=env,
    )


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server ended early")
        try:
            _reader, writer = await asyncio.open_connection(HOST, port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.first_send = None
        self.last_delivery = None
        self.sent = 0
        self.acks = 0
        self.errors = 0


async def client(url: str, origin: str, number: int, stats: Stats, ready: asyncio.Event, stop: asyncio.Event):
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async with connect(url, origin=origin, ping_interval=None, max_queue=None, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "hello", "visitor": f"bench-visitor-{number:06d}-abcdef"}))
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "welcome":
                break
        ready.set()

        async def reader():
            with contextlib.suppress(ConnectionClosed):
                await read()

        async def read():
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "question":
                    text = frame["question"]["text"]
                    if text.startswith("bench "):
                        stats.latencies.append(now - float(text.split()[2]))
                        stats.last_delivery = now
                elif kind == "asked":
                    stats.acks += 1
                elif kind == "error":
                    stats.errors += 1

        task = asyncio.create_task(reader())
        await stop.wait()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task


async def run(
    session_id: int, layer: str, clients: int, rate: float, seconds: float, redis_url: str, max_seconds: float
) -> dict:
    from websockets.asyncio.client import connect

    port = free_port()
    server = start_server(port, redis_url if layer == "redis" else None)
    stats = Stats()
    stop = asyncio.Event()
    url, origin = f"ws://{HOST}:{port}/ws/live/sessions/{session_id}/", f"http://{HOST}:{port}"
    tasks = []
    try:
        async with asyncio.timeout(max_seconds):
            await wait_listening(port, server)
            connect_start = time.perf_counter()
            readies = []
            for batch in range(
                0, clients, 100
            ):  # connect in batches, as a class arriving, not all in one SYN
                for number in range(batch, min(clients, batch + 100)):
                    ready = asyncio.Event()
                    readies.append(ready)
                    tasks.append(asyncio.create_task(client(url, origin, number, stats, ready, stop)))
                await asyncio.gather(*(r.wait() for r in readies[batch:]))
            connect_seconds = time.perf_counter() - connect_start
            cpu_before = cpu_seconds(server.pid)
            askers = [
                await connect(url, origin=origin, ping_interval=None, max_queue=None) for _ in range(ASKERS)
            ]
            for n, asker in enumerate(askers):
                await asker.send(json.dumps({"type": "hello", "visitor": f"bench-asker-{n:04d}-abcdefgh"}))
            questions = int(rate * seconds)
            stats.first_send = time.perf_counter()
            for q in range(questions):
                due = stats.first_send + q / rate
                await asyncio.sleep(max(0, due - time.perf_counter()))
                text = f"bench {q} {time.perf_counter():.6f}"
                await askers[q % ASKERS].send(json.dumps({"type": "ask", "nickname": "Bench", "text": text}))
                stats.sent += 1
            expected = stats.sent * clients
            drain_until = time.perf_counter() + 15
            while len(stats.latencies) < expected and time.perf_counter() < drain_until:
                await asyncio.sleep(0.1)
            cpu_used = cpu_seconds(server.pid) - cpu_before
            for asker in askers:
                await asker.close()
    finally:
        stop.set()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=30)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    latencies = sorted(stats.latencies)
    span = (stats.last_delivery or stats.first_send) - stats.first_send
    return {
        "layer": layer,
        "clients": clients,
        "questions": stats.sent,
        "deliveries": len(latencies),
        "expected": stats.sent * clients,
        "deliveries_per_s": len(latencies) / span if span else 0,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        if latencies
        else float("nan"),
        "max_ms": 1000 * latencies[-1] if latencies else float("nan"),
        "connect_s": connect_seconds,
        "server_cpu_s": cpu_used,
        "span_s": span,
        "errors": stats.errors,
    }


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[500])
    parser.add_argument("--rate", type=float, default=2.0, help="questions per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long questions are asked")
    parser.add_argument("--layer", choices=["memory", "redis", "both"], default="both")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="hard limit per run")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(args.clients) + 256)), hard))
    layers = ["memory", "redis"] if args.layer == "both" else [args.layer]
    if "redis" in layers and not redis_answers(args.redis_url):
        print(f"Redis at {args.redis_url} does not answer: only the in-memory layer")
        layers = [layer for layer in layers if layer != "redis"]
    print(
        f"{'layer':<7} {'clients':>7} {'questions':>9} {'delivered':>12} {'deliv/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'connect s':>9} {'srv CPU s':>9}"
    )
    session_id = create_session()
    for clients in args.clients:
        for layer in layers:
            result = asyncio.run(
                run(session_id, layer, clients, args.rate, args.seconds, args.redis_url, args.max_seconds)
            )
            print(
                f"{result['layer']:<7} {result['clients']:>7} {result['questions']:>9} "
                f"{result['deliveries']:>6}/{result['expected']:<6}{result['deliveries_per_s']:>9.0f} "
                f"{result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} {result['max_ms']:>8.1f} "
                f"{result['connect_s']:>9.1f} {result['server_cpu_s']:>9.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
