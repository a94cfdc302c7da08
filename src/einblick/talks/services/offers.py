"""Rounds and the companies' offers in them (staff; company members for their own offer while wishes are open)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from ..models import BOOKED_OR_HELD, Talk, TalkOffer, TalkRound, TalkWish


def round_save(*, form) -> TalkRound:
    """Save the staff form of a round (a ModelForm of TalkRound)."""
    return form.save()


def round_open(*, round: TalkRound) -> TalkRound:
    if round.status != TalkRound.Status.DRAFT:
        raise ValidationError(gettext("Only a draft round can be opened."), code="status")
    if not TalkOffer.objects.filter(round=round).exists():
        raise ValidationError(gettext("Add at least one company before opening the round."), code="empty")
    round.status = TalkRound.Status.OPEN
    round.save(update_fields=["status"])
    return round


def _booked_per_slot(offer: TalkOffer) -> dict[int, int]:
    counts: dict[int, int] = {}
    for slot in Talk.objects.filter(offer=offer, status__in=BOOKED_OR_HELD).values_list("slot", flat=True):
        counts[slot] = counts.get(slot, 0) + 1
    return counts


@transaction.atomic
def offer_save(*, offer: TalkOffer) -> TalkOffer:
    """Create or change an offer. Capacity can never drop below the talks already planned in a slot, and a
    company cannot leave a time slot in which it has talks."""
    if offer.parallel < 1 or offer.group_size < 1:
        raise ValidationError(
            gettext(
                "At least one talk with one pupil per slot. To withdraw, remove the company from the round."
            ),
            code="zero",
        )
    if offer.available_slots and any(not 0 <= s < offer.round.n_slots for s in offer.available_slots):
        raise ValidationError(gettext("This time slot does not exist."), code="slot")
    if offer.pk:
        TalkOffer.objects.select_for_update().filter(pk=offer.pk).first()
        for slot, n in _booked_per_slot(offer).items():
            if n > offer.seats:
                raise ValidationError(
                    gettext(
                        "%(n)d pupils already have a talk at %(time)s. Move them before lowering the capacity."
                    )
                    % {"n": n, "time": offer.round.slot_start(slot).strftime("%H:%M")},
                    code="below_booked",
                )
            if not offer.has_slot(slot):
                raise ValidationError(
                    gettext("There are talks at %(time)s. Move them before removing this time.")
                    % {"time": offer.round.slot_start(slot).strftime("%H:%M")},
                    code="slot_in_use",
                )
    offer.save()
    return offer


def offer_delete(*, offer: TalkOffer) -> int:
    """Remove a company from the round. Refused while it has talks; its wishes stay but no longer count (the
    pupils see that the company withdrew). Returns the wishes affected."""
    # booked, held, attended or missed talks keep the offer (the attendance history must not vanish)
    if (
        Talk.objects.filter(offer=offer)
        .exclude(status__in=[Talk.Status.CANCELLED, Talk.Status.EXPIRED])
        .exists()
    ):
        raise ValidationError(
            gettext("This company has talks in the plan. Move or remove them first."), code="has_talks"
        )
    affected = TalkWish.objects.filter(round_id=offer.round_id, company_id=offer.company_id).count()
    offer.delete()
    return affected
