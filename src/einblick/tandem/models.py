"""Digital-Tandem (issue #8): member companies' needs for digital training and further education, matched to
providers' offers (courses, seminars, coaching, mentoring); confirmed tandems."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from einblick.core.storage import private_storage


class Topic(models.Model):
    """The curated taxonomy of topics (staff edit it), e.g. "Digitales Recruiting › Eigene Videos"."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["parent__name", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class Format(models.TextChoices):
    ONLINE = "online", _("online")
    ONSITE = "onsite", _("on site")
    INHOUSE = "inhouse", _("in-house, at the company")


class Audience(models.TextChoices):
    TRAINERS = "trainers", _("trainers")
    APPRENTICES = "apprentices", _("apprentices")
    HR = "hr", _("HR and management")


class Budget(models.TextChoices):
    FREE = "free", _("free of charge only")
    LOW = "low", _("up to 250 €")
    MEDIUM = "medium", _("up to 1,000 €")
    HIGH = "high", _("more than 1,000 €")


BUDGET_LIMIT = {"free": 0, "low": 250, "medium": 1000, "high": 10**9}


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MATCHED = "matched", _("tandem agreed")
        CLOSED = "closed", _("closed")

    company = models.ForeignKey("catalog.Company", on_delete=models.CASCADE, related_name="tandem_needs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="needs")
    text = models.TextField(_("in your own words"), max_length=2000, blank=True)
    audience = models.JSONField(_("who should learn"), default=list)
    people = models.PositiveSmallIntegerField(_("how many people"), default=1)
    formats = models.JSONField(_("formats"), default=list)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    budget = models.CharField(_("budget"), max_length=8, choices=Budget.choices, default=Budget.FREE)
    equipment = models.JSONField(_("equipment available"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(people__gt=0), name="need_people_positive")]

    def __str__(self) -> str:
        return f"{self.company}: {', '.join(t.name for t in self.topics.all())}"


class Provider(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("training provider")
        CHAMBER = "chamber", _("chamber")
        SCHOOL = "school", _("vocational school")
        MENTOR = "mentor", _("member company as mentor")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROVIDER)
    place = models.ForeignKey(
        "catalog.Place", verbose_name=_("town"), on_delete=models.SET_NULL, null=True, blank=True
    )
    radius_km = models.PositiveSmallIntegerField(_("region served (km)"), default=50)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="tandem_providers")
    company = models.ForeignKey(
        "catalog.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For member companies acting as mentors."),
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingOffer(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("course")
        SEMINAR = "seminar", _("seminar")
        COACHING = "coaching", _("coaching")
        MENTORING = "mentoring", _("mentoring")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COURSE)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="offers")
    formats = models.JSONField(_("formats"), default=list)
    dates = models.CharField(_("dates"), max_length=200, blank=True, help_text=_("Empty = on request."))
    starts = models.DateField(_("next date"), null=True, blank=True)
    price_eur = models.PositiveIntegerField(_("price per person (€)"), default=0)
    capacity = models.PositiveSmallIntegerField(_("places"), default=12)
    language = models.CharField(_("language"), max_length=40, default="Deutsch")
    active = models.BooleanField(_("active"), default=True)
    # a seminar with a date: registration, places, waiting list, tickets, attendance and feedback are the events
    # app's (an Event for the staff of member companies)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("seminar date"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_offers",
        limit_choices_to={"audience": "companies"},
    )

    class Meta:
        verbose_name = _("training offer")
        verbose_name_plural = _("training offers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Tandem(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested by the company")
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="tandems")
    offer = models.ForeignKey(TrainingOffer, on_delete=models.PROTECT, related_name="tandems")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    goals = models.TextField(_("goals"), blank=True)
    outcome = models.CharField(_("outcome in one sentence"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="tandem_once")]

    def __str__(self) -> str:
        return f"{self.need.company} + {self.offer.provider}"


class Step(models.Model):
    """An agreed step of a tandem with a due date; overdue open steps are reminded once."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("step"), max_length=200)
    due = models.DateField(_("due on"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    """Meeting notes of a tandem."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    met_on = models.DateField(_("meeting on"))
    text = models.TextField(_("notes"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        ordering = ["-met_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.met_on:%d.%m.%Y}: {self.text[:40]}"


def attachment_path(instance, filename: str) -> str:
    # a random name: the original name is kept in ``name``, never used on disk
    import secrets
    from pathlib import PurePath

    return f"tandem/{instance.tandem_id}/{secrets.token_hex(16)}{PurePath(filename).suffix.lower()}"


class Attachment(models.Model):
    """A file of a tandem (plan, handout, checklist). Served only to both sides and staff, always as a download."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=attachment_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
