"""The fair's next steps on the interest-check result: the next live sessions of each profession."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from einblick.orientation.hooks import NextStep, register

from . import selectors


@register
def upcoming_sessions(professions, origin) -> dict[int, list[NextStep]]:
    found = selectors.sessions_of_profession_upcoming([p.pk for p in professions])
    steps = {}
    for profession_id, sessions in found.items():
        steps[profession_id] = [
            NextStep(
                label=_("Live session: %(title)s, %(when)s")
                % {
                    "title": s.title,
                    "when": formats.date_format(timezone.localtime(s.starts_at), "D j.n. H:i"),
                },
                url=s.get_absolute_url(),
                kind="session",
            )
            for s in sessions
        ]
    return steps
