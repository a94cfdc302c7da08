"""``{% live_qa session live as qa %}``: what the session page needs to include the Q&A (``live/_qa.html``).

None when the page shows no Q&A: switched off, or the session is not live and the viewer is not its presenter.
"""

from django import template

from .. import protocol, rules, selectors
from ..texts import client_texts
from ..views import read_draft, ws_path

register = template.Library()


@register.simple_tag(takes_context=True)
def live_qa(context, session, live=None):
    request = context.get("request")
    if not session.qa_enabled:
        return None
    live = session.is_live() if live is None else bool(live)
    user = getattr(request, "user", None)
    can_moderate = rules.can_moderate_session(user, session)
    if not (live or can_moderate):
        return None
    seq = selectors.room_seq(session.pk)
    questions = list(selectors.questions_public(session.pk))
    return {
        "session": session,
        "live": live,
        "open": rules.can_ask(session),
        "can_moderate": can_moderate,
        "questions": questions,
        "state": {"seq": seq, "questions": [protocol.question_public(q) for q in questions]},
        "texts": client_texts(moderator=False),
        "ws_path": ws_path(session.pk),
        "draft": read_draft(request) if request is not None else {},
    }
