"""Insights (issue #9): raw page views without personal data, rolled up into daily counts and then deleted.

A ``Hit`` says what was looked at, when (to the hour), and from which district (of a logged-in pupil's school, if
known) — no user, no IP address, no cookie. ``visitor`` is a hash of address, browser and day under a salt that
exists only for that day (``DailySalt``), so a visitor counts once per day, cannot be followed from one day to the
next, and the key cannot be recomputed afterwards; raw hits are deleted after ``EINBLICK_INSIGHTS_RAW_DAYS``.
``DailyStat`` holds the counts per day, metric, district, profession and company that every page and export reads.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hit(models.Model):
    class Kind(models.TextChoices):
        PROFESSION = "profession", _("profession page")
        COMPANY = "company", _("company page")
        OFFER = "offer", _("offer page")
        CONTACT = "contact", _("application contact")
        PROGRAMME = "programme", _("fair programme")
        SESSION = "session", _("fair session")
        BOOTH = "booth", _("fair booth")
        CHECK = "check", _("interest check result")
        DUEL = "duel", _("duel episode")
        SEARCH = "search", _("search")
        EVENT = "event", _("event page")

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    profession_id = models.IntegerField(null=True, blank=True)
    company_id = models.IntegerField(null=True, blank=True)
    district = models.CharField(max_length=5, blank=True, default="")
    visitor = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("page view")
        verbose_name_plural = _("page views")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class DailyStat(models.Model):
    """A count of ``metric`` on ``day``; 0 in ``profession_id`` / ``company_id`` and "" in ``district`` mean
    "not attributed". Rebuilt day by day by ``insights.rollup`` (idempotent)."""

    day = models.DateField()
    metric = models.CharField(max_length=24)
    district = models.CharField(max_length=5, blank=True, default="")
    profession_id = models.IntegerField(default=0)
    company_id = models.IntegerField(default=0)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "district", "profession_id", "company_id"], name="dailystat_unique"
            )
        ]
        indexes = [
            models.Index(fields=["metric", "day"], name="dailystat_metric_day"),
            models.Index(fields=["company_id", "day"], name="dailystat_company_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}: {self.value}"


class Rollup(models.Model):
    """When the counts were last rebuilt (shown as "as of" on the dashboard)."""

    finished_at = models.DateTimeField()
    first_day = models.DateField()
    last_day = models.DateField()
    rows = models.PositiveIntegerField(default=0)
    deleted_hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M}"


class DailySalt(models.Model):
    """The random salt of one day's visitor keys; deleted by the recount once the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)
