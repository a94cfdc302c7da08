"""Writes of the tandem app: needs, offers, confirmed tandems."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from einblick.core.services import email_enqueue

from .models import Need, Tandem, TrainingOffer


@transaction.atomic
def need_create(*, company, user, topics, **fields) -> Need:
    """A company states a need. At least one topic; the time frame must not end in the past."""
    if not topics:
        raise ValidationError(gettext("Choose at least one topic."), code="topic")
    start, end = fields.get("start"), fields.get("end")
    if end and end < timezone.localdate():
        raise ValidationError(gettext("The time frame is over already."), code="past")
    if start and end and end < start:
        raise ValidationError(gettext("The end must not be before the start."), code="order")
    need = Need.objects.create(company=company, created_by=user, **fields)
    need.topics.set(topics)
    return need


def offer_save(*, offer: TrainingOffer, topics=None) -> TrainingOffer:
    if offer.starts and offer.starts < timezone.localdate():
        raise ValidationError(gettext("The date is in the past."), code="past")
    offer.save()
    if topics is not None:
        offer.topics.set(topics)
    return offer


def _notify(tandem: Tandem) -> None:
    base = settings.EINBLICK["BASE_URL"]
    url = base + reverse("tandem:tandem", args=[tandem.pk])
    recipients = {
        m.user.email for m in tandem.need.company.memberships.select_related("user") if m.user.email
    }
    recipients |= {u.email for u in tandem.offer.provider.members.all() if u.email}
    for address in sorted(recipients):
        email_enqueue(
            to=address, template="tandem/email/tandem_confirmed", context={"tandem": tandem, "url": url}
        )


def tandem_confirm(*, need: Need, offer: TrainingOffer, by) -> Tandem:
    """Staff confirm a tandem (company + provider + offer); both sides are notified."""
    if need.status == Need.Status.CLOSED:
        raise ValidationError(gettext("This need is closed."), code="closed")
    try:
        with transaction.atomic():
            tandem = Tandem.objects.create(need=need, offer=offer, confirmed_by=by)
            Need.objects.filter(pk=need.pk).update(status=Need.Status.MATCHED)
            _notify(tandem)
    except IntegrityError:
        raise ValidationError(gettext("This tandem exists already."), code="duplicate") from None
    return tandem


def tandem_update(*, tandem: Tandem, status: str, goals: str = "", outcome: str = "") -> Tandem:
    """Either side moves a tandem on (planned → running → done / dropped); "done" needs the outcome sentence."""
    if status not in Tandem.Status.values:
        raise ValidationError(gettext("Unknown status."), code="status")
    if status == Tandem.Status.DONE and not outcome.strip():
        raise ValidationError(
            gettext("Describe the outcome in one sentence, for example “first training video published”."),
            code="outcome",
        )
    tandem.status, tandem.goals, tandem.outcome = status, goals, outcome.strip()
    tandem.save(update_fields=["status", "goals", "outcome"])
    return tandem
