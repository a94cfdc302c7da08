"""Two-factor authentication (issue #10, item 4): codes of authenticator apps (RFC 6238 test vectors), set-up with
QR code, the code after the password, each code once, throttling, required for staff (they cannot skip or switch
it off), optional for company accounts; logged in the audit log."""

import base64

import pytest

from einblick.accounts import totp
from einblick.accounts.models import AuditEntry, TwoFactor
from tests.factories import PASSWORD, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_rfc_6238_test_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.hotp(secret, 59 // 30) == "287082"
    assert totp.hotp(secret, 1111111109 // 30) == "081804"
    assert totp.verify(secret, "287 082", at=59) == 1
    assert totp.verify(secret, "287082", at=59, after_step=1) is None  # used already
    assert totp.verify(secret, "000000", at=59) is None and totp.verify(secret, "12", at=59) is None


def _code(user, offset: int = 0) -> str:
    device = TwoFactor.objects.get(user=user)
    return totp.hotp(device.secret, totp.step_at() + offset)


def _login(client, user):
    return client.post("/konto/anmelden/", {"username": user.username, "password": PASSWORD})


@pytest.fixture
def required(settings):
    settings.EINBLICK = {**settings.EINBLICK, "STAFF_2FA_REQUIRED": True}


def test_staff_must_set_it_up_and_then_log_in_with_a_code(client, required):
    staff = StaffFactory()
    _login(client, staff)
    # everything leads to the set-up page until it is on
    response = client.get("/einblicke/")
    assert response.status_code == 302 and response.url.startswith("/konto/zwei-faktor/?next=")
    page = client.get("/konto/zwei-faktor/")
    assert "<svg" in page.text and TwoFactor.objects.get(user=staff).secret in page.text
    assert client.post("/konto/zwei-faktor/", {"code": "000000"}).status_code == 200
    response = client.post("/konto/zwei-faktor/", {"code": _code(staff), "next": "/einblicke/"})
    assert response.status_code == 302 and response.url == "/einblicke/"
    assert client.get("/einblicke/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor", detail__change="on").exists()
    # staff cannot switch it off
    client.post("/konto/zwei-faktor/", {"code": _code(staff, 1)})
    assert TwoFactor.objects.filter(user=staff, confirmed_at__isnull=False).exists()
    # a new login: the password alone is not enough
    client.post("/konto/abmelden/")
    _login(client, staff)
    response = client.get("/einblicke/")
    assert response.status_code == 302 and response.url.startswith("/konto/zwei-faktor/pruefen/")
    assert client.post("/konto/zwei-faktor/pruefen/", {"code": "123456"}).status_code == 200
    response = client.post("/konto/zwei-faktor/pruefen/", {"code": _code(staff, -1), "next": "/einblicke/"})
    if response.status_code == 200:  # the previous step's code was used already at set-up time: take the next
        response = client.post(
            "/konto/zwei-faktor/pruefen/", {"code": _code(staff, 1), "next": "/einblicke/"}
        )
    assert response.status_code == 302 and response.url == "/einblicke/"
    assert client.get("/einblicke/").status_code == 200


def test_a_code_works_once_and_guessing_is_throttled(client, required):
    staff = StaffFactory()
    TwoFactor.objects.create(user=staff, secret=totp.new_secret(), confirmed_at="2026-01-01T00:00Z")
    _login(client, staff)
    code = _code(staff)
    assert client.post("/konto/zwei-faktor/pruefen/", {"code": code}).status_code == 302
    client.post("/konto/abmelden/")
    _login(client, staff)
    assert client.post("/konto/zwei-faktor/pruefen/", {"code": code}).status_code == 200  # replay refused
    for _ in range(6):
        client.post("/konto/zwei-faktor/pruefen/", {"code": "999999"})
    response = client.post("/konto/zwei-faktor/pruefen/", {"code": _code(staff, 1)})
    assert response.status_code == 200  # even a right code waits now
    assert client.get("/einblicke/").status_code == 302


def test_company_accounts_may_switch_it_on_and_off(client, required):
    member = MembershipFactory().user
    _login(client, member)
    assert client.get("/konto/").status_code == 200  # not required
    client.get("/konto/zwei-faktor/")
    client.post("/konto/zwei-faktor/", {"code": _code(member)})
    assert TwoFactor.objects.get(user=member).confirmed_at is not None
    client.post("/konto/zwei-faktor/", {"code": _code(member, 1)})
    assert not TwoFactor.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(action="two_factor", detail__change="off").exists()
