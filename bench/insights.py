"""Insights dashboard on a large season (issue #9): 50,000 pupils, 500 companies, 2 million page views.

Run:  .venv/bin/python bench/insights.py                  # SQLite in a throw-away directory
      .venv/bin/python bench/insights.py --pg             # PostgreSQL, database einblick_bench_insights
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/einblick_bench_x .venv/bin/python bench/insights.py

Builds a fresh database (migrate): the real profession catalogue and the demo region's places, 150 schools with
1,500 classes, 50,000 pupils, 500 companies with sites and offers, and 2,000,000 page views (``Hit``) spread over
the last complete school year (1 August – 31 July, weekday-heavy, quieter in the holidays, a busy fair week,
Zipf-like over professions and companies, 60 % with a district). Then times the full rollup of the season, an
incremental rollup (yesterday + today, as the scheduled task does) and the dashboard: the selectors, the rendered
pages through Django's test client (staff logged in), each cold (first run on a new database connection) and warm
(median of ``--repeat``); the rollups run "as of" the season's last evening. Then shows where report()'s time goes
(per selector, the slowest queries with their plans). Fixed seed; nothing about speed is asserted.

PostgreSQL: the database named in DATABASE_URL is dropped and created again (the script refuses unless its name
contains "bench"); ``--reuse`` keeps a season built before (SQLite: set EINBLICK_VAR_DIR to a kept directory).
``--keep`` leaves the PostgreSQL database (or the throw-away SQLite directory) behind for EXPLAIN sessions; otherwise
it is dropped at the end.
"""

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/einblick_bench_insights"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument(
    "--pg", action="store_true", help=f"use PostgreSQL ({PG_DEFAULT}) unless DATABASE_URL is set"
)
parser.add_argument("--hits", type=int, default=2_000_000)
parser.add_argument("--pupils", type=int, default=50_000)
parser.add_argument("--companies", type=int, default=500)
parser.add_argument("--schools", type=int, default=150)
parser.add_argument("--repeat", type=int, default=5, help="warm runs per case (median)")
parser.add_argument("--seed", type=int, default=9)
parser.add_argument("--reuse", action="store_true", help="keep a season already in the database")
parser.add_argument("--keep", action="store_true", help="do not drop the PostgreSQL database at the end")
parser.add_argument(
    "--skip-rollup", action="store_true", help="with --reuse: keep the daily counts as they are"
)
ARGS = parser.parse_args()

if ARGS.pg:
    os.environ.setdefault("DATABASE_URL", PG_DEFAULT)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")
OWN_VAR_DIR = "EINBLICK_VAR_DIR" not in os.environ  # a throw-away directory of ours: removed at the end
os.environ.setdefault("EINBLICK_VAR_DIR", tempfile.mkdtemp(prefix="einblick-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
# the whole season stays raw: the full rollup counts it and deletes nothing
os.environ["EINBLICK_INSIGHTS_RAW_DAYS"] = "400"

T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f} s] {message}", flush=True)


@contextmanager
def step(label: str):
    log(f"{label} …")
    start = time.perf_counter()
    yield
    log(f"{label}: {time.perf_counter() - start:.1f} s")


