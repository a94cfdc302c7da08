#!/usr/bin/env python
"""A local Einblick cluster on loopback: N ASGI processes (uvicorn), a task worker, a private Redis, PostgreSQL
and a tiny layer-4 load balancer. Used by the cluster test (tests/cluster/) and the benchmarks (bench/fairday.py).

Command line::

    .venv/bin/python bench/cluster.py up --web 2 [--demo] [--no-worker] [--port 8000]   # Ctrl-C stops all
    .venv/bin/python bench/cluster.py balance --listen 127.0.0.1:8000 --backend 127.0.0.1:8001 ...

As a module (``bench/`` is on ``sys.path`` when a bench script runs)::

    from cluster import Cluster

    with Cluster(web=2, worker=True, demo=True, env={"EINBLICK_QA_QUESTION_SECONDS": "0"}) as cluster:
        cluster.url            # the balancer: each new TCP connection goes to the next web process
        cluster.web_urls       # each web process directly
        cluster.kill_worker(); cluster.start_worker()
        cluster.restart_redis(down_seconds=2)

Everything the processes write goes to ``log_dir``; e-mails are files in ``mail_dir``. ``stop()`` (or leaving the
``with`` block) ends every process it started — SIGTERM, then SIGKILL — also when start-up failed half way, and
drops the database if the cluster created it. Only the standard library here; the processes run on the Python that
runs this file (the project's virtualenv), ``psycopg`` from there creates and drops databases.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres"  # trust auth, as in .ci/run
MACHINE_REDIS_PORT = 6379
STOP_SECONDS = 10  # SIGTERM, then SIGKILL after this long
# Inherited variables that would send the processes elsewhere than the cluster says.
NOT_INHERITED = ("EMAIL_HOST", "EINBLICK_EMAIL_BACKEND", "DEBUG", "EINBLICK_HTTPS", "CSRF_TRUSTED_ORIGINS")


class ClusterError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------------------- helpers


def free_port(taken: set[int] | None = None) -> int:
    """A TCP port on loopback that nobody listens on now (and not one already handed out in ``taken``)."""
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if taken is None or port not in taken:
            if taken is not None:
                taken.add(port)
            return port


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], object], timeout: float, message: str, interval: float = 0.1):
    """Poll ``condition`` until it returns something true (which is returned); ClusterError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:g} s: {message}")
        time.sleep(interval)


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of a GET, or None when nothing answers."""
    try:
        with _LOCAL.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_postgres(timeout: float = 30) -> None:
    """Start the machine's PostgreSQL cluster (as .ci/run does) unless it already accepts connections."""
    if port_open(PG_PORT, PG_HOST):
        return
    versions = sorted(Path("/etc/postgresql").glob("*/main"))
    if not versions:
        raise ClusterError(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} and none is installed")
    version = versions[0].parent.name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True, timeout=timeout
    )
    wait_until(lambda: port_open(PG_PORT, PG_HOST), timeout, "PostgreSQL accepts connections")


def ensure_machine_redis(timeout: float = 30) -> None:
    """Start the machine's Redis on 6379 (as .ci/run does) unless it answers. Only for a cluster told to use it."""
    if redis_ping(MACHINE_REDIS_PORT):
        return
    for folder in ("/var/lib/redis", "/var/log/redis"):
        os.makedirs(folder, exist_ok=True)
    args = ["redis-server", "--daemonize", "yes", "--bind", HOST, "--port", str(MACHINE_REDIS_PORT)]
    args += ["--save", "", "--appendonly", "no", "--dir", "/var/lib/redis"]
    args += ["--logfile", "/var/log/redis/ci.log"]
    subprocess.run(args, check=True, timeout=timeout)
    wait_until(lambda: redis_ping(MACHINE_REDIS_PORT), timeout, "Redis answers PING")


def _admin_sql(sql: str, url: str = PG_ADMIN_URL) -> None:
    import psycopg  # from the virtualenv

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql)


