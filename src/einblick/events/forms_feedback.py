"""The short survey after an event: stars and two free texts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm

STAR_CHOICES = [
    (5, _("5 stars – excellent")),
    (4, _("4 stars – good")),
    (3, _("3 stars – okay")),
    (2, _("2 stars – not so good")),
    (1, _("1 star – poor")),
]


class FeedbackForm(BaseForm):
    stars = forms.TypedChoiceField(
        label=_("How many stars do you give the event?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one to five stars."),
            "invalid_choice": _("Choose one to five stars."),
        },
    )
    liked = forms.CharField(
        label=_("What did you like?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    improve = forms.CharField(
        label=_("What could be better?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
