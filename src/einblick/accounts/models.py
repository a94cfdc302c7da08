"""Accounts: the custom user with its roles, schools, classes, class codes and parental consents.

A user may hold several roles. Company membership lives in the catalog app (CompanyMembership); network staff are
users with ``is_staff``. Pupils' data is minimal by design (design.md §7): a nickname or first name, an e-mail *or*
a class code, the school year.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be confused when read aloud or from a board (no 0/O, 1/I/L).
CLASS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLASS_CODE_LENGTH = 8


class User(AbstractUser):
    class Role(models.TextChoices):
        PUPIL = "pupil", _("Pupil")
        TEACHER = "teacher", _("Teacher")
        COMPANY = "company", _("Company member")
        PROVIDER = "provider", _("Training provider")
        STAFF = "staff", _("Network staff")

    # AbstractUser's first_name/last_name stay empty for pupils; they use the nickname.
    email = models.EmailField(_("e-mail address"), blank=True)
    nickname = models.CharField(_("nickname or first name"), max_length=40, blank=True)
    school_year = models.PositiveSmallIntegerField(_("school year"), null=True, blank=True)
    is_pupil = models.BooleanField(_("pupil"), default=False)
    is_teacher = models.BooleanField(_("teacher"), default=False)
    is_provider = models.BooleanField(_("training provider"), default=False)
    school = models.ForeignKey(
        "School", verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_class = models.ForeignKey(
        "SchoolClass",
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pupils",
    )
    pending_email = models.EmailField(_("new e-mail address (unconfirmed)"), blank=True)
    # We store no birth date (data minimisation, design.md §7): only when the pupil declared to be old enough to
    # consent alone (settings.EINBLICK["CONSENT_AGE"]).
    consent_age_declared_at = models.DateTimeField(
        _("declared to be old enough to consent at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.nickname or self.get_full_name() or self.username

    @property
    def certificate_name(self) -> str:
        """The name on certificates: the full name if the pupil added one, else the nickname."""
        return self.get_full_name() or self.display_name

    @property
    def is_network_staff(self) -> bool:
        return self.is_active and self.is_staff

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_pupil:
            roles.append(self.Role.PUPIL)
        if self.is_teacher:
            roles.append(self.Role.TEACHER)
        if self.memberships.exists():
            roles.append(self.Role.COMPANY)
        if self.is_provider:
            roles.append(self.Role.PROVIDER)
        if self.is_staff:
            roles.append(self.Role.STAFF)
        return roles


class School(models.Model):
    class Kind(models.TextChoices):
        OBERSCHULE = "oberschule", _("Oberschule")
        HAUPTSCHULE = "hauptschule", _("Hauptschule")
        REALSCHULE = "realschule", _("Realschule")
        GESAMTSCHULE = "gesamtschule", _("Gesamtschule")
        GYMNASIUM = "gymnasium", _("Gymnasium")
        BBS = "bbs", _("Vocational school (BBS)")
        FOERDERSCHULE = "foerderschule", _("Special needs school")
        OTHER = "other", _("Other school")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("school type"), max_length=20, choices=Kind.choices, default=Kind.OBERSCHULE)
    place = models.ForeignKey(
        "catalog.Place", verbose_name=_("town"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "place"], name="school_unique_name_place")]

    def __str__(self) -> str:
        return f"{self.name} ({self.place.name})" if self.place_id else self.name


def new_class_code() -> str:
    return "".join(secrets.choice(CLASS_CODE_ALPHABET) for _ in range(CLASS_CODE_LENGTH))


def default_code_expiry():
    return timezone.now() + timedelta(days=settings.EINBLICK["CLASS_CODE_DAYS"])


class SchoolClass(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="classes"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("class name"), max_length=40, help_text=_("For example 8b"))
    school_year = models.PositiveSmallIntegerField(_("school year"))
    code = models.CharField(
        _("class code"), max_length=CLASS_CODE_LENGTH, unique=True, default=new_class_code
    )
    code_expires_at = models.DateTimeField(_("class code valid until"), default=default_code_expiry)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "teacher", "name"], name="class_unique_per_teacher"),
            models.CheckConstraint(
                condition=models.Q(school_year__gte=5, school_year__lte=13), name="class_school_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.school.name}"

    @property
    def code_is_valid(self) -> bool:
        return self.code_expires_at > timezone.now()


# ------------------------------------------------------------------------------------------------ parental consent

# The states of a consent (see selectors.consent_state). "self" and "missing" depend on the pupil, the other four
# on the ParentalConsent record.
CONSENT_SELF = "self"
CONSENT_PARENT = "parent"
CONSENT_PENDING = "pending"
CONSENT_DECLINED = "declined"
CONSENT_EXPIRED = "expired"
CONSENT_MISSING = "missing"
CONSENT_OK_STATES = frozenset({CONSENT_SELF, CONSENT_PARENT})


def new_consent_token() -> str:
    return secrets.token_urlsafe(32)


def default_consent_expiry():
    return timezone.now() + timedelta(days=settings.EINBLICK["CONSENT_REQUEST_DAYS"])


def consent_record_state(*, confirmed_at, declined_at, expires_at, now=None) -> str:
    """State of one request: a decline (or a later withdrawal) wins, then a confirmation, then the expiry."""
    if declined_at is not None:
        return CONSENT_DECLINED
    if confirmed_at is not None:
        return CONSENT_PARENT
    if expires_at <= (now or timezone.now()):
        return CONSENT_EXPIRED
    return CONSENT_PENDING


class ParentalConsent(models.Model):
    """A parent's answer to "may my child do <label>?", asked by e-mail link (design.md §7, pupils under 16).

    One record per pupil and purpose; a new request replaces the old one (new token, new expiry). Confirming clears
    a decline; declining a confirmed consent is its withdrawal and keeps ``confirmed_at`` for the record.
    """

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="parental_consents",
    )
    purpose = models.CharField(
        _("purpose"), max_length=80, help_text=_("Machine key, for example talks.round.12")
    )
    label = models.CharField(_("what for"), max_length=200)
    parent_email = models.EmailField(_("e-mail address of the parent"))
    token = models.CharField(_("link key"), max_length=64, unique=True, default=new_consent_token)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("answer possible until"), default=default_consent_expiry)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined or withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("parental consent")
        verbose_name_plural = _("parental consents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "purpose"], name="parental_consent_unique_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} – {self.label}"

    @property
    def state(self) -> str:
        return consent_record_state(
            confirmed_at=self.confirmed_at, declined_at=self.declined_at, expires_at=self.expires_at
        )

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AuditEntry(models.Model):
    """Who did what to personal data or to someone's roles (issue #10). Written by ``accounts.audit.record``; read
    by staff; never edited. The actor's name is kept as text so the entry survives the actor's deletion."""

    class Action(models.TextChoices):
        ROLE_CHANGED = "role_changed", _("roles changed")
        MEMBERSHIP_ADDED = "member_added", _("company member added")
        MEMBERSHIP_REMOVED = "member_removed", _("company member removed")
        PERSONAL_DATA_VIEWED = "data_viewed", _("personal data viewed")
        PERSONAL_DATA_EXPORTED = "data_exported", _("personal data exported")
        REGISTRATION_CANCELLED = "reg_cancelled", _("registration cancelled by staff")
        ACCOUNT_DELETED = "account_deleted", _("account deleted")
        RETENTION = "retention", _("expired data deleted")
        TWO_FACTOR = "two_factor", _("two-factor authentication changed")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.target}"


class TwoFactor(models.Model):
    """A user's authenticator app (TOTP). Confirmed once the first code was right; required for staff."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=-1)  # the last time step used: a code works only once

    class Meta:
        verbose_name = _("two-factor authentication")
        verbose_name_plural = _("two-factor authentications")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.confirmed_at else 'being set up'})"
