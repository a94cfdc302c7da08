"""Tickets and check-in (issue #6, item 4).

- ``ticket_qr``: the QR code of a confirmed registration, for its holder, hosts and staff.
- ``checkin_page``: the check-in page for hosts and staff, built for phones. Typing a code is a plain form that works
  without JavaScript; ``checkin.js`` adds the camera scanner and an offline queue on top.
- ``checkin_api``: the JSON endpoint ``checkin.js`` talks to. Business refusals (unknown ticket, other event, not
  confirmed, already checked in, not today) answer 200 with ``ok: false`` so a queue can tell them from a failed
  connection; 400 only for a malformed request.
"""

import json
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from .. import rules, services, tickets
from ..models import Event, Registration

RECENT = 10  # check-ins listed on the page
SCAN_MAX_AGE = timedelta(hours=24)  # an offline scan older than this is checked in at the time it arrives


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Enter code"),
        max_length=200,
        help_text=gettext_lazy("The 12 characters under the QR code, e.g. ABCD-EFGH-JKMN."),
    )
    attended = forms.IntegerField(
        label=gettext_lazy("Present"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=gettext_lazy("For a class ticket: how many pupils came. Empty: the whole group."),
    )


def _js_messages() -> dict:
    """Texts checkin.js shows, translated here (the page has no JavaScript translation catalogue)."""
    return {
        "ok": _("Checked in"),
        "error": _("Not checked in"),
        "checking": _("Checking …"),
        "queued": _("Waiting for connection"),
        "queued_detail": _("The scan is saved on this phone and sent as soon as there is a connection."),
        "present": _("%(attended)s of %(places)s present"),
        "places": _("%(places)s places"),
        "already_yours": _("This phone had checked the ticket in already; the answer was lost on the way."),
        "login": _("Your login has expired. Reload the page and log in again; the saved scans are kept."),
        "server": _("The server did not answer properly. The scan is kept and sent again."),
        "server_dropped": _("The server could not check this ticket. Please check it by hand: %(code)s"),
        "queue_one": _("1 scan is waiting for a connection"),
        "queue_many": _("%(n)s scans are waiting for a connection"),
        "camera_denied": _("The camera may not be used. Allow it in the browser settings, or type the code."),
        "camera_failed": _("The camera could not be started. Type the code instead."),
        "code_missing": _("Enter the code first."),
    }


def _hosted_event(user, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not rules.can_host(user, event):
        raise Http404
    return event


def _counts(event: Event) -> dict:
    """People, not tickets: a class ticket counts with its places (checked in: the pupils present)."""
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).aggregate(
        confirmed=Coalesce(Sum("places"), 0),
        checked_in=Coalesce(
            Sum(Coalesce("attended", "places"), filter=Q(checked_in_at__isnull=False)),
            0,
        ),
    )


def _recent(event: Event):
    return (
        Registration.objects.filter(event=event, checked_in_at__isnull=False)
        .select_related("pupil", "teacher", "school_class__school", "company")
        .order_by(F("checked_in_at").desc(), "-pk")[:RECENT]
    )


def _success_message(registration: Registration) -> str:
    if registration.company_id:
        return _("Checked in: %(name)s, %(attended)d of %(places)d participants present.") % {
            "name": registration.holder_name,
            "attended": registration.attended,
            "places": registration.places,
        }
    if registration.is_group:
        return _("Checked in: %(name)s, %(attended)d of %(places)d pupils present.") % {
            "name": registration.holder_name,
            "attended": registration.attended,
            "places": registration.places,
        }
    return _("Checked in: %(name)s.") % {"name": registration.holder_name}


def _result(registration: Registration) -> dict:
    checked_in_at = timezone.localtime(registration.checked_in_at)
    return {
        "ok": True,
        "name": registration.holder_name,
        "group": registration.is_group,
        "places": registration.places,
        "attended": registration.attended,
        "ticket": registration.ticket_display,
        "checked_in_at": checked_in_at.isoformat(),
        "time": checked_in_at.strftime("%H:%M"),
        "message": _success_message(registration),
    }


# ------------------------------------------------------------------------------------------------------ ticket


@login_required
def ticket_qr(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if not rules.can_see_registration(request.user, registration):
        raise Http404
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404  # no ticket while waiting, and none any more once cancelled
    response = HttpResponse(tickets.qr_svg(registration), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    # opened on its own, the SVG may not run anything or load anything
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# ---------------------------------------------------------------------------------------------------- check-in


@login_required
def checkin_page(request, slug: str):
    event = _hosted_event(request.user, slug)
    form = CheckinForm(request.POST or None)
    error_code = ""
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.checkin(
                event=event,
                code=form.cleaned_data["code"],
                by=request.user,
                attended=form.cleaned_data["attended"],
            )
        except ValidationError as exc:
            error_code = exc.code or "invalid"
            form.add_error("code", exc)  # the typed code stays in the field
        else:
            messages.success(request, _success_message(registration))
            return redirect("events:checkin", slug=event.slug)
    elif form.errors:
        error_code = "invalid"
    now = timezone.now()
    opens, closes = event.starts_at - services.CHECKIN_EARLY, event.ends_at + services.CHECKIN_LATE
    context = {
        "event": event,
        "form": form,
        "error_code": error_code,
        "counts": _counts(event),
        "recent": _recent(event),
        "window_open": opens <= now <= closes,
        "opens": opens,
        "closes": closes,
        "js_messages": _js_messages(),
    }
    return render(request, "events/checkin.html", context)


def _json_error(code: str, message: str, status: int = 200, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "message": message, **extra}, status=status)


def _scan_time(raw, now):
    """When an offline scan happened, if the phone says so plausibly; else ``now``. Raises ValueError if garbled."""
    if raw in (None, ""):
        return now
    when = parse_datetime(str(raw))
    if when is None:
        raise ValueError(raw)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now or now - when > SCAN_MAX_AGE:
        return now  # a wrong clock on the phone must not move the check-in window
    return when


@csrf_protect
def checkin_api(request, slug: str):
    if request.method != "POST":
        response = _json_error("method", _("Method not allowed."), status=405)
        response["Allow"] = "POST"
        return response
    if not request.user.is_authenticated:
        # JSON rather than a redirect to the login page: the phone keeps the scan and asks to log in again
        return _json_error("login", _("Please log in again."), status=401)
    event = get_object_or_404(Event, slug=slug)
    if not rules.can_host(request.user, event):
        return _json_error("not_found", _("Not found."), status=404)

    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _json_error("invalid", _("The request could not be read."), status=400)
        if not isinstance(data, dict):
            return _json_error("invalid", _("The request could not be read."), status=400)
    else:
        data = request.POST
    form = CheckinForm({"code": data.get("code", ""), "attended": data.get("attended", "")})
    now = timezone.now()
    try:
        scanned_at = _scan_time(data.get("scanned_at"), now)
    except ValueError:
        form.add_error(None, _("The scan time could not be read."))
    if not form.is_valid():
        message = " ".join(" ".join(errors) for errors in form.errors.values())
        return _json_error("invalid", message, status=400)

    code = form.cleaned_data["code"]
    try:
        registration = services.checkin(
            event=event, code=code, by=request.user, attended=form.cleaned_data["attended"], now=scanned_at
        )
    except ValidationError as exc:
        extra = {}
        if exc.code == "already":
            # who it was and whether this phone did it (a retried offline scan whose first answer got lost)
            earlier = (
                Registration.objects.filter(event=event, ticket=services.normalise_code(code))
                .select_related("pupil", "teacher", "school_class__school", "company")
                .first()
            )
            if earlier is not None:
                extra = {
                    "name": earlier.holder_name,
                    "places": earlier.places,
                    "attended": earlier.attended,
                    "checked_in_at": timezone.localtime(earlier.checked_in_at).isoformat(),
                    "by_you": earlier.checked_in_by_id == request.user.pk,
                }
        return _json_error(exc.code or "invalid", " ".join(exc.messages), counts=_counts(event), **extra)
    return JsonResponse({**_result(registration), "counts": _counts(event)})
