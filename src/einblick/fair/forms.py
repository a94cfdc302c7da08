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
