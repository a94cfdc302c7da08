"""Catalogue: occupational fields, professions, places, companies with sites and contacts, offers."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RIASEC = ("r", "i", "a", "s", "e", "c")


class Certificate(models.TextChoices):
    """School leaving certificates, ordered from lowest to highest."""

    NONE = "ohne", _("no certificate")
    HAUPTSCHULE = "hauptschule", _("Hauptschulabschluss")
    MITTLERER = "mittlerer", _("Realschulabschluss (mittlerer Abschluss)")
    ABITUR = "abitur", _("Abitur / Fachhochschulreife")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value) if value in cls.values else 0


class Field(models.Model):
    """Occupational field (Berufsfeld) grouping professions."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("occupational field")
        verbose_name_plural = _("occupational fields")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Profession(models.Model):
    """A recognised apprenticeship profession (Ausbildungsberuf)."""

    class Kind(models.TextChoices):
        DUAL = "dual", _("dual training (BBiG/HwO)")
        SCHOOL = "school", _("school-based training")

    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(_("name"), max_length=160, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    terms = models.JSONField(_("search terms"), default=list, blank=True)
    field = models.ForeignKey(
        Field, verbose_name=_("occupational field"), on_delete=models.PROTECT, related_name="professions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DUAL)
    law = models.CharField(_("regulated by"), max_length=10, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration in months"), validators=[MinValueValidator(18), MaxValueValidator(48)]
    )
    certificate = models.CharField(
        _("usual school certificate"),
        max_length=12,
        choices=Certificate.choices,
        default=Certificate.MITTLERER,
    )
    description = models.TextField(_("description"))
    kldb = models.CharField(_("KldB 2010 code"), max_length=5, blank=True)
    # Interest profile (RIASEC, 0–5 each), see docs/catalog.md.
    r = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    i = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    a = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    s = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    e = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    c = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(5)])
    # Normalised name and terms (see catalog.search.normalise); searched on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("profession")
        verbose_name_plural = _("professions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:profession", args=[self.slug])

    @property
    def duration_years(self) -> str:
        years = self.duration_months / 12
        return f"{years:g}".replace(".", ",")

    @property
    def riasec(self) -> dict[str, int]:
        return {key.upper(): getattr(self, key) for key in RIASEC}


class Place(models.Model):
    """A postal code with its town and district (from GeoNames)."""

    plz = models.CharField(_("postal code"), max_length=5, db_index=True)
    name = models.CharField(_("town"), max_length=120)
    district = models.CharField(_("district"), max_length=120, blank=True)
    district_code = models.CharField(_("district key"), max_length=5, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=60, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name", "plz"]
        constraints = [models.UniqueConstraint(fields=["plz", "name"], name="place_unique_plz_name")]

    def __str__(self) -> str:
        return f"{self.plz} {self.name}"


class Company(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        HIDDEN = "hidden", _("hidden")

    class Size(models.TextChoices):
        MICRO = "1-9", _("1–9 employees")
        SMALL = "10-49", _("10–49 employees")
        MEDIUM = "50-249", _("50–249 employees")
        LARGE = "250+", _("250 or more employees")

    name = models.CharField(_("company name"), max_length=160)
    slug = models.SlugField(unique=True, max_length=180)
    profile = models.TextField(_("short profile"), max_length=2000)
    sector = models.CharField(_("sector"), max_length=100)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.SMALL)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    professions = models.ManyToManyField(
        Profession, verbose_name=_("professions trained"), related_name="companies", blank=True
    )
    instagram = models.URLField("Instagram", blank=True)
    facebook = models.URLField("Facebook", blank=True)
    linkedin = models.URLField("LinkedIn", blank=True)
    youtube = models.URLField("YouTube", blank=True)
    tiktok = models.URLField("TikTok", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:company", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def social_links(self) -> list[tuple[str, str]]:
        names = [("Instagram", "instagram"), ("Facebook", "facebook"), ("LinkedIn", "linkedin")]
        names += [("YouTube", "youtube"), ("TikTok", "tiktok")]
        return [(label, getattr(self, attr)) for label, attr in names if getattr(self, attr)]


class Site(models.Model):
    """A company's location (Standort)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name of the site"), max_length=100, blank=True, help_text=_("e.g. Hauptsitz"))
    street = models.CharField(_("street and number"), max_length=150)
    place = models.ForeignKey(Place, verbose_name=_("postal code and town"), on_delete=models.PROTECT)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["id"]

    def __str__(self) -> str:
        town = f"{self.place.plz} {self.place.name}"
        return f"{self.street}, {town}" if self.street else town


class Contact(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, help_text=_("e.g. Ausbildungsleiterin"))
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to="contacts/", blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class CompanyMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEMBER = "member", _("member")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.EINBLICK["INVITATION_DAYS"])


class Invitation(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=40, unique=True, default=new_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class Offer(models.Model):
    class Kind(models.TextChoices):
        APPRENTICESHIP = "apprenticeship", _("apprenticeship")
        INTERNSHIP = "internship", _("internship (Praktikum)")
        DUAL_STUDY = "dual_study", _("dual study")

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by the company or staff")
        BA = "ba", _("imported from the Bundesagentur für Arbeit")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="offers")
    profession = models.ForeignKey(
        Profession, verbose_name=_("profession"), on_delete=models.PROTECT, related_name="offers"
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(
        _("kind of offer"), max_length=20, choices=Kind.choices, default=Kind.APPRENTICESHIP
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the profession")
    )
    start_date = models.DateField(_("start date"))
    places = models.PositiveSmallIntegerField(
        _("number of places"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    certificate = models.CharField(
        _("required school certificate"), max_length=12, choices=Certificate.choices, default=Certificate.NONE
    )
    pay = models.JSONField(_("training pay per month, by training year (EUR)"), default=list, blank=True)
    description = models.TextField(_("description"), max_length=5000)
    apply_url = models.URLField(_("application link"), blank=True)
    apply_email = models.EmailField(_("application e-mail"), blank=True)
    valid_until = models.DateField(_("valid until"))
    is_hidden = models.BooleanField(_("hidden by network staff"), default=False)
    external_ref = models.CharField(_("external reference"), max_length=60, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(places__gte=1), name="offer_places_positive"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("catalog:offer", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or self.profession.name

    @property
    def is_open(self) -> bool:
        return not self.is_hidden and self.valid_until >= timezone.localdate()


class OfferImport(models.Model):
    """One run of the offer import from the Bundesagentur für Arbeit job search (see catalog/ba/)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # {"wo": "Papenburg", "umkreis": 50, "pages": 20} or {"files": [...]} for an offline import.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    expired = models.PositiveIntegerField(_("expired"), default=0)
    unmapped = models.PositiveIntegerField(_("profession not mapped"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # {"problems": [{"ref", "reason", "detail"}], "unmapped": [{"title", "count"}],
    #  "unknown_fields": [{"field", "count"}], "notes": [{"reason", "detail"}]}
    report = models.JSONField(_("report"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("offer import")
        verbose_name_plural = _("offer imports")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="offer_import_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING
