from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm, BaseModelForm

from .models import Audience, Budget, Format, Need, Provider, Tandem, Topic, TrainingOffer

EQUIPMENT = [
    ("camera", _("camera or good smartphone")),
    ("laptop", _("laptop")),
    ("room", _("meeting room")),
    ("internet", _("stable internet")),
]


class NeedForm(BaseForm):
    """The guided need form: five short questions, made for a phone."""

    topics = forms.ModelMultipleChoiceField(
        label=_("What do you need help with?"),
        queryset=Topic.objects.filter(parent__isnull=False).select_related("parent"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    text = forms.CharField(
        label=_("Anything else? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    audience = forms.MultipleChoiceField(
        label=_("Who should learn?"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    people = forms.IntegerField(label=_("How many people?"), min_value=1, max_value=500, initial=1)
    formats = forms.MultipleChoiceField(
        label=_("Which formats suit you?"), choices=Format.choices, widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    budget = forms.ChoiceField(
        label=_("Budget per person"), choices=Budget.choices, widget=forms.RadioSelect, initial=Budget.FREE
    )
    equipment = forms.MultipleChoiceField(
        label=_("What do you have?"), choices=EQUIPMENT, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].label_from_instance = str


class OfferForm(BaseModelForm):
    formats = forms.MultipleChoiceField(
        label=_("Formats"), choices=Format.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TrainingOffer
        fields = [
            "title",
            "kind",
            "description",
            "topics",
            "formats",
            "dates",
            "starts",
            "price_eur",
            "capacity",
            "language",
            "active",
            "event",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "starts": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # seminar dates a provider may link: published seminars for companies, those it hosts, the current one
        from django.db.models import Q

        from einblick.events.models import Event

        offer = self.instance
        allowed = Q(status=Event.Status.PUBLISHED)
        if offer.provider_id and offer.provider.company_id:
            allowed |= Q(hosts=offer.provider.company_id)
        if offer.event_id:
            allowed |= Q(pk=offer.event_id)
        self.fields["event"].queryset = (
            Event.objects.filter(allowed, audience=Event.Audience.COMPANIES).distinct().order_by("starts_at")
        )


class TandemForm(BaseModelForm):
    class Meta:
        model = Tandem
        fields = ["status", "goals", "outcome"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in Tandem.Status.choices if c[0] != Tandem.Status.REQUESTED]


class StepForm(BaseForm):
    title = forms.CharField(label=_("Next step"), max_length=200)
    due = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class NoteForm(BaseForm):
    met_on = forms.DateField(
        label=_("Meeting on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class FileForm(BaseForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, Word, Excel, PowerPoint, text or CSV; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.txt,.csv"}),
    )


class CommissionForm(BaseForm):
    """Staff turn a cluster of uncovered needs into a commissioned seminar."""

    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.all(), empty_label=None)


__all__ = [
    "CommissionForm",
    "FileForm",
    "Need",
    "NeedForm",
    "NoteForm",
    "OfferForm",
    "StepForm",
    "TandemForm",
]
