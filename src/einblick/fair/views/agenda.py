"""The personal agenda ("Meine Merkliste"): bookmarks with or without an account, conflicts, calendar download
and subscribable feed, e-mail reminders.

Without an account the bookmarks live in the browser (localStorage, ``static/fair/agenda.js``); the script sends
the ids along (``?ids=3,7``) and the server renders the list. Posts of the "Merken" button reach the server too:
for an account they change the agenda, without one they count the add (a number, no personal data) and keep a
copy in the session so the button also works without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import ics, rules, selectors, services
from ..models import Fair, Session

COUNTED_KEY = "fair:agenda-counted"


def _fair(slug: str) -> Fair:
    fair = selectors.fair_public(slug)
    if fair is None:
        raise Http404
    return fair


def _session(fair: Fair, pk: int) -> Session:
    try:
        return selectors.session_detail(fair, pk)
    except Session.DoesNotExist:
        raise Http404


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _browser_ids(request, fair: Fair) -> list[int]:
    """Ids sent by the browser (``?ids=``) first, then those that reached the session without JavaScript."""
    ids = selectors.parse_session_ids(request.GET.getlist("ids"))
    ids += [i for i in selectors.browser_agenda_ids(request, fair.pk) if i not in ids]
    return ids[: selectors.MAX_AGENDA_IDS]


@require_POST
def agenda_toggle(request, slug: str, pk: int):
    fair = _fair(slug)
    session = _session(fair, pk)
    action = request.POST.get("action", "add")
    if action not in {"add", "remove"}:
        return HttpResponseBadRequest("action must be add or remove")
    adding = action == "add"
    if rules.can_keep_account_agenda(request.user):
        if adding:
            services.agenda_add(user=request.user, session=session)
        else:
            services.agenda_remove(user=request.user, session=session)
    else:
        key = selectors.BROWSER_AGENDA_KEY.format(fair_id=fair.pk)
        ids = [i for i in selectors.browser_agenda_ids(request, fair.pk) if i != session.pk]
        if adding:
            ids.append(session.pk)
            counted = request.session.get(COUNTED_KEY, [])
            if session.pk not in counted:  # one count per browser session and session bookmarked
                services.session_counter_agenda_add(session=session)
                request.session[COUNTED_KEY] = [*counted, session.pk][-500:]
        request.session[key] = ids[-selectors.MAX_AGENDA_IDS :]
    if _wants_json(request):
        return JsonResponse({"session": session.pk, "saved": adding})
    if adding:
        messages.success(request, _("“%(title)s” is on your agenda.") % {"title": session.title})
    else:
        messages.success(request, _("“%(title)s” removed from your agenda.") % {"title": session.title})
    return redirect(_next_url(request, reverse("fair:agenda", args=[fair.slug])))


def agenda_page(request, slug: str):
    fair = _fair(slug)
    account = rules.can_keep_account_agenda(request.user)
    if account:
        items = selectors.agenda_items(request.user, fair)
        sessions = [item.session for item in items]
        ids = []
    else:
        items = None
        ids = _browser_ids(request, fair)
        sessions = selectors.sessions_by_ids(fair, ids)
    conflicts = selectors.agenda_conflicts(sessions)
    item_of = {item.session_id: item for item in items or []}
    rows = [
        {"session": session, "item": item_of.get(session.pk), "conflicts": conflicts.get(session.pk, [])}
        for session in sessions
    ]
    days = []
    for row in rows:
        day = timezone.localtime(row["session"].starts_at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(row)
    ics_url = reverse("fair:agenda_ics", args=[fair.slug])
    if not account and sessions:
        ics_url += "?ids=" + ",".join(str(s.pk) for s in sessions)
    context = {
        "fair": fair,
        "account": account,
        "days": days,
        "count": len(sessions),
        "conflict_count": sum(1 for row in rows if row["conflicts"]),
        "ics_url": ics_url,
        "can_remind": rules.can_get_reminders(request.user),
        "feed_url": "",
        "ids_param": ",".join(str(s.pk) for s in sessions),
    }
    if account:
        feed = services.agenda_feed_get(user=request.user)
        context["feed_url"] = request.build_absolute_uri(
            reverse("fair:agenda_feed", args=[selectors.agenda_feed_token(feed)])
        )
    return render(request, "fair/agenda.html", context)


@login_required
@require_POST
def agenda_remind(request, slug: str, pk: int):
    fair = _fair(slug)
    item = (
        request.user.agenda.filter(session__fair=fair, session_id=pk)
        .select_related("session", "user")
        .first()
    )
    if item is None:
        raise Http404
    remind = request.POST.get("remind") == "1"
    if remind and not rules.can_get_reminders(request.user):
        messages.error(request, _("Reminders need an e-mail address. Add one under “My account”."))
    else:
        services.agenda_set_remind(item=item, remind=remind)
        if remind:
            messages.success(request, _("We remind you by e-mail 15 minutes before it starts."))
        else:
            messages.success(request, _("Reminder switched off."))
    return redirect(reverse("fair:agenda", args=[fair.slug]) + f"#session-{pk}")


@login_required
@require_POST
def agenda_import(request, slug: str):
    """Take over the bookmarks of this browser into the account (after logging in)."""
    fair = _fair(slug)
    ids = selectors.parse_session_ids(request.POST.getlist("ids"))
    count = services.agenda_import(user=request.user, sessions=selectors.sessions_by_ids(fair, ids))
    messages.success(
        request, _("%(count)s bookmarked sessions of this browser added to your account.") % {"count": count}
    )
    return redirect("fair:agenda", slug=fair.slug)


@login_required
@require_POST
def agenda_feed_reset(request, slug: str):
    fair = _fair(slug)
    services.agenda_feed_reset(user=request.user)
    messages.success(
        request, _("Your calendar subscription has a new address. The old address no longer works.")
    )
    return redirect(reverse("fair:agenda", args=[fair.slug]) + "#kalender")


def _calendar_response(body: bytes, *, filename: str = "") -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def agenda_ics(request, slug: str):
    fair = _fair(slug)
    ids = selectors.parse_session_ids(request.GET.getlist("ids"))
    if ids:
        sessions = selectors.sessions_by_ids(fair, ids)
    elif rules.can_keep_account_agenda(request.user):
        sessions = [item.session for item in selectors.agenda_items(request.user, fair)]
    else:
        sessions = selectors.sessions_by_ids(fair, selectors.browser_agenda_ids(request, fair.pk))
    name = _("My agenda – %(fair)s") % {"fair": fair.name}
    return _calendar_response(ics.agenda_calendar(sessions, name=name), filename=f"merkliste-{fair.slug}.ics")


def agenda_feed(request, token: str):
    user = selectors.agenda_feed_user(token)
    if user is None:
        raise Http404
    name = _("My agenda – %(site)s") % {"site": settings.EINBLICK["SITE_NAME"]}
    return _calendar_response(ics.agenda_calendar(selectors.agenda_feed_sessions(user), name=name, feed=True))
