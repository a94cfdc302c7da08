"""Writes of the fair: sessions and their search text; exhibitors."""

from django.db import transaction

from einblick.catalog import search

from .models import Exhibitor, Fair, Session


def session_refresh_search_text(session: Session) -> None:
    parts = [session.title, session.get_format_display()]
    if session.company_id:
        parts.append(session.company.name)
    parts += [p.name for p in session.professions.all()]
    parts += [speaker.get("name", "") for speaker in session.speakers]
    text = search.document(*parts)
    Session.objects.filter(pk=session.pk).update(search_text=text)
    session.search_text = text


@transaction.atomic
def session_save(*, fair: Fair, session: Session | None = None, professions=None, **fields) -> Session:
    session = session or Session(fair=fair)
    for key, value in fields.items():
        setattr(session, key, value)
    session.fair = fair
    session.full_clean()
    session.save()
    if professions is not None:
        session.professions.set(professions)
    session_refresh_search_text(session)
    return session


def exhibitor_add(*, fair: Fair, company, intro: str = "", video_url: str = "") -> Exhibitor:
    exhibitor, _ = Exhibitor.objects.get_or_create(
        fair=fair, company=company, defaults={"intro": intro, "video_url": video_url}
    )
    return exhibitor
