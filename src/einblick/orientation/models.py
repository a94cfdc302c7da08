from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .statements import DIMENSIONS


class InterestResult(models.Model):
    """A pupil's interest-check result saved to their account (anonymous results live only in their link)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interest_results"
    )
    r = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    i = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    a = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    s = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    e = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    c = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    shared_with_teacher = models.BooleanField(_("shared with my teacher"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest check result")
        verbose_name_plural = _("interest check results")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @property
    def profile(self) -> dict[str, int]:
        return {d: getattr(self, d.lower()) for d in DIMENSIONS}
