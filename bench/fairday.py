"""Fair day (issue #11): pupils arriving in a wave at the running fair, against a local cluster, with 1, 2, 4 web
processes and, optionally, a fault during the run.

Run:  .venv/bin/python bench/fairday.py [--web 1,2,4] [--pupils 400] [--seconds 60] [--ramp 15] [--think 2.5]
                                        [--login-share 0.25] [--qps 1] [--calibrate 30] [--json results.json]
      .venv/bin/python bench/fairday.py --web "" --fault redis --fault worker --fault postgres [--fault-web 2]

Each configuration starts ``bench/cluster.py``'s ``Cluster`` (N uvicorn processes behind its round-robin TCP
balancer on loopback, its own Redis, a task worker, the demo region) on a new database in a PostgreSQL instance of
the bench's own (``PrivatePostgres``: ``initdb`` in a temporary directory, a free port — the load and the
``postgres`` fault touch nobody else's databases; ``--postgres machine`` uses the machine's PostgreSQL instead).
It prepares data directly in that database (``--django prepare`` in a subprocess: a session on a stage of its own,
live now with the Q&A open; ``--pupils`` pupil accounts aged 16+ created in bulk with one precomputed password hash;
room on an event), optionally measures unit costs (``--calibrate N``: requests one at a time, CPU of the web process
and of PostgreSQL per request) and then simulates pupils (one asyncio loop in this process, one keep-alive HTTP/1.1
connection (h11) and one cookie jar per pupil, as a browser):

- arrive spread over ``--ramp`` seconds; between two page views they wait ``--think`` seconds (0.5–1.5×, seeded),
  so the offered load is the same whatever the server does (requests/s shows saturation, latency shows queueing);
- open the programme (and its CSS/JS once), the programme with a filter, two or three booth pages, the popular live
  session page and a profession page;
- join that session's Q&A over WebSocket like ``live/static/live/qa.js``: ``hello`` with a visitor id and the last
  event number, ``question``/``removed`` events applied once, ``sync`` on a gap, reconnect with exponential backoff
  (1 s … 30 s, jitter) and ``hello`` with ``last_seq`` to catch up; without a connection the plain form is posted;
- questions are asked at a fixed rate (``--qps``) by a random connected pupil; fan-out latency is the time from the
  ``asked`` acknowledgement on the asker to the ``question`` frame on every other viewer (all clocks are this
  process's clock);
- ``--login-share`` of them log in (the real form, CSRF), bookmark two sessions ("Merken", as agenda.js does), register
  for an event (one with room, some for one that fills up) and book a leftover talk seat where one is free;
- afterwards they stay in the Q&A and reload a page every ``--revisit`` seconds until the end.

Reports per page kind requests, requests/s, p50/p95/p99 latency, errors (status >= 400, timeouts, connection
errors) and the page cache's ``X-Einblick-Cache: hit|miss`` share; for the WebSockets the viewers connected, fan-out
latency and frames delivered vs expected (``per_question`` in the JSON); the CPU seconds of the web processes,
PostgreSQL, Redis, the balancer, the worker, this client and everything else on the machine; afterwards checks in the
database (``--django verify``) that no talk slot or event is overbooked and counts the confirmation e-mails in the
cluster's mail directory. Faults (``--fault``, each a run of its own at ``--fault-web`` processes): ``redis``
restarts the cluster's Redis, ``worker`` kills the task worker and starts it again, ``postgres`` restarts the
bench's PostgreSQL (with ``--postgres machine`` only together with the loud ``--allow-postgres-restart``). Only
127.0.0.1 is contacted; every run stops by itself. The load generator shares the machine with the servers: before
each run it waits (``--quiet-wait``) for other work on the machine to calm down, and prints its own CPU time.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
FAIR_SLUG = "55-stunden-zukunft"
BENCH_DOMAIN = "fairday.example.org"
DEMO_PASSWORD = "einblick-demo"
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
QUESTION_GAP = 21.0  # seconds between two questions of one visitor (EINBLICK_QA_QUESTION_SECONDS is 20)
CLUSTER_ENV = {
    # Every simulated pupil comes from 127.0.0.1: the per-address Q&A limits (a class behind one NAT) would
    # throttle the whole bench, so they are raised; the per-visitor limits stay as in production.
    "EINBLICK_QA_ADDRESS_QUESTIONS": "100000",
    "EINBLICK_QA_ADDRESS_VOTES": "100000",
    "LOG_LEVEL": "WARNING",
}
QUESTIONS = [
    "Wie viele Azubis übernehmt ihr nach der Ausbildung?",
    "Braucht man für die Ausbildung einen bestimmten Schulabschluss?",
    "Wie sieht ein normaler Tag in der Werkstatt aus?",
    "Kann man bei euch ein Praktikum in den Sommerferien machen?",
    "Wie viel verdient man im ersten Ausbildungsjahr?",
    "Gibt es bei euch Berufsschule in Blockform?",
    "Was war die größte Überraschung in deinem ersten Jahr?",
    "Wie komme ich ohne Auto zu euch in den Betrieb?",
]
TOKEN = re.compile(r"#fd(\d+)\b")
KIND_ORDER = [
    "programme",
    "programme_filter",
    "static",
    "booth",
    "session",
    "profession",
    "login_form",
    "login",
    "session_upcoming",
    "bookmark",
    "event_form",
    "event_register",
    "my_events",
    "talks_mine",
    "talk_book",
    "qa_form_ask",
]


# ====================================================================================================================
# In the cluster's database (subprocess: ``fairday.py --django prepare|verify``, JSON on stdin and stdout)
# ====================================================================================================================
def django_prepare(payload: dict) -> dict:
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db.models import F
    from django.utils import timezone

    from einblick.accounts.models import User
    from einblick.events.models import Event
    from einblick.fair import selectors, services
    from einblick.fair.models import Fair, Session, Stage
    from einblick.talks import selectors as talk_selectors
    from einblick.talks.models import BOOKED_OR_HELD, Talk, TalkRound

    now = timezone.now()
    pupils, logins = payload["pupils"], payload["logins"]
    fair = Fair.objects.get(slug=FAIR_SLUG)
    # The popular session: on a stage of its own (no overlap with the planned programme), live for three hours.
    model = Session.objects.filter(fair=fair, company__isnull=False).order_by("starts_at").first()
    stage, _ = Stage.objects.get_or_create(
        fair=fair, slug="fairday-hauptbuehne", defaults={"name": "Hauptbühne", "position": 99}
    )
    session = services.session_save(
        fair=fair,
        stage=stage,
        company=model.company,
        title=f"Live: Ausbildung bei {model.company.name} – frag uns alles",
        description="Die Session des Tages: Azubis und Ausbilder:innen beantworten eure Fragen live.",
        format=Session.Format.QA,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
        qa_enabled=True,
        qa_premoderation=False,
        professions=list(model.professions.all()),
    )
    booths = [e.company.slug for e in selectors.exhibitors_filtered(fair).select_related("company")]
    professions = list(selectors.professions_in_fair(fair).values_list("slug", flat=True))
    stages = list(fair.stages.exclude(pk=stage.pk).values_list("slug", flat=True))
    upcoming = list(
        Session.objects.filter(fair=fair, status=Session.Status.PUBLISHED, starts_at__gt=now)
        .exclude(pk=session.pk)
        .order_by("starts_at")
        .values_list("pk", flat=True)[:30]
    )
    # Events: one with room for everybody who logs in, one that fills up (waiting list).
    roomy = Event.objects.filter(title__startswith="Infoabend", status=Event.Status.PUBLISHED).first()
    Event.objects.filter(pk=roomy.pk).update(capacity=F("capacity") + logins + 10)
    scarce = Event.objects.filter(title__startswith="Bustour", status=Event.Status.PUBLISHED).first()
    talk_round = TalkRound.objects.filter(status=TalkRound.Status.PUBLISHED).order_by("pk").first()
    free_seats = 0
    if talk_round is not None:
        offers = list(talk_selectors.offers_for_round(talk_round))
        taken = Counter(
            Talk.objects.filter(round=talk_round, status__in=BOOKED_OR_HELD).values_list("offer_id", "slot")
        )
        for row in talk_selectors.free_seats(round=talk_round, offers=offers):
            free_seats += sum(row["offer"].seats - taken[row["offer"].pk, slot] for slot, _ in row["slots"])
    # Pupil accounts, 16+ (no parent's consent needed), school year 9, all with the demo password (one hash).
    password = User.objects.filter(username="schueler").values_list("password", flat=True).first()
    password = password or make_password(DEMO_PASSWORD)
    User.objects.filter(email__endswith="@" + BENCH_DOMAIN).delete()
    User.objects.bulk_create(
        [
            User(
                username=f"fd{i:05d}",
                email=f"fd{i:05d}@{BENCH_DOMAIN}",
                nickname=f"Pupil {i}",
                is_pupil=True,
                school_year=9,
                consent_age_declared_at=now,
                password=password,
            )
            for i in range(pupils)
        ],
        batch_size=1000,
    )
    return {
        "session": session.pk,
        "session_path": f"/messe/{FAIR_SLUG}/sessions/{session.pk}/",
        "booths": booths,
        "professions": professions,
        "stages": stages,
        "today": timezone.localdate(now).isoformat(),
        "upcoming": upcoming,
        "events": {"roomy": roomy.slug, "scarce": scarce.slug if scarce else roomy.slug},
        "event_ids": [e.pk for e in (roomy, scarce) if e is not None],
        "round": talk_round.pk if talk_round else None,
        "free_talk_seats": free_seats,
    }


def django_verify(payload: dict) -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from einblick.accounts.models import User
    from einblick.events.models import Event, Registration
    from einblick.events.services import places_held
    from einblick.fair.models import AgendaItem
    from einblick.live.models import Question
    from einblick.talks.models import BOOKED_OR_HELD, Talk, TalkOffer

    bench = User.objects.filter(email__endswith="@" + BENCH_DOMAIN)
    registrations = dict(
        Registration.objects.filter(pupil__in=bench).values_list("status").annotate(n=Count("id"))
    )
    overbooked_talks = []
    if payload.get("round"):
        seats = {o.pk: o.seats for o in TalkOffer.objects.filter(round_id=payload["round"])}
        for row in (
            Talk.objects.filter(round_id=payload["round"], status__in=BOOKED_OR_HELD)
            .values("offer_id", "slot")
            .annotate(n=Count("id"))
        ):
            if row["n"] > seats.get(row["offer_id"], 0):
                overbooked_talks.append(row)
    overbooked_events = [
        {"event": e.slug, "held": places_held(e), "capacity": e.capacity}
        for e in Event.objects.filter(pk__in=payload.get("event_ids", []))
        if places_held(e) > e.capacity
    ]
    tasks = dict(
        DBTaskResult.objects.filter(task_path__endswith="email_send")
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {
        "registrations": registrations,
        "registrations_total": sum(registrations.values()),
        "talks_booked": Talk.objects.filter(pupil__in=bench).count(),
        "bookmarks": AgendaItem.objects.filter(user__in=bench).count(),
        "questions_stored": Question.objects.filter(session_id=payload["session"]).count(),
        "overbooked_talks": overbooked_talks,
        "overbooked_events": overbooked_events,
        "email_tasks": tasks,
    }


def django_main(mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")
    import django

    django.setup()
    payload = json.loads(sys.stdin.read() or "{}")
    result = django_prepare(payload) if mode == "prepare" else django_verify(payload)
    print("FAIRDAY-JSON " + json.dumps(result, default=str))


def cluster_env(c) -> dict:
    """Environment for a Django subprocess against the cluster's database and Redis."""
    own = getattr(c, "env", None)
    env = {**os.environ, **((own() if callable(own) else own) or {})}
    env.update(
        {
            "DATABASE_URL": c.database_url,
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "einblick.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    if getattr(c, "redis_url", None):
        env["REDIS_URL"] = c.redis_url
    env.setdefault("EINBLICK_VAR_DIR", tempfile.mkdtemp(prefix="einblick-fairday-"))
    return env


def in_cluster_db(c, mode: str, payload: dict, timeout: float = 180) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--django", mode],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=cluster_env(c),
        cwd=ROOT,
        timeout=timeout,
    )
    for line in done.stdout.splitlines():
        if line.startswith("FAIRDAY-JSON "):
            return json.loads(line.split(" ", 1)[1])
    raise RuntimeError(f"--django {mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


# ====================================================================================================================
# Measurements
# ====================================================================================================================
def percentile(values, p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class KindStats:
    def __init__(self):
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.statuses: Counter = Counter()
        self.cache: Counter = Counter()


class Load:
    """Every request and WebSocket event of one run; times relative to the run's start (``t0``)."""

    def __init__(self, t0: float):
        self.t0 = t0
        self.kinds: dict[str, KindStats] = defaultdict(KindStats)
        self.timeline: list[tuple[float, str, str]] = []  # (t, kind, error or "")
        self.retries = 0

    def record(
        self, kind: str, start: float, latency: float | None, status: int | None, error: str, cache: str
    ):
        stats = self.kinds[kind]
        if latency is not None:
            stats.latencies.append(latency)
        if status is not None:
            stats.statuses[status] += 1
        if error:
            stats.errors[error] += 1
        if cache:
            stats.cache[cache] += 1
        self.timeline.append((time.perf_counter() - self.t0, kind, error))  # when it ended


class Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One pupil's browser: one keep-alive HTTP/1.1 connection (h11), a cookie jar, redirects followed."""

    def __init__(self, base: str, load: Load, timeout: float):
        parts = urlsplit(base)
        self.host, self.port, self.origin = parts.hostname, parts.port, f"{parts.scheme}://{parts.netloc}"
        self.netloc = parts.netloc
        self.load, self.timeout = load, timeout
        self.cookies: dict[str, str] = {}
        self.reader = self.writer = self.conn = None
        self.used = False
        self.referer = ""
        self.lock = asyncio.Lock()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = self.conn = None

    async def _open(self) -> None:
        import h11

        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.conn = h11.Connection(h11.CLIENT)
        self.used = False

    def _headers(self, method: str, body: bytes | None, extra: dict | None) -> list[tuple[str, str]]:
        headers = [
            ("Host", self.netloc),
            ("User-Agent", USER_AGENT),
            ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
            ("Accept-Language", "de-DE,de;q=0.9"),
        ]
        if self.cookies:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        if self.referer:
            headers.append(("Referer", self.referer))
        if method == "POST":
            headers += [
                ("Origin", self.origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(body or b""))),
            ]
        for key, value in (extra or {}).items():
            headers = [h for h in headers if h[0].lower() != key.lower()] + [(key, value)]
        return headers

    async def _exchange(self, method: str, path: str, body: bytes | None, extra: dict | None) -> Response:
        import h11

        conn = self.conn
        data = conn.send(h11.Request(method=method, target=path, headers=self._headers(method, body, extra)))
        if body:
            data += conn.send(h11.Data(data=body))
        data += conn.send(h11.EndOfMessage())
        self.writer.write(data)
        await self.writer.drain()
        response, chunks = None, []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await self.reader.read(65536))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("closed before the response")
        headers: dict[str, str] = {}
        for name, value in response.headers:
            name, value = name.decode("latin-1").lower(), value.decode("latin-1")
            if name == "set-cookie":
                self._set_cookie(value)
            else:
                headers[name] = value
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self.used = True
        else:
            self.close()
        return Response(response.status_code, headers, b"".join(chunks))

    def _set_cookie(self, value: str) -> None:
        first, *attributes = value.split(";")
        name, _, content = first.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) for a in attributes) or "1970" in value
        if expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = content.strip('"')

    async def form_token(self, kind: str, path: str) -> str | None:
        """Open a page with a form (counted as ``kind``) and return its CSRF token, None without one."""
        page = await self.fetch(kind, path)
        match = CSRF_INPUT.search(page.text) if page is not None else None
        return match.group(1) if match else None

    async def fetch(
        self,
        kind: str,
        path: str,
        *,
        form: dict | None = None,
        headers: dict | None = None,
        follow: str | None = None,
    ) -> Response | None:
        """GET (or POST ``form``) and record it under ``kind``; a redirect is followed and recorded as ``follow``.
        None on an error (recorded). One request at a time on the pupil's connection."""
        async with self.lock:
            return await self._fetch(kind, path, form=form, headers=headers, follow=follow)

    async def _fetch(
        self, kind: str, path: str, *, form: dict | None, headers: dict | None, follow: str | None
    ) -> Response | None:
        method = "POST" if form is not None else "GET"
        body = urlencode(form).encode() if form is not None else None
        start = time.perf_counter()
        response, error = None, ""
        for attempt in (1, 2):
            fresh = self.conn is None
            try:
                async with asyncio.timeout(self.timeout):
                    if fresh:
                        await self._open()
                    response = await self._exchange(method, path, body, headers)
                break
            except TimeoutError:
                error = "timeout"
                self.close()
                break
            except (OSError, Exception) as exc:
                self.close()
                if attempt == 1 and not fresh:
                    # A reused keep-alive connection the server had closed meanwhile: browsers retry silently.
                    self.load.retries += 1
                    continue
                error = type(exc).__name__
                break
        latency = time.perf_counter() - start if response is not None else None
        status = response.status if response is not None else None
        if response is not None and status >= 400:
            error = f"HTTP {status}"
        cache = response.headers.get("x-einblick-cache", "") if response is not None else ""
        self.load.record(kind, start, latency, status, error, cache)
        if response is None:
            return None
        if method == "GET" and status < 300:
            self.referer = self.origin + path
        if follow and status in (301, 302, 303) and "location" in response.headers:
            target = urlsplit(response.headers["location"])
            location = target.path + (f"?{target.query}" if target.query else "")
            return await self._fetch(follow, location, form=None, headers=None, follow=None)
        return response if not error else None


