"""Template helpers of the fair: the "Merken" state of a session, a company's fairs."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def agenda_saved(context, session) -> bool:
    """Whether the session is on the visitor's agenda (one query per page for an account, cached on the request)."""
    request = context.get("request")
    if request is None:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        ids = getattr(request, "_fair_agenda_ids", None)
        if ids is None:
            ids = request._fair_agenda_ids = selectors.agenda_session_ids(user)
        return session.pk in ids
    return session.pk in selectors.browser_agenda_ids(request, session.fair_id)


@register.simple_tag
def fair_exhibitions(company):
    return selectors.exhibitions_of_company(company)
