"""Forms of the duel editor (staff): seasons, episodes with their two contestants, up to six challenges,
publishing."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, BaseModelFormSet, inlineformset_factory, modelformset_factory
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from einblick.catalog.models import Company, Profession
from einblick.core.embeds import UnknownVideoProvider, embed_for
from einblick.core.forms import BaseForm, BaseModelForm

from .models import Challenge, Contestant, Episode, Season

MAX_CHALLENGES = 6
MAX_DECOYS = 3
CONTESTANTS = 2


def _video_url_clean(value: str) -> str:
    """Only addresses the two-click embed can show (YouTube, Vimeo, PeerTube, MP4/HLS)."""
    if value:
        try:
            embed_for(value)
        except UnknownVideoProvider as exc:
            raise ValidationError(exc.args[0], code="video_provider") from None
    return value


def _slug_from(form, source: str) -> str:
    slug = form.cleaned_data.get("slug") or slugify(form.cleaned_data.get(source) or "")[:180]
    if not slug:
        raise ValidationError(_("Please enter a short name for the address (letters, digits, dashes)."))
    return slug


class SeasonForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Season
        fields = ["title", "slug", "description"]
        labels = {"slug": _("Short name in the address")}
        help_texts = {"slug": _("Empty = made from the title.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self):
        # the title is cleaned before the slug (field order), so it is available here
        return _slug_from(self, "title")


class EpisodeForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Episode
        fields = ["season", "number", "title", "slug", "teaser", "video_url", "thumbnail"]
        labels = {"slug": _("Short name in the address")}
        help_texts = {"slug": _("Empty = made from the title.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["season"].queryset = Season.objects.order_by("-created_at")
        self.fields["season"].empty_label = None
        self.fields["slug"].required = False

    def clean_slug(self):
        return _slug_from(self, "title")

    def clean_video_url(self):
        return _video_url_clean(self.cleaned_data.get("video_url", ""))


class ContestantForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Contestant
        fields = ["name", "line", "photo"]


class BaseContestantFormSet(BaseInlineFormSet):
    """Two rows. A draft may be saved with fewer; an episode that is published or scheduled keeps two."""

    default_error_messages = {
        **BaseInlineFormSet.default_error_messages,
        "too_many_forms": _("An episode has two contestants."),
    }

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.publish_at is None:
            return
        kept = [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]
        if len(kept) < CONTESTANTS:
            raise ValidationError(
                _("A published or scheduled episode needs two contestants. Unpublish it first."),
                code="too_few",
            )

    def save(self, commit=True):
        saved = super().save(commit=commit)
        if commit:  # the row order is the contestant's number (points of contestant 1 and 2)
            kept = [form.instance for form in self.forms if form.instance.pk]
            for position, contestant in enumerate(kept):
                if contestant.order != position:
                    contestant.order = position
                    contestant.save(update_fields=["order"])
        return saved


ContestantFormSet = inlineformset_factory(
    Episode,
    Contestant,
    form=ContestantForm,
    formset=BaseContestantFormSet,
    extra=CONTESTANTS,
    max_num=CONTESTANTS,
    validate_max=True,
    can_delete=True,
)


class ChallengeForm(BaseModelForm):
    profession = forms.ModelChoiceField(
        label=_("Profession (the right answer)"), queryset=Profession.objects.order_by("name")
    )
    decoys = forms.ModelMultipleChoiceField(
        label=_("Plausible wrong answers"),
        queryset=Profession.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("At most three (Ctrl/Cmd + click). Empty = chosen from the same occupational field."),
    )
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.order_by("name"), required=False
    )

    class Meta(BaseModelForm.Meta):
        model = Challenge
        fields = [
            "order",
            "task",
            "apprentice",
            "company",
            "profession",
            "decoys",
            "why",
            "video_url",
            "start_seconds",
            "score_a",
            "score_b",
        ]
        labels = {"order": _("Position")}
        widgets = {"why": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, choices=None, position=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices:  # built once per formset: six forms need not query ~320 professions three times each
            self.fields["profession"].choices = [("", "---------"), *choices["professions"]]
            self.fields["decoys"].choices = choices["professions"]
            self.fields["company"].choices = [("", "---------"), *choices["companies"]]
            for field, name in zip(["score_a", "score_b"], choices.get("contestants", []), strict=False):
                self.fields[field].label = _("Points of %(name)s") % {"name": name}
        if position is not None and self.instance.pk is None:
            self.fields["order"].initial = position

    def clean_video_url(self):
        return _video_url_clean(self.cleaned_data.get("video_url", ""))

    def clean(self):
        data = super().clean()
        decoys = data.get("decoys")
        if decoys is not None:
            if len(decoys) > MAX_DECOYS:
                self.add_error("decoys", _("Choose at most three wrong answers."))
            elif data.get("profession") and data["profession"] in decoys:
                self.add_error("decoys", _("The right profession cannot also be a wrong answer."))
        return data


class BaseChallengeFormSet(BaseModelFormSet):
    default_error_messages = {
        **BaseModelFormSet.default_error_messages,
        "too_many_forms": _("An episode has at most six challenges."),
    }

    def __init__(self, *args, episode: Episode, **kwargs):
        self.episode = episode
        kwargs.setdefault("queryset", episode.challenges.order_by("order", "pk"))
        kwargs.setdefault("prefix", "challenges")
        super().__init__(*args, **kwargs)
        self.choices = {
            "professions": list(Profession.objects.order_by("name").values_list("pk", "name")),
            "companies": list(Company.objects.order_by("name").values_list("pk", "name")),
            "contestants": list(episode.contestants.order_by("order", "pk").values_list("name", flat=True)),
        }

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        return {**kwargs, "choices": self.choices, "position": (index or 0) + 1}

    def _kept(self):
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self._kept()
        if len(kept) > MAX_CHALLENGES:
            raise ValidationError(self.error_messages["too_many_forms"], code="too_many_forms")
        if self.episode.publish_at is not None and not kept:
            raise ValidationError(
                _("A published or scheduled episode needs at least one challenge. Unpublish it first."),
                code="too_few",
            )

    def save_new(self, form, commit=True):
        form.instance.episode = self.episode
        return super().save_new(form, commit=commit)


ChallengeFormSet = modelformset_factory(
    Challenge,
    form=ChallengeForm,
    formset=BaseChallengeFormSet,
    extra=MAX_CHALLENGES,
    max_num=MAX_CHALLENGES,
    validate_max=True,
    can_delete=True,
)


class PublishForm(BaseForm):
    NOW, SCHEDULE, UNPUBLISH = "now", "schedule", "unpublish"

    action = forms.ChoiceField(
        choices=[(NOW, _("Publish now")), (SCHEDULE, _("Schedule")), (UNPUBLISH, _("Unpublish"))],
        widget=forms.HiddenInput,
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("For a scheduled publication; German time."),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.SCHEDULE and "publish_at" not in self.errors:
            when = data.get("publish_at")
            if when is None:
                self.add_error("publish_at", _("Please enter the date and time of publication."))
            elif when <= timezone.now():
                self.add_error("publish_at", _("Please choose a time in the future, or publish now."))
        return data