# ====================================================================================================================
# Live Q&A client (behaves like live/static/live/qa.js)
# ====================================================================================================================
class Room:
    """What the run knows about the Q&A: the viewers, the questions asked, deliveries."""

    def __init__(self, url: str, origin: str, t0: float, session: int):
        self.url, self.origin, self.t0, self.session = url, origin, t0, session
        self.clients: list[QaClient] = []
        self.questions: dict[int, dict] = {}  # number -> {sent, ack, id, asker, expected}
        self.errors: Counter = Counter()
        self.connect_failures: Counter = Counter()
        self.connect_times: list[float] = []  # open → welcome
        self.disconnects: list[tuple[float, int]] = []  # (t, client)
        self.welcomes: list[tuple[float, int, bool]] = []  # (t, client, reconnect)
        self.frames: Counter = Counter()
        self.duplicates = 0
        self.syncs = 0
        self.stopping = False

    def ready_clients(self) -> list["QaClient"]:
        return [c for c in self.clients if c.ready]


class QaClient:
    def __init__(self, number: int, room: Room, rng: random.Random):
        self.number, self.room, self.rng = number, room, rng
        self.visitor = f"fairday-{number:06d}-{rng.getrandbits(48):012x}"
        self.last_seq = 0
        self.ready = False
        self.syncing = False
        self.attempts = 0
        self.ws = None
        self.seen: dict[int, tuple[str, float]] = {}  # question number -> (how, when)
        self.last_ask = -1e9
        self.ever_welcomed = False
        self.browser: Browser | None = None

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        room = self.room
        while not room.stopping:
            opened = None
            try:
                async with connect(
                    room.url,
                    origin=room.origin,
                    user_agent_header=USER_AGENT,
                    ping_interval=None,
                    max_queue=None,
                    open_timeout=60,  # browsers wait long for a handshake; qa.js sets no limit
                    close_timeout=2,
                ) as ws:
                    self.ws = ws
                    opened = time.perf_counter()
                    hello = {"type": "hello", "visitor": self.visitor, "last_seq": self.last_seq or None}
                    await ws.send(json.dumps(hello))
                    async for raw in ws:
                        await self.on_frame(json.loads(raw), opened)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if opened is None:
                    room.connect_failures[type(exc).__name__] += 1
            finally:
                if self.ready and not room.stopping:
                    room.disconnects.append((time.perf_counter() - room.t0, self.number))
                self.ready = False
                self.ws = None
            if room.stopping:
                return
            delay = min(30.0, 2.0**self.attempts)
            self.attempts += 1
            await asyncio.sleep(delay / 2 + self.rng.random() * delay / 2)

    async def send(self, message: dict) -> bool:
        if self.ws is None:
            return False
        try:
            await self.ws.send(json.dumps(message))
        except Exception:
            return False
        return True

    async def ask(self, number: int) -> None:
        room = self.room
        self.last_ask = time.perf_counter()
        room.questions[number] = {"sent": self.last_ask, "ack": None, "asker": self.number, "expected": ()}
        text = f"{self.rng.choice(QUESTIONS)} #fd{number}"
        if not await self.send({"type": "ask", "nickname": f"Pupil {self.number}", "text": text}):
            room.errors["ask_not_sent"] += 1

    async def ask_form(self, number: int) -> None:
        """Without a WebSocket qa.js posts the plain form (live/views.py ``visitor_action``); the others get the
        question when they are connected again (catch-up)."""
        room = self.room
        self.last_ask = time.perf_counter()
        record = {"sent": self.last_ask, "ack": None, "asker": self.number, "expected": (), "via": "form"}
        room.questions[number] = record
        form = {
            "csrfmiddlewaretoken": self.browser.cookies.get("csrftoken", ""),
            "command": "ask",
            "visitor": self.visitor,
            "nickname": f"Pupil {self.number}",
            "text": f"{self.rng.choice(QUESTIONS)} #fd{number}",
        }
        response = await self.browser.fetch(
            "qa_form_ask", f"/live/sessions/{room.session}/questions/", form=form
        )
        if response is not None and response.status == 302:
            record["ack"] = time.perf_counter()
            # everybody who has the page open (joined before), connected or not
            record["expected"] = tuple(c.number for c in room.clients if c.ever_welcomed and c is not self)
        else:
            room.errors["form ask failed"] += 1

    def _mark(self, question: dict, how: str, now: float) -> None:
        match = TOKEN.search(question.get("text", ""))
        if match:
            number = int(match.group(1))
            if number not in self.seen:
                self.seen[number] = (how, now)

    async def _sync(self) -> None:
        if self.syncing or not self.ready:
            return
        self.syncing = True
        self.room.syncs += 1
        await self.send({"type": "sync", "last_seq": self.last_seq})

    async def _sequenced(self, seq: int) -> bool:
        if seq <= self.last_seq:
            self.room.duplicates += 1
            return False
        if seq == self.last_seq + 1:
            self.last_seq = seq
        else:
            await self._sync()
        return True

    async def on_frame(self, frame: dict, opened: float) -> None:
        now = time.perf_counter()
        room = self.room
        kind = frame.get("type")
        room.frames[kind] += 1
        if kind == "welcome":
            self.ready, self.attempts = True, 0
            room.connect_times.append(now - opened)
            room.welcomes.append((now - room.t0, self.number, self.ever_welcomed))
            self.ever_welcomed = True
        elif kind == "snapshot":
            for question in frame.get("questions", []):
                self._mark(question, "snapshot", now)
            self.last_seq, self.syncing = frame.get("seq", 0), False
        elif kind == "catchup":
            for question in frame.get("questions", []):
                self._mark(question, "catchup", now)
            self.last_seq, self.syncing = max(self.last_seq, frame.get("seq", 0)), False
        elif kind == "question":
            if await self._sequenced(frame.get("seq", 0)):
                self._mark(frame.get("question") or {}, "live", now)
        elif kind == "removed":
            await self._sequenced(frame.get("seq", 0))
        elif kind == "asked":
            match = TOKEN.search((frame.get("question") or {}).get("text", ""))
            if match and int(match.group(1)) in room.questions:
                record = room.questions[int(match.group(1))]
                record["ack"] = now
                record["expected"] = tuple(c.number for c in room.ready_clients() if c is not self)
        elif kind == "error":
            room.errors[f"{frame.get('command', '')}:{frame.get('code', '')}"] += 1


