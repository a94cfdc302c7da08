from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.catalog.forms import LocationFilterForm
from einblick.catalog.models import Certificate, Offer


class ResultFilterForm(LocationFilterForm):
    abschluss = forms.ChoiceField(
        label=_("School certificate I expect"),
        choices=[("", _("not sure yet")), *Certificate.choices],
        required=False,
    )
    art = forms.ChoiceField(
        label=_("Kind of offer"), choices=[("", _("all kinds")), *Offer.Kind.choices], required=False
    )
