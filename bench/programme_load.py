"""Load test of the fair's programme and a session page: N concurrent keep-alive clients on loopback.

Run:  .venv/bin/python bench/programme_load.py [--clients 200] [--seconds 20] [--workers 2]
Builds the demo region in a throw-away SQLite database (or uses DATABASE_URL — then it is FLUSHED), starts uvicorn
with the given number of worker processes on 127.0.0.1 and a free port, and lets N clients request the programme
page and a live session page in turn for the given time. Prints requests/s, p50/p95/p99 latency, errors, and the
bytes a phone transfers for the programme page (HTML + CSS + JS, uncompressed and gzip-compressed).
Only 127.0.0.1 is contacted; the run stops by itself.
"""

import argparse
import asyncio
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")


async def client(port: int, paths: list[str], deadline: float, latencies: list[float], errors: list[str]):
    reader = writer = None
    n = 0
    while time.perf_counter() < deadline:
        path = paths[n % len(paths)]
        n += 1
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: de\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors.append(str(status))
        except Exception as exc:
            errors.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


async def run_load(port, paths, clients, seconds):
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client(port, paths, deadline, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def page_weight(base: str) -> tuple[int, int]:
    html = urllib.request.urlopen(base + "/messe/55-stunden-zukunft/").read()
    assets = [base + "/static/einblick/einblick.css", base + "/static/einblick/einblick.js"]
    total, compressed = len(html), len(gzip.compress(html))
    for url in assets:
        try:
            body = urllib.request.urlopen(url).read()
        except Exception:
            continue
        total += len(body)
        compressed += len(gzip.compress(body))
    return total, compressed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = {
        **os.environ,
        "EINBLICK_VAR_DIR": os.environ.get("EINBLICK_VAR_DIR") or tempfile.mkdtemp(prefix="einblick-load-"),
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    py = sys.executable
    for command in (["migrate", "-v0"], ["demo", "--reset"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([py, "-m", "einblick", *command], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [
            py,
            "-m",
            "uvicorn",
            "einblick.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        # A session that is live now (the demo fair always has one).
        programme = urllib.request.urlopen(base + "/messe/55-stunden-zukunft/").read().decode()
        marker = 'class="card live"><a href="'
        session_path = programme.split(marker, 1)[1].split('"', 1)[0]
        paths = ["/messe/55-stunden-zukunft/", session_path]
        total, compressed = page_weight(base)
        latencies, errors, elapsed = asyncio.run(run_load(port, paths, args.clients, args.seconds))
        ms = [1000 * v for v in latencies]
        print(f"clients={args.clients} workers={args.workers} seconds={elapsed:.1f} pages={paths}")
        print(
            f"requests={len(ms)} rps={len(ms) / elapsed:.0f} errors={len(errors)} "
            f"p50={statistics.median(ms):.0f}ms p95={percentile(ms, 95):.0f}ms p99={percentile(ms, 99):.0f}ms"
        )
        print(
            f"programme page on a phone: {total / 1024:.1f} KB uncompressed, {compressed / 1024:.1f} KB gzip (HTML+CSS+JS)"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