def raise_file_limit() -> None:
    """Many WebSockets need many file descriptors: lift the soft limit to the hard one (children inherit it)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


class Process:
    """One child process: its command, environment and log file; started in its own session so that Ctrl-C in a
    terminal reaches only the cluster, which then stops its children in order."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], log_path: Path, port: int | None = None
    ):
        self.name, self.args, self.env, self.log_path, self.port = name, args, env, log_path, port
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} start: {' '.join(self.args)}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)  # its own process group (start_new_session)

    def kill(self) -> None:
        """SIGKILL, no clean-up (a crash)."""
        if self.popen is None:
            return
        if self.running():
            self._signal(signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)
        with open(self.log_path, "ab") as log:
            log.write(
                f"=== {time.strftime('%H:%M:%S')} killed (SIGKILL), exit code {self.popen.returncode}\n".encode()
            )

    def stop(self, timeout: float = STOP_SECONDS, sig: int = signal.SIGTERM) -> None:
        """``sig`` (SIGTERM), then SIGKILL after ``timeout``."""
        if self.popen is None:
            return
        if self.running():
            self._signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.popen.wait(timeout=timeout)
        with open(self.log_path, "ab") as log:
            log.write(f"=== {time.strftime('%H:%M:%S')} exit code {self.popen.returncode}\n".encode())

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if not self.running():
            code = self.popen.returncode if self.popen else None
            raise ClusterError(f"{self.name} ended (exit code {code}); {self.log_path}:\n{self.log_tail()}")


# --------------------------------------------------------------------------------------------------- cluster


