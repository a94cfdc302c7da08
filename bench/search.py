"""Search and listing speed on the demo region, optionally scaled up with more companies and offers.

Run:  .venv/bin/python bench/search.py [--companies 2000] [--repeat 200]
Uses a throw-away SQLite database (or DATABASE_URL if set to PostgreSQL: then the database is flushed first!).
Prints p50/p95/p99 per query in milliseconds; nothing is asserted.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")
os.environ.setdefault("EINBLICK_VAR_DIR", tempfile.mkdtemp(prefix="einblick-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402

# No collectstatic in a throw-away directory: serve static names unhashed.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

QUERIES = [
    "Mechatronikerin",
    "Baecker",
    "Kfz Mechatroniker",
    "mechatronikr",
    "Kauffrau Büromanagement",
    "Tischlerei",
]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def scale_up(extra: int) -> None:
    """Copy the demo companies (with sites and offers) until there are about ``extra`` more."""
    from einblick.catalog.models import Company, Offer, Site

    originals = list(
        Company.objects.filter(status="approved").prefetch_related("sites", "offers", "professions")
    )
    for n in range(extra):
        source = originals[n % len(originals)]
        company = Company.objects.create(
            name=f"{source.name} {n}",
            slug=f"{source.slug}-{n}",
            profile=source.profile,
            sector=source.sector,
            status="approved",
            search_text=source.search_text,
        )
        company.professions.set(source.professions.all())
        for site in source.sites.all():
            copy = Site.objects.create(
                company=company,
                street=site.street,
                place=site.place,
                latitude=site.latitude,
                longitude=site.longitude,
            )
            Offer.objects.bulk_create(
                [
                    Offer(
                        company=company,
                        site=copy,
                        profession_id=o.profession_id,
                        kind=o.kind,
                        start_date=o.start_date,
                        places=o.places,
                        certificate=o.certificate,
                        description=o.description,
                        apply_email=o.apply_email,
                        valid_until=o.valid_until,
                        search_text=o.search_text,
                    )
                    for o in source.offers.all()
                    if o.site_id == site.pk
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=0, help="extra companies to add to the demo region")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("demo", reset=True, verbosity=0)
    if args.companies:
        scale_up(args.companies)
    from einblick.catalog import selectors
    from einblick.catalog.models import Company, Offer

    print(
        f"database: {django.db.connection.vendor}, companies: {Company.objects.count()}, offers: {Offer.objects.count()}"
    )
    origin = selectors.place_resolve("26871")
    client = Client(HTTP_HOST="127.0.0.1")
    cases = [
        (f"search_all({q!r}, 26871, 50 km)", lambda q=q: selectors.search_all(q, origin=origin, radius_km=50))
        for q in QUERIES
    ]
    cases += [
        (
            "GET /suche/?q=Mechatronikerin&ort=26871",
            lambda: client.get("/suche/", {"q": "Mechatronikerin", "ort": "26871"}),
        ),
        (
            "GET /angebote/?ort=26871&umkreis=25",
            lambda: client.get("/angebote/", {"ort": "26871", "umkreis": "25"}),
        ),
        ("GET /berufe/", lambda: client.get("/berufe/")),
        (
            "GET /berufe/mechatroniker-in/?ort=26871",
            lambda: client.get("/berufe/mechatroniker-in/", {"ort": "26871"}),
        ),
    ]
    print(f"{'case':60} {'p50':>8} {'p95':>8} {'p99':>8}  (ms, {args.repeat} runs)")
    for name, fn in cases:
        fn()  # warm up
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:60} {statistics.median(timings):8.1f} {percentile(timings, 95):8.1f} {percentile(timings, 99):8.1f}"
        )


if __name__ == "__main__":
    main()
