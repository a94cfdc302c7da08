from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from einblick.catalog import selectors as catalog
from einblick.core.forms import BaseForm
from einblick.core.services import email_enqueue

from . import selectors
from .models import School, User

SCHOOL_YEARS = [("", "—")] + [(year, str(year)) for year in range(5, 14)]


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("User name or e-mail"), max_length=254)

    error_messages = {
        "invalid_login": _("User name/e-mail or password are not correct. Please check both."),
        "inactive": _("This account is deactivated."),
        "throttled": _("Too many failed attempts. Please wait 15 minutes and try again."),
    }

    def clean(self):
        keys = login_throttle_keys(self.request, self.data.get("username", ""))
        limit = settings.EINBLICK["LOGIN_ATTEMPTS"]
        if any(cache.get(key, 0) >= limit for key in keys):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            for key in keys:  # count failures only
                cache.add(key, 0, LOGIN_WINDOW_SECONDS)
                cache.incr(key)
            raise


LOGIN_WINDOW_SECONDS = 15 * 60


def login_throttle_keys(request, username: str) -> list[str]:
    """Failed log-ins are counted per user name and per client address (guessable pupil user names)."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    name = username.strip().lower()[:254]
    return [f"login-fail:user:{name}", f"login-fail:ip:{address}"]


class PasswordMixin(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
        max_length=128,
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


def validate_email_free(email: str) -> str:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise forms.ValidationError(
            _("There already is an account with this e-mail address. Try logging in.")
        )
    return email


class PupilSignupForm(BaseForm, PasswordMixin):
    nickname = forms.CharField(label=_("Nickname or first name"), max_length=40)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Only for logging in and reminders."))
    school_year = forms.TypedChoiceField(
        label=_("School year"), choices=SCHOOL_YEARS, coerce=int, required=False, empty_value=None
    )
    field_order = ["nickname", "email", "password", "school_year"]

    def clean_email(self):
        return validate_email_free(self.cleaned_data["email"])


class JoinClassForm(BaseForm, PasswordMixin):
    code = forms.CharField(
        label=_("Class code"), max_length=20, help_text=_("Your teacher gives you this code.")
    )
    nickname = forms.CharField(label=_("Nickname or first name"), max_length=40)
    field_order = ["code", "nickname", "password"]

    def clean_code(self):
        school_class = selectors.class_by_code(self.cleaned_data["code"])
        if school_class is None:
            raise forms.ValidationError(
                _("This class code does not exist. Please check it with your teacher.")
            )
        if not school_class.code_is_valid:
            raise forms.ValidationError(_("This class code has expired. Ask your teacher for a new one."))
        self.school_class = school_class
        return school_class.code


class TeacherSignupForm(BaseForm, PasswordMixin):
    first_name = forms.CharField(label=_("First name"), max_length=60)
    last_name = forms.CharField(label=_("Last name"), max_length=60)
    email = forms.EmailField(label=_("E-mail"))
    school_name = forms.CharField(label=_("School"), max_length=200)
    school_kind = forms.ChoiceField(label=_("School type"), choices=School.Kind.choices)
    school_place = forms.CharField(label=_("Postal code or town of the school"), max_length=80)
    field_order = [
        "first_name",
        "last_name",
        "email",
        "password",
        "school_name",
        "school_kind",
        "school_place",
    ]

    def clean_email(self):
        return validate_email_free(self.cleaned_data["email"])

    def clean_school_place(self):
        place = catalog.place_record(self.cleaned_data["school_place"])
        if place is None:
            raise forms.ValidationError(_("We do not know this postal code or town."))
        return place


class SchoolClassForm(BaseForm):
    name = forms.CharField(label=_("Class name"), max_length=40, help_text=_("For example 8b"))
    school_year = forms.TypedChoiceField(label=_("School year"), choices=SCHOOL_YEARS[1:], coerce=int)

    def __init__(self, *args, teacher=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if (
            self.teacher
            and self.teacher.classes.filter(name__iexact=name, school=self.teacher.school).exists()
        ):
            raise forms.ValidationError(_("You already have a class with this name."))
        return name


class EmailChangeForm(BaseForm):
    email = forms.EmailField(label=_("New e-mail address"))
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, max_length=128)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        return validate_email_free(self.cleaned_data["email"])

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("The password is not correct."))
        return ""


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the task queue like every other e-mail."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        email_enqueue(to=to_email, template="accounts/email/password_reset", context=context)


class ConsentForm(BaseForm):
    """Under-16 rule (design.md §7): tick "old enough" or give a parent's e-mail address. Use with
    ``prefix="consent"`` next to another form, render with ``accounts/_consent_fields.html`` and pass
    ``cleaned_data`` to ``services.consent_handle``.

    ``required=False`` lets both fields stay empty (keep the current state, e.g. while a request is pending);
    ``pupil`` rejects the pupil's own e-mail address already in the form.
    """

    of_age = forms.BooleanField(required=False)
    parent_email = forms.EmailField(
        required=False,
        label=_("E-mail address of a parent"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, pupil=None, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        self.required = required
        self.consent_age = settings.EINBLICK["CONSENT_AGE"]
        self.fields["of_age"].label = _("I am at least %(age)d years old.") % {"age": self.consent_age}

    def clean_parent_email(self):
        email = self.cleaned_data["parent_email"].strip().lower()
        if email and self.pupil is not None:
            own = {address.lower() for address in (self.pupil.email, self.pupil.pending_email) if address}
            if email in own:
                raise forms.ValidationError(
                    _("Please enter the e-mail address of a parent, not your own."), code="own_address"
                )
        return email

    def clean(self):
        cleaned_data = super().clean()
        of_age = cleaned_data.get("of_age")
        parent_email = cleaned_data.get("parent_email")
        if "parent_email" in self.errors:
            return cleaned_data
        if (of_age and parent_email) or (self.required and not of_age and not parent_email):
            raise forms.ValidationError(
                _(
                    "Tick the box if you are at least %(age)d, otherwise enter the e-mail address of a parent."
                ),
                code="consent_choice",
                params={"age": self.consent_age},
            )
        return cleaned_data
