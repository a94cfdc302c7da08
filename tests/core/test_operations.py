"""Operations (docs/operations.md): liveness and readiness endpoints, JSON logs, static files with far-future
caching, the media storage setting."""

import asyncio
import json
import logging
import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from einblick.core import views
from einblick.core.logging import JsonFormatter, logging_config

# --- /healthz and /readyz ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_works_while_the_database_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_is_ok_on_the_test_database(client):
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert isinstance(body["checks"]["database"]["ms"], float)
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_readyz_without_redis_checks_only_the_database(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert set(client.get("/readyz").json()["checks"]) == {"database"}


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_fails_and_keeps_the_details_to_the_log(
    client, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OperationalError('connection to server at "10.1.2.3" failed: password "hunter2" rejected')

    monkeypatch.setattr(views.connection, "cursor", broken)
    with caplog.at_level(logging.WARNING, logger="einblick.core.views"):
        response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": pytest.approx(0, abs=500),
    }
    assert "hunter2" not in response.content.decode() and "10.1.2.3" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "readiness check database failed" in caplog.text and "hunter2" in caplog.text  # for the operator


@pytest.mark.parametrize(
    "backend", ["django.core.cache.backends.redis.RedisCache", "einblick.core.cache.ResilientRedisCache"]
)
@pytest.mark.django_db
def test_readyz_answers_503_when_redis_is_unreachable(client, settings, backend):
    unreachable = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": unreachable}}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [unreachable]}}
    }
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["cache"] == {"ok": False, "error": "ConnectionError", "ms": checks["cache"]["ms"]}
    assert checks["channel_layer"]["ok"] is False and checks["channel_layer"]["error"]
    assert "127.0.0.1:1" not in response.content.decode()


@pytest.mark.django_db
def test_a_check_that_hangs_counts_as_failed(client, monkeypatch):
    monkeypatch.setattr(views, "READY_CHECK_SECONDS", 0.05)
    monkeypatch.setattr(views, "_ready_checks", lambda: [("slow", lambda: asyncio.sleep(2))])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["slow"]["error"] == "timeout"


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_redis_cache_and_channel_layer(client):
    response = client.get(reverse("core:readyz"))
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is True and checks["channel_layer"]["ok"] is True


# --- JSON logs --------------------------------------------------------------------------------------------------


def _record(
    name="einblick.test", level=logging.INFO, msg="hello %s", args=("world",), exc_info=None, **extra
):
    record = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_formatter_writes_one_object_per_line():
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    entry = json.loads(line)
    assert (
        entry["level"] == "INFO" and entry["logger"] == "einblick.test" and entry["message"] == "hello world"
    )
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert "exception" not in entry