def pg_recreate(url: str, *, reuse: bool) -> None:
    """Drop and create the bench database (connected to the maintenance database ``postgres``)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    conninfo = {"dbname": "postgres", "user": cfg["USER"], "host": cfg["HOST"], "port": cfg["PORT"] or 5432}
    if cfg.get("PASSWORD"):
        conninfo["password"] = cfg["PASSWORD"]
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def pg_drop(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {"dbname": "postgres", "user": cfg["USER"], "host": cfg["HOST"], "port": cfg["PORT"] or 5432}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')


DB_URL = os.environ.get("DATABASE_URL", "")
IS_PG = DB_URL.startswith(("postgres://", "postgresql://"))
if IS_PG:
    pg_recreate(DB_URL, reuse=ARGS.reuse)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# No collectstatic in a throw-away directory: serve static names unhashed.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

import numpy as np  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

TZ = ZoneInfo(settings.TIME_ZONE)
TODAY = timezone.localdate()
# the last complete school year (1 August – 31 July)
SEASON_END = date(TODAY.year if TODAY.month >= 8 else TODAY.year - 1, 7, 31)
SEASON_START = date(SEASON_END.year - 1, 8, 1)
AS_OF = datetime(
    SEASON_END.year, 7, 31, 23, 30, tzinfo=TZ
)  # "now" for the rollups: the season's last evening

KINDS = [  # (kind, weight, has a profession, has a company)
    ("profession", 30, True, False),
    ("company", 15, False, True),
    ("offer", 12, True, True),
    ("contact", 2, True, True),
    ("programme", 8, False, False),
    ("session", 5, False, False),
    ("booth", 5, False, True),
    ("check", 8, True, False),
    ("duel", 7, False, False),
    ("search", 10, True, False),
    ("event", 3, False, False),
]
SECTORS = [
    "Maschinenbau",
    "Metallbau",
    "Kfz-Werkstatt",
    "Elektrohandwerk",
    "IT-Dienstleistung",
    "Tischlerei",
    "Bauunternehmen",
    "Bäckerei",
    "Einzelhandel",
    "Logistik",
    "Hotel und Gastronomie",
    "Arztpraxis",
    "Bank",
    "Industrie",
    "Landwirtschaft",
    "Verwaltung",
]
SURNAMES = ["Janssen", "Gerdes", "Hinrichs", "Eilers", "Oltmanns", "Tjarks", "Ubben", "Saathoff", "Frerichs"]


def holidays(year: int) -> list[tuple[date, date]]:
    """Lower Saxony's school holidays of the school year starting in ``year`` (approximately; weight only)."""
    return [
        (date(year, 8, 1), date(year, 8, 13)),
        (date(year, 10, 13), date(year, 10, 25)),
        (date(year, 12, 22), date(year + 1, 1, 5)),
        (date(year + 1, 2, 2), date(year + 1, 2, 3)),
        (date(year + 1, 3, 23), date(year + 1, 4, 7)),
        (date(year + 1, 7, 2), date(year + 1, 7, 31)),
    ]


def season_days() -> tuple[list[date], np.ndarray]:
    """Every day of the season and its relative traffic: school days 1, weekends ¼, holidays ⅓, the fair week ×3."""
    days = [SEASON_START + timedelta(days=n) for n in range((SEASON_END - SEASON_START).days + 1)]
    breaks = holidays(SEASON_START.year)
    fair = date(SEASON_START.year + 1, 2, 23)  # a Monday-ish in late February: the fair week
    weights = []
    for day in days:
        w = 1.0 if day.weekday() < 5 else 0.25
        if any(a <= day <= b for a, b in breaks):
            w = min(w, 1 / 3)
        if fair <= day < fair + timedelta(days=5):
            w *= 3
        weights.append(w)
    weights = np.array(weights)
    return days, weights / weights.sum()


def zipf(n: int, s: float, rng: np.random.Generator) -> np.ndarray:
    """Zipf-like probabilities over ``n`` items in a random order (the most popular item is not always the first)."""
    p = 1 / np.arange(1, n + 1) ** s
    p = p / p.sum()
    return p[rng.permutation(n)]


def utc_strings(days: list[date], day_idx: np.ndarray, seconds: np.ndarray, *, pg: bool) -> list[str]:
    """Local day + seconds after midnight (07:00–22:00, so no DST switch inside) → UTC text for the database."""
    midnight_utc = np.array(
        [
            int(datetime(d.year, d.month, d.day, 12, tzinfo=TZ).utcoffset().total_seconds())
            for d in days  # offset at noon of the day
        ]
    )
    epoch = np.array([(d - date(1970, 1, 1)).days * 86400 for d in days], dtype=np.int64)
    utc = epoch[day_idx] + seconds - midnight_utc[day_idx]
    text = np.datetime_as_string(utc.astype("datetime64[s]"), unit="s")
    suffix = "+00" if pg else ""
    return [f"{t[:10]} {t[11:]}{suffix}" for t in text.tolist()]


# ------------------------------------------------------------------------------------------------- the season


