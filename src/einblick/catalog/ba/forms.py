"""Form of the staff page that starts an import."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm

from .. import selectors

RADIUS_KM = (10, 25, 50, 100, 200)


class OfferImportForm(BaseForm):
    wo = forms.CharField(
        label=_("Postal code or town"),
        max_length=80,
        help_text=_("The centre of the search, e.g. Papenburg or 26871."),
    )
    umkreis = forms.TypedChoiceField(label=_("Distance"), choices=(), coerce=int)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"wo": settings.EINBLICK_BA_WO, "umkreis": settings.EINBLICK_BA_UMKREIS})
        super().__init__(*args, **kwargs)
        radii = sorted({*RADIUS_KM, settings.EINBLICK_BA_UMKREIS})
        self.fields["umkreis"].choices = [(km, f"{km} km") for km in radii]

    def clean_wo(self):
        wo = " ".join(self.cleaned_data["wo"].split())
        if selectors.place_resolve(wo) is None:
            raise forms.ValidationError(_("We do not know this postal code or town. Please check it."))
        return wo
