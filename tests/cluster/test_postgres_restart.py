"""Faults (issue #11): PostgreSQL restarts under a running Einblick. A cluster with a PostgreSQL server of its own
(bench/cluster.py, ``private_postgres``: nothing else on the machine is touched) is stopped and started again:
meanwhile pages answer a clean 503 "gleich wieder da" with Retry-After, liveness stays 200 and readiness says 503;
afterwards the same processes (not restarted) serve pages and take writes again — with a connection per request
and with psycopg's connection pool (``EINBLICK_DB_POOL``)."""

import urllib.error
import urllib.request

import pytest

from tests.cluster.conftest import Browser, load_cluster_module

wait_until = load_cluster_module().wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.parametrize("pool", ["0", "4"], ids=["connection-per-request", "pool"])
def test_postgres_restart_fails_cleanly_and_recovers_without_a_restart(tmp_path, pool):
    Cluster = load_cluster_module().Cluster
    env = {"EINBLICK_DB_POOL": pool}
    with Cluster(
        web=1, worker=True, balancer=False, private_postgres=True, base_dir=tmp_path, env=env
    ) as cluster:
        node = cluster.web_urls[0]
        pid = cluster.web[0].pid
        cluster._manage(
            "shell",
            "-c",
            "from einblick.accounts.models import User; User.objects.create_user('lotse', email='lotse@example.org', password='Lotse-2026!')",
        )
        assert fetch(f"{node}/berufe/")[0] == 200

        cluster.stop_postgres()
        status, headers, body = fetch(f"{node}/berufe/")
        liveness, readiness = fetch(f"{node}/healthz")[0], fetch(f"{node}/readyz")[0]
        cluster.start_postgres()

        assert status == 503
        assert headers.get("Retry-After", headers.get("retry-after")) == "10"
        assert "gleich wieder da" in body
        assert (liveness, readiness) == (200, 503)

        assert fetch(f"{node}/readyz")[0] == 200
        assert fetch(f"{node}/berufe/")[0] == 200
        # writes work again too: a login stores a session and the time of the login
        login = Browser().login(node, "lotse", "Lotse-2026!")
        assert login.status_code == 302 and login.headers["Location"] == "/konto/"
        assert cluster.web[0].pid == pid and cluster.web[0].running()  # the same process, never restarted
        # the task worker lived through it too: an e-mail asked for now is sent
        reset = "/konto/passwort/vergessen/"
        assert (
            Browser().submit(f"{node}{reset}", f"{node}{reset}", {"email": "lotse@example.org"}).status_code
            == 302
        )
        wait_until(
            lambda: any("lotse@example.org" in p.read_text() for p in cluster.mails()), 30, "reset e-mail"
        )
        assert cluster.worker.running()
