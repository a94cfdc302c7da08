from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from einblick.accounts.forms import PasswordMixin, validate_email_free
from einblick.core.forms import BaseForm, BaseModelForm

from . import selectors
from .models import Certificate, Company, Contact, Field, Offer, Profession, Site
from .services import UPLOAD_MAX_PIXELS

RADIUS_CHOICES = [("", _("any distance"))] + [
    (str(km), _("within %(km)s km") % {"km": km}) for km in selectors.DISTANCES_KM
]
DISTRICTS = [
    ("", _("all districts")),
    ("03454", "Landkreis Emsland"),
    ("03456", "Landkreis Grafschaft Bentheim"),
    ("03457", "Landkreis Leer"),
    ("03452", "Landkreis Aurich"),
    ("03462", "Landkreis Wittmund"),
    ("03402", "Emden"),
]


class PlaceField(forms.CharField):
    """A postal code or town typed by the user, cleaned to a Place; unknown ones get a clear message."""

    default_error_messages = {"unknown": _("We do not know this postal code or town. Please check it.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("label", _("Postal code or town"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        place = selectors.place_record(value)
        if place is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return place


class ImageUploadField(forms.ImageField):
    """An uploaded image (checked by Pillow) of limited size."""

    def clean(self, data, initial=None):
        if data and getattr(data, "size", 0) > settings.EINBLICK_MAX_LOGO_BYTES:
            raise ValidationError(
                _("The file is too large (max. %(mb)s MB).")
                % {"mb": settings.EINBLICK_MAX_LOGO_BYTES // 1_048_576}
            )
        cleaned = super().clean(data, initial)
        image = getattr(cleaned, "image", None)  # set by Django after Pillow identified the upload
        if image is not None and image.size[0] * image.size[1] > UPLOAD_MAX_PIXELS:
            raise ValidationError(_("The image is too large (max. 4000 × 4000 pixels)."))
        return cleaned


# --- Public filters ---------------------------------------------------------------------------------------------
class LocationFilterForm(BaseForm):
    ort = forms.CharField(label=_("Postal code or town"), max_length=80, required=False)
    umkreis = forms.ChoiceField(label=_("Distance"), choices=RADIUS_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        data["origin"] = None
        if data.get("ort"):
            data["origin"] = selectors.place_resolve(data["ort"])
            if data["origin"] is None:
                self.add_error("ort", _("We do not know this postal code or town. Please check it."))
        data["radius_km"] = float(data["umkreis"]) if data.get("umkreis") else None
        if data["origin"] and data["radius_km"] is None:
            data["radius_km"] = 50.0
        return data


class CompanyFilterForm(LocationFilterForm):
    feld = forms.ModelChoiceField(
        label=_("Occupational field"),
        queryset=Field.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("all fields"),
    )
    beruf = forms.ModelChoiceField(
        label=_("Profession"),
        queryset=Profession.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label=_("all professions"),
    )
    kreis = forms.ChoiceField(label=_("District"), choices=DISTRICTS, required=False)


class OfferFilterForm(CompanyFilterForm):
    art = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("all kinds")), *Offer.Kind.choices], required=False
    )
    abschluss = forms.ChoiceField(
        label=_("My school certificate"), choices=[("", _("any")), *Certificate.choices], required=False
    )
    beginn = forms.TypedChoiceField(
        label=_("Start year"), coerce=int, required=False, empty_value=None, choices=()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["beginn"].choices = [("", _("any year"))] + [(y, str(y)) for y in range(year, year + 3)]


# --- Company registration and editing ---------------------------------------------------------------------------
class CompanyFieldsMixin(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=160)
    sector = forms.CharField(
        label=_("Sector"), max_length=100, help_text=_("e.g. Metallbau, Einzelhandel, Pflege")
    )
    size = forms.ChoiceField(label=_("Size"), choices=Company.Size.choices)
    profile = forms.CharField(
        label=_("Short profile"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_(
            "What you do and what trainees experience with you – 2 to 5 sentences, max. 2,000 characters."
        ),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    professions = forms.ModelMultipleChoiceField(
        label=_("Professions you train"),
        queryset=Profession.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    logo = ImageUploadField(label=_("Logo"), required=False, help_text=_("PNG or JPEG, max. 5 MB."))


class CompanyRegisterForm(BaseForm, CompanyFieldsMixin):
    street = forms.CharField(label=_("Street and number"), max_length=150)
    place = PlaceField(label=_("Postal code or town"))
    contact_name = forms.CharField(label=_("Contact person for pupils"), max_length=120)
    contact_role = forms.CharField(
        label=_("Role of the contact person"), max_length=120, initial=_("Training manager")
    )
    contact_email = forms.EmailField(label=_("E-mail of the contact person"))


class AccountFieldsForm(BaseForm, PasswordMixin):
    """Account of the person registering a company (when not logged in)."""

    first_name = forms.CharField(label=_("Your first name"), max_length=60)
    last_name = forms.CharField(label=_("Your last name"), max_length=60)
    email = forms.EmailField(label=_("Your e-mail (for logging in)"))
    field_order = ["first_name", "last_name", "email", "password"]

    def clean_email(self):
        return validate_email_free(self.cleaned_data["email"])


class CompanyForm(BaseModelForm):
    logo = ImageUploadField(label=_("Logo"), required=False, help_text=_("PNG or JPEG, max. 5 MB."))

    class Meta(BaseModelForm.Meta):
        model = Company
        fields = [
            "name",
            "sector",
            "size",
            "profile",
            "website",
            "professions",
            "instagram",
            "facebook",
            "linkedin",
            "youtube",
            "tiktok",
        ]
        widgets = {"profile": forms.Textarea, "professions": forms.SelectMultiple(attrs={"size": 8})}


class SiteForm(BaseModelForm):
    place = PlaceField(label=_("Postal code or town"))

    class Meta(BaseModelForm.Meta):
        model = Site
        fields = ["name", "street"]


class ContactForm(BaseModelForm):
    photo = ImageUploadField(label=_("Photo (optional)"), required=False)

    class Meta(BaseModelForm.Meta):
        model = Contact
        fields = ["name", "role", "email", "phone", "photo"]


class PayField(forms.CharField):
    """Monthly training pay per training year as "850, 950, 1050"."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        try:
            amounts = [
                int(part.strip().replace(".", ""))
                for part in value.replace(";", ",").split(",")
                if part.strip()
            ]
        except ValueError:
            raise ValidationError(
                _("Please enter whole euro amounts separated by commas, e.g. 850, 950, 1050.")
            )
        if len(amounts) > 4 or any(a < 0 or a > 5000 for a in amounts):
            raise ValidationError(_("At most four amounts between 0 and 5,000 euros."))
        return amounts

    def prepare_value(self, value):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else value


class OfferForm(BaseModelForm):
    places = forms.IntegerField(
        label=_("number of places"),
        min_value=1,
        max_value=500,
        initial=1,
        error_messages={"min_value": _("At least one place."), "max_value": _("At most 500 places.")},
    )
    pay = PayField(
        label=_("Training pay per month (euros), by training year"),
        required=False,
        max_length=60,
        help_text=_("e.g. 850, 950, 1050 – leave empty if you do not want to say"),
    )

    class Meta(BaseModelForm.Meta):
        model = Offer
        fields = [
            "kind",
            "profession",
            "title",
            "site",
            "start_date",
            "places",
            "certificate",
            "pay",
            "description",
            "apply_url",
            "apply_email",
            "valid_until",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea,
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = company.sites.select_related("place")
        self.fields["site"].empty_label = None
        self.fields["profession"].queryset = Profession.objects.filter(is_active=True)

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < timezone.localdate() and not (self.instance.pk and self.instance.start_date == start):
            raise ValidationError(_("The start date lies in the past."))
        return start

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("apply_url") or data.get("apply_email")):
            self.add_error("apply_url", _("Please give a link or an e-mail address for applications."))
        valid_until = data.get("valid_until")
        if valid_until and valid_until < timezone.localdate():
            self.add_error("valid_until", _("This date lies in the past: the offer would never be shown."))
        return data


class InvitationForm(BaseForm):
    email = forms.EmailField(label=_("E-mail of your colleague"))


class ReasonForm(BaseForm):
    reason = forms.CharField(
        label=_("Reason (sent to the company)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