def test_json_formatter_keeps_the_exception_on_the_same_line():
    try:
        raise ValueError("kaputt")
    except ValueError:
        record = _record(level=logging.ERROR, msg="failed", args=(), exc_info=sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert "Traceback" in entry["exception"] and "ValueError: kaputt" in entry["exception"]


def test_json_formatter_names_request_path_status_and_request_id():
    request = RequestFactory().get(
        "/messe/x/?q=1", HTTP_X_REQUEST_ID="abc123", HTTP_COOKIE="sessionid=secret"
    )
    record = _record(
        name="django.request",
        level=logging.WARNING,
        msg="Not Found: %s",
        args=("/messe/x/",),
        request=request,
        status_code=404,
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["path"] == "/messe/x/" and entry["method"] == "GET"
    assert entry["status"] == 404 and entry["request_id"] == "abc123"
    assert "secret" not in json.dumps(entry)  # the request itself (cookies, headers) is not dumped


def test_json_formatter_reads_uvicorn_access_lines_and_extras():
    record = _record(
        name="uvicorn.access",
        msg='%s - "%s %s HTTP/%s" %d',
        args=("127.0.0.1:5000", "GET", "/healthz", "1.1", 200),
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == '127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200'
    assert (entry["method"], entry["path"], entry["status"], entry["client"]) == (
        "GET",
        "/healthz",
        200,
        "127.0.0.1:5000",
    )
    entry = json.loads(JsonFormatter().format(_record(task_id="t-1", attempt=2, obj=object())))
    assert entry["task_id"] == "t-1" and entry["attempt"] == 2 and entry["obj"].startswith("<object")


def test_logging_config_plain_by_default_json_on_request():
    assert logging_config()["handlers"]["console"]["formatter"] == "plain"
    config = logging_config("JSON", "WARNING")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"]["uvicorn"] == {"handlers": ["console"], "propagate": False}
    with pytest.raises(ValueError):
        logging_config("xml")


def test_json_logging_leaves_a_switched_off_uvicorn_access_log_off():
    access = logging.getLogger("uvicorn.access")
    saved = access.handlers[:], access.propagate
    try:
        access.handlers, access.propagate = [], False  # what `uvicorn --no-access-log` leaves
        assert "uvicorn.access" not in logging_config("json")["loggers"]
        access.handlers = [logging.NullHandler()]  # uvicorn's access log is on
        assert logging_config("json")["loggers"]["uvicorn.access"]["handlers"] == ["console"]
    finally:
        access.handlers, access.propagate = saved


def test_settings_select_json_logs_from_the_environment(tmp_path):
    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('einblick.probe').warning('probe %s', 42, extra={'request_id': 'r-1'});"
        "import warnings; warnings.warn('careful')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "einblick.settings", "EINBLICK_LOG_FORMAT": "json"}
    env["EINBLICK_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    probe, warning = (json.loads(line) for line in result.stderr.strip().splitlines()[-2:])
    assert probe["message"] == "probe 42" and probe["level"] == "WARNING" and probe["request_id"] == "r-1"
    assert warning["logger"] == "py.warnings" and "UserWarning: careful" in warning["message"]


# --- Static files: WhiteNoise, hashed names, far-future caching -------------------------------------------------


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """collectstatic with the production storage (compressed, hashed names), as `python -m einblick collectstatic`
    does it — in a subprocess, because the test settings use plain storage."""
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "einblick.settings", "EINBLICK_VAR_DIR": str(var)}
    subprocess.run(
        [sys.executable, "-m", "einblick", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=300,
    )
    return var / "static"


def test_collected_static_files_are_served_compressed_and_cached_forever(collected_static, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    url = staticfiles_storage.url("einblick/einblick.css")
    assert url != "/static/einblick/einblick.css" and url.endswith(".css")  # hashed name
    middleware = WhiteNoiseMiddleware(lambda request: pytest.fail("not served by WhiteNoise"))

    response = middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    response.file_to_stream.close()

    # the unhashed name still answers (old pages), but only with a short cache
    response = middleware(RequestFactory().get("/static/einblick/einblick.css"))
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    response.file_to_stream.close()


# --- Media storage ----------------------------------------------------------------------------------------------


def _settings_in_subprocess(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "einblick.settings", "EINBLICK_VAR_DIR": str(tmp_path)}
    for key in list(env):
        if key.startswith("AWS_") or key == "EINBLICK_MEDIA_STORAGE":
            del env[key]
    env.update(env_vars)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_media_on_local_disk_by_default(tmp_path):
    result = _settings_in_subprocess(tmp_path)
    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_media_on_s3_reads_the_aws_settings(tmp_path):
    result = _settings_in_subprocess(
        tmp_path,
        EINBLICK_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="einblick-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_ADDRESSING_STYLE="path",
    )
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "einblick-media" and options["endpoint_url"] == "https://s3.example.org"
    assert options["access_key"] == "key" and options["secret_key"] == "secret"
    assert options["addressing_style"] == "path" and options["location"] == "media"
    assert options["querystring_auth"] is False and options["file_overwrite"] is False
    assert "region_name" not in options  # unset variables are left to boto3


@pytest.mark.parametrize(
    ("env_vars", "message"),
    [
        ({"EINBLICK_MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"EINBLICK_MEDIA_STORAGE": "ftp"}, "'local' or 's3'"),
    ],
)
def test_media_storage_misconfiguration_is_named(tmp_path, env_vars, message):
    result = _settings_in_subprocess(tmp_path, **env_vars)
    assert result.returncode != 0 and message in result.stderr


# --- deploy/ ----------------------------------------------------------------------------------------------------


def test_the_example_environment_lists_every_variable_the_settings_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = (root / "src" / "einblick" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z0-9_]+)"', source))
    read |= set(re.findall(r'\("[a-z_]+", "(AWS_[A-Z0-9_]+)"\)', source))  # the S3 options read in a loop
    example = (root / "deploy" / "einblick.env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert read - listed == set(), "add these to deploy/einblick.env.example"


@pytest.mark.django_db
def test_health_checks_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/berufe/").status_code == 301
