from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from einblick.core.forms import BaseForm

from .models import Session


class ProgrammeFilterForm(BaseForm):
    tag = forms.ChoiceField(label=_("Day"), required=False)
    buehne = forms.ChoiceField(label=_("Stage"), required=False)
    beruf = forms.ChoiceField(label=_("Profession"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("all formats")), *Session.Format.choices]
    )
    q = forms.CharField(label=_("Search the programme"), required=False, max_length=100)
    ergebnis = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, fair, professions, **kwargs):
        super().__init__(*args, **kwargs)
        days = sorted({day.date for day in fair.days.all()})
        self.fields["tag"].choices = [("", _("all days"))] + [(d.isoformat(), _date_label(d)) for d in days]
        self.fields["buehne"].choices = [("", _("all stages"))] + [
            (s.slug, s.name) for s in fair.stages.all()
        ]
        self.fields["beruf"].choices = [("", _("all professions"))] + [(p.slug, p.name) for p in professions]


def _date_label(day) -> str:
    return formats.date_format(day, "l, j. F")


# --- Booths (issue #4) --------------------------------------------------------------------------------------------
# Bidirectional control characters (e.g. the right-to-left override) would let a nickname reorder the text
# around it; they have no use in a nickname.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def pdf_max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "EINBLICK_MAX_PDF_BYTES", 10 * 1024 * 1024))


def validate_pdf(upload) -> None:
    """A real PDF: the magic bytes at the start and a document pypdf can open with at least one page; at most
    ``EINBLICK_MAX_PDF_BYTES`` (10 MB). The file name and the browser's content type are not trusted."""
    from django.core.exceptions import ValidationError
    from pypdf import PdfReader

    limit = pdf_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). A PDF may have at most %(max)s MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}".replace(".", ","), "max": limit // 1_048_576},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(
            _("This file is not a PDF. Please upload a PDF document (e.g. saved with “Export as PDF”)."),
            code="not_pdf",
        )
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is protected by a password. Please upload it without password protection."),
                code="encrypted",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception:
        pages = 0
    finally:
        upload.seek(0)
    if pages < 1:
        raise ValidationError(
            _(
                "This PDF is damaged and cannot be opened. Please save it again as a PDF and upload it once more."
            ),
            code="damaged",
        )


class BoothForm(BaseForm):
    intro = forms.CharField(
        label=_("Booth introduction"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Greet the pupils in a few sentences. Empty: the short profile of your company is shown."
        ),
    )
    video_url = forms.URLField(
        label=_("Booth video"),
        required=False,
        assume_scheme="https",
        help_text=_("Address of a video on YouTube, Vimeo or PeerTube, or a direct MP4 link."),
    )

    def clean_video_url(self):
        from einblick.core.embeds import UnknownVideoProvider, embed_for

        url = self.cleaned_data["video_url"]
        if url:
            try:
                embed_for(url)
            except UnknownVideoProvider as exc:
                raise forms.ValidationError(str(exc.args[0]), code="video_provider")
        return url


