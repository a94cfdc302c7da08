"""Test settings and shared fixtures. See ../shared testing guide: fast hasher, in-memory e-mail, tasks run
explicitly by the test (``run_tasks``), in-memory channel layer unless REDIS_URL is set, Europe/Berlin."""

import tempfile

import pytest


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="einblick-test-media-")
    settings.PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="einblick-test-private-")
    settings.TIME_ZONE = "Europe/Berlin"
    settings.LANGUAGE_CODE = "de"
    # tests log staff in with force_login; tests/accounts/test_two_factor.py switches the requirement on
    settings.EINBLICK = {**settings.EINBLICK, "BASE_URL": "http://testserver", "STAFF_2FA_REQUIRED": False}
    # the page cache and batched counting are switched on by their own tests (tests/core/test_pagecache.py)
    settings.EINBLICK_PAGE_CACHE_SECONDS = 0
    settings.EINBLICK_COUNT_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from einblick.insights import tracking

    cache.clear()
    tracking._salts.clear()
    yield


@pytest.fixture
def run_tasks():
    """Run every queued task now, in this thread, the way the worker does; returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    def run() -> int:
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        count = 0
        while True:
            result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
            if result is None:
                return count
            result.claim(worker.worker_id)
            worker.run_task(result)
            count += 1

    return run


@pytest.fixture
def real_catalog(db):
    """The shipped profession catalogue and the demo region's towns."""
    import csv

    from einblick.catalog.importers import catalog_load, places_import
    from einblick.core.demo import PLACES_CSV

    catalog_load()
    with open(PLACES_CSV, encoding="utf-8", newline="") as handle:
        places_import(csv.DictReader(handle))


@pytest.fixture
def shared_data_dir():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    if not (path / "zipcodes.de.csv").exists():
        pytest.skip(f"public data folder {path} is not present")
    return path


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL or Redis are skipped with the reason printed (pytest -rs) when the service is
    not configured. With EINBLICK_REQUIRE_SERVICES=1 (CI) a missing service fails the run instead."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    missing = {
        "postgres": None if on_postgres else "needs PostgreSQL: set DATABASE_URL=postgres://…",
        "redis": None if os.environ.get("REDIS_URL") else "needs Redis: set REDIS_URL=redis://…",
        "cluster": None if on_postgres and os.environ.get("REDIS_URL") else "needs PostgreSQL and Redis",
    }
    required = os.environ.get("EINBLICK_REQUIRE_SERVICES") == "1"
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                if required:
                    raise pytest.UsageError(f"{item.nodeid}: {reason} (EINBLICK_REQUIRE_SERVICES=1)")
                item.add_marker(pytest.mark.skip(reason=reason))