def build_region(rng_np: np.random.Generator) -> dict:
    import csv
    import random

    from einblick.accounts.models import School, SchoolClass, User
    from einblick.catalog.importers import catalog_load, places_import
    from einblick.catalog.models import Company, Offer, Place, Profession, Site
    from einblick.core.demo import PLACES_CSV

    rng = random.Random(ARGS.seed)
    with step("catalogue (real professions) and places"):
        n_prof = catalog_load()
        with open(PLACES_CSV, encoding="utf-8", newline="") as handle:
            places_import(csv.DictReader(handle))
        places = list(Place.objects.order_by("plz", "name"))
        log(
            f"  {n_prof} professions, {len(places)} places in {len({p.district_code for p in places})} districts"
        )
    password = make_password("einblick-bench")  # one hash for every account
    season_start = datetime(SEASON_START.year, 8, 1, tzinfo=TZ)
    with step(f"{ARGS.schools} schools, teachers and classes"), transaction.atomic():
        staff = User.objects.create(
            username="netzwerk", password=password, is_staff=True, nickname="Netzwerk"
        )
        schools = School.objects.bulk_create(
            School(
                name=f"Schule {n:03d}",
                kind=rng.choice(list(School.Kind.values)[:5]),
                place=places[n % len(places)] if n < len(places) else rng.choice(places),
            )
            for n in range(ARGS.schools)
        )
        teachers = User.objects.bulk_create(
            User(
                username=f"lehrkraft{n:04d}",
                password=password,
                is_teacher=True,
                school=schools[n // 2],
                date_joined=season_start,
            )
            for n in range(2 * len(schools))
        )
        alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(
                school=school,
                teacher=teachers[2 * s + n % 2],
                name=f"{5 + n % 9}{'abcdefgh'[n // 9]}",
                school_year=5 + n % 9,
                code="".join(rng.choice(alphabet) for _ in range(8)),
            )
            for s, school in enumerate(schools)
            for n in range(10)
        )
    days, day_p = season_days()
    with step(f"{ARGS.pupils:,} pupils (bulk, one password hash)"), transaction.atomic():
        # most pupils join at the start of the school year, the rest over the season's school days
        boost = np.array([3.0 if d < date(SEASON_START.year, 10, 15) else 1.0 for d in days]) * day_p
        joined_day = rng_np.choice(len(days), size=ARGS.pupils, p=boost / boost.sum())
        joined_sec = rng_np.integers(8 * 3600, 20 * 3600, size=ARGS.pupils)
        class_idx = rng_np.integers(0, len(classes), size=ARGS.pupils)
        users = []
        for n in range(ARGS.pupils):
            d = days[joined_day[n]]
            school_class = classes[class_idx[n]]
            users.append(
                User(
                    username=f"schueler{n:06d}",
                    password=password,
                    nickname=f"S{n}",
                    is_pupil=True,
                    school_year=school_class.school_year,
                    school_id=school_class.school_id,
                    school_class=school_class,
                    date_joined=datetime(d.year, d.month, d.day, tzinfo=TZ)
                    + timedelta(seconds=int(joined_sec[n])),
                )
            )
        User.objects.bulk_create(users, batch_size=5000)
    with step(f"{ARGS.companies} companies with sites, professions and offers"), transaction.atomic():
        professions = list(Profession.objects.filter(is_active=True).order_by("pk"))
        supply_p = zipf(len(professions), 0.8, rng_np)
        companies = Company.objects.bulk_create(
            Company(
                name=f"{SECTORS[n % len(SECTORS)]} {SURNAMES[n % len(SURNAMES)]} {n:03d}",
                slug=f"betrieb-{n:03d}",
                profile="Ein ausgedachter Betrieb für den Benchmark.",
                sector=SECTORS[n % len(SECTORS)],
                status=Company.Status.APPROVED,
                approved_at=season_start,
            )
            for n in range(ARGS.companies)
        )
        sites, trained = [], []
        for company in companies:
            for k in range(2 if rng.random() < 0.2 else 1):
                place = rng.choice(places)
                sites.append(
                    Site(
                        company=company,
                        name="Zweigstelle" if k else "",
                        street=f"Hauptstraße {rng.randint(1, 120)}",
                        place=place,
                        latitude=place.latitude,
                        longitude=place.longitude,
                    )
                )
            picked = sorted(set(rng_np.choice(len(professions), size=rng.randint(1, 4), p=supply_p).tolist()))
            trained.append([professions[i] for i in picked])
        Site.objects.bulk_create(sites)
        site_of = {}
        for site in sites:
            site_of.setdefault(site.company_id, site)
        through = Company.professions.through
        through.objects.bulk_create(
            through(company_id=c.pk, profession_id=p.pk)
            for c, ps in zip(companies, trained, strict=True)
            for p in ps
        )
        offers = []
        for company, ps in zip(companies, trained, strict=True):
            for n, profession in enumerate(ps):
                for kind in ["apprenticeship"] + (["internship"] if rng.random() < 0.3 and n == 0 else []):
                    offers.append(
                        Offer(
                            company=company,
                            profession=profession,
                            site=site_of[company.pk],
                            kind=kind,
                            start_date=date(TODAY.year + 1, 8, 1),
                            places=rng.randint(1, 4),
                            certificate=profession.certificate,
                            description=f"Ausbildung als {profession.name} bei {company.name}.",
                            # offers_open() compares with the real today: ~85 % open
                            valid_until=TODAY + timedelta(days=rng.randint(-40, 260)),
                        )
                    )
        Offer.objects.bulk_create(offers, batch_size=2000)
        log(f"  {len(sites)} sites, {len(offers)} offers")
    return {"staff": staff, "professions": professions, "companies": companies, "offers": offers}


