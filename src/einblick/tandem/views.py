"""Digital-Tandem: companies state needs, providers describe offers, staff match and confirm tandems."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company

from . import matching, rules, services
from .forms import NeedForm, OfferForm, TandemForm
from .models import Need, Provider, Tandem, TrainingOffer


def _suggestions(needs, limit=3) -> dict[int, list[dict]]:
    """Ranked offers per need with the offers and translated reasons (for the templates)."""
    need_list = list(needs)
    if not need_list:
        return {}
    offers_qs = TrainingOffer.objects.filter(active=True)
    need_ins, offer_ins = matching.from_models(
        Need.objects.filter(pk__in=[n.pk for n in need_list]), offers_qs
    )
    offers = {o.pk: o for o in offers_qs.select_related("provider")}
    today = timezone.localdate()
    out = {}
    for need_in in need_ins:
        rows = []
        for s in matching.suggest(need_in, offer_ins, today, limit=limit):
            rows.append(
                {
                    "offer": offers[s.offer_id],
                    "score": s.score,
                    "reasons": matching.explain(s),
                }
            )
        out[need_in.id] = rows
    return out


@login_required
def index(request):
    user = request.user
    companies = Company.objects.filter(memberships__user=user)
    providers = Provider.objects.filter(members=user)
    needs = Need.objects.filter(company__in=companies).prefetch_related("topics").select_related("company")
    context = {
        "companies": companies,
        "needs": needs,
        "suggestions": _suggestions(needs.filter(status=Need.Status.OPEN)),
        "providers": providers,
        "offers": TrainingOffer.objects.filter(provider__in=providers).select_related("provider"),
        "tandems": Tandem.objects.filter(need__company__in=companies).select_related(
            "need__company", "offer__provider"
        )
        | Tandem.objects.filter(offer__provider__in=providers).select_related(
            "need__company", "offer__provider"
        ),
        "staff": rules.can_manage(user),
    }
    return render(request, "tandem/index.html", context)


@login_required
def need_new(request, slug: str):
    company = get_object_or_404(Company, slug=slug)
    if not rules.can_act_for_company(request.user, company):
        raise Http404
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.need_create(company=company, user=request.user, topics=data.pop("topics"), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Thank you! The network looks for a fitting offer and gets in touch.")
            )
            return redirect("tandem:index")
    return render(request, "tandem/need_form.html", {"form": form, "company": company})


@login_required
def overview(request):
    """Staff: open needs with ranked suggestions, and uncovered needs several companies share (clusters)."""
    if not rules.can_manage(request.user):
        raise Http404
    open_needs = Need.objects.filter(status=Need.Status.OPEN)
    need_ins, offer_ins = matching.from_models(open_needs, TrainingOffer.objects.filter(active=True))
    needs = open_needs.select_related("company").prefetch_related("topics")
    found = matching.clusters(need_ins, offer_ins, timezone.localdate(), min_companies=2)
    from .models import Topic

    topics = {t.pk: t for t in Topic.objects.select_related("parent")}
    clusters = [{"cluster": c, "topic": topics.get(c.topic_id)} for c in found]
    context = {
        "needs": needs,
        "suggestions": _suggestions(needs),
        "clusters": clusters,
        "tandems": Tandem.objects.select_related("need__company", "offer__provider")[:50],
    }
    return render(request, "tandem/overview.html", context)


@login_required
@require_POST
def confirm(request):
    if not rules.can_manage(request.user):
        raise Http404
    need = get_object_or_404(Need, pk=request.POST.get("need") or 0)
    offer = get_object_or_404(TrainingOffer, pk=request.POST.get("offer") or 0)
    try:
        tandem = services.tandem_confirm(need=need, offer=offer, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tandem:overview")
    messages.success(request, _("The tandem is confirmed; both sides are notified."))
    return redirect("tandem:tandem", pk=tandem.pk)


@login_required
def tandem(request, pk: int):
    obj = get_object_or_404(Tandem.objects.select_related("need__company", "offer__provider"), pk=pk)
    if not rules.can_see_tandem(request.user, obj):
        raise Http404
    form = TandemForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.tandem_update(
                tandem=obj,
                status=form.cleaned_data["status"],
                goals=form.cleaned_data["goals"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The tandem is saved."))
            return redirect("tandem:tandem", pk=obj.pk)
    return render(request, "tandem/tandem.html", {"tandem": obj, "form": form})


@login_required
def offer_edit(request, provider_pk: int, pk: int | None = None):
    provider = get_object_or_404(Provider, pk=provider_pk)
    if not rules.can_act_for_provider(request.user, provider):
        raise Http404
    offer = (
        get_object_or_404(TrainingOffer, pk=pk, provider=provider) if pk else TrainingOffer(provider=provider)
    )
    form = OfferForm(request.POST or None, instance=offer, initial={"formats": offer.formats} if pk else None)
    if request.method == "POST" and form.is_valid():
        offer = form.save(commit=False)
        offer.formats = form.cleaned_data["formats"]
        try:
            services.offer_save(offer=offer, topics=form.cleaned_data["topics"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect("tandem:index")
    title = _("Edit offer") if pk else _("New offer")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "back": "/tandem/", "submit": _("Save")},
    )