# ====================================================================================================================
# Pupils
# ====================================================================================================================
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WS_PATH = re.compile(r'data-ws-path="([^"]+)"')
BOOK_FORM = re.compile(
    r'<form method="post" action="(/gespraeche/\d+/buchen/)"[^>]*>.*?name="csrfmiddlewaretoken" value="([^"]+)"'
    r'.*?name="offer" value="(\d+)".*?<select name="slot"[^>]*>(.*?)</select>',
    re.S,
)
OPTION = re.compile(r'<option value="(\d+)"')


class Run:
    """One configuration's load: shared state of all pupils."""

    def __init__(self, args, info: dict, base: str, t0: float):
        self.args, self.info, self.base, self.t0 = args, info, base, t0
        self.end = t0 + args.seconds
        self.load = Load(t0)
        ws_base = base.replace("http://", "ws://")
        self.room = Room(ws_base + f"/ws/live/sessions/{info['session']}/", base, t0, info["session"])
        self.tasks: list[asyncio.Task] = []
        self.outcomes: Counter = Counter()
        self.loop_lag: list[float] = []

    async def think(self, rng: random.Random) -> None:
        await asyncio.sleep(self.args.think * rng.uniform(0.5, 1.5))


async def pupil(run: Run, number: int, arrival: float, rng: random.Random, logs_in: bool) -> None:
    args, info, slug = run.args, run.info, FAIR_SLUG
    await asyncio.sleep(max(0.0, arrival - time.perf_counter()))
    browser = Browser(run.base, run.load, args.timeout)
    try:
        programme = await browser.fetch("programme", f"/messe/{slug}/")
        if programme is not None:
            for asset in sorted(set(STATIC.findall(programme.text))):
                await browser.fetch("static", asset)
        await run.think(rng)
        choice = rng.random()
        if choice < 0.4 and info["stages"]:
            query = {"buehne": rng.choice(info["stages"])}
        elif choice < 0.8 and info["professions"]:
            query = {"beruf": rng.choice(info["professions"])}
        else:
            query = {
                "tag": info["today"],
                "q": rng.choice(["Mechatroniker", "Pflege", "Azubis", "Werkstatt"]),
            }
        await browser.fetch("programme_filter", f"/messe/{slug}/?{urlencode(query)}")
        for booth in rng.sample(info["booths"], k=min(len(info["booths"]), rng.randint(2, 3))):
            await run.think(rng)
            await browser.fetch("booth", f"/messe/{slug}/stand/{booth}/")
        await run.think(rng)
        page = await browser.fetch("session", info["session_path"])
        if page is not None and not WS_PATH.search(page.text):
            run.outcomes["session page without Q&A"] += 1
        client = QaClient(number, run.room, rng)
        client.browser = browser
        run.room.clients.append(client)
        run.tasks.append(asyncio.create_task(client.run()))
        await run.think(rng)
        if info["professions"]:
            await browser.fetch("profession", f"/berufe/{rng.choice(info['professions'])}/")
        if logs_in:
            await act_logged_in(run, browser, number, rng)
        while time.perf_counter() < run.end:
            await asyncio.sleep(args.revisit * rng.uniform(0.5, 1.5))
            if time.perf_counter() >= run.end:
                break
            if rng.random() < 0.5:
                await browser.fetch("programme", f"/messe/{slug}/")
            else:
                await browser.fetch("session", info["session_path"])
    finally:
        browser.close()


