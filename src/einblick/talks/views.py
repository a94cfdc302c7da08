"""Pupil page "Meine Gespräche" (wishes, plan, leftover booking, calendar) and the staff page of a round."""

from datetime import UTC

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Profession

from . import rules, selectors, services
from .forms import WishesForm
from .models import Talk, TalkOffer, TalkRound


def _round(pk: int, user) -> TalkRound:
    qs = TalkRound.objects.select_related("fair")
    if not rules.can_manage_rounds(user):
        qs = qs.exclude(status=TalkRound.Status.DRAFT)
    return get_object_or_404(qs, pk=pk)


@login_required
def round_list(request):
    rounds = TalkRound.objects.all() if rules.can_manage_rounds(request.user) else selectors.rounds_visible()
    return render(
        request, "talks/rounds.html", {"rounds": rounds, "staff": rules.can_manage_rounds(request.user)}
    )


@login_required
def my_talks(request, pk: int):
    if not rules.can_take_part(request.user):
        raise Http404
    round = _round(pk, request.user)
    offers = list(selectors.offers_for_round(round))
    professions = (
        Profession.objects.filter(companies__in=[o.company_id for o in offers]).distinct().order_by("name")
    )
    wishes = list(selectors.wishes_of(round=round, pupil=request.user))
    initial = {
        f"wish_{w.rank}": f"c{w.company_id}" if w.company_id else f"p{w.profession_id}" for w in wishes
    }
    form = WishesForm(
        request.POST or None, initial=initial, round=round, offers=offers, professions=professions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.wishes_set(pupil=request.user, round=round, wishes=form.wishes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your wishes are saved."))
            return redirect("talks:mine", pk=round.pk)
    now = timezone.now()
    published = round.status == TalkRound.Status.PUBLISHED
    plan = []
    if published:
        for talk in selectors.plan_of(round=round, pupil=request.user):
            plan.append({"talk": talk, "video": selectors.video_visible(talk, now)})
    free = []
    if published:
        taken = {(o.pk, s): 0 for o in offers for s in range(round.n_slots)}
        for offer_id, slot in Talk.objects.filter(round=round, status=Talk.Status.BOOKED).values_list(
            "offer_id", "slot"
        ):
            taken[(offer_id, slot)] = taken.get((offer_id, slot), 0) + 1
        for o in offers:
            slots = [
                s for s in range(round.n_slots) if taken[(o.pk, s)] < o.seats and round.slot_start(s) > now
            ]
            if slots:
                free.append({"offer": o, "slots": [(s, round.slot_start(s)) for s in slots]})
    context = {
        "round": round,
        "form": form,
        "wishes_open": services.wishes_open(round, now),
        "published": published,
        "plan": plan,
        "free": free,
    }
    return render(request, "talks/mine.html", context)


@login_required
@require_POST
def book(request, pk: int):
    if not rules.can_take_part(request.user):
        raise Http404
    round = _round(pk, request.user)
    offer = get_object_or_404(TalkOffer, round=round, pk=request.POST.get("offer") or 0)
    try:
        slot = int(request.POST.get("slot", ""))
        services.booking_create(round=round, pupil=request.user, offer=offer, slot=slot)
    except ValueError:
        messages.error(request, _("This time slot does not exist."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your talk is booked."))
    return redirect("talks:mine", pk=round.pk)


@login_required
@require_POST
def cancel(request, talk_pk: int):
    talk = get_object_or_404(Talk.objects.select_related("round"), pk=talk_pk)
    if talk.pupil_id != request.user.pk:
        raise Http404
    try:
        services.booking_cancel(talk=talk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your talk is cancelled."))
    return redirect("talks:mine", pk=talk.round_id)


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@login_required
def plan_ics(request, pk: int):
    if not rules.can_take_part(request.user):
        raise Http404
    round = _round(pk, request.user)
    if round.status != TalkRound.Status.PUBLISHED:
        raise Http404
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Einblick//Talks//DE", "CALSCALE:GREGORIAN"]
    for talk in selectors.plan_of(round=round, pupil=request.user):
        start = talk.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        end = talk.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        where = talk.offer.table if talk.offer.mode == TalkOffer.Mode.ONSITE else _("online")
        lines += [
            "BEGIN:VEVENT",
            f"UID:talk-{talk.pk}@einblick",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start}",
            f"DTEND:{end}",
            "SUMMARY:" + _ics_text(_("Talk with %(company)s") % {"company": talk.offer.company.name}),
            "LOCATION:" + _ics_text(where or ""),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gespraeche-{round.pk}.ics"'
    return response


@login_required
def manage(request, pk: int):
    if not rules.can_manage_rounds(request.user):
        raise Http404
    round = _round(pk, request.user)
    offers = list(selectors.offers_for_round(round))
    run = selectors.run_latest(round)
    context = {
        "round": round,
        "offers": offers,
        "seats_total": sum(o.seats for o in offers) * round.n_slots,
        "run": run,
        "summary": run.summary if run else {},
        "can_publish": round.status == TalkRound.Status.REVIEW,
    }
    return render(request, "talks/manage.html", context)


@login_required
@require_POST
def allocate_start(request, pk: int):
    if not rules.can_manage_rounds(request.user):
        raise Http404
    round = _round(pk, request.user)
    try:
        services.allocation_start(round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The allocation has started. Reload this page in a moment."))
    return redirect("talks:manage", pk=round.pk)


@login_required
@require_POST
def publish(request, pk: int):
    if not rules.can_manage_rounds(request.user):
        raise Http404
    round = _round(pk, request.user)
    try:
        count = services.round_publish(round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan is published. %(n)d e-mails are on their way.") % {"n": count})
    return redirect("talks:manage", pk=round.pk)
