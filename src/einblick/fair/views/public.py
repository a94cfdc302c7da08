"""Public pages of the fair: programme with "now live" and "next", session pages, exhibitors and booths."""

from datetime import date, timedelta

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from einblick.core import pagecache
from einblick.core.pagecache import cached_page
from einblick.insights.tracking import track
from einblick.orientation import selectors as orientation

from .. import selectors
from ..forms import ExhibitorFilterForm, ProgrammeFilterForm
from ..models import Fair, Session


def _fair(slug: str) -> Fair:
    fair = selectors.fairs_public().filter(slug=slug).first()
    if fair is None:
        raise Http404
    return fair


def fair_index(request):
    fair = selectors.fair_current()
    if fair is None:
        return render(request, "fair/no_fair.html")
    return redirect(fair.get_absolute_url())


@cached_page(params=("tag", "buehne", "beruf", "format", "q", "ergebnis"))
def programme(request, slug: str):
    fair = _fair(slug)
    track(request, "programme")
    now = timezone.now()
    pagecache.expires_in(request, selectors.seconds_to_next_change(fair, now))
    phase = selectors.fair_phase(fair, now)
    form = ProgrammeFilterForm(
        request.GET or None, fair=fair, professions=selectors.professions_in_fair(fair)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    day = date.fromisoformat(data["tag"]) if data.get("tag") else None
    if not form.is_bound and phase.window is not None:
        window = phase.window
        # phone-sized default: the current or next day — unless that window runs past midnight (then all of it)
        if timezone.localdate(window.starts_at) == timezone.localdate(window.ends_at - timedelta(seconds=1)):
            day = window.date
    interest_ids = orientation.profession_ids_for_result(data.get("ergebnis", ""))
    filters = selectors.ProgrammeFilter(
        day=day,
        stage=data.get("buehne", ""),
        profession=data.get("beruf", ""),
        format=data.get("format", ""),
        query=data.get("q", ""),
        profession_ids=interest_ids,
        archive=phase.name == "after",
    )
    sessions = list(selectors.programme(fair, filters))
    live = selectors.sessions_live(fair, now) if phase.is_open else []
    context = {
        "fair": fair,
        "phase": phase,
        "now": now,
        "hours": selectors.fair_hours(fair),
        "live": live,
        "live_ids": {session.pk for session in live},
        "next": selectors.sessions_next(fair, now, limit=4) if phase.name != "after" else [],
        "form": form,
        "day": day,
        "days": selectors.programme_by_day(sessions),
        "count": len(sessions),
        "interest_filter": interest_ids is not None,
    }
    return render(request, "fair/programme.html", context)


# A live session's page lists the Q&A's questions (the script then follows them live): kept this briefly.
LIVE_PAGE_SECONDS = 10


def session_seconds_to_change(session: Session, now) -> float | None:
    if now < session.starts_at:
        return (session.starts_at - now).total_seconds()
    if now < session.ends_at:
        return min(LIVE_PAGE_SECONDS, (session.ends_at - now).total_seconds())
    return None


@cached_page
def session_detail(request, slug: str, pk: int):
    fair = _fair(slug)
    try:
        session = selectors.session_detail(fair, pk)
    except Session.DoesNotExist:
        raise Http404
    track(request, "session", profession=session.professions.first, company=session.company_id)
    now = timezone.now()
    pagecache.expires_in(request, session_seconds_to_change(session, now))
    context = {
        "fair": fair,
        "session": session,
        "live": session.is_live(now),
        "past": session.is_past(now),
        "exhibitor": selectors.exhibitor_of_session(session),
    }
    return render(request, "fair/session.html", context)


@cached_page(params=("beruf",))
def exhibitor_list(request, slug: str):
    fair = _fair(slug)
    form = ExhibitorFilterForm(request.GET or None, professions=selectors.exhibitor_professions(fair))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    exhibitors = list(selectors.exhibitors_filtered(fair, profession=data.get("beruf", "")))
    context = {"fair": fair, "exhibitors": exhibitors, "form": form, "count": len(exhibitors)}
    return render(request, "fair/exhibitors.html", context)
