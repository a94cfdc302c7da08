"""Writes of the tandem app: needs, offers, confirmed tandems."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from einblick.core.services import email_enqueue

from .models import Attachment, Need, Note, Step, Tandem, TrainingOffer


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
    for address in _tandem_recipients(tandem):
        email_enqueue(
            to=address, template="tandem/email/tandem_confirmed", context={"tandem": tandem, "url": url}
        )


def tandem_confirm(*, need: Need, offer: TrainingOffer, by) -> Tandem:
    """Staff confirm a tandem (company + provider + offer); both sides are notified."""
    if need.status == Need.Status.CLOSED:
        raise ValidationError(gettext("This need is closed."), code="closed")
    try:
        with transaction.atomic():
            # a company's request for this offer is confirmed; otherwise the tandem is new
            requested = Tandem.objects.filter(need=need, offer=offer, status=Tandem.Status.REQUESTED).update(
                status=Tandem.Status.PLANNED, confirmed_by=by
            )
            if requested:
                tandem = Tandem.objects.get(need=need, offer=offer)
            else:
                tandem = Tandem.objects.create(need=need, offer=offer, confirmed_by=by)
            Need.objects.filter(pk=need.pk).update(status=Need.Status.MATCHED)
            _notify(tandem)
    except IntegrityError:
        raise ValidationError(gettext("This tandem exists already."), code="duplicate") from None
    return tandem


def tandem_update(*, tandem: Tandem, status: str, goals: str = "", outcome: str = "") -> Tandem:
    """Either side moves a tandem on (planned → running → done / dropped); "done" needs the outcome sentence."""
    if status not in Tandem.Status.values or status == Tandem.Status.REQUESTED:
        raise ValidationError(gettext("Unknown status."), code="status")
    # the saved status counts (a bound form may have changed the instance already)
    if Tandem.objects.filter(pk=tandem.pk, status=Tandem.Status.REQUESTED).exists():
        raise ValidationError(gettext("The network confirms the request first."), code="requested")
    if status == Tandem.Status.DONE and not outcome.strip():
        raise ValidationError(
            gettext("Describe the outcome in one sentence, for example “first training video published”."),
            code="outcome",
        )
    tandem.status, tandem.goals, tandem.outcome = status, goals, outcome.strip()
    tandem.save(update_fields=["status", "goals", "outcome"])
    return tandem


# ----------------------------------------------------------------------------------------------- requests


def tandem_request(*, need: Need, offer: TrainingOffer, by) -> Tandem:
    """A company asks for a suggested offer itself; the network confirms it (staff are told by e-mail)."""
    if need.status == Need.Status.CLOSED:
        raise ValidationError(gettext("This need is closed."), code="closed")
    if not offer.active:
        raise ValidationError(gettext("This offer is not available any more."), code="inactive")
    try:
        with transaction.atomic():
            tandem = Tandem.objects.create(
                need=need, offer=offer, status=Tandem.Status.REQUESTED, requested_by=by
            )
    except IntegrityError:
        raise ValidationError(gettext("You have asked for this offer already."), code="duplicate") from None
    contact = settings.EINBLICK["CONTACT_EMAIL"]
    if contact:
        email_enqueue(
            to=contact,
            template="tandem/email/tandem_requested",
            context={"tandem": tandem, "url": settings.EINBLICK["BASE_URL"] + reverse("tandem:overview")},
        )
    return tandem


# ----------------------------------------------------------------------------------------------- workspace

TANDEM_OPEN = (Tandem.Status.PLANNED, Tandem.Status.RUNNING)


def _check_workable(tandem: Tandem) -> None:
    if tandem.status == Tandem.Status.REQUESTED:
        raise ValidationError(gettext("The network confirms the request first."), code="requested")


def step_add(*, tandem: Tandem, title: str, due, by) -> Step:
    _check_workable(tandem)
    if not title.strip():
        raise ValidationError(gettext("Describe the step."), code="title")
    if due < timezone.localdate():
        raise ValidationError(gettext("The due date is in the past."), code="past")
    return Step.objects.create(tandem=tandem, title=title.strip(), due=due)


def step_toggle(*, step: Step, by, now=None) -> Step:
    """Mark a step done, or open again."""
    now = now or timezone.now()
    if step.done_at:
        step.done_at = step.done_by = None
    else:
        step.done_at, step.done_by = now, by
    step.save(update_fields=["done_at", "done_by"])
    return step


def note_add(*, tandem: Tandem, author, met_on, text: str) -> Note:
    _check_workable(tandem)
    if not text.strip():
        raise ValidationError(gettext("The note is empty."), code="empty")
    if met_on > timezone.localdate():
        raise ValidationError(gettext("Notes are for meetings that took place."), code="future")
    return Note.objects.create(tandem=tandem, author=author, met_on=met_on, text=text.strip())


# Files a tandem may share, recognised by their first bytes (the name and the browser's type are not trusted).
FILE_KINDS = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".txt": (),
    ".csv": (),
}


def _check_file(upload) -> str:
    """The checked extension of ``upload``, or ValidationError."""
    from pathlib import PurePath

    limit = settings.EINBLICK_MAX_FILE_BYTES
    if upload.size > limit:
        raise ValidationError(
            gettext("The file is too large. A file may have at most %(max)d MB.")
            % {"max": limit // 1_048_576},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(gettext("The file is empty."), code="empty")
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in FILE_KINDS:
        raise ValidationError(
            gettext(
                "This kind of file cannot be shared here. Allowed: PDF, images (PNG, JPG), Word, Excel, "
                "PowerPoint, text and CSV."
            ),
            code="type",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magics = FILE_KINDS[suffix]
    # text (no magic): UTF-8 or Windows-1252 (German Excel's CSV), no NUL bytes
    ok = any(head.startswith(m) for m in magics) if magics else b"\x00" not in head and _decodes(head)
    if not ok:
        raise ValidationError(
            gettext("The file's content does not match its name (%(suffix)s).") % {"suffix": suffix},
            code="content",
        )
    return suffix


def _decodes(head: bytes) -> bool:
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3 and len(head) == 2048:  # cut at the end
                return True
    return False


def attachment_add(*, tandem: Tandem, upload, by) -> Attachment:
    _check_workable(tandem)
    _check_file(upload)
    name = "".join(ch for ch in (upload.name or "Datei")[-200:] if ch.isprintable() and ch not in '/\\"')
    return Attachment.objects.create(
        tandem=tandem, file=upload, name=name or "Datei", size=upload.size, uploaded_by=by
    )


def attachment_delete(*, attachment: Attachment, by) -> None:
    """The one who shared a file, or staff, delete it (the file on disk goes with it, see signals.py)."""
    from .rules import can_manage

    if attachment.uploaded_by_id != by.pk and not can_manage(by):
        raise ValidationError(gettext("Only the person who shared a file can delete it."), code="not_yours")
    attachment.delete()


def _tandem_recipients(tandem: Tandem) -> list[str]:
    recipients = {
        m.user.email for m in tandem.need.company.memberships.select_related("user") if m.user.email
    }
    recipients |= {u.email for u in tandem.offer.provider.members.all() if u.email}
    return sorted(recipients)


def steps_remind(*, now=None) -> int:
    """Overdue open steps of planned and running tandems: both sides get one e-mail per tandem, each step once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        Step.objects.filter(
            done_at__isnull=True, reminded_at__isnull=True, due__lt=today, tandem__status__in=TANDEM_OPEN
        )
        .select_related("tandem__need__company", "tandem__offer__provider")
        .order_by("tandem_id", "due", "pk")
    )
    by_tandem: dict[int, list[Step]] = {}
    for step in due:
        by_tandem.setdefault(step.tandem_id, []).append(step)
    sent = 0
    for steps in by_tandem.values():
        tandem = steps[0].tandem
        with transaction.atomic():
            claimed = Step.objects.filter(pk__in=[s.pk for s in steps], reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue  # another sweep was faster
            url = settings.EINBLICK["BASE_URL"] + reverse("tandem:tandem", args=[tandem.pk])
            for address in _tandem_recipients(tandem):
                email_enqueue(
                    to=address,
                    template="tandem/email/steps_overdue",
                    context={"tandem": tandem, "steps": steps, "url": url},
                )
            sent += 1
    return sent


# ---------------------------------------------------------------------------------------------- seminars


@transaction.atomic
def seminar_commission(*, topic, need_ids, provider, online: bool, by, now=None):
    """Turn a cluster of needs no offer covers into a commissioned seminar in one action: a seminar offer of
    ``provider`` on ``topic`` and its date as a draft event for companies (registration, places and waiting list
    are the events app's). Staff then set the date and the room and publish it. Returns the offer."""
    from datetime import datetime, time, timedelta

    from django.utils.text import slugify

    from einblick.events.models import Event

    now = now or timezone.now()
    needs = list(
        Need.objects.filter(pk__in=need_ids, status=Need.Status.OPEN)
        .filter(Q(topics=topic) | Q(topics__parent=topic))
        .select_related("company")
        .distinct()
    )
    if not needs:
        raise ValidationError(gettext("No open needs on this topic were chosen."), code="empty")
    people = sum(n.people for n in needs)
    capacity = max(12, min(people + 5, 100))
    day = timezone.localdate(now) + timedelta(days=28)
    tz = timezone.get_current_timezone()
    starts = datetime.combine(day, time(14, 0), tzinfo=tz)
    title = gettext("Seminar: %(topic)s") % {"topic": topic.name}
    base = slugify(f"seminar-{topic.name}")[:150] or "seminar"
    slug, n = base, 1
    while Event.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    companies = sorted({n.company.name for n in needs})
    # public once published: no company names (which firm lacks what is its business), only the count
    description = ngettext(
        "A seminar the network commissioned because %(n)d member company asked for it.",
        "A seminar the network commissioned because %(n)d member companies asked for it.",
        len(companies),
    ) % {"n": len(companies)}
    event = Event.objects.create(
        kind=Event.Kind.SEMINAR,
        audience=Event.Audience.COMPANIES,
        title=title[:160],
        slug=slug,
        description=description[:4000],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=capacity,
        registration_opens=now,
        registration_closes=starts - timedelta(days=1),
        cancel_until=starts - timedelta(days=2),
        school_event=False,
        status=Event.Status.DRAFT,
    )
    if provider.company_id:
        event.hosts.add(provider.company)
    offer = TrainingOffer.objects.create(
        provider=provider,
        title=title[:160],
        kind=TrainingOffer.Kind.SEMINAR,
        description=description[:3000],
        formats=["online"] if online else ["onsite"],
        starts=day,
        dates=gettext("Date to be fixed"),
        capacity=capacity,
        event=event,
    )
    offer.topics.set([topic])
    return offer
