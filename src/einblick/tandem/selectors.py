"""Reads of the Digital-Tandem: suggestions for needs, a user's needs/offers/tandems, the staff overview."""

from django.utils import timezone

from . import matching
from .models import Need, Provider, Tandem, Topic, TrainingOffer


def offers_suggestable():
    """Active offers companies may be offered: not those whose seminar date is still a draft."""
    return TrainingOffer.objects.filter(active=True).exclude(event__status="draft")


def suggestions(needs, limit=3) -> dict[int, list[dict]]:
    """Ranked offers per need with the offers and translated reasons (for the templates)."""
    need_list = list(needs)
    if not need_list:
        return {}
    offers_qs = offers_suggestable()
    need_ins, offer_ins = matching.from_models(
        Need.objects.filter(pk__in=[n.pk for n in need_list]), offers_qs
    )
    offers = {o.pk: o for o in offers_qs.select_related("provider")}
    today = timezone.localdate()
    out = {}
    for need_in in need_ins:
        out[need_in.id] = [
            {"offer": offers[s.offer_id], "score": s.score, "reasons": matching.explain(s)}
            for s in matching.suggest(need_in, offer_ins, today, limit=limit)
        ]
    return out


def overview_of_user(user) -> dict:
    """What a company member or provider sees on /tandem/: their needs with suggestions (and whether they asked
    for each offer already), their offers, their tandems."""
    from einblick.catalog.models import Company

    companies = Company.objects.filter(memberships__user=user)
    providers = Provider.objects.filter(members=user)
    needs = Need.objects.filter(company__in=companies).prefetch_related("topics").select_related("company")
    found = suggestions(needs.filter(status=Need.Status.OPEN))
    asked = set(Tandem.objects.filter(need__company__in=companies).values_list("need_id", "offer_id"))
    for need_id, rows in found.items():
        for row in rows:
            row["asked"] = (need_id, row["offer"].pk) in asked
    related = ("need__company", "offer__provider")
    return {
        "companies": companies,
        "needs": needs,
        "suggestions": found,
        "providers": providers,
        "offers": TrainingOffer.objects.filter(provider__in=providers).select_related("provider"),
        "tandems": Tandem.objects.filter(need__company__in=companies).select_related(*related)
        | Tandem.objects.filter(offer__provider__in=providers).select_related(*related),
    }


def staff_overview() -> dict:
    """Staff: requests of companies, open needs with ranked suggestions, and the uncovered needs several companies
    share (clusters; a commissioned seminar whose date is still a draft covers its topic already)."""
    open_needs = Need.objects.filter(status=Need.Status.OPEN)
    need_ins, offer_ins = matching.from_models(open_needs, TrainingOffer.objects.filter(active=True))
    needs = open_needs.select_related("company").prefetch_related("topics")
    found = matching.clusters(need_ins, offer_ins, timezone.localdate(), min_companies=2)
    topics = {t.pk: t for t in Topic.objects.select_related("parent")}
    return {
        "requests": Tandem.objects.filter(status=Tandem.Status.REQUESTED).select_related(
            "need__company", "offer__provider"
        ),
        "needs": needs,
        "suggestions": suggestions(needs),
        "clusters": [{"cluster": c, "topic": topics.get(c.topic_id)} for c in found],
        "tandems": Tandem.objects.select_related("need__company", "offer__provider")[:50],
    }
