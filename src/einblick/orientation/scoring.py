"""Pure functions of the interest check: answers → profile → ranked professions with reasons.

Method (docs/orientation.md): each answer counts 2 ("mag ich"), 1 ("egal") or 0 ("mag ich nicht"); a type's score is
its five answers' sum scaled to 0–100. A profession's fit combines the *shape* of the two profiles (Pearson
correlation of the pupil's scores with the profession's 0–5 ratings) and the *level* (how much the pupil likes what
the profession mainly demands): fit = 0.6 · (corr + 1) / 2 + 0.4 · level. Ties are broken by name.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .statements import BY_KEY, DIMENSIONS, REASON_PHRASES, STATEMENTS

LIKE, NEUTRAL, DISLIKE = 2, 1, 0
ANSWER_VALUES = {"like": LIKE, "neutral": NEUTRAL, "dislike": DISLIKE}


def profile_from_answers(answers: Mapping[str, str]) -> dict[str, int]:
    """{"r1": "like", …} → {"R": 0–100, …}; unanswered statements count as neutral."""
    totals = dict.fromkeys(DIMENSIONS, 0)
    per_type = dict.fromkeys(DIMENSIONS, 0)
    for statement in STATEMENTS:
        totals[statement.dimension] += ANSWER_VALUES.get(answers.get(statement.key, "neutral"), NEUTRAL)
        per_type[statement.dimension] += 2
    return {d: round(100 * totals[d] / per_type[d]) for d in DIMENSIONS}


def valid_answers(answers: Mapping) -> dict[str, str]:
    """Only known statements and known answer values survive (a tampered session cannot break the check)."""
    return {k: v for k, v in answers.items() if k in BY_KEY and v in ANSWER_VALUES}


def _pearson(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    if vx == 0 or vy == 0:
        return 0.0
    return cov / math.sqrt(vx * vy)


def fit(profile: Mapping[str, int], riasec: Mapping[str, int]) -> float:
    """How well a profession (ratings 0–5) fits a pupil's profile (0–100 per type), between 0 and 1."""
    p = [profile[d] / 100 for d in DIMENSIONS]
    q = [riasec[d] / 5 for d in DIMENSIONS]
    weight = sum(q) or 1.0
    level = sum(pi * qi for pi, qi in zip(p, q, strict=True)) / weight
    return 0.6 * (_pearson(p, q) + 1) / 2 + 0.4 * level


def reason_types(profile: Mapping[str, int], riasec: Mapping[str, int], limit: int = 2) -> list[str]:
    """The types that carry the match: liked by the pupil and demanded by the profession."""
    shared = [(profile[d] / 100 * riasec[d] / 5, -i, d) for i, d in enumerate(DIMENSIONS)]
    shared = [row for row in shared if profile[row[2]] >= 50 and riasec[row[2]] >= 3]
    return [d for _, _, d in sorted(shared, reverse=True)[:limit]]


def reason_text(types: list[str], language: str = "de") -> str:
    phrases = [getattr(REASON_PHRASES[d], "en" if language.startswith("en") else "de") for d in types]
    if not phrases:
        return ""
    joined = (
        phrases[0]
        if len(phrases) == 1
        else f"{phrases[0]} {'and' if language.startswith('en') else 'und'} {phrases[1]}"
    )
    return f"because you like to {joined}" if language.startswith("en") else f"weil du gern {joined}"


@dataclass
class Match:
    profession: object
    score: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def rank(profile: Mapping[str, int], professions: Iterable, limit: int = 10) -> list[Match]:
    """Professions (objects with ``riasec`` and ``name``) ordered by fit; stable for ties (by name)."""
    matches = [Match(p, fit(profile, p.riasec), reason_types(profile, p.riasec)) for p in professions]
    matches.sort(key=lambda m: (-round(m.score, 6), m.profession.name))
    return matches[:limit]


def top_types(profile: Mapping[str, int], limit: int = 2) -> list[str]:
    ordered = sorted(DIMENSIONS, key=lambda d: (-profile[d], DIMENSIONS.index(d)))
    return [d for d in ordered[:limit] if profile[d] >= 50]