class Cluster:
    """PostgreSQL + a private Redis + ``web`` uvicorn processes + a task worker + a load balancer, on loopback.

    database_url: use this database (not migrated unless ``migrate=True``, never dropped); default: create
        ``einblick_cluster_<random>`` on the machine's PostgreSQL, migrate it and drop it at the end.
    redis_url: use this Redis instead of a private ``redis-server`` (then ``restart_redis`` is not possible).
    private_postgres: run a PostgreSQL server of the cluster's own (initdb in a temporary folder, a free port, as
        the ``postgres`` user) instead of a database on the machine's server, so that ``stop_postgres`` /
        ``start_postgres`` can take it away without disturbing anything else on the machine.
    demo: load the demo region (``python -m einblick demo --if-empty``).
    env: extra environment for every process (web and worker).
    base_dir: where the cluster's files go (logs, mails, static files); default: a new temporary directory,
        which is kept after the end so that logs and mails can be read.
    """

    def __init__(
        self,
        web: int = 2,
        *,
        worker: bool = True,
        demo: bool = False,
        env: dict[str, str] | None = None,
        database_url: str | None = None,
        redis_url: str | None = None,
        migrate: bool | None = None,
        balancer: bool = True,
        balancer_port: int | None = None,
        base_dir: str | Path | None = None,
        worker_command: str = "worker",
        startup_timeout: float = 60,
        private_postgres: bool = False,
    ):
        if web < 1:
            raise ValueError("a cluster needs at least one web process")
        self.web_count = web
        self.worker_wanted = worker
        self.demo = demo
        self.extra_env = dict(env or {})
        self.database_url = database_url or ""
        self.redis_url = redis_url or ""
        self.own_database = database_url is None
        self.private_postgres = private_postgres and database_url is None
        self.postgres: Process | None = None
        self.postgres_port: int | None = None
        self._postgres_dir: Path | None = None
        self.own_redis = redis_url is None
        self.migrate = self.own_database if migrate is None else migrate
        self.balancer_wanted = balancer
        self.worker_command = worker_command
        self.startup_timeout = startup_timeout
        self.dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="einblick-cluster-"))
        self.log_dir = self.dir / "logs"
        self.mail_dir = self.dir / "mail"
        self.var_dir = self.dir / "var"
        self.secret_key = secrets.token_urlsafe(50)
        self._ports: set[int] = set()
        self.balancer_port = balancer_port or free_port(self._ports)
        self.web_ports = [free_port(self._ports) for _ in range(web)]
        self.redis_port: int | None = None
        self.web: list[Process] = []
        self.worker: Process | None = None
        self.worker_ids: list[str] = []  # every worker id this cluster started, in order
        self.redis: Process | None = None
        self.balancer: Process | None = None
        self._database_created = False
        self._started = False
        self._worker_serial = itertools.count(1)
        self.name = f"cluster-{secrets.token_hex(3)}"

    # --- addresses ------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The balancer's URL (the first web process's if the cluster runs without a balancer)."""
        return f"http://{HOST}:{self.balancer_port}" if self.balancer_wanted else self.web_urls[0]

    @property
    def web_urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.web_ports]

    @property
    def worker_id(self) -> str | None:
        """The id of the worker running now (None without one)."""
        return self.worker_ids[-1] if self.worker is not None and self.worker.running() else None

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of the cluster's processes (extra variables on top)."""
        inherited = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        return {
            **inherited,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),  # ROOT: tests.support for tests
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "einblick.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EINBLICK_STAFF_2FA_REQUIRED": "0",
            "EINBLICK_VAR_DIR": str(self.var_dir),
            "EINBLICK_MAIL_DIR": str(self.mail_dir),
            "EINBLICK_BASE_URL": self.url,
            **self.extra_env,
            **extra,
        }

    def mails(self) -> list[Path]:
        """The e-mails written so far (the file backend writes one file per connection), oldest first."""
        return sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []

    def processes(self) -> list[Process]:
        return [
            p for p in (self.balancer, *self.web, self.worker, self.redis, self.postgres) if p is not None
        ]

    # --- start and stop -------------------------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Cluster:
        if self._started:
            return self
        self._started = True
        atexit.register(self.stop)
        try:
            self._start()
        except BaseException:
            with contextlib.suppress(Exception):  # the start-up error is the one to see
                self.stop()
            raise
        return self

    def _start(self) -> None:
        for folder in (self.log_dir, self.mail_dir, self.var_dir):
            folder.mkdir(parents=True, exist_ok=True)
        raise_file_limit()
        if self.own_redis:
            self._start_redis()
        else:
            if f":{MACHINE_REDIS_PORT}" in self.redis_url and HOST in self.redis_url:
                ensure_machine_redis()
        self._prepare_database()
        self._manage("collectstatic", "--noinput", "--verbosity", "0")
        for index in range(self.web_count):
            self.web.append(self._web_process(index))
            self.web[-1].start()
        if self.worker_wanted:
            self.start_worker()
        if self.balancer_wanted:
            self._start_balancer()
        for process in self.web:
            self._wait_healthy(process)
        if self.balancer_wanted:
            self._wait_healthy(self.balancer)
        if self.worker is not None:
            self.worker.check_alive()

    def stop(self) -> None:
        """Stop every process (balancer first, Redis last), then drop the database if the cluster made it."""
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        errors = []
        for process in self.processes():
            try:
                process.stop(sig=signal.SIGINT if process is self.postgres else signal.SIGTERM)
            except Exception as error:  # keep stopping the others
                errors.append(f"{process.name}: {error}")
        shutil.rmtree(
            self.var_dir / "static", ignore_errors=True
        )  # 25 MB of collected files, made anew each time
        if self._postgres_dir is not None:
            shutil.rmtree(self._postgres_dir, ignore_errors=True)
            self._postgres_dir = None
        if self._database_created and not self.private_postgres:
            try:
                _admin_sql(f'DROP DATABASE IF EXISTS "{self._database_name}" WITH (FORCE)')
                self._database_created = False
            except Exception as error:
                errors.append(f"drop database: {error}")
        if errors:
            raise ClusterError("; ".join(errors))

    # --- database -------------------------------------------------------------------------------------------
    def _prepare_database(self) -> None:
        if self.private_postgres:
            self._init_postgres()
            self.start_postgres()
            self._database_name = "einblick"
            _admin_sql('CREATE DATABASE "einblick"', self._postgres_admin_url())
            self.database_url = f"postgres://postgres@{HOST}:{self.postgres_port}/einblick"
        elif self.own_database:
            ensure_postgres()
            self._database_name = f"einblick_cluster_{secrets.token_hex(4)}"
            _admin_sql(f'CREATE DATABASE "{self._database_name}"')
            self._database_created = True
            self.database_url = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{self._database_name}"
        if self.migrate:
            self._manage("migrate", "--noinput")
        if self.demo:
            self._manage("demo", "--if-empty")

    def _postgres_admin_url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.postgres_port}/postgres"

    def _init_postgres(self) -> None:
        """initdb as the ``postgres`` user (PostgreSQL refuses to run as root) in a folder it owns."""
        import pwd

        bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self._postgres_bin = bin_dir
        self._postgres_dir = Path(tempfile.mkdtemp(prefix="einblick-pg-"))
        account = pwd.getpwnam("postgres")
        os.chown(self._postgres_dir, account.pw_uid, account.pw_gid)
        self.postgres_port = free_port(self._ports)
        with open(self.log_dir / "initdb.log", "ab") as log:
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self._postgres_dir / "data"),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale",
                    "C.UTF-8",
                ],
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=120,
            )

    def start_postgres(self) -> None:
        """Start the cluster's own PostgreSQL (again) and wait until it accepts connections."""
        if self._postgres_dir is None:
            raise ClusterError("start_postgres needs private_postgres=True")
        args = ["runuser", "-u", "postgres", "--", str(self._postgres_bin / "postgres")]
        args += [
            "-D",
            str(self._postgres_dir / "data"),
            "-p",
            str(self.postgres_port),
            "-k",
            str(self._postgres_dir),
        ]
        args += ["-c", f"listen_addresses={HOST}", "-c", "fsync=off", "-c", "max_connections=300"]
        self.postgres = Process(
            "postgres", args, dict(os.environ), self.log_dir / "postgres.log", self.postgres_port
        )
        self.postgres.start()

        def ready() -> bool:
            self.postgres.check_alive()
            try:
                _admin_sql("SELECT 1", self._postgres_admin_url())
                return True
            except Exception:
                return False

        wait_until(ready, 30, f"PostgreSQL on port {self.postgres_port} accepts connections")

    def stop_postgres(self) -> None:
        """Stop the cluster's own PostgreSQL (a fast shutdown: open connections are cut) — an outage."""
        if self.postgres is None:
            raise ClusterError("stop_postgres needs private_postgres=True")
        self.postgres.stop(
            sig=signal.SIGINT
        )  # PostgreSQL's "fast" shutdown; SIGTERM would wait for every client

    def _manage(self, *args: str) -> None:
        """``python -m einblick <args>`` with the cluster's environment; output to logs/<command>.log."""
        log_path = self.log_dir / f"{args[0]}.log"
        with open(log_path, "ab") as log:
            result = subprocess.run(
                [sys.executable, "-m", "einblick", *args],
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=600,
            )
        if result.returncode:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            raise ClusterError(f"`python -m einblick {' '.join(args)}` failed; {log_path}:\n{tail}")

    # --- web processes --------------------------------------------------------------------------------------
    def _web_process(self, index: int) -> Process:
        port = self.web_ports[index]
        args = [sys.executable, "-m", "uvicorn", "einblick.asgi:application"]
        args += ["--host", HOST, "--port", str(port)]
        args += ["--lifespan", "off", "--no-access-log", "--ws-max-size", "65536", "--proxy-headers"]
        args += ["--timeout-graceful-shutdown", "5"]
        return Process(f"web{index + 1}", args, self.env(), self.log_dir / f"web{index + 1}.log", port)

    def _wait_healthy(self, process: Process) -> None:
        url = f"http://{HOST}:{process.port}/healthz"

        def healthy() -> bool:
            process.check_alive()
            return http_status(url) == 200

        wait_until(healthy, self.startup_timeout, f"{process.name}: GET {url} answers 200", interval=0.2)

    def stop_web(self, index: int) -> None:
        """Stop web process ``index`` (0-based) cleanly; the balancer skips it while it is down."""
        self.web[index].stop()

    def start_web(self, index: int) -> None:
        """Start web process ``index`` again on its port and wait until it is healthy."""
        process = self.web[index]
        if process.running():
            return
        process.env = self.env()
        process.start()
        self._wait_healthy(process)

    # --- worker ---------------------------------------------------------------------------------------------
    def start_worker(self, env: dict[str, str] | None = None) -> str:
        """Start a task worker (a new worker id) with the cluster's environment plus ``env``; returns its id. A
        worker still running is stopped first."""
        if self.worker is not None and self.worker.running():
            self.worker.stop()
        worker_id = f"{self.name}-w{next(self._worker_serial)}"
        args = [sys.executable, "-m", "einblick", self.worker_command]
        args += ["--interval", "0.2", "--queue-name", "*"]
        args += ["--worker-id", worker_id, "--no-startup-delay", "--no-reload"]
        self.worker = Process("worker", args, self.env(**(env or {})), self.log_dir / "worker.log")
        self.worker.start()
        self.worker_ids.append(worker_id)
        return worker_id

    def stop_worker(self) -> None:
        """Stop the worker cleanly (SIGTERM: it finishes the task it runs, then exits)."""
        if self.worker is not None:
            self.worker.stop()

    def kill_worker(self) -> None:
        """SIGKILL the worker, as if its machine died: no clean-up, a task it was running stays claimed."""
        if self.worker is not None:
            self.worker.kill()

    # --- Redis ----------------------------------------------------------------------------------------------
    def _start_redis(self) -> None:
        if self.redis_port is None:
            self.redis_port = free_port(self._ports)
            self.redis_url = f"redis://{HOST}:{self.redis_port}/0"
        (self.dir / "redis").mkdir(exist_ok=True)
        args = ["redis-server", "--port", str(self.redis_port), "--bind", HOST]
        args += ["--save", "", "--appendonly", "no"]
        args += ["--daemonize", "no", "--dir", str(self.dir / "redis"), "--maxclients", "10000"]
        self.redis = Process("redis", args, dict(os.environ), self.log_dir / "redis.log", self.redis_port)
        self.redis.start()

        def ready() -> bool:
            self.redis.check_alive()
            return redis_ping(self.redis_port)

        wait_until(ready, 15, f"redis-server on port {self.redis_port} answers PING")

    def restart_redis(self, down_seconds: float = 2.0) -> None:
        """Stop the cluster's Redis (everything in it is lost), keep it down ``down_seconds``, start it again on
        the same port and wait until it answers."""
        self.stop_redis()
        time.sleep(down_seconds)  # the outage itself
        self.start_redis()

    def stop_redis(self) -> None:
        """Stop the cluster's own Redis (everything in it is lost) — the start of an outage."""
        if not self.own_redis or self.redis is None:
            raise ClusterError("stopping Redis needs the cluster's own Redis (no redis_url given)")
        self.redis.stop()

    def start_redis(self) -> None:
        """Start the cluster's own Redis again on the same port and wait until it answers."""
        if not self.own_redis:
            raise ClusterError("starting Redis needs the cluster's own Redis (no redis_url given)")
        self._start_redis()

    # --- balancer -------------------------------------------------------------------------------------------
    def _start_balancer(self) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), "balance"]
        args += ["--listen", f"{HOST}:{self.balancer_port}"]
        for port in self.web_ports:
            args += ["--backend", f"{HOST}:{port}"]
        self.balancer = Process(
            "balancer", args, dict(os.environ), self.log_dir / "balancer.log", self.balancer_port
        )
        self.balancer.start()

    def describe(self) -> str:
        lines = [f"balancer  {self.url}/"] if self.balancer_wanted else []
        lines += [f"web {i + 1:<5} {url}/" for i, url in enumerate(self.web_urls)]
        if self.worker is not None:
            lines.append(f"worker    {self.worker_id} (pid {self.worker.pid})")
        lines += [f"redis     {self.redis_url}", f"database  {self.database_url}"]
        lines += [f"mails     {self.mail_dir}", f"logs      {self.log_dir}"]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------- load balancer


