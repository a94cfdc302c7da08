"""Programme planner screens: companies submit and withdraw session requests; network staff plan the programme
(runs of the solver as a background task, the grid per day, moving and pinning sessions by hand)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company

from .. import rules, selectors, services
from ..forms import SessionMoveForm, SessionRequestForm
from ..models import Fair, Session, SessionRequest

# --- companies --------------------------------------------------------------------------------------------------


def _company_for(request, slug: str) -> Company:
    """The company if the user may act for it; otherwise 404 (no hint that it exists)."""
    company = Company.objects.filter(slug=slug).first()
    if company is None or not rules.can_request_sessions(request.user, company):
        raise Http404
    return company


def _fair(slug: str) -> Fair:
    fair = Fair.objects.filter(slug=slug).prefetch_related("days", "stages").first()
    if fair is None:
        raise Http404
    return fair


@login_required
def company_fairs(request, company: str):
    """The fairs a company can ask for sessions at, with its requests so far."""
    company = _company_for(request, company)
    counts = selectors.company_request_counts(company)
    rows = [(fair, counts.get(fair.pk, 0)) for fair in selectors.fairs_open_for_requests()]
    return render(request, "fair/manage/company_fairs.html", {"company": company, "rows": rows})


@login_required
def request_list(request, slug: str, company: str):
    company = _company_for(request, company)
    fair = _fair(slug)
    return render(
        request,
        "fair/manage/requests.html",
        {"company": company, "fair": fair, "requests": selectors.company_requests(fair, company)},
    )


@login_required
def request_add(request, slug: str, company: str):
    company = _company_for(request, company)
    fair = _fair(slug)
    if not selectors.fairs_open_for_requests().filter(pk=fair.pk).exists():
        messages.error(request, _("This fair is over; it takes no more session requests."))
        return redirect("fair:request_list", slug=fair.slug, company=company.slug)
    form = SessionRequestForm(
        request.POST or None, fair=fair, company=company, school_hours_label=services.school_hours_label()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_request_create(fair=fair, company=company, **form.service_data())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Thank you! Your session request is saved. The network team plans the programme.")
            )
            return redirect("fair:request_list", slug=fair.slug, company=company.slug)
    return render(request, "fair/manage/request_form.html", {"company": company, "fair": fair, "form": form})


@login_required
@require_POST
def request_withdraw(request, slug: str, company: str, pk: int):
    company = _company_for(request, company)
    fair = _fair(slug)
    session_request = get_object_or_404(SessionRequest, pk=pk, fair=fair, company=company)
    if session_request.status != SessionRequest.Status.WITHDRAWN:
        services.session_request_withdraw(session_request=session_request)
        messages.success(
            request, _("The request “%(title)s” is withdrawn.") % {"title": session_request.title}
        )
    return redirect("fair:request_list", slug=fair.slug, company=company.slug)


# --- network staff ----------------------------------------------------------------------------------------------


def _require_staff(request) -> None:
    if not rules.can_plan_programme(request.user):
        raise Http404


@login_required
def planner_index(request):
    _require_staff(request)
    return render(request, "fair/manage/planner_index.html", {"fairs": selectors.planner_fairs()})


def _day(request, fair: Fair) -> tuple[date | None, list[date]]:
    days = selectors.planner_days(fair)
    try:
        chosen = date.fromisoformat(request.GET.get("tag", ""))
    except ValueError:
        chosen = None
    if chosen not in days:
        today = timezone.localdate()
        chosen = today if today in days else (days[0] if days else None)
    return chosen, days


@login_required
def planner_page(request, slug: str):
    _require_staff(request)
    fair = _fair(slug)
    day, days = _day(request, fair)
    sessions = selectors.planner_sessions(fair)
    stages, rows = (
        selectors.planner_grid(fair, day, sessions, school_hours=services.school_hours()) if day else ([], [])
    )
    requests = list(selectors.planner_requests(fair))
    runs = selectors.plan_runs(fair)
    context = {
        "fair": fair,
        "day": day,
        "days": days,
        "stages": stages,
        "rows": rows,
        "requests": requests,
        "unplaced": [r for r in requests if r.status == SessionRequest.Status.UNPLACED],
        "open": [r for r in requests if r.status == SessionRequest.Status.OPEN],
        "counts": {
            status: sum(1 for r in requests if r.status == status)
            for status, _label in SessionRequest.Status.choices
        },
        "drafts": sum(
            1 for s in sessions if s.status == Session.Status.DRAFT and getattr(s, "request", None)
        ),
        "warnings": selectors.plan_warnings(fair, sessions),
        "run": runs[0] if runs else None,
        "runs": runs,
        "school_hours": services.school_hours_label(),
    }
    return render(request, "fair/manage/planner.html", context)


@login_required
def plan_status(request, slug: str):
    """The status box of the latest run (polled by the page while a run is active)."""
    _require_staff(request)
    fair = _fair(slug)
    runs = selectors.plan_runs(fair, limit=1)
    return render(request, "fair/manage/_plan_status.html", {"fair": fair, "run": runs[0] if runs else None})


@login_required
@require_POST
def plan_start(request, slug: str):
    _require_staff(request)
    fair = _fair(slug)
    _run, created = services.plan_run_start(fair=fair, by=request.user)
    if created:
        messages.success(request, _("The planner is running. This page shows its progress."))
    else:
        messages.info(request, _("The planner is already running for this fair."))
    return redirect("fair:planner", slug=fair.slug)


@login_required
@require_POST
def plan_publish(request, slug: str):
    _require_staff(request)
    fair = _fair(slug)
    count = services.plan_publish(fair=fair)
    messages.success(request, _("%(count)s planned sessions are published.") % {"count": count})
    return redirect("fair:planner", slug=fair.slug)


@login_required
@require_POST
def session_pin(request, slug: str, pk: int):
    _require_staff(request)
    fair = _fair(slug)
    session = get_object_or_404(Session, pk=pk, fair=fair)
    pinned = request.POST.get("pinned") == "1"
    services.session_pin(session=session, pinned=pinned)
    if pinned:
        messages.success(
            request, _("“%(title)s” is pinned: the planner keeps it where it is.") % {"title": session.title}
        )
    else:
        messages.success(request, _("“%(title)s” is no longer pinned.") % {"title": session.title})
    return redirect(_back_to_grid(fair, session.starts_at))


def _back_to_grid(fair: Fair, moment) -> str:
    url = reverse("fair:planner", args=[fair.slug])
    return f"{url}?tag={timezone.localtime(moment).date().isoformat()}" if moment else url


def _conflict_messages(conflicts) -> list[str]:
    other_ids = [c.other for c in conflicts if c.other]
    others = {s.pk: s for s in Session.objects.filter(pk__in=other_ids).select_related("stage", "company")}
    texts = []
    for conflict in conflicts:
        other = others.get(conflict.other)
        when = (
            f"{formats.time_format(timezone.localtime(other.starts_at), 'H:i')}–"
            f"{formats.time_format(timezone.localtime(other.ends_at), 'H:i')}"
            if other
            else ""
        )
        if conflict.kind == "stage":
            texts.append(
                _(
                    "Overlaps with “%(title)s” (%(when)s) on this stage. Two sessions on one stage are not possible."
                )
                % {"title": other.title if other else "?", "when": when}
            )
        elif conflict.kind == "company":
            texts.append(
                _("The company is on %(stage)s at the same time (“%(title)s”, %(when)s).")
                % {
                    "stage": other.stage.name if other else "?",
                    "title": other.title if other else "?",
                    "when": when,
                }
            )
        elif conflict.kind == "opening":
            texts.append(_("Outside the fair's opening hours."))
        elif conflict.kind == "availability":
            texts.append(_("Outside the times the company said it is available."))
        elif conflict.kind == "school_hours":
            texts.append(
                _("Aimed at school hours, but outside school hours (%(hours)s).")
                % {"hours": services.school_hours_label()}
            )
    return texts


def _move(request, fair: Fair, *, session: Session | None, session_request: SessionRequest | None):
    """Shared by moving a session and placing a request by hand: refuses overlaps on a stage, asks to confirm
    other conflicts (the confirmation holds only for the stage and time it was shown for)."""
    subject = session or session_request.session
    initial = {}
    if subject and subject.stage_id and subject.starts_at:
        initial = {"stage": subject.stage_id, "starts_at": timezone.localtime(subject.starts_at)}
    elif session_request and session_request.preferred_stage_id:
        initial = {"stage": session_request.preferred_stage_id}
    form = SessionMoveForm(request.POST or None, fair=fair, initial=initial)
    warnings, refused, fingerprint = [], [], ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fingerprint = form.fingerprint()
        confirm = request.POST.get("confirm") == "1" and request.POST.get("confirmed_for") == fingerprint
        try:
            if session is not None:
                moved = services.session_move(
                    session=session,
                    stage=data["stage"],
                    starts_at=data["starts_at"],
                    confirm=confirm,
                    pin=data["pin"],
                )
            else:
                moved = services.session_request_place(
                    session_request=session_request,
                    stage=data["stage"],
                    starts_at=data["starts_at"],
                    confirm=confirm,
                    pin=data["pin"],
                )
        except services.MoveRefused as error:
            refused = _conflict_messages(error.conflicts)
        except services.MoveNeedsConfirmation as error:
            warnings = _conflict_messages(error.conflicts)
        else:
            messages.success(
                request,
                _("“%(title)s” is now on %(stage)s at %(when)s.")
                % {
                    "title": moved.title,
                    "stage": moved.stage.name,
                    "when": formats.date_format(timezone.localtime(moved.starts_at), "D j.n. H:i"),
                },
            )
            return redirect(_back_to_grid(fair, moved.starts_at))
    return render(
        request,
        "fair/manage/move.html",
        {
            "fair": fair,
            "form": form,
            "session": session,
            "session_request": session_request,
            "subject": subject,
            "warnings": warnings,
            "refused": refused,
            "fingerprint": fingerprint,
            "back": _back_to_grid(fair, subject.starts_at if subject else None),
        },
    )


@login_required
def session_move(request, slug: str, pk: int):
    _require_staff(request)
    fair = _fair(slug)
    session = get_object_or_404(Session.objects.select_related("stage", "company"), pk=pk, fair=fair)
    return _move(request, fair, session=session, session_request=None)


@login_required
def request_place(request, slug: str, pk: int):
    _require_staff(request)
    fair = _fair(slug)
    session_request = get_object_or_404(
        SessionRequest.objects.select_related("company", "session", "preferred_stage").exclude(
            status=SessionRequest.Status.WITHDRAWN
        ),
        pk=pk,
        fair=fair,
    )
    if session_request.session_id:
        return redirect("fair:session_move", slug=fair.slug, pk=session_request.session_id)
    return _move(request, fair, session=None, session_request=session_request)
