"""The interest check: no account needed. Progress lives in the session, the result in a signed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.insights.tracking import track

from . import scoring, selectors, services, tokens
from .forms import ResultFilterForm
from .models import InterestResult
from .statements import DIMENSIONS, STATEMENTS, TYPE_DESCRIPTIONS, TYPE_NAMES

TOTAL = len(STATEMENTS)
ANSWERS = [
    ("like", "👍", gettext_lazy("I like it")),
    ("neutral", "🤷", gettext_lazy("Don't mind")),
    ("dislike", "👎", gettext_lazy("I don't like it")),
]


def start(request):
    if request.method == "POST":
        services.check_restart(session=request.session)
        return redirect("orientation:question", number=1)
    answers = services.check_answers(request.session)
    resume = services.first_open_index(answers) if answers else None
    context = {"answered": len(answers), "total": TOTAL, "resume": None if resume is None else resume + 1}
    if answers and resume is None:
        context["result_url"] = reverse("orientation:finish")
    return render(request, "orientation/start.html", context)


def question(request, number: int):
    if not 1 <= number <= TOTAL:
        raise Http404
    statement = STATEMENTS[number - 1]
    answers = services.check_answers(request.session)
    error = None
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer in scoring.ANSWER_VALUES:
            answers = services.check_answer(session=request.session, index=number - 1, answer=answer)
            if number < TOTAL:
                return redirect("orientation:question", number=number + 1)
            return redirect("orientation:finish")
        error = _("Please choose one of the three answers.")
    context = {
        "statement": statement,
        "number": number,
        "total": TOTAL,
        "percent": round(100 * (number - 1) / TOTAL),
        "current": answers.get(statement.key),
        "answers": ANSWERS,
        "error": error,
    }
    return render(request, "orientation/question.html", context, status=400 if error else 200)


def finish(request):
    answers = services.check_answers(request.session)
    missing = services.first_open_index(answers)
    if missing is not None:
        messages.info(request, _("A few statements are still open. Continue where you left off."))
        return redirect("orientation:question", number=missing + 1)
    profile = scoring.profile_from_answers(answers)
    return redirect("orientation:result", token=tokens.result_token(profile))


def result(request, token: str):
    profile = tokens.profile_from_token(token)
    if profile is None:
        return render(request, "orientation/result_invalid.html", status=400)
    form = ResultFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.result_rows(
        profile,
        language=get_language() or "de",
        origin=data.get("origin"),
        radius_km=data.get("radius_km"),
        certificate=data.get("abschluss", ""),
        kind=data.get("art", ""),
    )
    types = [
        {"code": d, "name": TYPE_NAMES[d], "description": TYPE_DESCRIPTIONS[d], "score": profile[d]}
        for d in DIMENSIONS
    ]
    top = [t for t in types if t["code"] in scoring.top_types(profile)]
    if not request.GET:  # the result as first shown (changing a filter is not a new result)
        for row in rows[:3]:
            track(request, "check", profession=row.match.profession)
    context = {"token": token, "types": types, "top": top, "rows": rows, "form": form, "profile": profile}
    return render(request, "orientation/result.html", context)


@login_required
@require_POST
def result_save(request, token: str):
    profile = tokens.profile_from_token(token)
    if profile is None:
        return render(request, "orientation/result_invalid.html", status=400)
    services.result_save(
        user=request.user, profile=profile, share_with_teacher=request.POST.get("share") == "1"
    )
    messages.success(request, _("Your result is saved in your account."))
    return redirect("accounts:home")


@login_required
@require_POST
def result_share(request, pk: int):
    result = get_object_or_404(InterestResult, pk=pk, user=request.user)
    services.result_set_shared(result=result, shared=request.POST.get("share") == "1")
    if result.shared_with_teacher:
        messages.success(request, _("Your teacher can now see this result."))
    else:
        messages.success(request, _("Your teacher can no longer see this result."))
    return redirect("accounts:home")
