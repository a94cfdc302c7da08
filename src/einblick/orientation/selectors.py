"""Reads of the interest check: the ranked professions with companies, offers and next steps nearby."""

from dataclasses import dataclass, field

from einblick.catalog import selectors as catalog
from einblick.catalog.models import Profession

from . import hooks, scoring
from .models import InterestResult


@dataclass
class ResultRow:
    match: scoring.Match
    reason: str
    offers: list = field(default_factory=list)  # Located offers, nearest first
    companies: list = field(default_factory=list)  # Located companies, nearest first
    next_steps: list = field(default_factory=list)


def result_rows(
    profile: dict[str, int],
    *,
    language: str,
    origin=None,
    radius_km=None,
    certificate: str = "",
    kind: str = "",
) -> list[ResultRow]:
    professions = Profession.objects.filter(is_active=True).select_related("field")
    matches = scoring.rank(profile, professions, limit=10)
    ids = [m.profession.pk for m in matches]
    offers = catalog.offers_filter(
        profession_ids=ids, origin=origin, radius_km=radius_km, certificate=certificate, kind=kind
    )
    companies = catalog.companies_filter(profession_ids=ids, origin=origin, radius_km=radius_km)
    steps = hooks.next_steps([m.profession for m in matches], origin)
    rows = []
    for match in matches:
        pk = match.profession.pk
        rows.append(
            ResultRow(
                match=match,
                reason=scoring.reason_text(match.reasons, language),
                offers=[loc for loc in offers if loc.item.profession_id == pk],
                companies=[loc for loc in companies if any(p.pk == pk for p in loc.item.matched_professions)],
                next_steps=steps.get(pk, []),
            )
        )
    return rows


def profession_ids_for_result(token: str, limit: int = 20) -> list[int] | None:
    """The best-fitting professions of an interest-check result link; None for a missing or changed link."""
    from .tokens import profile_from_token

    profile = profile_from_token(token) if token else None
    if profile is None:
        return None
    return [
        m.profession.pk for m in scoring.rank(profile, Profession.objects.filter(is_active=True), limit=limit)
    ]


def shared_results_of_class(school_class) -> list[dict]:
    """The latest result of each pupil of the class who chose to share it with the teacher."""
    latest = {}
    for result in InterestResult.objects.filter(
        user__school_class=school_class, shared_with_teacher=True
    ).select_related("user"):
        latest.setdefault(result.user_id, result)
    return [
        {
            "nickname": r.user.nickname,
            "top": scoring.top_types(r.profile, limit=3),
            "created_at": r.created_at,
        }
        for r in sorted(latest.values(), key=lambda r: r.user.nickname.lower())
    ]


def results_of(user) -> list[dict]:
    """The user's saved results with their result links (newest first)."""
    from .tokens import result_token

    return [
        {"result": r, "token": result_token(r.profile), "top": scoring.top_types(r.profile)}
        for r in InterestResult.objects.filter(user=user)[:10]
    ]
