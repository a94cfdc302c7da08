from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm

from .selectors import Period

MAX_DAYS = 800  # a little more than two school years


def school_year_start(today: date) -> date:
    """1 August of the current school year (Lower Saxony: the school year starts in summer)."""
    return date(today.year if today.month >= 8 else today.year - 1, 8, 1)


class PeriodForm(BaseForm):
    """The period and district of the dashboard; invalid input falls back to the last 30 days, whole region."""

    PRESETS = [
        ("30", _("last 30 days")),
        ("90", _("last 90 days")),
        ("schuljahr", _("this school year")),
        ("", _("dates below")),
    ]

    zeitraum = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    von = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bis = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kreis = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, districts: dict[str, str] | None = None, with_district: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_district:
            self.fields["kreis"].choices = [
                ("", _("whole region")),
                *sorted(districts.items(), key=lambda i: i[1]),
            ]
        else:
            del self.fields["kreis"]

    def clean(self):
        data = super().clean()
        start, end = data.get("von"), data.get("bis")
        if start and end and end < start:
            self.add_error("bis", _("The end must not be before the start."))
        if start and end and (end - start).days > MAX_DAYS:
            self.add_error("von", _("Please choose at most two school years."))
        return data

    def period(self) -> Period:
        """The chosen period in whole weeks (Monday to Sunday), at most ``MAX_DAYS``; the last 30 days otherwise."""
        today = timezone.localdate()
        default = Period(today - timedelta(days=29), today)
        if not self.is_bound or not self.is_valid():
            return default.whole_weeks()
        data = self.cleaned_data
        district = data.get("kreis", "") or ""
        preset = data.get("zeitraum") or ""
        if preset == "schuljahr":
            period = Period(school_year_start(today), today, district)
        elif preset in ("30", "90"):
            period = Period(today - timedelta(days=int(preset) - 1), today, district)
        else:
            period = Period(data.get("von") or default.start, data.get("bis") or today, district)
        if period.end < period.start or (period.end - period.start).days > MAX_DAYS:
            self.add_error(None, _("Please choose a start before the end and at most two school years."))
            return default.whole_weeks()
        return period.whole_weeks()
