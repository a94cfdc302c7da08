"""Who may do what in the live Q&A. The only place such checks live.

Asking, voting and reporting need no account (a visitor id from the browser stands for the visitor); moderating a
session's Q&A — answering, hiding, approving, banning — is for the members of the session's company and network
staff.
"""

from einblick.catalog.rules import can_manage_company


def can_moderate_session(user, session) -> bool:
    if user is None or not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return session.company_id is not None and can_manage_company(user, session.company)


def can_ask(session, *, is_moderator: bool = False, now=None) -> bool:
    """Questions and votes while the session is live (moderators may try the Q&A out before)."""
    return session.qa_enabled and (is_moderator or session.is_live(now))
