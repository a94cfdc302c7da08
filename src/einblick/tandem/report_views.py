"""Reports of the Digital-Tandem for the network's funders (page and CSV). Network staff only; anyone else 404."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm
from einblick.core.spreadsheet import to_csv

from . import reports, rules

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReportForm(BaseForm):
    start = _date_field(_("From"))
    end = _date_field(_("Until"))
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("all districts"))] + [(d, d) for d in districts]

    def _clean_day(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                _("Please choose a date between %(first)s and %(last)s.")
                % {"first": f"{EARLIEST:%d.%m.%Y}", "last": f"{LATEST:%d.%m.%Y}"}
            )
        return value

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        first, today = _defaults()
        if "start" not in self.errors and "end" not in self.errors and (start or first) > (end or today):
            self.add_error("end" if end else "start", _("The end must not be before the start."))
        return data


def _defaults() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


def _parse(request) -> tuple[ReportForm, date, date, str]:
    """The form and the period and district it asks for: a missing date is the default (1 January / today); on any
    invalid input the whole report falls back to the defaults (1 January to today, all districts)."""
    first, today = _defaults()
    form = ReportForm(
        request.GET or None,
        districts=reports.districts(),
        initial={"start": first, "end": today},
    )
    if not form.is_bound or not form.is_valid():
        return form, first, today, ""
    data = form.cleaned_data
    return form, data["start"] or first, data["end"] or today, data["district"] or ""


def _staff(request) -> None:
    if not rules.can_manage(request.user):
        raise Http404


@login_required
def report(request):
    _staff(request)
    form, start, end, district = _parse(request)
    query = urlencode({"start": start.isoformat(), "end": end.isoformat(), "district": district})
    context = {
        "form": form,
        "report": reports.report(start=start, end=end, district=district),
        "csv_query": query,
    }
    return render(request, "tandem/report.html", context)


@login_required
def report_csv(request):
    _staff(request)
    _form, start, end, district = _parse(request)
    header, rows = reports.csv_rows(reports.report(start=start, end=end, district=district))
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"tandem-bericht-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
