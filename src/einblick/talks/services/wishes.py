"""Wishes and availability of pupils (entered by themselves or by their teacher for the class), and the consent
rule of design.md §7 for talks."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from einblick.catalog.models import Company, Profession

from ..models import TalkOffer, TalkParticipant, TalkRound, TalkWish


def wishes_open(round: TalkRound, now=None) -> bool:
    now = now or timezone.now()
    return round.status == TalkRound.Status.OPEN and now <= round.wish_deadline


def consent_purpose(round: TalkRound) -> str:
    """The consent key of a round (a company learns the pupil's nickname and class)."""
    return f"talks.round.{round.pk}"


def consent_label(round: TalkRound) -> str:
    return gettext("Talks with companies: %(title)s") % {"title": round.title}


def _check_open(round: TalkRound) -> None:
    if not wishes_open(round):
        raise ValidationError(gettext("The deadline for wishes has passed."), code="deadline")


def _slots_clean(round: TalkRound, slots) -> list[int]:
    try:
        chosen = sorted({int(s) for s in slots})
    except (TypeError, ValueError):
        raise ValidationError(gettext("This time slot does not exist."), code="slot") from None
    if any(not 0 <= s < round.n_slots for s in chosen):
        raise ValidationError(gettext("This time slot does not exist."), code="slot")
    if not chosen:
        raise ValidationError(gettext("Choose at least one time at which you can talk."), code="no_slot")
    return [] if len(chosen) == round.n_slots else chosen  # empty = every slot


@transaction.atomic
def wishes_set(
    *,
    pupil,
    round: TalkRound,
    wishes: list[Company | Profession],
    available_slots=None,
    entered_by=None,
) -> list[TalkWish]:
    """Replace the pupil's ranked wishes (highest first). Each wish is a company of the round or a profession.

    ``available_slots`` (slot indexes; ``None`` keeps what was stated before) limits when the pupil can talk.
    ``entered_by`` is the teacher entering the wishes for a pupil of their class: that registration covers the
    consent rule while the pupil stays in the class. Bad input raises ``ValidationError`` and saves nothing."""
    _check_open(round)
    if len(wishes) > round.max_wishes:
        raise ValidationError(
            gettext("You can name at most %(n)d wishes.") % {"n": round.max_wishes}, code="too_many"
        )
    if entered_by is not None and not (
        pupil.school_class_id and pupil.school_class.teacher_id == entered_by.pk
    ):
        raise ValidationError(gettext("This pupil is not in one of your classes."), code="not_in_class")
    slots = None if available_slots is None else _slots_clean(round, available_slots)
    offered = set(TalkOffer.objects.filter(round=round).values_list("company_id", flat=True))
    seen: set[tuple[str, int]] = set()
    rows = []
    for rank, item in enumerate(wishes):
        key = ("company" if isinstance(item, Company) else "profession", item.pk)
        if key in seen:
            raise ValidationError(
                gettext("You named “%(name)s” twice.") % {"name": item.name}, code="duplicate"
            )
        seen.add(key)
        if isinstance(item, Company):
            if item.pk not in offered:
                raise ValidationError(
                    gettext("“%(name)s” does not offer talks in this round.") % {"name": item.name},
                    code="not_in_round",
                )
            rows.append(TalkWish(round=round, pupil=pupil, rank=rank, company=item))
        else:
            rows.append(TalkWish(round=round, pupil=pupil, rank=rank, profession=item))
    TalkWish.objects.filter(round=round, pupil=pupil).delete()
    TalkWish.objects.bulk_create(rows)
    participant, _ = TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
    fields = []
    if slots is not None:
        participant.available_slots = slots
        fields.append("available_slots")
    if entered_by is not None:
        participant.entered_by = entered_by
        participant.school_class_id = pupil.school_class_id
        fields += ["entered_by", "school_class"]
    if fields:
        participant.save(update_fields=fields)
    return rows


@transaction.atomic
def class_availability_set(*, round: TalkRound, school_class, teacher, slots) -> int:
    """The class's time window at the fair: every pupil of the class gets these slots. Returns pupils updated."""
    _check_open(round)
    if school_class.teacher_id != teacher.pk:
        raise ValidationError(gettext("This pupil is not in one of your classes."), code="not_in_class")
    chosen = _slots_clean(round, slots)
    count = 0
    for pupil in school_class.pupils.filter(is_active=True, is_pupil=True):
        participant, _ = TalkParticipant.objects.get_or_create(round=round, pupil=pupil)
        participant.available_slots = chosen
        participant.save(update_fields=["available_slots"])
        count += 1
    return count


def consent_covered_ids(round: TalkRound) -> set[int]:
    """Pupils of the round who may be allocated under design.md §7: declared to be of consent age, a parent
    confirmed, or their teacher entered the wishes and they are still in that class."""
    from einblick.accounts.selectors import consent_ok_ids

    ids = consent_ok_ids(
        TalkParticipant.objects.filter(round=round).values("pupil_id"), consent_purpose(round)
    )
    for pupil_id, class_id, current in TalkParticipant.objects.filter(
        round=round, entered_by__isnull=False
    ).values_list("pupil_id", "school_class_id", "pupil__school_class_id"):
        if class_id and class_id == current:
            ids.add(pupil_id)
    return ids


def consent_ok(round: TalkRound, pupil) -> bool:
    """One pupil's side of ``consent_covered_ids``."""
    from einblick.accounts.selectors import consent_ok as consent_given

    if consent_given(pupil, consent_purpose(round)):
        return True
    return bool(
        pupil.school_class_id
        and TalkParticipant.objects.filter(
            round=round, pupil=pupil, entered_by__isnull=False, school_class_id=pupil.school_class_id
        ).exists()
    )
