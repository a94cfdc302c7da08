"""Talks between pupils and companies (issue #5): rounds, offers, ranked wishes, allocation runs, booked talks."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def video_token() -> str:
    return secrets.token_urlsafe(24)


class TalkRound(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for wishes")
        ALLOCATING = "allocating", _("allocating")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")

    fair = models.ForeignKey(
        "fair.Fair",
        verbose_name=_("fair"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="talk_rounds",
    )
    title = models.CharField(_("title"), max_length=160)
    wish_deadline = models.DateTimeField(_("deadline for wishes"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per talk"), default=15)
    first_slot_at = models.DateTimeField(_("first talk starts"))
    n_slots = models.PositiveSmallIntegerField(_("number of slots"), default=8)
    max_wishes = models.PositiveSmallIntegerField(_("maximum number of wishes"), default=5)
    min_break_slots = models.PositiveSmallIntegerField(_("free slots between two talks"), default=0)
    hold_minutes = models.PositiveSmallIntegerField(
        _("minutes to accept a seat from the waiting list"),
        default=60,
        help_text=_("A freed seat is offered to the next pupil on the waiting list for this long."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talk round")
        verbose_name_plural = _("talk rounds")
        ordering = ["first_slot_at"]
        constraints = [
            models.CheckConstraint(condition=Q(n_slots__gt=0), name="talkround_slots_positive"),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="talkround_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def slot_start(self, slot: int):
        return self.first_slot_at + timedelta(minutes=self.slot_minutes * slot)

    def slot_end(self, slot: int):
        return self.slot_start(slot) + timedelta(minutes=self.slot_minutes)

    @property
    def slots(self) -> list[tuple[int, object]]:
        """(index, start) of every slot."""
        return [(i, self.slot_start(i)) for i in range(self.n_slots)]

    @property
    def ends_at(self):
        return self.slot_start(self.n_slots)


class TalkOffer(models.Model):
    """A company's capacity in a round: parallel talks (trainers/tables) × pupils per talk, in its time windows."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("online")
        ONSITE = "onsite", _("on site")

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="offers")
    company = models.ForeignKey("catalog.Company", verbose_name=_("company"), on_delete=models.CASCADE)
    parallel = models.PositiveSmallIntegerField(
        _("talks at the same time"),
        default=1,
        help_text=_("Trainers, apprentices or tables talking at once."),
    )
    group_size = models.PositiveSmallIntegerField(
        _("pupils per talk"), default=1, help_text=_("1 = one-to-one talk; more = group talk.")
    )
    available_slots = models.JSONField(_("time slots"), default=list, blank=True)  # empty = every slot
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.ONLINE)
    table = models.CharField(_("table"), max_length=40, blank=True)
    video_key = models.CharField(max_length=48, unique=True, default=video_token, editable=False)

    class Meta:
        verbose_name = _("talk offer")
        verbose_name_plural = _("talk offers")
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "company"], name="talkoffer_unique_company"),
            models.CheckConstraint(condition=Q(parallel__gt=0), name="talkoffer_parallel_positive"),
            models.CheckConstraint(condition=Q(group_size__gt=0), name="talkoffer_group_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.round})"

    @property
    def seats(self) -> int:
        """Pupils per slot."""
        return self.parallel * self.group_size

    def has_slot(self, slot: int) -> bool:
        return not self.available_slots or slot in self.available_slots


class TalkWish(models.Model):
    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="wishes")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talk_wishes")
    rank = models.PositiveSmallIntegerField(_("rank"))  # 0 = first wish
    company = models.ForeignKey(
        "catalog.Company", verbose_name=_("company"), on_delete=models.CASCADE, null=True, blank=True
    )
    profession = models.ForeignKey(
        "catalog.Profession", verbose_name=_("profession"), on_delete=models.CASCADE, null=True, blank=True
    )
    # set by the allocation: "fulfilled" or why not ("capacity", "availability", "ranking", "consent")
    outcome = models.CharField(_("outcome"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("talk wish")
        verbose_name_plural = _("talk wishes")
        ordering = ["round", "pupil", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "pupil", "rank"], name="talkwish_unique_rank"),
            models.CheckConstraint(
                condition=Q(company__isnull=False, profession__isnull=True)
                | Q(company__isnull=True, profession__isnull=False),
                name="talkwish_company_xor_profession",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} #{self.rank + 1}: {self.company or self.profession}"


class TalkParticipant(models.Model):
    """A pupil in a round; ``available_slots`` lists the slot indexes they can attend (empty = all)."""

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="participants")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talk_rounds")
    available_slots = models.JSONField(_("available slots"), default=list, blank=True)
    # a teacher who entered the wishes for their class; their registration covers the consent rule (design §7)
    # as long as the pupil is still in that class
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_class = models.ForeignKey(
        "accounts.SchoolClass", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("talk participant")
        verbose_name_plural = _("talk participants")
        constraints = [models.UniqueConstraint(fields=["round", "pupil"], name="talkparticipant_unique")]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.round})"


class AllocationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(_("result summary"), default=dict, blank=True)
    progress = models.CharField(_("progress"), max_length=80, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.round} – {self.get_status_display()}"


BOOKED_OR_HELD = ("booked", "offered")


class Talk(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        OFFERED = "offered", _("offered from the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("not accepted in time")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("did not come")

    class Source(models.TextChoices):
        ALLOCATION = "allocation", _("allocation")
        BOOKING = "booking", _("booking")
        WAITLIST = "waitlist", _("waiting list")
        MANUAL = "manual", _("set by staff")

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="talks")
    offer = models.ForeignKey(TalkOffer, on_delete=models.CASCADE, related_name="talks")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talks")
    slot = models.PositiveSmallIntegerField(_("slot"))
    table_no = models.PositiveSmallIntegerField(_("table"), default=0)  # which of the offer's parallel talks
    rank = models.PositiveSmallIntegerField(null=True, blank=True)  # fulfilled wish (allocation only)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ALLOCATION)
    hold_until = models.DateTimeField(null=True, blank=True)  # an offered seat must be accepted by then
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["round", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "pupil", "slot"],
                condition=Q(status__in=BOOKED_OR_HELD),
                name="talk_pupil_slot_once",
            ),
            models.UniqueConstraint(
                fields=["round", "pupil", "offer"],
                condition=Q(status__in=BOOKED_OR_HELD),
                name="talk_pupil_offer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} – {self.offer.company} ({self.slot})"

    @property
    def starts_at(self):
        return self.round.slot_start(self.slot)

    @property
    def ends_at(self):
        return self.round.slot_end(self.slot)

    @property
    def video_url(self) -> str:
        """The Jitsi room of this talk: one per offer, slot and table (group talks share it). The offer's secret
        key makes it unguessable; it is shown only to the participants around the talk's time."""
        base = getattr(settings, "EINBLICK_JITSI_BASE_URL", "https://meet.jit.si").rstrip("/")
        # safe default for pupils: everyone joins with the camera off (they may switch it on)
        return f"{base}/Einblick-{self.offer.video_key}-{self.slot}-{self.table_no}#config.startWithVideoMuted=true"


class WaitlistEntry(models.Model):
    """A pupil waiting for a seat with a company after the plan is published (first come, first served)."""

    round = models.ForeignKey(TalkRound, on_delete=models.CASCADE, related_name="waitlist")
    offer = models.ForeignKey(TalkOffer, on_delete=models.CASCADE, related_name="waitlist")
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["offer", "pupil"], name="waitlist_unique")]

    def __str__(self) -> str:
        return f"{self.pupil} → {self.offer.company}"
