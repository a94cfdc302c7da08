from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm


class BlockedWordForm(BaseForm):
    entry = forms.CharField(
        label=_("Word for the filter"),
        max_length=60,
        help_text=_(
            "A whole word, “word*” for everything starting with it, or “*part*” for anything containing it."
        ),
    )

    def clean_entry(self):
        value = self.cleaned_data["entry"].strip()
        core = value.strip("*")
        if len(core) < 3 or not any(ch.isalpha() for ch in core) or " " in core:
            raise forms.ValidationError(_("Please enter one word of at least three letters."))
        return value
