"""Teachers: enter wishes for the pupils of a class, set the class's time window, see the class's plans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from einblick.accounts.models import SchoolClass, User
from einblick.catalog.models import Profession

from .. import rules, selectors, services
from ..forms import ClassWindowForm, WishesForm
from .common import round_for


def _class(request, class_pk: int) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("school"), pk=class_pk)
    if not rules.can_act_for_class(request.user, school_class):
        raise Http404
    return school_class


@login_required
def class_overview(request, pk: int, class_pk: int):
    school_class = _class(request, class_pk)
    round = round_for(pk, request.user)
    form = ClassWindowForm(request.POST or None, round=round)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.class_availability_set(
                round=round, school_class=school_class, teacher=request.user, slots=form.slots()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The time window is set for %(n)d pupils.") % {"n": n})
            return redirect("talks:class", pk=round.pk, class_pk=school_class.pk)
    context = {
        "round": round,
        "school_class": school_class,
        "rows": selectors.class_overview(round=round, school_class=school_class),
        "form": form,
        "wishes_open": services.wishes_open(round),
        "published": round.status == "published",
    }
    return render(request, "talks/class.html", context)


@login_required
def class_pupil(request, pk: int, class_pk: int, pupil_pk: int):
    """The teacher enters a pupil's wishes; that registration covers the consent rule (design.md §7)."""
    school_class = _class(request, class_pk)
    round = round_for(pk, request.user)
    pupil = get_object_or_404(User, pk=pupil_pk, school_class=school_class, is_pupil=True, is_active=True)
    offers = list(selectors.offers_for_round(round))
    professions = (
        Profession.objects.filter(companies__in=[o.company_id for o in offers]).distinct().order_by("name")
    )
    wishes = list(selectors.wishes_of(round=round, pupil=pupil))
    participant = selectors.participant_of(round=round, pupil=pupil)
    initial = {
        f"wish_{w.rank}": f"c{w.company_id}" if w.company_id else f"p{w.profession_id}" for w in wishes
    }
    initial["slots"] = [str(s) for s in (participant.available_slots if participant else [])] or [
        str(s) for s in range(round.n_slots)
    ]
    form = WishesForm(
        request.POST or None, initial=initial, round=round, offers=offers, professions=professions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.wishes_set(
                pupil=pupil,
                round=round,
                wishes=form.wishes(),
                available_slots=form.slots(),
                entered_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The wishes of %(pupil)s are saved.") % {"pupil": pupil.display_name})
            return redirect("talks:class", pk=round.pk, class_pk=school_class.pk)
    context = {
        "round": round,
        "school_class": school_class,
        "pupil": pupil,
        "form": form,
        "wishes_open": services.wishes_open(round),
    }
    return render(request, "talks/class_pupil.html", context)