async def act_logged_in(run: Run, browser: Browser, number: int, rng: random.Random) -> None:
    info, slug = run.info, FAIR_SLUG
    await run.think(rng)
    token = await browser.form_token("login_form", "/konto/anmelden/")
    if token is None:
        run.outcomes["login: no form"] += 1
        return
    done = await browser.fetch(
        "login",
        "/konto/anmelden/",
        form={
            "csrfmiddlewaretoken": token,
            "username": f"fd{number:05d}",
            "password": DEMO_PASSWORD,
        },
    )
    if done is None or done.status != 302:
        run.outcomes["login: failed"] += 1
        return
    run.outcomes["login: ok"] += 1
    # Bookmarks ("Merken"): from a session page, as agenda.js posts the button's form (JSON answer).
    for pk in rng.sample(info["upcoming"], k=min(2, len(info["upcoming"]))):
        await run.think(rng)
        path = f"/messe/{slug}/sessions/{pk}/"
        token = await browser.form_token("session_upcoming", path)
        if token is None:
            run.outcomes["bookmark: no form"] += 1
            continue
        saved = await browser.fetch(
            "bookmark",
            f"/messe/{slug}/merkliste/{pk}/",
            form={"csrfmiddlewaretoken": token, "next": path, "action": "add"},
            headers={"Accept": "application/json"},
        )
        run.outcomes["bookmark: ok" if saved is not None and saved.status == 200 else "bookmark: failed"] += 1
    # An event: most go to the one with room, some to the one that fills up.
    event = info["events"]["scarce" if rng.random() < 0.25 else "roomy"]
    await run.think(rng)
    token = await browser.form_token("event_form", f"/veranstaltungen/{event}/anmelden/")
    if token is not None:
        done = await browser.fetch(
            "event_register",
            f"/veranstaltungen/{event}/anmelden/",
            form={"csrfmiddlewaretoken": token},
            follow="my_events",
        )
        run.outcomes["event: registered" if done is not None else "event: failed"] += 1
    else:
        run.outcomes["event: no form"] += 1
    # A leftover talk seat, where one is free.
    if info["round"]:
        await run.think(rng)
        page = await browser.fetch("talks_mine", f"/gespraeche/{info['round']}/")
        forms = BOOK_FORM.findall(page.text) if page is not None else []
        if not forms:
            run.outcomes["talk: no free seat shown"] += 1
            return
        action, token, offer, options = rng.choice(forms)
        slots = OPTION.findall(options)
        await run.think(rng)
        done = await browser.fetch(
            "talk_book",
            action,
            form={"csrfmiddlewaretoken": token, "offer": offer, "slot": rng.choice(slots)},
            follow="talks_mine",
        )
        run.outcomes["talk: posted" if done is not None else "talk: failed"] += 1


async def asker(run: Run, rng: random.Random) -> None:
    """Questions at a fixed rate, each from a random connected viewer who has not asked in the last 21 s."""
    args = run.args
    if args.qps <= 0:
        return
    start = run.t0 + min(args.ramp * 0.5, args.seconds * 0.25)
    stop = run.end - args.drain
    number = 0
    while True:
        due = start + number / args.qps
        if due >= stop:
            return
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        now = time.perf_counter()
        candidates = [c for c in run.room.ready_clients() if now - c.last_ask > QUESTION_GAP]
        offline = [
            c
            for c in run.room.clients
            if c.ever_welcomed and not c.ready and c.browser is not None and now - c.last_ask > QUESTION_GAP
        ]
        if candidates:
            await rng.choice(candidates).ask(number)
        elif offline:  # nobody connected (an outage): the plain form, as qa.js does
            run.tasks.append(asyncio.create_task(rng.choice(offline).ask_form(number)))
        else:
            run.room.errors["no viewer to ask"] += 1
        number += 1


async def lag_probe(run: Run) -> None:
    """How late this process's event loop wakes up: the client's own limit."""
    while time.perf_counter() < run.end:
        before = time.perf_counter()
        await asyncio.sleep(0.1)
        run.loop_lag.append(time.perf_counter() - before - 0.1)


