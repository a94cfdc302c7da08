"""Staff: rounds and offers, allocation with progress, review with manual changes, publishing, no-shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from einblick.accounts.models import User

from .. import rules, selectors, services
from ..forms import OfferForm, PlaceForm, RoundForm
from ..models import Talk, TalkOffer, TalkRound
from .common import attempt, round_for

REASONS = {
    "capacity": gettext_lazy("all seats of fitting companies were taken at the pupil's free times"),
    "availability": gettext_lazy("no time the pupil and the company share"),
    "ranking": gettext_lazy("the plan was full with higher-ranked or first talks"),
    "consent": gettext_lazy("the consent of a parent is missing"),
    "withdrawn": gettext_lazy("the company left the round"),
}


def _staff(request):
    if not rules.can_manage_rounds(request.user):
        raise Http404


def _form_page(request, form, title, back, submit=None):
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "back": back, "submit": submit or _("Save")},
    )


@login_required
def round_edit(request, pk: int | None = None):
    _staff(request)
    round = round_for(pk, request.user) if pk else None
    form = RoundForm(request.POST or None, instance=round)
    if request.method == "POST" and form.is_valid():
        round = services.round_save(form=form)
        messages.success(request, _("The round is saved."))
        return redirect("talks:manage", pk=round.pk)
    back = "/gespraeche/" if round is None else f"/gespraeche/{round.pk}/verwalten/"
    return _form_page(request, form, _("Edit talk round") if round else _("New talk round"), back)


@login_required
def offer_edit(request, pk: int, offer_pk: int | None = None):
    _staff(request)
    round = round_for(pk, request.user)
    offer = get_object_or_404(TalkOffer, round=round, pk=offer_pk) if offer_pk else TalkOffer(round=round)
    form = OfferForm(request.POST or None, instance=offer, round=round)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(offer=form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect("talks:manage", pk=round.pk)
    title = (
        _("Talk offer of %(company)s") % {"company": offer.company.name} if offer_pk else _("Add a company")
    )
    return _form_page(request, form, title, f"/gespraeche/{round.pk}/verwalten/")


@login_required
@require_POST
def offer_delete(request, pk: int, offer_pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    offer = get_object_or_404(TalkOffer, round=round, pk=offer_pk)
    attempt(request, lambda: services.offer_delete(offer=offer), _("The company is removed from the round."))
    return redirect("talks:manage", pk=round.pk)


@login_required
@require_POST
def round_open(request, pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    attempt(request, lambda: services.round_open(round=round), _("The round is open for wishes."))
    return redirect("talks:manage", pk=round.pk)


@login_required
def manage(request, pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    offers = list(selectors.offers_for_round(round))
    run = selectors.run_latest(round)
    summary = run.summary if run and run.status == "done" else {}
    util = summary.get("utilisation", {})
    rows = [
        {
            "offer": o,
            "offered": util.get(str(o.company_id), [0, 0])[0],
            "used": util.get(str(o.company_id), [0, 0])[1],
        }
        for o in offers
    ]
    reviewing = round.status in (TalkRound.Status.REVIEW, TalkRound.Status.PUBLISHED)
    unfulfilled = list(selectors.unfulfilled_wishes(round)[:300]) if reviewing else []
    for w in unfulfilled:
        w.reason_text = REASONS.get(w.outcome, w.outcome)
    context = {
        "round": round,
        "rows": rows,
        "seats_total": sum(o.seats * (len(o.available_slots) or round.n_slots) for o in offers),
        "run": run,
        "running": run is not None and run.status in ("queued", "running"),
        "stuck": run is not None and services.run_is_stuck(run),
        "summary": summary,
        "can_publish": round.status == TalkRound.Status.REVIEW,
        "reviewing": reviewing,
        "talks": list(selectors.round_talks(round)) if reviewing else [],
        "unfulfilled": unfulfilled,
        "reasons": REASONS,
        "no_shows": list(selectors.repeated_no_shows()[:50]),
    }
    return render(request, "talks/manage.html", context)


@login_required
def run_status(request, pk: int):
    """The status box of the latest allocation run (polled by the page while a run is active)."""
    _staff(request)
    round = round_for(pk, request.user)
    run = selectors.run_latest(round)
    context = {
        "round": round,
        "run": run,
        "running": run is not None and run.status in ("queued", "running"),
        "stuck": run is not None and services.run_is_stuck(run),
        "summary": run.summary if run and run.status == "done" else {},
        "reasons": REASONS,
    }
    return render(request, "talks/_run_status.html", context)


@login_required
@require_POST
def allocate_start(request, pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    attempt(
        request,
        lambda: services.allocation_start(round=round),
        _("The allocation has started. This page shows its progress."),
    )
    return redirect("talks:manage", pk=round.pk)


@login_required
@require_POST
def publish(request, pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    try:
        count = services.round_publish(round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan is published. %(n)d e-mails are on their way.") % {"n": count})
    return redirect("talks:manage", pk=round.pk)


@login_required
def talk_place(request, pk: int, talk_pk: int | None = None):
    """Add a talk for a pupil (``?pupil=<id>``) or move one; conflicts are refused with the reason."""
    _staff(request)
    round = round_for(pk, request.user)
    talk = (
        get_object_or_404(Talk.objects.select_related("pupil"), round=round, pk=talk_pk) if talk_pk else None
    )
    pupil = talk.pupil if talk else get_object_or_404(User, pk=request.GET.get("pupil") or 0, is_pupil=True)
    initial = {"offer": talk.offer_id, "slot": talk.slot} if talk else {}
    form = PlaceForm(request.POST or None, round=round, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.talk_place(
                round=round,
                pupil=pupil,
                offer=form.cleaned_data["offer"],
                slot=form.cleaned_data["slot"],
                talk=talk,
                force=form.cleaned_data["force"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The plan is changed."))
            return redirect("talks:manage", pk=round.pk)
    title = _("Talk of %(pupil)s") % {"pupil": pupil.display_name}
    return _form_page(request, form, title, f"/gespraeche/{round.pk}/verwalten/#plan")


@login_required
@require_POST
def talk_remove(request, pk: int, talk_pk: int):
    _staff(request)
    round = round_for(pk, request.user)
    talk = get_object_or_404(Talk, round=round, pk=talk_pk)
    attempt(
        request, lambda: services.talk_remove(round=round, talk=talk), _("The talk is removed from the plan.")
    )
    return redirect("talks:manage", pk=round.pk)
