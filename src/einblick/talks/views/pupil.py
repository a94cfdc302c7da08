"""Pupil pages: "Meine Gespräche" (wishes, availability, consent, plan, free seats, waiting list), calendar, PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.accounts import selectors as account_selectors
from einblick.accounts import services as account_services
from einblick.accounts.forms import ConsentForm
from einblick.catalog.models import Profession
from einblick.core.ics import Entry, calendar_response

from .. import rules, selectors, services
from ..forms import WishesForm
from ..models import Talk, TalkOffer, TalkRound
from .common import attempt, round_for


@login_required
def round_list(request):
    user = request.user
    staff = rules.can_manage_rounds(user)
    context = {
        "rounds": TalkRound.objects.select_related("fair") if staff else selectors.rounds_visible(),
        "staff": staff,
        "pupil": rules.can_take_part(user),
        "company_offers": selectors.offers_of_companies(user),
        "classes": user.classes.all() if user.is_teacher else [],
    }
    return render(request, "talks/rounds.html", context)


def _pupil_round(request, pk: int) -> TalkRound:
    if not rules.can_take_part(request.user):
        raise Http404
    return round_for(pk, request.user)


@login_required
def my_talks(request, pk: int):
    round = _pupil_round(request, pk)
    pupil = request.user
    offers = list(selectors.offers_for_round(round))
    professions = (
        Profession.objects.filter(companies__in=[o.company_id for o in offers]).distinct().order_by("name")
    )
    wishes = list(selectors.wishes_of(round=round, pupil=pupil))
    participant = selectors.participant_of(round=round, pupil=pupil)
    # the teacher's registration counts only while the pupil is still in that class
    teacher_entered = bool(
        participant and participant.entered_by_id and participant.school_class_id == pupil.school_class_id
    )
    initial = {
        f"wish_{w.rank}": f"c{w.company_id}" if w.company_id else f"p{w.profession_id}" for w in wishes
    }
    initial["slots"] = [str(s) for s in (participant.available_slots if participant else [])] or [
        str(s) for s in range(round.n_slots)
    ]
    purpose = services.consent_purpose(round)
    consent_ok = services.consent_ok(round, pupil)
    consent_state = account_selectors.consent_state(pupil, purpose)
    form = WishesForm(
        request.POST or None, initial=initial, round=round, offers=offers, professions=professions
    )
    consent_form = ConsentForm(
        request.POST or None, prefix="consent", pupil=pupil, required=consent_state in ("missing", "expired")
    )
    if request.method == "POST" and request.POST.get("consent_only") and not consent_ok:
        # after the deadline the wish form is gone, but consent can still be given (to book free seats)
        if consent_form.is_valid():
            try:
                account_services.consent_handle(
                    pupil=pupil,
                    purpose=purpose,
                    label=services.consent_label(round),
                    cleaned_data=consent_form.cleaned_data,
                )
            except ValidationError as exc:
                consent_form.add_error("parent_email", exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("talks:mine", pk=round.pk)
    elif request.method == "POST" and form.is_valid() and (consent_ok or consent_form.is_valid()):
        try:
            with transaction.atomic():  # wishes and the consent request together, or neither
                services.wishes_set(
                    pupil=pupil, round=round, wishes=form.wishes(), available_slots=form.slots()
                )
                if not consent_ok:
                    account_services.consent_handle(
                        pupil=pupil,
                        purpose=purpose,
                        label=services.consent_label(round),
                        cleaned_data=consent_form.cleaned_data,
                    )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your wishes are saved."))
            return redirect("talks:mine", pk=round.pk)
    now = timezone.now()
    published = round.status == TalkRound.Status.PUBLISHED
    plan, free = [], []
    if published:
        plan = [
            {"talk": t, "video": selectors.video_visible(t, now)}
            for t in selectors.plan_of(round=round, pupil=pupil)
        ]
        mine = {row["talk"].offer.company_id for row in plan}
        waiting = selectors.waitlist_of(round=round, pupil=pupil)
        for row in selectors.free_seats(round=round, offers=offers, now=now):
            if row["offer"].company_id not in mine:
                row["waiting"] = row["offer"].pk in waiting
                free.append(row)
    context = {
        "round": round,
        "form": form,
        "consent_form": consent_form,
        "consent_state": "parent"
        if consent_ok and consent_state not in ("self", "parent")
        else consent_state,
        "teacher_entered": teacher_entered,
        "consent_ok": consent_ok,
        "wishes": wishes,
        "wishes_open": services.wishes_open(round, now),
        "published": published,
        "plan": plan,
        "free": free,
        "now": now,
    }
    return render(request, "talks/mine.html", context)


def _slot(request) -> int:
    try:
        return int(request.POST.get("slot", ""))
    except ValueError:
        raise ValidationError(_("This time slot does not exist."), code="slot") from None


@login_required
@require_POST
def book(request, pk: int):
    round = _pupil_round(request, pk)
    offer = get_object_or_404(TalkOffer, round=round, pk=request.POST.get("offer") or 0)
    attempt(
        request,
        lambda: services.booking_create(round=round, pupil=request.user, offer=offer, slot=_slot(request)),
        _("Your talk is booked."),
    )
    return redirect("talks:mine", pk=round.pk)


@login_required
@require_POST
def waitlist(request, pk: int):
    round = _pupil_round(request, pk)
    offer = get_object_or_404(TalkOffer, round=round, pk=request.POST.get("offer") or 0)
    if request.POST.get("leave"):
        services.waitlist_leave(round=round, pupil=request.user, offer=offer)
        messages.success(request, _("You left the waiting list."))
    else:
        attempt(
            request,
            lambda: services.waitlist_join(round=round, pupil=request.user, offer=offer),
            _("You are on the waiting list. If a seat becomes free, we e-mail you."),
        )
    return redirect("talks:mine", pk=round.pk)


def _own_talk(request, talk_pk: int) -> Talk:
    talk = get_object_or_404(Talk.objects.select_related("round", "offer"), pk=talk_pk)
    if talk.pupil_id != request.user.pk:
        raise Http404
    return talk


@login_required
@require_POST
def cancel(request, talk_pk: int):
    talk = _own_talk(request, talk_pk)
    attempt(request, lambda: services.booking_cancel(talk=talk), _("Your talk is cancelled."))
    return redirect("talks:mine", pk=talk.round_id)


@login_required
@require_POST
def hold_answer(request, talk_pk: int):
    talk = _own_talk(request, talk_pk)
    if request.POST.get("accept"):
        attempt(request, lambda: services.hold_accept(talk=talk), _("Your talk is booked."))
    else:
        services.hold_release(talk=talk)
        messages.success(request, _("You declined the seat. It goes to the next pupil."))
    return redirect("talks:mine", pk=talk.round_id)


def _published_plan(request, pk: int):
    round = _pupil_round(request, pk)
    if round.status != TalkRound.Status.PUBLISHED:
        raise Http404
    return round, list(selectors.plan_of(round=round, pupil=request.user))


@login_required
def plan_ics(request, pk: int):
    round, talks = _published_plan(request, pk)
    entries = [
        Entry(
            uid=f"talk-{talk.pk}@einblick",
            starts_at=talk.starts_at,
            ends_at=talk.ends_at,
            summary=_("Talk with %(company)s") % {"company": talk.offer.company.name},
            location=(talk.offer.table if talk.offer.mode == TalkOffer.Mode.ONSITE else _("online")) or "",
        )
        for talk in talks
    ]
    return calendar_response(entries, f"gespraeche-{round.pk}.ics", product="Talks")


@login_required
def plan_pdf(request, pk: int):
    from einblick.core.pdf import pdf_response

    from ..pdf import plan_pdf as build

    round, talks = _published_plan(request, pk)
    return pdf_response(build(round=round, pupil=request.user, talks=talks), f"gespraeche-{round.pk}.pdf")
