"""Two-factor authentication with an authenticator app (issue #10): set up, confirm, check at login, switch off.
Required for staff (``EINBLICK["STAFF_2FA_REQUIRED"]``), optional for everyone else (e.g. company accounts).

After the password, the session is marked as needing the code; ``TwoFactorMiddleware`` sends such a session (and a
staff member without 2FA, when required) to the code page or the set-up page before anything else."""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from . import totp
from .audit import record
from .models import AuditEntry, TwoFactor

SESSION_KEY = "einblick_2fa_ok"
MAX_FAILURES = 5
FAILURE_WINDOW = 600  # seconds


def required(user) -> bool:
    return bool(user.is_staff and settings.EINBLICK["STAFF_2FA_REQUIRED"])


def active(user) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def setup_start(user) -> TwoFactor:
    """A new secret for setting up (an existing active one stays until the new one is confirmed)."""
    device, _ = TwoFactor.objects.get_or_create(user=user, defaults={"secret": totp.new_secret()})
    if device.confirmed_at is None and not device.secret:
        device.secret = totp.new_secret()
        device.save(update_fields=["secret"])
    return device


def qr_svg(user, device: TwoFactor) -> str:
    uri = totp.provisioning_uri(
        device.secret, account=user.get_username(), issuer=settings.EINBLICK["SITE_NAME"]
    )
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, title="QR-Code")
    return out.getvalue().decode()


def _throttle(user) -> None:
    key = f"2fa-failures:{user.pk}"
    if (cache.get(key) or 0) >= MAX_FAILURES:
        raise ValidationError(gettext("Too many wrong codes. Please wait ten minutes."), code="throttled")


def _failed(user) -> None:
    key = f"2fa-failures:{user.pk}"
    cache.add(key, 0, FAILURE_WINDOW)
    cache.incr(key)


def check(user, code: str) -> TwoFactor:
    """Check a code of the user's app (set up or active); each code works once. ValidationError otherwise."""
    _throttle(user)
    device = TwoFactor.objects.filter(user=user).first()
    step = totp.verify(device.secret, code, after_step=device.last_step) if device else None
    if step is None:
        _failed(user)
        raise ValidationError(
            gettext("The code is not right. Please type the six digits your app shows now."), code="wrong"
        )
    updated = TwoFactor.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    if not updated:  # the same code at the same moment twice
        raise ValidationError(gettext("This code was used already; wait for the next one."), code="used")
    cache.delete(f"2fa-failures:{user.pk}")
    device.refresh_from_db()
    return device


def confirm(user, code: str) -> TwoFactor:
    device = check(user, code)
    if device.confirmed_at is None:
        TwoFactor.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        record(user, AuditEntry.Action.TWO_FACTOR, f"#{user.pk}", change="on")
    return device


def disable(user, code: str) -> None:
    if required(user):
        raise ValidationError(gettext("Staff accounts must keep two-factor authentication."), code="required")
    check(user, code)
    TwoFactor.objects.filter(user=user).delete()
    record(user, AuditEntry.Action.TWO_FACTOR, f"#{user.pk}", change="off")


def mark_passed(request) -> None:
    request.session[SESSION_KEY] = True
    request.session.cycle_key()


@receiver(user_logged_in)
def _nothing_to_check(sender, request, user, **kwargs) -> None:
    """At login: a user without an authenticator app (and not required to have one) passes at once, so later
    requests cost no query for this."""
    if request is not None and hasattr(request, "session") and not active(user) and not required(user):
        request.session[SESSION_KEY] = True


ALWAYS_ALLOWED = ("/static/", "/media/", "/i18n/", "/healthz", "/readyz")


class TwoFactorMiddleware:
    """Sends a logged-in session without its second factor to the code page, and staff without 2FA (when required)
    to the set-up page; logging out, the two pages and static files always work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.session.get(SESSION_KEY):
            target = self._target(request, user)
            if target:
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
            if target is None and not active(user) and not required(user):
                request.session[SESSION_KEY] = (
                    True  # nothing to check in this login: no query on later requests
                )
        return self.get_response(request)

    @staticmethod
    def _target(request, user) -> str | None:
        path = request.path
        allowed = {
            reverse("accounts:two_factor"),
            reverse("accounts:two_factor_check"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        }
        if path in allowed or path.startswith(ALWAYS_ALLOWED):
            return ""
        if active(user):
            return "accounts:two_factor_check"
        if required(user):
            return "accounts:two_factor"
        return None