class Balancer:
    """Layer 4: each incoming TCP connection is joined to the next backend in turn (round robin); a backend that
    refuses is skipped. Bytes pass untouched both ways, so HTTP keep-alive and WebSockets just work."""

    def __init__(self, backends: list[tuple[str, int]], connect_timeout: float = 3.0):
        self.backends = backends
        self.connect_timeout = connect_timeout
        self.turn = itertools.count()
        self.connections: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.open = 0

    async def _connect(self):
        for _ in range(len(self.backends)):
            host, port = self.backends[next(self.turn) % len(self.backends)]
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), self.connect_timeout
                )
            except (OSError, TimeoutError):
                self.refused[f"{host}:{port}"] += 1
                continue
            self.connections[f"{host}:{port}"] += 1
            return reader, writer
        return None

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()  # half-close: the other direction may still be talking
        except (OSError, RuntimeError):
            writer.close()

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        backend = await self._connect()
        if backend is None:
            client_writer.close()
            return
        backend_reader, backend_writer = backend
        self.open += 1
        try:
            await asyncio.gather(
                self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer)
            )
        finally:
            self.open -= 1
            for writer in (client_writer, backend_writer):
                writer.close()

    async def serve(self, host: str, port: int) -> None:
        server = await asyncio.start_server(self.handle, host, port, backlog=4096, reuse_address=True)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)
        print(f"balancer on {host}:{port} -> {', '.join(f'{h}:{p}' for h, p in self.backends)}", flush=True)
        async with server:
            await stopped.wait()
        totals = ", ".join(f"{b} {self.connections[b]} (refused {self.refused[b]})" for b in self._names())
        print(f"balancer stops; connections per backend: {totals}; still open: {self.open}", flush=True)

    def _names(self) -> list[str]:
        return [f"{h}:{p}" for h, p in self.backends]


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or HOST), int(port)


