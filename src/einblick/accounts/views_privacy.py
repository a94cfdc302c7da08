"""The privacy centre: what Einblick stores about me, export it, withdraw consents, delete my account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from einblick.core.forms import BaseForm

from . import privacy, services
from .models import ParentalConsent

CONFIRM_WORD = "LÖSCHEN"


class DeleteForm(BaseForm):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type LÖSCHEN to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().upper()
        if value not in (CONFIRM_WORD, "LOESCHEN"):
            raise forms.ValidationError(_("Please type LÖSCHEN to confirm."))
        return value


@never_cache
@login_required
def centre(request):
    user = request.user
    data = privacy.personal_data(user)
    counts = {
        key: len(value) if isinstance(value, list) else sum(len(v) for v in value.values())
        for key, value in data.items()
        if isinstance(value, list | dict) and key != "account"
    }
    context = {
        "data": data,
        "counts": counts,
        "consents": ParentalConsent.objects.filter(pupil=user).order_by("-created_at"),
        "delete_form": DeleteForm(user=user),
        "expires_on": privacy.pupil_expires_on(timezone.localdate(user.last_login or user.date_joined))
        if user.is_pupil
        else None,
    }
    return render(request, "accounts/privacy.html", context)


@never_cache
@login_required
def export(request):
    content = json.dumps(privacy.personal_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "einblick-meine-daten.json")
    return response


@login_required
@require_POST
def consent_withdraw(request, pk: int):
    """The pupil withdraws a parent's consent (or a pending request) — always possible."""
    consent = get_object_or_404(ParentalConsent, pk=pk, pupil=request.user)
    try:
        services.consent_withdraw(consent=consent)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent is withdrawn."))
    return redirect("accounts:privacy")


@never_cache
@login_required
def delete(request):
    user = request.user
    if request.method != "POST":
        raise Http404
    form = DeleteForm(request.POST, user=user)
    if not form.is_valid():
        data = privacy.personal_data(user)
        return render(
            request,
            "accounts/privacy.html",
            {
                "data": data,
                "counts": {},
                "consents": ParentalConsent.objects.filter(pupil=user).order_by("-created_at"),
                "delete_form": form,
            },
            status=400,
        )
    logout(request)
    privacy.account_delete(user, by=None)  # by the user themselves: the log names no one
    messages.success(request, _("Your account and your personal data are deleted. Goodbye!"))
    return redirect("core:home")


@login_required
def audit_log(request):
    """Staff: the audit log (newest first, 50 per page, by kind of action)."""
    from django.core.paginator import Paginator

    from .models import AuditEntry

    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    action = request.GET.get("aktion", "")
    entries = AuditEntry.objects.all()
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("seite"))
    return render(
        request,
        "accounts/audit.html",
        {"page": page, "actions": AuditEntry.Action.choices, "action": action},
    )


# ------------------------------------------------------------------------------------------------- two factors


class CodeForm(BaseForm):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/konto/"


@never_cache
@login_required
def two_factor(request):
    """Set up (QR code + first code), or switch off, two-factor authentication."""
    from . import two_factor as tf

    user = request.user
    is_active = tf.active(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if is_active:
                tf.disable(user, form.cleaned_data["code"])
            else:
                tf.confirm(user, form.cleaned_data["code"])
                tf.mark_passed(request)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            if is_active:
                messages.success(request, _("Two-factor authentication is switched off."))
                return redirect("accounts:two_factor")
            messages.success(
                request, _("Two-factor authentication is on. From now on you log in with a code.")
            )
            return redirect(_next(request))
    device = None if is_active else tf.setup_start(user)
    context = {
        "form": form,
        "is_active": is_active,
        "required": tf.required(user),
        "secret": device.secret if device else "",
        "qr": tf.qr_svg(user, device) if device else "",
        "next": _next(request),
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@login_required
def two_factor_check(request):
    """The code after the password."""
    from . import two_factor as tf

    if not tf.active(request.user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tf.check(request.user, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            tf.mark_passed(request)
            return redirect(_next(request))
    return render(request, "accounts/two_factor_check.html", {"form": form, "next": _next(request)})