class BoothMaterialForm(BaseForm):
    title = forms.CharField(
        label=_("Title"), max_length=150, help_text=_("e.g. Flyer Ausbildung Mechatroniker:in 2027")
    )
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("A PDF of at most 10 MB."),
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class BoothQuestionForm(BaseForm):
    nickname = forms.CharField(
        label=_("Your nickname"), max_length=40, help_text=_("Please do not use your full name.")
    )
    text = forms.CharField(
        label=_("Your question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    email = forms.EmailField(
        label=_("Your e-mail for the answer (optional)"),
        required=False,
        help_text=_("Only used to send you the answer; deleted after that."),
    )

    def clean_nickname(self):
        nickname = self.cleaned_data["nickname"].translate(_BIDI_CONTROLS).strip()
        if not nickname:
            raise forms.ValidationError(_("Please enter a nickname."), code="required")
        return nickname


class BoothAnswerForm(BaseForm):
    answer = forms.CharField(label=_("Answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    answer_public = forms.BooleanField(label=_("Show question and answer on the booth"), required=False)

    def __init__(self, *args, question, **kwargs):
        self.question = question
        super().__init__(*args, **kwargs)
        if question.answer:
            self.fields["answer"].initial = question.answer
            self.fields["answer_public"].initial = question.answer_public

    def clean(self):
        data = super().clean()
        if not self.question.email and not data.get("answer_public"):
            self.add_error(
                "answer_public",
                _(
                    "The person left no e-mail address. Publish the answer on the booth, otherwise nobody "
                    "can read it."
                ),
            )
        return data


class ExhibitorFilterForm(BaseForm):
    beruf = forms.ChoiceField(label=_("Profession"), required=False)

    def __init__(self, *args, professions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beruf"].choices = [("", _("all professions"))] + [(p.slug, p.name) for p in professions]


# --- Programme planner (issue #4) -------------------------------------------------------------------------------

LENGTH_CHOICES = [(minutes, f"{minutes} min") for minutes in range(15, 181, 15)]


class SessionRequestForm(BaseForm):
    """A company's session request. Availability: tick the opening windows, optionally narrow each to from–to."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    format = forms.ChoiceField(label=_("Format"), choices=Session.Format.choices)
    professions = forms.ModelMultipleChoiceField(
        label=_("Professions"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        choices=LENGTH_CHOICES,
        initial=30,
        error_messages={
            "invalid_choice": _("Please choose a length between 15 and 180 minutes in steps of 15 minutes.")
        },
    )
    preferred_stage = forms.ModelChoiceField(
        label=_("Preferred stage"), required=False, queryset=None, empty_label=_("no preference")
    )
    school_hours = forms.BooleanField(label=_("During school hours"), required=False, initial=True)

    def __init__(self, *args, fair, company, school_hours_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from einblick.catalog.models import Profession

        own = company.professions.order_by("name")
        self.fields["professions"].queryset = (
            own if own.exists() else Profession.objects.filter(is_active=True).order_by("name")
        )
        self.fields["preferred_stage"].queryset = fair.stages.all()
        self.fields["school_hours"].help_text = _(
            "Aimed at pupils who watch with their class: planned only within school hours (%(hours)s)."
        ) % {"hours": school_hours_label}
        self.days = list(fair.days.all())
        for day in self.days:
            self.fields[f"day_{day.pk}"] = forms.BooleanField(label=str(day), required=False, initial=True)
            time_widget = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
            self.fields[f"from_{day.pk}"] = forms.TimeField(
                label=_("from"), required=False, widget=time_widget
            )
            self.fields[f"to_{day.pk}"] = forms.TimeField(
                label=_("until"), required=False, widget=time_widget
            )

    def day_rows(self):
        return [
            (day, self[f"day_{day.pk}"], self[f"from_{day.pk}"], self[f"to_{day.pk}"]) for day in self.days
        ]

    def visible_main_fields(self):
        prefixes = ("day_", "from_", "to_")
        return [field for field in self.visible_fields() if not field.name.startswith(prefixes)]

    @staticmethod
    def _moment(day, value, *, end: bool):
        """The time of day ``value`` inside the opening window ``day`` (which may cross midnight)."""
        from datetime import datetime, timedelta

        from django.utils import timezone

        start = timezone.localtime(day.starts_at)
        moment = timezone.make_aware(datetime.combine(start.date(), value))
        if moment < day.starts_at or (end and moment == day.starts_at):
            moment = timezone.make_aware(datetime.combine(start.date() + timedelta(days=1), value))
        return moment

    def clean(self):
        from django.utils import timezone

        data = super().clean()
        windows = []
        for day in self.days:
            if not data.get(f"day_{day.pk}"):
                continue
            since, until = data.get(f"from_{day.pk}"), data.get(f"to_{day.pk}")
            start = self._moment(day, since, end=False) if since else day.starts_at
            end = self._moment(day, until, end=True) if until else day.ends_at
            opening = f"{timezone.localtime(day.starts_at):%H:%M}–{timezone.localtime(day.ends_at):%H:%M}"
            if start < day.starts_at or start >= day.ends_at or end > day.ends_at:
                self.add_error(
                    f"from_{day.pk}" if since else f"to_{day.pk}",
                    _("Please choose times within the opening hours of this day (%(hours)s).")
                    % {"hours": opening},
                )
                continue
            if end <= start:
                self.add_error(f"to_{day.pk}", _("The end must be after the start."))
                continue
            windows.append((start, end))
        if self.days and not windows and not self.errors:
            raise forms.ValidationError(_("Please choose at least one day on which you can."))
        data["availability"] = windows
        return data

    def service_data(self) -> dict:
        keys = [
            "title",
            "description",
            "format",
            "professions",
            "duration_minutes",
            "preferred_stage",
            "school_hours",
        ]
        return {key: self.cleaned_data[key] for key in keys} | {
            "availability": self.cleaned_data["availability"]
        }


class SessionMoveForm(BaseForm):
    """Staff put a session (or a request) on a stage at a time by hand."""

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None, empty_label=None)
    starts_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M"),
    )
    pin = forms.BooleanField(label=_("Pin: the planner keeps it here"), required=False, initial=True)

    def __init__(self, *args, fair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = fair.stages.all()

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value.minute % 5 or value.second:
            raise forms.ValidationError(_("Please choose a start time in steps of 5 minutes."))
        return value

    def fingerprint(self) -> str:
        """What a confirmation refers to: stage and start as the user saw them with the warnings."""
        data = self.cleaned_data
        return f"{data['stage'].pk}|{data['starts_at'].isoformat()}"
