"""Calendar files (iCalendar, RFC 5545) of bookmarked sessions: the download and the subscribable feed.

Times are written in Europe/Berlin (the site's TIME_ZONE) with its VTIMEZONE, so every calendar shows the right
local time, also across the change to and from summer time.
"""

from datetime import timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Session


def _host() -> str:
    return urlparse(settings.EINBLICK["BASE_URL"]).hostname or "einblick"


def session_uid(session: Session) -> str:
    return f"fair-session-{session.pk}@{_host()}"


def agenda_calendar(sessions: list[Session], *, name: str, feed: bool = False) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    base_url = settings.EINBLICK["BASE_URL"]
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.EINBLICK['SITE_NAME']}//Einblick Messe//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if feed:
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for session in sessions:
        if not (session.starts_at and session.ends_at):
            continue
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", stamp)
        event.add("last-modified", session.updated_at)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", session.title)
        url = base_url + session.get_absolute_url()
        event.add("url", url)
        location = f"{session.fair.name} – {session.stage.name}" if session.stage_id else session.fair.name
        event.add("location", f"{location} (online)")
        lines = []
        if session.company_id:
            lines.append(session.company.name)
        if session.description:
            lines.append(session.description)
        lines.append(url)
        event.add("description", "\n\n".join(lines))
        if session.status == Session.Status.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    starts = [s.starts_at for s in sessions if s.starts_at]
    if starts:
        first = timezone.localtime(min(starts)).date() - timedelta(days=366)
        last = timezone.localtime(max(starts)).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
