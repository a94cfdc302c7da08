from django import forms
from django.utils.translation import gettext_lazy as _

from einblick.catalog.models import Profession
from einblick.core.forms import BaseForm, BaseModelForm

from .models import Event

# a class's typed name list: up to 200 places × 60 characters
NAMES_MAX_CHARS = 12_000


class EventFilterForm(BaseForm):
    when = forms.ChoiceField(
        label=_("When"), choices=[("upcoming", _("upcoming")), ("past", _("past"))], required=False
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    profession = forms.ModelChoiceField(
        label=_("Profession"),
        queryset=Profession.objects.filter(events__isnull=False).distinct(),
        required=False,
    )
    grade = forms.TypedChoiceField(
        label=_("School year"),
        coerce=int,
        choices=[("", _("any"))] + [(str(n), str(n)) for n in range(5, 14)],
        required=False,
        empty_value=None,
    )
    free = forms.BooleanField(label=_("only with places left"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("all districts"))] + [(d, d) for d in districts if d]


class ClassRegistrationForm(BaseForm):
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=None, empty_label=None)
    places = forms.IntegerField(label=_("Number of pupils"), min_value=1, max_value=200)
    allow_split = forms.BooleanField(
        label=_("If not all places are free, part of the class may take the free places"), required=False
    )
    names = forms.CharField(
        label=_("Names (optional, one per line, can be completed later)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NAMES_MAX_CHARS,
    )

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = teacher.classes.select_related("school")


class CompanyRegistrationForm(BaseForm):
    """A company member registers staff for a seminar."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label=None)
    places = forms.IntegerField(label=_("Number of participants"), min_value=1, max_value=200)
    names = forms.CharField(
        label=_("Names of the participants (one per line, for their attendance confirmations)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    allow_split = forms.BooleanField(
        label=_("If not all places are free, some of us may take the free places"), required=False
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies

    def clean(self):
        data = super().clean()
        names = [line for line in (data.get("names") or "").splitlines() if line.strip()]
        if data.get("places") and len(names) > data["places"]:
            self.add_error("names", _("More names than places: please register as many places as names."))
        return data


class GroupForm(BaseForm):
    places = forms.IntegerField(label=_("Number of pupils"), min_value=1, max_value=200)
    names = forms.CharField(
        label=_("Names (one per line)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=NAMES_MAX_CHARS,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Pupils of the class with an account (they get their certificate themselves)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        if registration.company_id:
            self.fields["places"].label = _("Number of participants")
            del self.fields["members"]
            return
        pupils = (
            registration.school_class.pupils.filter(is_active=True) if registration.school_class_id else None
        )
        from einblick.accounts.models import User

        self.fields["members"].queryset = pupils if pupils is not None else User.objects.none()


class EventForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Event
        fields = [
            "series",
            "kind",
            "title",
            "slug",
            "description",
            "hosts",
            "professions",
            "starts_at",
            "ends_at",
            "place",
            "address",
            "latitude",
            "longitude",
            "directions",
            "capacity",
            "grade_min",
            "grade_max",
            "what_to_bring",
            "accessibility",
            "registration_opens",
            "registration_closes",
            "cancel_until",
            "hold_hours",
            "school_event",
            "audience",
            "join_url",
            "materials_before",
            "materials_after",
            "status",
        ]
        dt = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        widgets = {
            "starts_at": dt,
            "ends_at": dt,
            "registration_opens": dt,
            "registration_closes": dt,
            "cancel_until": dt,
            "professions": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, host_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if host_only:  # host companies edit the content, not the organisation
            for name in (
                "series",
                "slug",
                "hosts",
                "capacity",
                "registration_opens",
                "registration_closes",
                "cancel_until",
                "hold_hours",
                "school_event",
                "audience",
                "status",
            ):
                self.fields.pop(name)
        if "audience" in self.fields:  # pupils unless staff choose a seminar for companies
            self.fields["audience"].required = False

    def _audience_locked(self) -> bool:
        """Once people registered or a seminar offer points to the event, it stays for pupils or for companies."""
        from .models import ACTIVE

        event = self.instance
        return bool(
            event.pk
            and (event.registrations.filter(status__in=ACTIVE).exists() or event.training_offers.exists())
        )

    def clean_audience(self):
        chosen = self.cleaned_data.get("audience") or self.instance.audience or Event.Audience.PUPILS
        if chosen != self.instance.audience and self._audience_locked():
            raise forms.ValidationError(
                _(
                    "People have registered already (or a seminar offer points here): the audience cannot change."
                )
            )
        return chosen

    def clean(self):
        data = super().clean()
        saved = self.instance  # hosts' forms lack some fields: the saved values still count

        def value(name):
            return data.get(name, getattr(saved, name, None)) if name not in self.fields else data.get(name)

        starts, ends = value("starts_at"), value("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        opens, closes = value("registration_opens"), value("registration_closes")
        if opens and closes and closes <= opens:
            self.add_error(
                "registration_closes" if "registration_closes" in self.fields else None,
                _("Registration must close after it opens."),
            )
        if closes and starts and closes > starts:
            self.add_error(
                "registration_closes" if "registration_closes" in self.fields else "starts_at",
                _("Registration must close before the event starts."),
            )
        gmin, gmax = value("grade_min"), value("grade_max")
        if gmin and gmax and gmax < gmin:
            self.add_error("grade_max", _("The highest school year must not be below the lowest."))
        capacity = data.get("capacity")
        if self.instance.pk and capacity is not None:
            from .services import places_held

            held = places_held(self.instance)
            if capacity < held:
                self.add_error(
                    "capacity",
                    _("%(n)d places are already taken. Cancel registrations first to go below that.")
                    % {"n": held},
                )
        if data.get("place") and data.get("latitude") is None and data.get("longitude") is None:
            data["latitude"], data["longitude"] = data["place"].latitude, data["place"].longitude
        return data