def build_hits(region: dict, rng: np.random.Generator) -> dict:
    """2M page views as columns (numpy), then written with COPY (PostgreSQL) or executemany (SQLite)."""
    from einblick.catalog.models import Place
    from einblick.insights.models import Hit

    n = ARGS.hits
    days, day_p = season_days()
    with step(f"generate {n:,} page views"):
        day_idx = np.sort(rng.choice(len(days), size=n, p=day_p))
        hours = np.arange(7, 22)
        hour_p = np.array([1, 3, 4, 4, 4, 4, 3, 2, 2, 2, 3, 3, 3, 2, 1], dtype=float)
        hour = rng.choice(hours, size=n, p=hour_p / hour_p.sum())
        seconds = hour * 3600  # tracking stores the hour only
        kind_w = np.array([k[1] for k in KINDS], dtype=float)
        kind_idx = rng.choice(len(KINDS), size=n, p=kind_w / kind_w.sum())
        professions = [p.pk for p in region["professions"]]
        companies = [c.pk for c in region["companies"]]
        prof_pick = np.array(professions)[
            rng.choice(len(professions), size=n, p=zipf(len(professions), 1.0, rng))
        ]
        company_p = zipf(len(companies), 1.0, rng)
        comp_idx = rng.choice(len(companies), size=n, p=company_p)
        comp_pick = np.array(companies)[comp_idx]
        # offer and contact views: an offer of the chosen company (its profession and company)
        index_of = {cid: i for i, cid in enumerate(companies)}
        offers = sorted(region["offers"], key=lambda o: (index_of[o.company_id], o.pk))
        offer_cidx = np.array([index_of[o.company_id] for o in offers])
        offer_comp = np.array([o.company_id for o in offers])
        offer_prof = np.array([o.profession_id for o in offers])
        starts = np.searchsorted(offer_cidx, np.arange(len(companies)), side="left")
        counts = np.bincount(offer_cidx, minlength=len(companies))  # every company has at least one offer
        offer_idx = starts[comp_idx] + (rng.random(n) * counts[comp_idx]).astype(np.int64)
        has_prof = np.array([k[2] for k in KINDS])[kind_idx]
        has_comp = np.array([k[3] for k in KINDS])[kind_idx]
        is_offer = np.isin(kind_idx, [i for i, k in enumerate(KINDS) if k[0] in ("offer", "contact")])
        prof = np.where(is_offer, offer_prof[offer_idx], prof_pick)
        comp = np.where(is_offer, offer_comp[offer_idx], comp_pick)
        # visitors: about 4 views per visitor and day; a visitor's district is fixed (60 % known = pupils)
        per_day = np.bincount(day_idx, minlength=len(days))
        visitors_per_day = np.maximum(1, per_day // 4)
        vid = (rng.random(n) * visitors_per_day[day_idx]).astype(np.int64)
        districts = sorted(
            set(Place.objects.exclude(district_code="").values_list("district_code", flat=True))
        )
        u = ((vid * 2654435761 + day_idx * 40503) % 1000) / 1000
        known = u < 0.6
        dist_idx = np.minimum((u / 0.6 * len(districts)).astype(np.int64), len(districts) - 1)
        at = utc_strings(days, day_idx, seconds, pg=IS_PG)
        kind_names = [k[0] for k in KINDS]
        prof_l, comp_l = prof.tolist(), comp.tolist()
        hp, hc, kn, di = has_prof.tolist(), has_comp.tolist(), known.tolist(), dist_idx.tolist()
        vis = [f"{d:03x}{v:013x}" for d, v in zip(day_idx.tolist(), vid.tolist(), strict=True)]
        ki = kind_idx.tolist()
        with_pupil = "pupil" in {f.column for f in Hit._meta.concrete_fields}  # an older Hit had the flag
        rows = [
            (
                at[i],
                kind_names[ki[i]],
                prof_l[i] if hp[i] else None,
                comp_l[i] if hc[i] else None,
                districts[di[i]] if kn[i] else "",
                vis[i],
                *((kn[i],) if with_pupil else ()),
            )
            for i in range(n)
        ]
    columns = "at, kind, profession_id, company_id, district, visitor" + (", pupil" if with_pupil else "")
    placeholders = ", ".join(["%s"] * len(rows[0]))
    label = f"insert {n:,} page views ({'COPY' if IS_PG else 'executemany'})"
    with step(label), transaction.atomic(), connection.cursor() as cursor:
        if IS_PG:
            with cursor.cursor.copy(f"COPY insights_hit ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO insights_hit ({columns}) VALUES ({placeholders})"
            for k in range(0, n, 100_000):
                cursor.executemany(sql, rows[k : k + 100_000])
    busiest_company = int(np.bincount(comp_idx[has_comp], minlength=len(companies)).argmax())
    return {"busiest_company": companies[busiest_company]}


def analyze() -> None:
    if IS_PG:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# ----------------------------------------------------------------------------------------------------- timing


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def cold_warm(fn, repeat: int) -> tuple[float, float, float]:
    """(cold ms, warm median ms, warm max ms): cold = first run on a new database connection."""
    connection.close()
    cold = timed(fn)
    warm = [timed(fn) for _ in range(repeat)]
    return cold, statistics.median(warm), max(warm)


def sizes() -> dict:
    from django.db.models import Count

    from einblick.insights.models import DailyStat, Hit

    out = {
        "hits": Hit.objects.count(),
        "dailystats": DailyStat.objects.count(),
        "per_metric": list(
            DailyStat.objects.values_list("metric").annotate(n=Count("id")).order_by("-n")[:8]
        ),
    }
    with connection.cursor() as cursor:
        if IS_PG:
            cursor.execute(
                "SELECT pg_total_relation_size('insights_hit'), pg_total_relation_size('insights_dailystat')"
            )
            out["bytes"] = cursor.fetchone()
        else:
            out["bytes"] = (None, None)
            out["file"] = Path(settings.DATABASES["default"]["NAME"]).stat().st_size
    return out


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if IS_PG:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join("    " + " | ".join(str(c) for c in row) for row in cursor.fetchall())


def profile_report(period, repeat: int) -> list[tuple[str, int, float]]:
    """Wrap every function of ``insights.selectors`` (report() looks them up as module globals), run report()
    ``repeat`` times and return (name, calls per report, ms per report), slowest first."""
    import inspect

    from einblick.insights import selectors

    spent: dict[str, list] = {}
    originals = {
        name: fn
        for name, fn in vars(selectors).items()
        if inspect.isfunction(fn) and fn.__module__ == selectors.__name__ and name != "report"
    }

    def wrap(name, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = spent.setdefault(name, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - start

        return wrapper

    selectors.report(period)  # warm
    try:
        for name, fn in originals.items():
            setattr(selectors, name, wrap(name, fn))
        start = time.perf_counter()
        for _ in range(repeat):
            selectors.report(period)
        total = time.perf_counter() - start
    finally:
        for name, fn in originals.items():
            setattr(selectors, name, fn)
    rows = [(name, calls // repeat, seconds * 1000 / repeat) for name, (calls, seconds) in spent.items()]
    rows = [row for row in rows if row[2] >= 0.5]
    return [("report() in all", 1, total * 1000 / repeat), *sorted(rows, key=lambda r: -r[2])]


def main() -> None:
    from einblick.accounts.models import User
    from einblick.catalog.models import Company, Profession
    from einblick.insights import selectors
    from einblick.insights.models import Hit
    from einblick.insights.rollup import rollup
    from einblick.insights.selectors import Period

    engine = f"PostgreSQL ({settings.DATABASES['default']['NAME']})" if IS_PG else "SQLite (WAL)"
    log(f"database: {engine}; season {SEASON_START} – {SEASON_END}; seed {ARGS.seed}")
    with step("migrate"):
        call_command("migrate", verbosity=0)
    rng = np.random.default_rng(ARGS.seed)
    from django.db.models import Count

    if ARGS.reuse and Hit.objects.count() == ARGS.hits:
        log("reusing the season in the database")
        top = Hit.objects.exclude(company_id=None).values_list("company_id").annotate(n=Count("id"))
        busiest_id = max(top, key=lambda r: r[1])[0]
        staff = User.objects.get(username="netzwerk")
    else:
        if Hit.objects.exists() or User.objects.exists():
            sys.exit("the database is not empty: run without --reuse on a fresh database")
        build_start = time.perf_counter()
        region = build_region(rng)
        busiest_id = build_hits(region, rng)["busiest_company"]
        staff = region["staff"]
        with step("ANALYZE" if IS_PG else "nothing to analyse on SQLite"):
            analyze()
        log(f"season built in {time.perf_counter() - build_start:.0f} s")
    busiest = Company.objects.get(pk=busiest_id)
    results: list[tuple] = []

    # ------------------------------------------------------------------------------------------------ rollups
    if not (ARGS.reuse and ARGS.skip_rollup):
        with step("full rollup of the season"):
            start = time.perf_counter()
            full = rollup(first=SEASON_START, last=SEASON_END, now=AS_OF)
            full_ms = (time.perf_counter() - start) * 1000
        results.append(("rollup: the whole season (365 days)", full_ms, None, None, f"{full.rows:,} rows"))
        with step("VACUUM ANALYZE" if IS_PG else "(no ANALYZE)"):
            analyze()
        with step("incremental rollup (yesterday + today)"):
            incremental = [timed(lambda: rollup(now=AS_OF)) for _ in range(ARGS.repeat)]
        last = selectors.last_rollup()
        results.append(
            (
                "rollup: yesterday + today (scheduled)",
                incremental[0],
                statistics.median(incremental[1:] or incremental),
                None,
                f"{last.first_day}..{last.last_day}, {last.rows:,} rows",
            )
        )
    size = sizes()
    log(f"Hit rows: {size['hits']:,}; DailyStat rows: {size['dailystats']:,}")
    log("  DailyStat rows per metric (largest): " + ", ".join(f"{m} {n:,}" for m, n in size["per_metric"]))
    if IS_PG:
        log(
            f"  on disk with indexes: Hit {size['bytes'][0] / 2**20:.0f} MiB, DailyStat {size['bytes'][1] / 2**20:.0f} MiB"
        )
    else:
        log(f"  SQLite file: {size['file'] / 2**20:.0f} MiB")

    # --------------------------------------------------------------------------------------------- dashboard
    district = (
        User.objects.filter(is_pupil=True)
        .values_list("school_class__school__place__district_code")
        .annotate(n=Count("id"))
        .order_by("-n")[0][0]
    )
    names = selectors.district_names()
    # the periods as the dashboard's form turns them into a Period (whole weeks, where it does so)
    as_page = lambda period: period.whole_weeks() if hasattr(period, "whole_weeks") else period  # noqa: E731
    season = as_page(Period(SEASON_START, SEASON_END))
    season_d = as_page(Period(SEASON_START, SEASON_END, district))
    last30 = as_page(Period(SEASON_END - timedelta(days=29), SEASON_END))
    log(f"periods: season {season.start} – {season.end}, last 30 days {last30.start} – {last30.end}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    try:  # staff log in with a second factor (issue #10): this session has passed it
        from einblick.accounts.two_factor import SESSION_KEY
    except ImportError:
        SESSION_KEY = None
    if SESSION_KEY:
        session = client.session
        session[SESSION_KEY] = True
        session.save()

    def page(period: Period):
        params = {"von": period.start.isoformat(), "bis": period.end.isoformat()}
        if period.district:
            params["kreis"] = period.district
        response = client.get("/einblicke/", params)
        assert response.status_code == 200, response.status_code
        # the page shows the chosen period (an invalid form would fall back to the last 30 days of the real today)
        shown = [f"{day:%d.%m.%Y}".encode() for day in (period.start, period.end)]
        assert all(text in response.content for text in shown), (
            "the dashboard did not show the period asked for"
        )
        return response

    def company_page():
        response = client.get(
            f"/einblicke/betrieb/{busiest.slug}/",
            {"von": season.start.isoformat(), "bis": season.end.isoformat()},
        )
        assert response.status_code == 200, response.status_code
        return response

    cases = [
        ("(a) report(): whole season", lambda: selectors.report(season)),
        (
            f"(b) report(): whole season, district {names.get(district, district)}",
            lambda: selectors.report(season_d),
        ),
        ("(c) report(): last 30 days", lambda: selectors.report(last30)),
        ("(d) GET /einblicke/ whole season", lambda: page(season)),
        ("(d) GET /einblicke/ whole season + district", lambda: page(season_d)),
        ("(d) GET /einblicke/ last 30 days", lambda: page(last30)),
        ("(e) company_report(): busiest company, season", lambda: selectors.company_report(season, busiest)),
        ("(e) GET /einblicke/betrieb/<busiest>/ season", company_page),
    ]
    load_before = os.getloadavg()
    for label, fn in cases:
        with step(label):
            cold, warm, worst = cold_warm(fn, ARGS.repeat)
        results.append((label, cold, warm, worst, ""))

    with CaptureQueriesContext(connection) as captured:
        page(season)
    queries = captured.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    with CaptureQueriesContext(connection) as captured_company:
        company_page()
    company_queries = len(captured_company.captured_queries)  # now: the next request empties the log

    # where the time goes: every selector report() calls, timed inclusively (nested calls count in both)
    breakdown = profile_report(season, ARGS.repeat)
    # the floor for a cached report: the page with report() already computed (template and charts only)
    computed = selectors.report(season)
    real_report = selectors.report
    selectors.report = lambda period: computed
    try:
        with step("(d) GET /einblicke/ whole season, report() precomputed"):
            cold, warm, worst = cold_warm(lambda: page(season), ARGS.repeat)
        results.append(("(d) … same page, report() precomputed (render only)", cold, warm, worst, ""))
    finally:
        selectors.report = real_report
    load_after = os.getloadavg()

    # ----------------------------------------------------------------------------------------------- summary
    print()
    app = Path(selectors.__file__).parent
    versions = ", ".join(
        f"{name} {hashlib.sha1((app / name).read_bytes()).hexdigest()[:8]}"
        for name in ("selectors.py", "rollup.py")
    )
    print(
        f"database: {engine}; {os.cpu_count()} cores; Python {sys.version.split()[0]}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after the dashboard runs; sha1 of insights/{versions}"
    )
    print(
        f"season {SEASON_START} – {SEASON_END}: {User.objects.filter(is_pupil=True).count():,} pupils, "
        f"{Company.objects.count():,} companies, {Profession.objects.count()} professions, "
        f"Hit {size['hits']:,} rows, DailyStat {size['dailystats']:,} rows"
    )
    print()
    print("| case | cold ms | warm p50 ms | warm max ms | note |")
    print("| --- | ---: | ---: | ---: | --- |")
    fmt = lambda v: "" if v is None else f"{v:,.0f}"  # noqa: E731
    for label, cold, warm, worst, note in results:
        print(f"| {label} | {fmt(cold)} | {fmt(warm)} | {fmt(worst)} | {note} |")
    print()
    print(
        f"GET /einblicke/ whole season: {len(queries)} queries, {sql_ms:,.0f} ms in SQL; "
        f"company page: {company_queries} queries"
    )
    print()
    print(f"report(whole season), selector by selector (mean of {ARGS.repeat} runs, inclusive):")
    for label, calls, ms in breakdown:
        print(f"  {label:22} {calls:3d}× {ms:9.1f} ms")
    print()
    print("slowest queries of GET /einblicke/ (whole season):")
    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:5]
    for q in slowest:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")
    for q in slowest[:2]:
        print()
        print(f"plan of ({float(q['time']) * 1000:.0f} ms): {q['sql'][:160]} …")
        print(explain(q["sql"]))
    log("done")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if IS_PG and not ARGS.keep:
            pg_drop(DB_URL)
        if OWN_VAR_DIR and not ARGS.keep:  # the SQLite file of a season is ~300 MB
            shutil.rmtree(os.environ["EINBLICK_VAR_DIR"], ignore_errors=True)
