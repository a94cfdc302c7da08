from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.catalog.forms import OfferForm
from einblick.core.forms import BaseForm


class ApiTokenForm(BaseForm):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=100,
        help_text=_("So you recognise it later, e.g. the name of your applicant system."),
    )


class ApiOfferForm(OfferForm):
    """The offer form of the company screens, with the profession given by its slug (as everywhere in the API).

    All rules (start date not in the past, 1–500 places, link or e-mail for applications, …) stay in
    ``OfferForm``, so the API answers bad input with the same messages as the screens.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].to_field_name = "slug"
