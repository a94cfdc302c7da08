"""The digital apprenticeship fair "55 Stunden Zukunft": editions, opening hours, stages, exhibitors, sessions."""

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Fair(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(unique=True, max_length=80)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("fair:programme", args=[self.slug])


class FairDay(models.Model):
    """One opening window of the fair (usually one per calendar day). Windows may cross midnight."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="days")
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))

    class Meta:
        verbose_name = _("opening window")
        verbose_name_plural = _("opening windows")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="fairday_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{start:%d.%m.%Y %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at) / timedelta(hours=1)

    @property
    def date(self):
        return timezone.localtime(self.starts_at).date()


class Stage(models.Model):
    """A parallel channel of the fair (Bühne)."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["fair", "slug"], name="stage_unique_slug")]

    def __str__(self) -> str:
        return self.name


class Exhibitor(models.Model):
    """An approved company taking part in a fair; its booth (Stand)."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="exhibitors")
    company = models.ForeignKey("catalog.Company", on_delete=models.CASCADE, related_name="exhibitions")
    intro = models.TextField(_("booth introduction"), blank=True, max_length=3000)
    video_url = models.URLField(_("booth video"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        ordering = ["company__name"]
        constraints = [models.UniqueConstraint(fields=["fair", "company"], name="exhibitor_unique")]

    def __str__(self) -> str:
        return f"{self.company} @ {self.fair}"

    def get_absolute_url(self) -> str:
        return reverse("fair:booth", args=[self.fair.slug, self.company.slug])


class Session(models.Model):
    class Format(models.TextChoices):
        PRESENTATION = "presentation", _("presentation")
        TOUR = "tour", _("workplace tour")
        QA = "qa", _("Q&A round")
        APPRENTICES = "apprentices", _("apprentices talk")
        PARENTS = "parents", _("parents' evening")
        WORKSHOP = "workshop", _("hands-on workshop")

    class Audience(models.TextChoices):
        LOWER = "grade7-10", _("pupils grade 7–10")
        ABITUR = "abitur", _("pupils aiming for Abitur")
        PARENTS = "parents", _("parents")
        TEACHERS = "teachers", _("teachers")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="sessions")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    company = models.ForeignKey(
        "catalog.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="fair_sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.PRESENTATION)
    professions = models.ManyToManyField("catalog.Profession", blank=True, related_name="fair_sessions")
    # [{"name": "Lena", "role": "Auszubildende im 2. Jahr"}, …] — first names only (design §7).
    speakers = models.JSONField(_("speakers"), default=list, blank=True)
    audiences = models.JSONField(_("audience"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=5, default="de")
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    stream_url = models.URLField(_("stream URL (while live)"), blank=True)
    recording_url = models.URLField(_("recording URL (afterwards)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    qa_enabled = models.BooleanField(_("live Q&A"), default=True)
    qa_premoderation = models.BooleanField(_("questions only after approval"), default=False)
    is_pinned = models.BooleanField(_("pinned by staff (planner keeps it)"), default=False)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "stage__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("fair:session", args=[self.fair.slug, self.pk])

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(
            self.starts_at and self.starts_at <= now < self.ends_at and self.status == self.Status.PUBLISHED
        )

    def is_past(self, now=None) -> bool:
        return bool(self.ends_at and self.ends_at <= (now or timezone.now()))

    @property
    def duration_minutes(self) -> int:
        return (
            int((self.ends_at - self.starts_at).total_seconds() // 60)
            if self.starts_at and self.ends_at
            else 0
        )


class SessionRequest(models.Model):
    """A company's wish for a session; the programme planner turns requests into sessions on stages."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for planning")
        PLANNED = "planned", _("planned")
        UNPLACED = "unplaced", _("could not be placed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="session_requests")
    company = models.ForeignKey("catalog.Company", on_delete=models.CASCADE, related_name="session_requests")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    format = models.CharField(
        _("format"), max_length=20, choices=Session.Format.choices, default=Session.Format.PRESENTATION
    )
    professions = models.ManyToManyField("catalog.Profession", blank=True, related_name="+")
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=30)
    preferred_stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_hours = models.BooleanField(_("aimed at pupils during school hours"), default=True)
    # [["2026-11-30T09:00:00+01:00", "2026-11-30T12:00:00+01:00"], …]; empty = any time the fair is open.
    availability = models.JSONField(_("available time windows"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    session = models.OneToOneField(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )
    unplaced_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session request")
        verbose_name_plural = _("session requests")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=180),
                name="request_duration_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.title}"


class AgendaItem(models.Model):
    """A session bookmarked by a logged-in visitor (visitors without an account keep bookmarks in the browser)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="agenda")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    remind = models.BooleanField(_("remind me by e-mail 15 minutes before"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda entry")
        verbose_name_plural = _("agenda entries")
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="agenda_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.session}"


class SessionCounter(models.Model):
    """Anonymous counters of a session (no personal data): agenda adds from browsers without an account."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="counter")
    agenda_adds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session counter")
        verbose_name_plural = _("session counters")

    def __str__(self) -> str:
        return f"{self.session}: {self.agenda_adds}"


class BoothMaterial(models.Model):
    exhibitor = models.ForeignKey(Exhibitor, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=150)
    file = models.FileField(_("PDF file"), upload_to="booth/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booth material")
        verbose_name_plural = _("booth materials")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class BoothQuestion(models.Model):
    """A question sent through a booth's "ask us" form, answered by e-mail or publicly on the booth."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")
        HIDDEN = "hidden", _("hidden")

    exhibitor = models.ForeignKey(Exhibitor, on_delete=models.CASCADE, related_name="questions")
    nickname = models.CharField(_("nickname"), max_length=40)
    text = models.TextField(_("question"), max_length=1000)
    email = models.EmailField(_("e-mail for the answer (optional)"), blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=3000)
    answer_public = models.BooleanField(_("show question and answer on the booth"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("booth question")
        verbose_name_plural = _("booth questions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class BoothVisit(models.Model):
    """Booth visits counted per day (a number, no visitor data)."""

    exhibitor = models.ForeignKey(Exhibitor, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("booth visits")
        verbose_name_plural = _("booth visits")
        constraints = [models.UniqueConstraint(fields=["exhibitor", "day"], name="boothvisit_unique_day")]

    def __str__(self) -> str:
        return f"{self.exhibitor} {self.day}: {self.count}"


class AgendaFeed(models.Model):
    """The secret behind an account holder's subscribable agenda feed (ICS). A new key revokes every earlier
    feed URL; the URL carries the user id and the key, signed with the SECRET_KEY."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="agenda_feed")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda feed")
        verbose_name_plural = _("agenda feeds")

    def __str__(self) -> str:
        return f"{self.user}"


class PlanRun(models.Model):
    """One run of the programme planner for a fair: queued by staff, solved by the task worker, kept as a record."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="plan_runs")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    time_limit = models.FloatField(default=20.0)
    seed = models.IntegerField(default=0)
    # Filled while and after the solver runs.
    phase = models.PositiveSmallIntegerField(default=0)
    solutions = models.PositiveIntegerField(default=0)
    solver_status = models.CharField(max_length=20, blank=True)  # OPTIMAL, FEASIBLE, UNKNOWN …
    objective = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    first_solution_seconds = models.FloatField(null=True, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    unplaced = models.PositiveIntegerField(default=0)
    placed_bound = models.PositiveIntegerField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("planner run")
        verbose_name_plural = _("planner runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.fair} {self.created_at:%d.%m.%Y %H:%M} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