# ====================================================================================================================
# Machine
# ====================================================================================================================
def cpu_times() -> tuple[float, float]:
    with open("/proc/stat") as handle:
        fields = [float(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def process_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds of a process (with ``children``: also of its children it has reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu(parent: int) -> float:
    """CPU seconds of a server with short-lived children (PostgreSQL's backends): the parent, the children it has
    reaped, and the children alive now."""
    total = process_cpu(parent, children=True)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{pid}/stat") as handle:
            if int(handle.read().rsplit(")", 1)[1].split()[1]) == parent:
                total += process_cpu(int(pid))
    return total


class Monitor:
    """Machine load during a run: CPU busy share, load average, CPU seconds of the cluster's processes (followed
    across restarts), PostgreSQL connections of the cluster's database."""

    def __init__(self, c, pg_limit: int = 0, postgres: "PrivatePostgres | None" = None):
        self.c = c
        self.postgres = postgres
        self.pg_limit = pg_limit
        self.over_limit = asyncio.Event()
        self.database_url = c.database_url
        self.samples: list[dict] = []
        self.cpu: dict[str, dict[int, list[float]]] = defaultdict(dict)  # group -> pid -> [first, last]

    def _pids(self) -> dict[str, list[int]]:
        groups = {"web": [p.pid for p in getattr(self.c, "web", []) if p.pid]}
        for name in ("balancer", "redis", "worker"):
            process = getattr(self.c, name, None)
            if process is not None and process.pid:
                groups[name] = [process.pid]
        return groups

    def _account(self, first: bool) -> None:
        if self.postgres is not None:
            postmaster = self.postgres.postmaster_pid()
            if (
                postmaster
            ):  # a restarted server has a new postmaster: each is counted from when it was first seen
                value = tree_cpu(postmaster)
                entry = self.cpu["postgres"].setdefault(postmaster, [value if first else 0.0, value])
                entry[1] = max(entry[1], value)
        for group, pids in self._pids().items():
            for pid in pids:
                value = process_cpu(pid)
                if value <= 0 and pid in self.cpu[group]:
                    continue  # ended: keep its last reading
                entry = self.cpu[group].setdefault(pid, [value if first else 0.0, value])
                entry[1] = value

    def pg_connections(self, conn) -> int | None:
        if conn is None:
            return None
        try:
            row = conn.execute(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            ).fetchone()
            return int(row[0])
        except Exception:
            return None

    async def run(self, stop: asyncio.Event) -> None:
        conn = None
        first = True
        try:
            while not stop.is_set():
                if conn is None and self.database_url.startswith("postgres"):
                    with contextlib.suppress(Exception):
                        import psycopg

                        conn = await asyncio.to_thread(
                            psycopg.connect, self.database_url, autocommit=True, connect_timeout=2
                        )
                total, idle = cpu_times()
                self._account(first)
                first = False
                sample = {
                    "t": time.perf_counter(),
                    "total": total,
                    "idle": idle,
                    "load1": os.getloadavg()[0],
                    "pg": self.pg_connections(conn),
                }
                if conn is not None and sample["pg"] is None:
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
                self.samples.append(sample)
                if self.pg_limit and (sample["pg"] or 0) > self.pg_limit:
                    self.over_limit.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)
            self._account(False)
        finally:
            if conn is not None:
                conn.close()

    def summary(self) -> dict:
        if len(self.samples) < 2:
            return {}
        first, last = self.samples[0], self.samples[-1]
        busy = 1 - (last["idle"] - first["idle"]) / max(1e-9, last["total"] - first["total"])
        seconds = last["t"] - first["t"]
        pg = [s["pg"] for s in self.samples if s["pg"] is not None]
        return {
            "seconds": seconds,
            "cpu_busy": busy,
            "machine_cpu_s": busy * seconds * (os.cpu_count() or 1),
            "load1_max": max(s["load1"] for s in self.samples),
            "web_processes": len(self.cpu.get("web", {})),
            **{
                f"{group}_cpu_s": sum(last_ - first_ for first_, last_ in pids.values())
                for group, pids in self.cpu.items()
            },
            "pg_connections_max": max(pg) if pg else None,
            "pg_connections_mean": statistics.mean(pg) if pg else None,
        }


def mail_count(mail_dir) -> Counter:
    """Recipients of the bench's pupils in the e-mail files (file backend: one file per connection)."""
    found: Counter = Counter()
    pattern = re.compile(r"^To: (fd\d{5}@" + re.escape(BENCH_DOMAIN) + ")", re.M)
    for path in Path(mail_dir).glob("**/*"):
        if path.is_file():
            with contextlib.suppress(OSError):
                found.update(pattern.findall(path.read_text(errors="replace")))
    return found


class PrivatePostgres:
    """A PostgreSQL instance of the bench's own: ``initdb`` in a temporary directory, a free port on 127.0.0.1,
    trust authentication, the machine's PostgreSQL binaries. The load (connections!) and the ``postgres`` fault
    then touch nobody else's databases — the machine's PostgreSQL (max_connections 100) is shared with other test
    runs. Removed at the end."""

    def __init__(self, max_connections: int = 500):
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
        )
        if not versions:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin = versions[-1].parent
        self.max_connections = max_connections
        self.dir = Path(tempfile.mkdtemp(prefix="einblick-fairday-pg-"))
        self.data = self.dir / "data"
        self.port = 0
        self.started = False

    def _as_owner(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def start(self) -> "PrivatePostgres":
        import socket

        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        initdb = [
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        ]
        subprocess.run(
            self._as_owner([*initdb, "--locale=C.UTF-8"]), check=True, capture_output=True, timeout=120
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        options += f" -c max_connections={self.max_connections}"
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log")]
        subprocess.run(
            self._as_owner([*pg_ctl, "-o", options, "-w", "start"]),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )
        self.started = True
        return self

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self) -> str:
        import psycopg

        name = f"einblick_fairday_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, the server is back when this returns."""
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log")]
        subprocess.run(
            self._as_owner([*pg_ctl, "-m", "fast", "-w", "restart"]),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=120,
            )
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_others(database_url: str) -> list:
    import psycopg

    with psycopg.connect(database_url, autocommit=True, connect_timeout=3) as conn:
        return conn.execute(
            "select coalesce(datname, '?'), coalesce(application_name, ''), count(*) from pg_stat_activity "
            "where backend_type = 'client backend' and datname is distinct from current_database() "
            "group by 1, 2 order by 3 desc"
        ).fetchall()


def postgres_restart() -> None:
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    version = next(line.split()[0] for line in clusters.splitlines() if line.split()[1] == "main")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", version, "main", "restart"],
        check=True,
        timeout=120,
    )


# ====================================================================================================================
# One configuration
# ====================================================================================================================
async def warm_up(c, info: dict, timeout: float) -> None:
    """One request per page kind on every process (templates compiled, connections made) — not measured."""
    scratch = Load(time.perf_counter())
    for url in c.web_urls:
        browser = Browser(url, scratch, timeout)
        for path in (
            f"/messe/{FAIR_SLUG}/",
            info["session_path"],
            f"/messe/{FAIR_SLUG}/stand/{info['booths'][0]}/",
            f"/berufe/{info['professions'][0]}/" if info["professions"] else "/berufe/",
            "/konto/anmelden/",
        ):
            await browser.fetch("warm", path)
        browser.close()


async def calibrate(c, info: dict, args, postgres) -> dict:
    """Unit costs, before the wave and without other load: requests one after the other on the first web process;
    per request its latency and the CPU time of that process and of PostgreSQL. Anonymous pages come from the page
    cache after the first request; a logged-in visitor's pages are rendered every time."""
    count, slug = args.calibrate, FAIR_SLUG
    pid = c.web[0].pid
    postmaster = postgres.postmaster_pid() if postgres is not None else None
    scratch = Load(time.perf_counter())
    url = c.web_urls[0]
    paths = {
        "programme": f"/messe/{slug}/",
        "session": info["session_path"],
        "booth": f"/messe/{slug}/stand/{info['booths'][0]}/",
        "profession": f"/berufe/{info['professions'][0]}/" if info["professions"] else "/berufe/",
    }
    results = {}

    async def measure(label: str, action, n: int) -> None:
        await action()  # not counted: the first one fills the cache
        web, pg = process_cpu(pid), tree_cpu(postmaster) if postmaster else 0.0
        latencies, cache = [], Counter()
        for _ in range(n):
            start = time.perf_counter()
            outcome = await action()
            latencies.append(1000 * (time.perf_counter() - start))
            if isinstance(outcome, Response):
                cache[outcome.headers.get("x-einblick-cache", "–")] += 1
        results[label] = {
            "n": n,
            "p50_ms": percentile(latencies, 50),
            "web_cpu_ms": 1000 * (process_cpu(pid) - web) / n,
            "pg_cpu_ms": 1000 * ((tree_cpu(postmaster) if postmaster else 0.0) - pg) / n,
            "cache": dict(cache),
        }

    anonymous = Browser(url, scratch, args.timeout)
    for kind, path in paths.items():
        await measure(f"{kind} (anonymous)", lambda path=path: anonymous.fetch("calibrate", path), count)
    pupil = Browser(url, scratch, args.timeout)
    token = await pupil.form_token("calibrate", "/konto/anmelden/") or ""
    await pupil.fetch(
        "calibrate",
        "/konto/anmelden/",
        form={"csrfmiddlewaretoken": token, "username": "fd00000", "password": DEMO_PASSWORD},
    )
    for kind, path in paths.items():
        await measure(f"{kind} (logged in)", lambda path=path: pupil.fetch("calibrate", path), count)

    async def login() -> None:
        browser = Browser(url, scratch, args.timeout)
        token = await browser.form_token("calibrate", "/konto/anmelden/")
        await browser.fetch(
            "calibrate",
            "/konto/anmelden/",
            form={
                "csrfmiddlewaretoken": token or "",
                "username": "fd00001",
                "password": DEMO_PASSWORD,
            },
        )
        browser.close()

    await measure("log-in (form + post)", login, max(3, count // 3))

    async def join() -> None:
        from websockets.asyncio.client import connect

        ws_url = url.replace("http://", "ws://") + f"/ws/live/sessions/{info['session']}/"
        async with connect(ws_url, origin=url, ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "hello", "visitor": f"fairday-calibrate-{time.time_ns()}"}))
            async for raw in ws:
                if json.loads(raw).get("type") == "snapshot":
                    break

    await measure("Q&A join (connect, hello, snapshot)", join, count)
    anonymous.close()
    pupil.close()
    return results


async def fault_action(c, run: Run, fault: str, faults: list[dict], postgres) -> None:
    args = run.args
    await asyncio.sleep(max(0.0, run.t0 + args.fault_at * args.seconds - time.perf_counter()))
    record = {"fault": fault, "start": time.perf_counter() - run.t0}
    try:
        if fault == "redis":
            await asyncio.to_thread(c.restart_redis, args.redis_down)
        elif fault == "worker":
            await asyncio.to_thread(c.kill_worker)
            record["killed"] = time.perf_counter() - run.t0
            await asyncio.sleep(args.worker_down)
            await asyncio.to_thread(c.start_worker)
        elif fault == "postgres":
            await asyncio.to_thread(postgres.restart if postgres is not None else postgres_restart)
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
    record["end"] = time.perf_counter() - run.t0
    faults.append(record)


async def wait_quiet(limit: float, busy_max: float = 0.3, window: float = 5.0) -> tuple[float, float]:
    """Wait (at most ``limit`` seconds) until the machine's CPUs were less than ``busy_max`` busy for ``window``
    seconds — other people's test runs share this machine. Returns (seconds waited, busy share of the last window)."""
    started = time.perf_counter()
    while True:
        total, idle = cpu_times()
        await asyncio.sleep(window)
        total2, idle2 = cpu_times()
        busy = 1 - (idle2 - idle) / max(1e-9, total2 - total)
        if busy < busy_max or time.perf_counter() - started > limit:
            return time.perf_counter() - started, busy


async def drive(c, args, info: dict, fault: str | None, postgres) -> tuple[Run, Monitor, list[dict]]:
    rng = random.Random(args.seed)
    if not args.no_warmup:
        await warm_up(c, info, args.timeout)
    waited, busy = await wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else (0.0, float("nan"))
    info["quiet_wait_s"], info["busy_before"] = round(waited, 1), busy
    monitor = Monitor(c, args.pg_limit if postgres is None else 0, postgres)
    stop_monitor = asyncio.Event()
    monitor_task = asyncio.create_task(monitor.run(stop_monitor))
    await asyncio.sleep(1.2)  # a first sample before the wave
    t0 = time.perf_counter()
    run = Run(args, info, c.url, t0)
    faults: list[dict] = []
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    pupils = []
    for number in range(args.pupils):
        arrival = t0 + args.ramp * (number + rng.random()) / args.pupils
        pupil_rng = random.Random(args.seed * 1_000_003 + number)
        logs_in = pupil_rng.random() < args.login_share
        pupils.append(asyncio.create_task(pupil(run, number, arrival, pupil_rng, logs_in)))
    helpers = [asyncio.create_task(asker(run, rng)), asyncio.create_task(lag_probe(run))]
    if fault:
        helpers.append(asyncio.create_task(fault_action(c, run, fault, faults, postgres)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(monitor.over_limit.wait(), max(0.0, run.end - time.perf_counter()))
        run.outcomes[f"RUN STOPPED EARLY: more than {args.pg_limit} PostgreSQL connections"] += 1
        print(f"  !! stopped early: the cluster's database has more than {args.pg_limit} connections")
    # The end: stop the wave (requests still running are not counted), close the Q&A connections.
    run.room.stopping = True
    elapsed = time.perf_counter() - t0
    for task in pupils:
        task.cancel()
    await asyncio.gather(*pupils, return_exceptions=True)
    fault_tasks = helpers[2:]
    if fault_tasks:  # a fault action still running (e.g. PostgreSQL restarting) ends first
        await asyncio.wait(fault_tasks, timeout=120)
    for task in helpers + run.tasks:
        task.cancel()
    await asyncio.gather(*helpers, *run.tasks, return_exceptions=True)
    for client in run.room.clients:
        if client.ws is not None:
            with contextlib.suppress(Exception):
                await client.ws.close()
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    run.client_cpu = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    run.elapsed = elapsed
    stop_monitor.set()
    await monitor_task
    return run, monitor, faults


def summarise(
    run: Run, monitor: Monitor, faults: list[dict], verify: dict, mails: Counter, meta: dict
) -> dict:
    elapsed = run.elapsed
    kinds = {}
    order = {kind: n for n, kind in enumerate(KIND_ORDER)}
    for kind, stats in sorted(run.load.kinds.items(), key=lambda item: (order.get(item[0], 99), item[0])):
        ms = [1000 * v for v in stats.latencies]
        requests = sum(stats.statuses.values()) + sum(
            n for e, n in stats.errors.items() if not e.startswith("HTTP ")
        )
        kinds[kind] = {
            "requests": requests,
            "rps": requests / elapsed,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "errors": sum(stats.errors.values()),
            "timeouts": stats.errors.get("timeout", 0),
            "error_kinds": dict(stats.errors),
            "cache": dict(stats.cache),
        }
    pages = [k for k in kinds if k != "static"]
    every = [v for k, stats in run.load.kinds.items() if k != "static" for v in stats.latencies]
    all_ms = [1000 * v for v in every]
    kinds["all pages"] = {
        "requests": sum(kinds[k]["requests"] for k in pages),
        "rps": sum(kinds[k]["requests"] for k in pages) / elapsed,
        "p50_ms": percentile(all_ms, 50),
        "p95_ms": percentile(all_ms, 95),
        "p99_ms": percentile(all_ms, 99),
        "errors": sum(kinds[k]["errors"] for k in pages),
        "timeouts": sum(kinds[k]["timeouts"] for k in pages),
        "error_kinds": dict(sum((Counter(kinds[k]["error_kinds"]) for k in pages), Counter())),
        "cache": dict(sum((Counter(kinds[k]["cache"]) for k in pages), Counter())),
    }
    total_requests = sum(kinds[k]["requests"] for k in kinds if k != "all pages")
    room = run.room
    fanout, live, late, missing, expected_total = [], 0, 0, 0, 0
    acked = [q for q in room.questions.values() if q["ack"] is not None]
    by_number = {c.number: c for c in room.clients}
    for number, question in room.questions.items():
        if question["ack"] is None:
            continue
        for viewer in question["expected"]:
            expected_total += 1
            seen = by_number[viewer].seen.get(number)
            if seen is None:
                missing += 1
            elif seen[0] == "live":
                live += 1
                fanout.append(1000 * (seen[1] - question["ack"]))
            else:
                late += 1
    ack_ms = [1000 * (q["ack"] - q["sent"]) for q in acked]
    per_question = []
    for number, question in sorted(room.questions.items()):
        arrivals = [
            by_number[v].seen[number][1] - question["ack"]
            for v in question["expected"]
            if number in by_number[v].seen and by_number[v].seen[number][0] == "live" and question["ack"]
        ]
        per_question.append(
            {
                "n": number,
                "via": question.get("via", "ws"),
                "sent_s": round(question["sent"] - run.t0, 2),
                "ack_after_ms": round(1000 * (question["ack"] - question["sent"]))
                if question["ack"]
                else None,
                "expected": len(question["expected"]),
                "live": len(arrivals),
                "seen": sum(1 for v in question["expected"] if number in by_number[v].seen),
                "p50_ms": round(1000 * percentile(arrivals, 50)) if arrivals else None,
                "max_ms": round(1000 * max(arrivals)) if arrivals else None,
            }
        )
    ws = {
        "viewers": len(room.clients),
        "joined": sum(1 for c in room.clients if c.ever_welcomed),
        "connect_p50_ms": percentile([1000 * v for v in room.connect_times], 50),
        "connect_p95_ms": percentile([1000 * v for v in room.connect_times], 95),
        "connect_failures": dict(room.connect_failures),
        "disconnects": len(room.disconnects),
        "reconnects": sum(1 for w in room.welcomes if w[2]),
        "questions_asked": len(room.questions),
        "questions_acked": len(acked),
        "ack_p50_ms": percentile(ack_ms, 50),
        "ack_p95_ms": percentile(ack_ms, 95),
        "fanout_p50_ms": percentile(fanout, 50),
        "fanout_p95_ms": percentile(fanout, 95),
        "fanout_p99_ms": percentile(fanout, 99),
        "fanout_max_ms": max(fanout) if fanout else float("nan"),
        "delivered_live": live,
        "delivered_catchup": late,
        "expected": expected_total,
        "missing": missing,
        "duplicates_ignored": room.duplicates,
        "syncs": room.syncs,
        "errors": dict(room.errors),
        "frames": dict(room.frames),
        "per_question": per_question,
    }
    fault_report = []
    for record in faults:
        fault_report.append(describe_fault(record, run, pages))
    expected_mails = verify.get("registrations_total", 0)
    result = {
        **meta,
        "elapsed_s": elapsed,
        "requests": total_requests,
        "rps": total_requests / elapsed,
        "page_requests": sum(kinds[k]["requests"] for k in pages),
        "page_errors": sum(kinds[k]["errors"] for k in pages),
        "retried_keepalive": run.load.retries,
        "kinds": kinds,
        "ws": ws,
        "outcomes": dict(run.outcomes),
        "verify": verify,
        "mails": {
            "expected": expected_mails,
            "found": sum(mails.values()),
            "recipients": len(mails),
            "duplicates": sum(n - 1 for n in mails.values() if n > 1),
        },
        "machine": {
            **monitor.summary(),
            "client_cpu_s": run.client_cpu,
            "client_loop_lag_p99_ms": 1000 * percentile(run.loop_lag, 99),
            "client_loop_lag_max_ms": 1000 * max(run.loop_lag) if run.loop_lag else float("nan"),
        },
        "faults": fault_report,
    }
    return result


def describe_fault(record: dict, run: Run, pages: list[str]) -> dict:
    start, end = record["start"], record["end"]
    timeline = [(t, kind, error) for t, kind, error in run.load.timeline if kind in pages]
    during = [e for t, k, e in timeline if start <= t <= end]
    after = [(t, e) for t, k, e in timeline if t > end]
    before = [e for t, k, e in timeline if t < start]
    failures_after = [t for t, e in after if e]
    out = {
        **record,
        "requests_before": len(before),
        "errors_before": sum(1 for e in before if e),
        "requests_during": len(during),
        "errors_during": sum(1 for e in during if e),
        "error_kinds_during": dict(Counter(e for e in during if e)),
        "requests_after": len(after),
        "errors_after": len(failures_after),
        "last_error_after_s": (max(failures_after) - end) if failures_after else None,
    }
    # Q&A: who lost the connection around the fault, and when they were back.
    lost = {n for t, n in run.room.disconnects if start - 1 <= t <= end + 30}
    back_at = {}
    for t, n, again in run.room.welcomes:
        if n in lost and again and t >= start:
            back_at.setdefault(n, t)
    # Viewers whose socket stayed open but who got no question asked afterwards (a subscription lost silently).
    by_number = {c.number: c for c in run.room.clients}
    later = [(n, q) for n, q in run.room.questions.items() if q["ack"] and q["ack"] - run.t0 > end + 5]
    joined_before = {n for t, n, _again in run.room.welcomes if t < start}
    stayed = {v for _, q in later for v in q["expected"] if v in joined_before and v not in lost}
    silent = {v for v in stayed if all(n not in by_number[v].seen for n, q in later if v in q["expected"])}
    out["ws_stayed"] = len(stayed)
    out["ws_silent"] = len(silent)
    out["ws_lost"] = len(lost)
    out["ws_back"] = len(back_at)
    out["ws_back_after_s_p50"] = percentile([t - end for t in back_at.values()], 50)
    out["ws_back_after_s_max"] = max((t - end for t in back_at.values()), default=None)
    return out


def run_config(web: int, fault: str | None, args, postgres: PrivatePostgres | None) -> dict:
    database_url = postgres.create_database() if postgres is not None else None
    try:
        return _run_config(web, fault, args, postgres, database_url)
    finally:
        if database_url:
            with contextlib.suppress(Exception):
                postgres.drop_database(database_url)


def _run_config(web: int, fault: str | None, args, postgres, database_url: str | None) -> dict:
    from cluster import Cluster

    meta = {"web": web, "fault": fault, "pupils": args.pupils, "seconds": args.seconds, "ramp": args.ramp}
    meta["postgres"] = "private instance" if postgres is not None else "the machine's"
    started = time.perf_counter()
    options = {"database_url": database_url, "migrate": True} if database_url else {}
    with Cluster(web=web, worker=True, demo=True, env=dict(CLUSTER_ENV), **options) as c:
        meta["cluster_start_s"] = time.perf_counter() - started
        logins = round(args.pupils * args.login_share) + 5
        info = in_cluster_db(c, "prepare", {"pupils": args.pupils, "logins": logins})
        if args.calibrate and not args.calibrated:
            args.calibrated = True
            meta["calibration"] = asyncio.run(calibrate(c, info, args, postgres))
            print_calibration(web, meta["calibration"])
        if fault == "postgres" and postgres is None:
            others = postgres_others(c.database_url)
            if others:
                print(f"  !! other clients are connected to this PostgreSQL: {others}")
                if not args.postgres_even_if_busy:
                    raise RuntimeError("PostgreSQL restart refused: other clients are connected (see above)")
        run, monitor, faults = asyncio.run(drive(c, args, info, fault, postgres))
        # The e-mails: the worker sends them one by one; wait for it (bounded).
        verify = in_cluster_db(c, "verify", {**info})
        deadline = time.perf_counter() + args.mail_wait
        mails = mail_count(c.mail_dir)
        while sum(mails.values()) < verify["registrations_total"] and time.perf_counter() < deadline:
            time.sleep(1)
            mails = mail_count(c.mail_dir)
        meta["mail_wait_s"] = round(time.perf_counter() - deadline + args.mail_wait, 1)
        verify = in_cluster_db(c, "verify", {**info})
        meta["log_dir"] = str(getattr(c, "log_dir", ""))
        worker = getattr(c, "worker", None)
        meta["worker_alive_at_end"] = bool(worker is not None and worker.running())
    meta["free_talk_seats_before"] = info.get("free_talk_seats")
    meta["quiet_wait_s"], meta["busy_before"] = info.get("quiet_wait_s"), info.get("busy_before")
    return summarise(run, monitor, faults, verify, mails, meta)


# ====================================================================================================================
# Report
# ====================================================================================================================
def fmt(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:,.{digits}f}"


def cache_share(cache: dict) -> str:
    hits, misses = cache.get("hit", 0), cache.get("miss", 0)
    return f"{100 * hits / (hits + misses):.0f} %" if hits + misses else "–"


def print_calibration(web: int, calibration: dict) -> None:
    print(f"\n== Unit costs (one request at a time, web process 1 of {web}, no other load) ==")
    print(f"{'request':<38}{'n':>4}{'p50 ms':>9}{'web CPU ms':>12}{'PostgreSQL CPU ms':>19}  cache")
    for label, row in calibration.items():
        print(
            f"{label:<38}{row['n']:>4}{fmt(row['p50_ms'], 1):>9}{fmt(row['web_cpu_ms'], 1):>12}"
            f"{fmt(row['pg_cpu_ms'], 1):>19}  {row['cache'] or ''}"
        )


def print_result(result: dict) -> None:
    title = f"web={result['web']}" + (f" fault={result['fault']}" if result["fault"] else "")
    m = result["machine"]
    print(
        f"\n== {title}: {result['pupils']} pupils, ramp {result['ramp']} s, {result['elapsed_s']:.0f} s — "
        f"{result['requests']:,} requests, {result['rps']:.1f}/s, page errors {result['page_errors']} =="
    )
    print(
        f"(cluster start {fmt(result.get('cluster_start_s'))} s; machine {100 * (result.get('busy_before') or 0):.0f} %"
        f" busy before the run after waiting {fmt(result.get('quiet_wait_s'))} s)"
    )
    print(
        f"{'kind':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}  cache hit"
    )
    for kind, k in result["kinds"].items():
        print(
            f"{kind:<18}{k['requests']:>9,}{k['rps']:>8.1f}{fmt(k['p50_ms']):>9}{fmt(k['p95_ms']):>9}"
            f"{fmt(k['p99_ms']):>9}{k['errors']:>8}  {cache_share(k['cache'])}"
            + (f"  {k['error_kinds']}" if k["errors"] else "")
        )
    w = result["ws"]
    print(
        f"Q&A: {w['joined']}/{w['viewers']} viewers joined (connect p50 {fmt(w['connect_p50_ms'])} ms, "
        f"p95 {fmt(w['connect_p95_ms'])} ms), failures {w['connect_failures'] or 0}, disconnects "
        f"{w['disconnects']}, reconnects {w['reconnects']}; questions {w['questions_acked']}/{w['questions_asked']} "
        f"acked (ack p50 {fmt(w['ack_p50_ms'])} ms)"
    )
    print(
        f"     fan-out p50 {fmt(w['fanout_p50_ms'])} / p95 {fmt(w['fanout_p95_ms'])} / p99 "
        f"{fmt(w['fanout_p99_ms'])} / max {fmt(w['fanout_max_ms'])} ms; delivered {w['delivered_live']:,} live + "
        f"{w['delivered_catchup']:,} by catch-up of {w['expected']:,} expected, missing {w['missing']:,}; "
        f"errors {w['errors'] or 0}"
    )
    v, mails = result["verify"], result["mails"]
    print(
        f"Bookings: {result['outcomes']}; in the database: registrations {v['registrations']}, talks "
        f"{v['talks_booked']} (of {result.get('free_talk_seats_before')} free seats), bookmarks {v['bookmarks']}; "
        f"overbooked talks {len(v['overbooked_talks'])}, events {len(v['overbooked_events'])}"
    )
    print(
        f"E-mails: {mails['found']} found / {mails['expected']} expected, duplicates {mails['duplicates']} "
        f"(tasks {v['email_tasks']}, waited {result.get('mail_wait_s')} s; worker running at the end: "
        f"{result.get('worker_alive_at_end')})"
    )
    ours = sum(m.get(f"{g}_cpu_s") or 0 for g in ("web", "balancer", "redis", "worker", "postgres"))
    ours += m.get("client_cpu_s") or 0
    print(
        f"Machine: CPU busy {100 * m.get('cpu_busy', float('nan')):.0f} % of {os.cpu_count()} cores "
        f"({fmt(m.get('machine_cpu_s'), 0)} CPU-s), load1 max {fmt(m.get('load1_max'), 1)}; CPU-s: "
        f"{m.get('web_processes')} web {fmt(m.get('web_cpu_s'), 1)}, PostgreSQL {fmt(m.get('postgres_cpu_s'), 1)}, "
        f"balancer {fmt(m.get('balancer_cpu_s'), 1)}, redis {fmt(m.get('redis_cpu_s'), 1)}, worker "
        f"{fmt(m.get('worker_cpu_s'), 1)}, this client {m['client_cpu_s']:.1f} (loop lag p99 "
        f"{fmt(m['client_loop_lag_p99_ms'])} ms), everything else on the machine "
        f"{fmt((m.get('machine_cpu_s') or 0) - ours, 1)}; PostgreSQL connections max {m.get('pg_connections_max')} "
        f"(mean {fmt(m.get('pg_connections_mean'), 1)})"
    )
    for f in result["faults"]:
        print(
            f"Fault {f['fault']}: {f['start']:.1f}–{f['end']:.1f} s{' ' + f['error'] if f.get('error') else ''}; "
            f"page errors before {f['errors_before']}/{f['requests_before']}, during {f['errors_during']}/"
            f"{f['requests_during']} {f['error_kinds_during'] or ''}, after {f['errors_after']}/{f['requests_after']}"
            f" (last {fmt(f['last_error_after_s'], 1)} s after); Q&A lost {f['ws_lost']}, back {f['ws_back']} "
            f"(p50 {fmt(f['ws_back_after_s_p50'], 1)} s, max {fmt(f['ws_back_after_s_max'], 1)} s after); of "
            f"{f['ws_stayed']} viewers connected before whose socket stayed open {f['ws_silent']} got none of the "
            f"questions asked later"
        )


def print_comparison(results: list[dict]) -> None:
    plain = [r for r in results if not r.get("fault") and "kinds" in r]
    if len(plain) < 2:
        return
    print("\n== Scaling (same load) ==")
    kinds = [k for k in plain[0]["kinds"] if k not in ("static",)]
    header = "".join(f"{'web=' + str(r['web']) + ' p50/p95/p99':>26}" for r in plain)
    print(f"{'kind':<18}{header}")
    for kind in kinds:
        cells = []
        for r in plain:
            k = r["kinds"].get(kind)
            cells.append(
                f"{fmt(k['p50_ms']) + '/' + fmt(k['p95_ms']) + '/' + fmt(k['p99_ms']):>26}"
                if k
                else f"{'–':>26}"
            )
        print(f"{kind:<18}{''.join(cells)}")
    print(f"{'requests/s':<18}" + "".join(f"{r['rps']:>26.1f}" for r in plain))
    print(f"{'page errors':<18}" + "".join(f"{r['page_errors']:>26}" for r in plain))
    print(
        f"{'fan-out p50/p99':<18}"
        + "".join(f"{fmt(r['ws']['fanout_p50_ms']) + '/' + fmt(r['ws']['fanout_p99_ms']):>26}" for r in plain)
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--django":
        django_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", default="1,2,4", help="web process counts, comma-separated ('' = none)")
    parser.add_argument("--pupils", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (hard bound)")
    parser.add_argument("--ramp", type=float, default=15, help="pupils arrive over this many seconds")
    parser.add_argument("--think", type=float, default=2.5, help="mean seconds between a pupil's page views")
    parser.add_argument("--revisit", type=float, default=20, help="after the journey, a page every ~N s")
    parser.add_argument("--login-share", type=float, default=0.25)
    parser.add_argument("--qps", type=float, default=1.0, help="questions per second into the popular Q&A")
    parser.add_argument("--drain", type=float, default=10, help="no new questions in the last N seconds")
    parser.add_argument(
        "--pg-limit",
        type=int,
        default=75,
        help="with --postgres machine: stop a run early when the cluster's database has more connections than "
        "this — the machine's PostgreSQL (max_connections 100) is shared with other test runs",
    )
    parser.add_argument(
        "--timeout", type=float, default=20, help="seconds before a request counts as timed out"
    )
    parser.add_argument(
        "--postgres",
        choices=["private", "machine"],
        default="private",
        help="private (default): a PostgreSQL instance of the bench's own in a temporary directory; machine: a new "
        "database on the machine's PostgreSQL (shared with other test runs — see --pg-limit)",
    )
    parser.add_argument(
        "--pg-max-connections", type=int, default=500, help="max_connections of the private one"
    )
    parser.add_argument("--fault", action="append", choices=["redis", "worker", "postgres"], default=[])
    parser.add_argument("--fault-web", type=int, default=2, help="web processes for the fault runs")
    parser.add_argument(
        "--fault-at", type=float, default=0.4, help="when the fault starts (share of --seconds)"
    )
    parser.add_argument("--redis-down", type=float, default=3)
    parser.add_argument("--worker-down", type=float, default=15)
    parser.add_argument(
        "--mail-wait", type=float, default=45, help="max seconds to wait for e-mails afterwards"
    )
    parser.add_argument(
        "--allow-postgres-restart",
        action="store_true",
        help="REQUIRED for --fault postgres with --postgres machine: restarts the MACHINE'S PostgreSQL "
        "(pg_ctlcluster … restart), which breaks every other client of it for a moment; refused while other "
        "databases have clients",
    )
    parser.add_argument("--postgres-even-if-busy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument(
        "--calibrate",
        type=int,
        default=0,
        metavar="N",
        help="before the first run: N requests of each kind one after the other (unit costs: latency, CPU of the "
        "web process and of PostgreSQL)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        help="before each run wait up to N s until the machine's CPUs are < 30 %% busy (0 = do not wait)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", help="write all results to this file")
    args = parser.parse_args()
    args.calibrated = False
    if "postgres" in args.fault and args.postgres == "machine" and not args.allow_postgres_restart:
        parser.error(
            "--fault postgres with --postgres machine restarts the whole machine's PostgreSQL: "
            "add --allow-postgres-restart (or use the default, a private instance)"
        )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8 * args.pupils + 1024)), hard))
    webs = [int(x) for x in args.web.split(",") if x.strip()]
    plan = [(web, None) for web in webs] + [(args.fault_web, fault) for fault in args.fault]
    print(
        f"Fair day: {args.pupils} pupils over {args.ramp:.0f} s, think {args.think} s, {args.seconds:.0f} s per run, "
        f"log-in share {args.login_share}, {args.qps} questions/s; machine: {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} — the load generator (this process) shares the cores."
    )
    results = []
    postgres = PrivatePostgres(args.pg_max_connections).start() if args.postgres == "private" else None
    try:
        for web, fault in plan:
            try:
                result = run_config(web, fault, args, postgres)
            except Exception as exc:
                print(f"\n== web={web} fault={fault}: FAILED: {type(exc).__name__}: {exc}")
                results.append({"web": web, "fault": fault, "failed": f"{type(exc).__name__}: {exc}"})
                continue
            print_result(result)
            results.append(result)
    finally:
        if postgres is not None:
            postgres.stop()
    print_comparison(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
