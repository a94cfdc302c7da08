from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm

from .models import Session


class ProgrammeFilterForm(BaseForm):
    tag = forms.ChoiceField(label=_("Day"), required=False)
    buehne = forms.ChoiceField(label=_("Stage"), required=False)
    beruf = forms.ChoiceField(label=_("Profession"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("", _("all formats")), *Session.Format.choices])
    q = forms.CharField(label=_("Search the programme"), required=False, max_length=100)
    ergebnis = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, fair, professions, **kwargs):
        super().__init__(*args, **kwargs)
        days = sorted({day.date for day in fair.days.all()})
        self.fields["tag"].choices = [("", _("all days"))] + [(d.isoformat(), _date_label(d)) for d in days]
        self.fields["buehne"].choices = [("", _("all stages"))] + [(s.slug, s.name) for s in fair.stages.all()]
        self.fields["beruf"].choices = [("", _("all professions"))] + [(p.slug, p.name) for p in professions]


def _date_label(day) -> str:
    return formats.date_format(day, "l, j. F")
