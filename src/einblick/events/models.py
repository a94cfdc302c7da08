"""Events of a series like "Your Way 2 Business" (issue #6): company visits, workshops, info evenings, bus tours;
registrations of pupils and of whole classes with waiting list, consent, tickets, check-in, certificates, feedback."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be confused when read aloud or typed from a printout (no 0/O, 1/I/L).
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TICKET_LENGTH = 12


def ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


class Series(models.Model):
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(unique=True, max_length=180)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("company visit")
        WORKSHOP = "workshop", _("workshop")
        EVENING = "evening", _("information evening")
        BUS_TOUR = "bus_tour", _("bus tour")
        SEMINAR = "seminar", _("seminar")

    class Audience(models.TextChoices):
        PUPILS = "pupils", _("pupils")
        COMPANIES = "companies", _("staff of member companies")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(unique=True, max_length=180)
    description = models.TextField(_("description"), max_length=4000)
    hosts = models.ManyToManyField(
        "catalog.Company", verbose_name=_("host companies"), related_name="hosted_events", blank=True
    )
    professions = models.ManyToManyField(
        "catalog.Profession", verbose_name=_("professions shown"), related_name="events", blank=True
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.ForeignKey(
        "catalog.Place",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    directions = models.TextField(_("how to get there"), blank=True, help_text=_("By bus or train, parking."))
    capacity = models.PositiveSmallIntegerField(_("places"))
    grade_min = models.PositiveSmallIntegerField(_("from school year"), default=7)
    grade_max = models.PositiveSmallIntegerField(_("to school year"), default=10)
    what_to_bring = models.TextField(_("what to bring"), blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    cancel_until = models.DateTimeField(_("cancellation possible until"))
    hold_hours = models.PositiveSmallIntegerField(
        _("hours to confirm a place from the waiting list"), default=48
    )
    school_event = models.BooleanField(
        _("school event"),
        default=True,
        help_text=_("A teacher's registration of a class covers the parents' consent."),
    )
    audience = models.CharField(
        _("for"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.PUPILS,
        help_text=_("Seminars for member companies' staff (Digital-Tandem) are not listed for pupils."),
    )
    join_url = models.URLField(
        _("online room"),
        blank=True,
        help_text=_("Link to the video room of an online event; shown only to confirmed participants."),
    )
    materials_before = models.TextField(
        _("materials before"),
        blank=True,
        help_text=_("Links and hints for participants, shown after registering."),
    )
    materials_after = models.TextField(
        _("materials after"),
        blank=True,
        help_text=_("Slides, recordings, links; shown to participants afterwards."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(grade_max__gte=models.F("grade_min")), name="event_grades_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    @property
    def is_over(self) -> bool:
        return timezone.now() > self.ends_at

    @property
    def for_companies(self) -> bool:
        return self.audience == self.Audience.COMPANIES

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude:.5f}&mlon={self.longitude:.5f}"
            f"#map=16/{self.latitude:.5f}/{self.longitude:.5f}"
        )


class Stop(models.Model):
    """A stop of a bus tour (or a station of a workshop day)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    company = models.ForeignKey(
        "catalog.Company", verbose_name=_("company"), on_delete=models.SET_NULL, null=True, blank=True
    )
    title = models.CharField(_("stop"), max_length=160)
    arrives_at = models.TimeField(_("arrival"), null=True, blank=True)

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["event", "order"]

    def __str__(self) -> str:
        return self.title


ACTIVE = ("confirmed", "awaiting_parent", "offered", "waitlisted")
HOLDING = ("confirmed", "awaiting_parent", "offered")  # these take places


class Registration(models.Model):
    """A pupil alone (``pupil``) or a group (``places``) registered by ``teacher``: a teacher's class
    (``school_class``) or, for seminars, a member of a company registering its staff (``company``)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        AWAITING_PARENT = "awaiting_parent", _("waiting for a parent's consent")
        OFFERED = "offered", _("place offered, please confirm")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school_class = models.ForeignKey(
        "accounts.SchoolClass", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        "catalog.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="event_registrations"
    )
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    allow_split = models.BooleanField(
        _("the group may be split"),
        default=False,
        help_text=_("If not all places are free, part of the group may move up from the waiting list."),
    )
    names = models.TextField(_("names of the pupils"), blank=True, help_text=_("One per line; optional."))
    # the waiting part of a class registration that was split (the free places confirmed, the rest waiting)
    split_from = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="event_groups")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    hold_until = models.DateTimeField(
        null=True, blank=True
    )  # offered / awaiting parent: place kept until then
    ticket = models.CharField(max_length=TICKET_LENGTH, unique=True, default=ticket_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attended = models.PositiveSmallIntegerField(_("pupils present"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="registration_places_positive"),
            models.CheckConstraint(
                condition=Q(pupil__isnull=False, teacher__isnull=True)
                | Q(pupil__isnull=True, teacher__isnull=False),
                name="registration_pupil_xor_teacher",
            ),
            models.UniqueConstraint(
                fields=["event", "pupil"], condition=Q(status__in=ACTIVE), name="registration_pupil_once"
            ),
            models.UniqueConstraint(
                fields=["event", "school_class"],
                condition=Q(status__in=ACTIVE, school_class__isnull=False, split_from__isnull=True),
                name="registration_class_once",
            ),
            models.UniqueConstraint(
                fields=["event", "company"],
                condition=Q(status__in=ACTIVE, company__isnull=False, split_from__isnull=True),
                name="registration_company_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} – {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_group(self) -> bool:
        return self.teacher_id is not None

    @property
    def holder_name(self) -> str:
        if self.is_group:
            if self.company_id:
                return self.company.name
            return str(self.school_class) if self.school_class_id else self.teacher.display_name
        return self.pupil.display_name

    @property
    def ticket_display(self) -> str:
        return "-".join(self.ticket[i : i + 4] for i in range(0, len(self.ticket), 4))

    @property
    def name_list(self) -> list[str]:
        return [line.strip() for line in self.names.splitlines() if line.strip()]


class Feedback(models.Model):
    """After the event: stars and two free texts. Anonymous: results never show who answered."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    # a keyed hash of the registration: one answer per registration, without storing who answered
    voter = models.CharField(max_length=64, editable=False)
    stars = models.PositiveSmallIntegerField(_("stars"))
    liked = models.TextField(_("What did you like?"), max_length=1000, blank=True)
    improve = models.TextField(_("What could be better?"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="feedback_stars_range"),
            models.UniqueConstraint(fields=["event", "voter"], name="feedback_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.stars}★"
