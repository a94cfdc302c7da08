from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from einblick.catalog.models import Company, Profession
from einblick.core.forms import BaseForm, BaseModelForm

from .models import TalkOffer, TalkRound


def slot_choices(round: TalkRound, only=None) -> list[tuple[str, str]]:
    return [
        (str(i), f"{timezone.localtime(start):%H:%M}–{timezone.localtime(round.slot_end(i)):%H:%M}")
        for i, start in round.slots
        if only is None or i in only
    ]


class WishesForm(BaseForm):
    """Ordered selects: wish 1 … wish N, each a company of the round ("c<id>") or a profession ("p<id>"), and the
    times the pupil can talk (all ticked = any time)."""

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
        self.fields["slots"] = forms.MultipleChoiceField(
            label=_("When can you talk?"),
            choices=slot_choices(round),
            widget=forms.CheckboxSelectMultiple,
            required=True,
            error_messages={"required": _("Choose at least one time at which you can talk.")},
        )

    def wish_fields(self):
        return [self[name] for name in self.fields if name.startswith("wish_")]

    def wishes(self) -> list:
        items = []
        for name in self.fields:
            if not name.startswith("wish_"):
                continue
            value = self.cleaned_data.get(name)
            if not value:
                continue
            model = Company if value[0] == "c" else Profession
            try:
                items.append(model.objects.get(pk=int(value[1:])))
            except (ValueError, model.DoesNotExist):
                raise ValidationError(_("Please choose from the list.")) from None
        return items

    def slots(self) -> list[int]:
        return [int(s) for s in self.cleaned_data["slots"]]


class ClassWindowForm(BaseForm):
    """A teacher's class window at the fair: from which to which slot the class can talk."""

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        choices = slot_choices(round)
        self.fields["first"] = forms.ChoiceField(label=_("From"), choices=choices)
        self.fields["last"] = forms.ChoiceField(label=_("Until (last talk)"), choices=choices)

    def clean(self):
        data = super().clean()
        if "first" in data and "last" in data and int(data["last"]) < int(data["first"]):
            raise ValidationError(_("The end must not be before the start."))
        return data

    def slots(self) -> list[int]:
        return list(range(int(self.cleaned_data["first"]), int(self.cleaned_data["last"]) + 1))


class RoundForm(BaseModelForm):
    class Meta:
        model = TalkRound
        fields = [
            "title",
            "fair",
            "wish_deadline",
            "first_slot_at",
            "slot_minutes",
            "n_slots",
            "max_wishes",
            "min_break_slots",
            "hold_minutes",
        ]
        widgets = {
            "wish_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "first_slot_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self):
        data = super().clean()
        deadline, first = data.get("wish_deadline"), data.get("first_slot_at")
        if deadline and first and deadline > first:
            raise ValidationError(_("The deadline for wishes must be before the first talk."))
        if self.instance.pk and self.instance.status not in (TalkRound.Status.DRAFT, TalkRound.Status.OPEN):
            for name in ("first_slot_at", "slot_minutes", "n_slots"):
                if name in self.changed_data:
                    raise ValidationError(
                        _("Times cannot change after the allocation. Create a new round instead.")
                    )
        return data


class OfferForm(BaseModelForm):
    slots = forms.MultipleChoiceField(
        label=_("Times the company is there"),
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("Choose at least one time.")},
    )

    class Meta:
        model = TalkOffer
        fields = ["company", "parallel", "group_size", "mode", "table"]

    def __init__(self, *args, round: TalkRound, company_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.instance.round = round
        self.fields["slots"].choices = slot_choices(round)
        self.fields["parallel"].min_value = 1
        self.fields["group_size"].min_value = 1
        if not self.is_bound:
            chosen = self.instance.available_slots or range(round.n_slots)
            self.initial["slots"] = [str(s) for s in chosen]
        if company_fixed:
            del self.fields["company"]
        else:
            taken = TalkOffer.objects.filter(round=round).exclude(pk=self.instance.pk).values("company_id")
            self.fields["company"].queryset = Company.objects.exclude(pk__in=taken).order_by("name")

    def _at_least_one(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        if not value or value < 1:
            raise ValidationError(
                _(
                    "At least one talk with one pupil per slot. To withdraw, remove the company from the round."
                )
            )
        return value

    def clean_parallel(self):
        return self._at_least_one("parallel")

    def clean_group_size(self):
        return self._at_least_one("group_size")

    def clean(self):
        data = super().clean()
        if data.get("mode") == TalkOffer.Mode.ONSITE and not data.get("table"):
            self.add_error("table", _("Name the table or room for talks on site."))
        if "slots" in data:
            chosen = sorted(int(s) for s in data["slots"])
            self.instance.available_slots = [] if len(chosen) == self.round.n_slots else chosen
        return data


class PlaceForm(BaseForm):
    """Staff: put a pupil's talk at a company and a time (new or moved)."""

    offer = forms.ModelChoiceField(label=_("Company"), queryset=TalkOffer.objects.none())
    slot = forms.TypedChoiceField(label=_("Time"), coerce=int)
    force = forms.BooleanField(label=_("Place anyway, outside the pupil's stated times"), required=False)

    def __init__(self, *args, round: TalkRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = TalkOffer.objects.filter(round=round).select_related("company")
        self.fields["offer"].label_from_instance = lambda o: o.company.name
        self.fields["slot"].choices = slot_choices(round)
