"""Texts the Q&A script shows (translated on the server, handed to the page as JSON: no JS catalogue needed)."""

from django.utils.translation import gettext as _


def client_texts(*, moderator: bool) -> dict:
    texts = {
        "connecting": _("Connecting …"),
        "live": _("Live: new questions and answers appear by themselves."),
        "reconnecting": _("Connection lost – reconnecting …"),
        "closed": _("The Q&A is closed."),
        "viewers_one": _("1 person is watching"),
        "viewers_many": _("%(count)s people are watching"),
        "reported": _("Reported"),
    }
    if moderator:
        texts.update(
            {
                "live": _("Live: questions appear by themselves."),
                "held_filter": _("held by the word filter"),
                "held_premoderation": _("waiting for approval"),
                "held_reports": _("reported %(count)s times"),
                "confirm_ban": _(
                    "Ban “%(nickname)s” from this session's questions and hide all their questions?"
                ),
            }
        )
    return texts
