"""Next steps shown with each profession on the result page.

Later pillars (fair sessions, events, duels) register a provider here; each provider returns, for the given
professions and place, a mapping profession id → list of NextStep. The result page shows what they return.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NextStep:
    label: str  # e.g. "Live-Session: Werkstattführung, Mo 9:00"
    url: str
    kind: str  # "session", "event", "duel", "talk"


Provider = Callable[[list, object], dict[int, list[NextStep]]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def next_steps(professions: list, origin) -> dict[int, list[NextStep]]:
    steps: dict[int, list[NextStep]] = {}
    for provider in PROVIDERS:
        for profession_id, items in provider(professions, origin).items():
            steps.setdefault(profession_id, []).extend(items)
    return steps