def run_balancer(listen: str, backends: list[str]) -> None:
    raise_file_limit()
    host, port = _address(listen)
    balancer = Balancer([_address(b) for b in backends])
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(balancer.serve(host, port))


# ------------------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start a cluster, print its URLs and run until Ctrl-C")
    up.add_argument("--web", type=int, default=2, help="number of ASGI processes (default 2)")
    up.add_argument("--no-worker", action="store_true", help="without the task worker")
    up.add_argument("--demo", action="store_true", help="load the demo region into the new database")
    up.add_argument("--port", type=int, default=0, help="the balancer's port (default: a free one)")
    up.add_argument("--database-url", help="use this database (default: a new one, dropped at the end)")
    up.add_argument("--migrate", action="store_true", help="migrate the database given by --database-url")
    up.add_argument("--redis-url", help="use this Redis (default: a private redis-server)")
    up.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="extra environment")
    up.add_argument("--worker-command", default="worker", help=argparse.SUPPRESS)
    balance = commands.add_parser("balance", help="only the load balancer")
    balance.add_argument("--listen", required=True, help="host:port")
    balance.add_argument("--backend", action="append", required=True, help="host:port (repeat)")
    args = parser.parse_args(argv)

    if args.command == "balance":
        run_balancer(args.listen, args.backend)
        return 0

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    env = dict(item.split("=", 1) for item in args.set)
    cluster = Cluster(
        web=args.web,
        worker=not args.no_worker,
        demo=args.demo,
        env=env,
        database_url=args.database_url,
        redis_url=args.redis_url,
        migrate=True if args.migrate else None,
        balancer_port=args.port or None,
        worker_command=args.worker_command,
    )
    print(f"starting (files in {cluster.dir}) …", flush=True)
    try:
        with cluster:
            print(f"Einblick cluster is up:\n{cluster.describe()}\nCtrl-C stops everything.", flush=True)
            reported = set()
            while True:
                for process in cluster.processes():
                    if not process.running() and process.name not in reported:
                        reported.add(process.name)
                        print(f"! {process.name} ended; see {process.log_path}", flush=True)
                time.sleep(1)
    except KeyboardInterrupt:
        print("stopping …", flush=True)
    except ClusterError as error:
        print(f"cluster failed: {error}", file=sys.stderr)
        return 1
    print(f"stopped; logs in {cluster.log_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
