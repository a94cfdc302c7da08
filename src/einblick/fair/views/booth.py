"""Booths: the public booth page with its "ask us" form, and the booth management page of the company."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.api.ratelimit import client_address
from einblick.catalog import selectors as catalog
from einblick.core import counts, pagecache
from einblick.insights import tracking
from einblick.insights.tracking import track

from .. import rules, selectors, services
from ..forms import BoothAnswerForm, BoothForm, BoothMaterialForm, BoothQuestionForm
from ..models import BoothMaterial, BoothQuestion, Exhibitor, Fair


def _fair(slug: str) -> Fair:
    fair = selectors.fair_public(slug)
    if fair is None:
        raise Http404
    return fair


def _public_exhibitor(fair: Fair, company: str) -> Exhibitor:
    try:
        return selectors.exhibitor_detail(fair, company)
    except Exhibitor.DoesNotExist:
        raise Http404


# --- Public booth -------------------------------------------------------------------------------------------------
def _count_visit(request, exhibitor: Exhibitor) -> None:
    """One visit per visitor, booth and day (the day's visitor key of insights, kept in the cache for the day);
    the company's own people and bots are not counted. Repeated for visitors served from the page cache."""
    if request.user.is_authenticated and rules.can_manage_booth(request.user, exhibitor):
        return
    pagecache.on_hit(request, "fair.booth_visit", exhibitor.pk)
    booth_visit(request, exhibitor.pk)


@pagecache.effect("fair.booth_visit")
def booth_visit(request, exhibitor_id: int) -> None:
    if not tracking.should_count(request):
        return
    today = timezone.localdate()
    seen = f"fair:booth-seen:{today.isoformat()}:{exhibitor_id}:{tracking.visitor_key(request, today)}"
    if cache.add(seen, 1, 60 * 60 * 24):
        counts.add("fair.booth_visit", (exhibitor_id, today))


def _booth_context(request, fair: Fair, exhibitor: Exhibitor, ask_form=None) -> dict:
    company = catalog.company_detail(exhibitor.company.slug)
    return {
        "fair": fair,
        "exhibitor": exhibitor,
        "company": company,
        "offers": catalog.offers_open().filter(company=company),
        "sessions": selectors.sessions_public(fair).filter(company=company),
        "recordings": selectors.booth_recordings(fair, company),
        "materials": selectors.booth_materials(exhibitor),
        "answered_questions": selectors.booth_questions_public(exhibitor),
        "ask_form": ask_form or BoothQuestionForm(),
        "can_manage": request.user.is_authenticated and rules.can_manage_booth(request.user, exhibitor),
    }


@pagecache.cached_page
def booth_page(request, slug: str, company: str):
    fair = _fair(slug)
    exhibitor = _public_exhibitor(fair, company)
    pagecache.expires_in(request, selectors.seconds_to_next_change(fair))
    _count_visit(request, exhibitor)
    track(request, "booth", company=exhibitor.company_id)
    return render(request, "fair/booth.html", _booth_context(request, fair, exhibitor))


# Questions per browser session and per IP address (a school shares one address: kept generous).
ASK_LIMITS = {"session": (5, 600), "ip": (60, 3600)}


def _ask_keys(request) -> list[tuple[str, int, int]]:
    limits = getattr(settings, "EINBLICK_BOOTH_QUESTION_LIMITS", ASK_LIMITS)
    if not request.session.session_key:
        request.session.save()
    now = time.time()
    keys = []
    for scope, ident in (("session", request.session.session_key), ("ip", client_address(request))):
        count, seconds = limits[scope]
        window = int(now // seconds)
        keys.append((f"fair:ask:{scope}:{ident}:{window}", count, seconds))
    return keys


def _ask_allowed(keys) -> bool:
    return all((cache.get(key) or 0) < count for key, count, _seconds in keys)


def _ask_count(keys) -> None:
    for key, _count, seconds in keys:
        cache.add(key, 0, seconds + 1)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, seconds + 1)


@require_POST
def booth_ask(request, slug: str, company: str):
    fair = _fair(slug)
    exhibitor = _public_exhibitor(fair, company)
    form = BoothQuestionForm(request.POST)
    keys = _ask_keys(request)
    if not _ask_allowed(keys):
        form.is_valid()
        form.add_error(None, _("You have asked many questions in a short time. Please wait a few minutes."))
        return render(request, "fair/booth.html", _booth_context(request, fair, exhibitor, form), status=429)
    if not form.is_valid():
        return render(request, "fair/booth.html", _booth_context(request, fair, exhibitor, form))
    services.booth_question_ask(exhibitor=exhibitor, **form.cleaned_data)
    _ask_count(keys)
    if form.cleaned_data["email"]:
        messages.success(
            request, _("Thank you! Your question has arrived. The company answers you by e-mail.")
        )
    else:
        messages.success(
            request,
            _("Thank you! Your question has arrived. If the company answers it here, you find it below."),
        )
    return redirect(exhibitor.get_absolute_url() + "#fragen")


# --- Booth management (company members and staff) ----------------------------------------------------------------
def _managed_exhibitor(request, slug: str, company: str) -> Exhibitor:
    """The booth if the user may run it; otherwise 404 (no hint that it exists)."""
    fair = Fair.objects.filter(slug=slug).first()
    exhibitor = selectors.exhibitor_for_company(fair, company) if fair else None
    if exhibitor is None or not rules.can_manage_booth(request.user, exhibitor):
        raise Http404
    return exhibitor


def _manage_page(
    request, exhibitor: Exhibitor, *, booth_form=None, material_form=None, answer_forms=None, status=200
):
    questions = selectors.booth_questions_for_company(exhibitor)
    answer_forms = answer_forms or {}
    open_questions = [
        (q, answer_forms.get(q.pk) or BoothAnswerForm(question=q, prefix=f"q{q.pk}"))
        for q in questions["open"]
    ]
    answered = [
        (q, answer_forms.get(q.pk) or BoothAnswerForm(question=q, prefix=f"q{q.pk}"))
        for q in questions["answered"]
    ]
    context = {
        "fair": exhibitor.fair,
        "exhibitor": exhibitor,
        "company": exhibitor.company,
        "booth_form": booth_form
        or BoothForm(initial={"intro": exhibitor.intro, "video_url": exhibitor.video_url}),
        "material_form": material_form or BoothMaterialForm(),
        "materials": selectors.booth_materials(exhibitor),
        "open_questions": open_questions,
        "answered_questions": answered,
        "hidden_count": len(questions["hidden"]),
    }
    return render(request, "fair/booth_manage.html", context, status=status)


@login_required
def booth_manage(request, slug: str, company: str):
    exhibitor = _managed_exhibitor(request, slug, company)
    if request.method == "POST":
        form = BoothForm(request.POST)
        if form.is_valid():
            services.booth_update(exhibitor=exhibitor, **form.cleaned_data)
            messages.success(request, _("Booth saved."))
            return redirect("fair:booth_manage", slug=slug, company=company)
        return _manage_page(request, exhibitor, booth_form=form)
    return _manage_page(request, exhibitor)


@login_required
@require_POST
def booth_material_upload(request, slug: str, company: str):
    exhibitor = _managed_exhibitor(request, slug, company)
    form = BoothMaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _manage_page(request, exhibitor, material_form=form)
    services.booth_material_add(exhibitor=exhibitor, **form.cleaned_data)
    messages.success(request, _("PDF uploaded. Visitors can download it at your booth now."))
    return redirect("fair:booth_manage", slug=slug, company=company)


@login_required
@require_POST
def booth_material_delete(request, slug: str, company: str, pk: int):
    exhibitor = _managed_exhibitor(request, slug, company)
    material = get_object_or_404(BoothMaterial, pk=pk, exhibitor=exhibitor)
    services.booth_material_delete(material=material)
    messages.success(request, _("“%(title)s” deleted.") % {"title": material.title})
    return redirect("fair:booth_manage", slug=slug, company=company)


@login_required
@require_POST
def booth_question_answer(request, slug: str, company: str, pk: int):
    exhibitor = _managed_exhibitor(request, slug, company)
    question = get_object_or_404(BoothQuestion, pk=pk, exhibitor=exhibitor)
    form = BoothAnswerForm(request.POST, question=question, prefix=f"q{question.pk}")
    if not form.is_valid():
        return _manage_page(request, exhibitor, answer_forms={question.pk: form})
    had_email = bool(question.email)
    services.booth_question_answer(
        question=question,
        answer=form.cleaned_data["answer"],
        public=form.cleaned_data["answer_public"],
        by=request.user,
    )
    if had_email and question.answer_public:
        messages.success(request, _("Answer sent by e-mail and shown on your booth."))
    elif had_email:
        messages.success(request, _("Answer sent by e-mail."))
    else:
        messages.success(request, _("Answer shown on your booth."))
    return redirect("fair:booth_manage", slug=slug, company=company)


@login_required
@require_POST
def booth_question_hide(request, slug: str, company: str, pk: int):
    exhibitor = _managed_exhibitor(request, slug, company)
    question = get_object_or_404(BoothQuestion, pk=pk, exhibitor=exhibitor)
    services.booth_question_hide(question=question)
    messages.success(request, _("Question hidden."))
    return redirect("fair:booth_manage", slug=slug, company=company)
