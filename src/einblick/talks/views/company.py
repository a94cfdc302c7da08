"""Companies: the talk list of a round (printable, with attendance) and their own offer while wishes are open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company

from .. import rules, selectors, services
from ..forms import OfferForm
from ..models import Talk, TalkOffer, TalkRound
from .common import attempt, round_for


def _company(request, company_pk: int) -> Company:
    company = get_object_or_404(Company, pk=company_pk)
    if not rules.can_act_for_company(request.user, company):
        raise Http404
    return company


@login_required
def talk_list(request, pk: int, company_pk: int):
    company = _company(request, company_pk)
    round = round_for(pk, request.user)
    offer = get_object_or_404(TalkOffer, round=round, company=company)
    published = round.status == TalkRound.Status.PUBLISHED
    now = timezone.now()
    days: dict = {}
    if published:
        for talk in selectors.company_talks(round=round, company=company):
            talk.video = selectors.video_visible(talk, now)
            talk.can_mark = talk.starts_at <= now
            days.setdefault(timezone.localtime(talk.starts_at).date(), []).append(talk)
    context = {
        "round": round,
        "company": company,
        "offer": offer,
        "published": published,
        "days": sorted(days.items()),
        "can_edit": services.wishes_open(round, now) or round.status == TalkRound.Status.DRAFT,
    }
    return render(request, "talks/company.html", context)


@login_required
def offer_edit(request, pk: int, company_pk: int):
    company = _company(request, company_pk)
    round = round_for(pk, request.user)
    offer = get_object_or_404(TalkOffer, round=round, company=company)
    if not (services.wishes_open(round) or round.status == TalkRound.Status.DRAFT):
        messages.error(request, _("The allocation has started; please ask the network team for changes."))
        return redirect("talks:company", pk=round.pk, company_pk=company.pk)
    form = OfferForm(request.POST or None, instance=offer, round=round, company_fixed=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(offer=form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect("talks:company", pk=round.pk, company_pk=company.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Talk offer of %(company)s") % {"company": company.name},
            "intro": _("How many talks you can hold at once, with how many pupils each, and when."),
            "back": f"/gespraeche/{round.pk}/betrieb/{company.pk}/",
            "submit": _("Save"),
        },
    )


@login_required
@require_POST
def attendance(request, talk_pk: int):
    talk = get_object_or_404(Talk.objects.select_related("round", "offer__company"), pk=talk_pk)
    company = _company(request, talk.offer.company_id)
    attended = request.POST.get("attended") == "1"
    attempt(
        request,
        lambda: services.attendance_mark(talk=talk, attended=attended),
        _("Marked as attended.") if attended else _("Marked as not come."),
    )
    return redirect(f"/gespraeche/{talk.round_id}/betrieb/{company.pk}/#talk-{talk.pk}")
