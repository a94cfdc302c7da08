from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from einblick.catalog.models import Company, Profession


class WishesForm(forms.Form):
    """Ordered selects: wish 1 … wish N, each a company of the round ("c<id>") or a profession ("p<id>")."""

    def __init__(self, *args, round, offers, professions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")]
        choices.append((_("Companies"), [(f"c{o.company_id}", o.company.name) for o in offers]))
        choices.append(
            (_("Any company training this profession"), [(f"p{p.pk}", p.name) for p in professions])
        )
        for i in range(round.max_wishes):
            self.fields[f"wish_{i}"] = forms.ChoiceField(
                label=_("Wish %(n)d") % {"n": i + 1}, choices=choices, required=False
            )

    def wishes(self) -> list:
        items = []
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if not value:
                continue
            model = Company if value[0] == "c" else Profession
            try:
                items.append(model.objects.get(pk=int(value[1:])))
            except (ValueError, model.DoesNotExist):
                raise ValidationError(_("Please choose from the list.")) from None
        return items
