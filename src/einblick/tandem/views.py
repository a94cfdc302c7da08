"""Digital-Tandem: companies state needs, providers describe offers, staff match and confirm tandems."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company
from einblick.events import selectors as event_selectors

from . import rules, selectors, services
from .forms import CommissionForm, FileForm, NeedForm, NoteForm, OfferForm, StepForm, TandemForm
from .models import Attachment, Need, Provider, Step, Tandem, Topic, TrainingOffer


def _post_id(request, name: str) -> int:
    """The id posted as ``name``; 0 (so: 404) for anything that is not a whole number."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else 0


@login_required
def index(request):
    user = request.user
    context = selectors.overview_of_user(user)
    context["staff"] = rules.can_manage(user)
    context["seminars"] = event_selectors.seminars_upcoming()[:5]
    return render(request, "tandem/index.html", context)


@login_required
@require_POST
def request_offer(request, need_pk: int):
    """A company asks for a suggested offer itself."""
    need = get_object_or_404(Need.objects.select_related("company"), pk=need_pk)
    if not rules.can_act_for_company(request.user, need.company):
        raise Http404
    offer = get_object_or_404(TrainingOffer, pk=_post_id(request, "offer"), active=True)
    try:
        services.tandem_request(need=need, offer=offer, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request is sent. The network confirms it and puts you in touch."))
    return redirect("tandem:index")


def seminars(request):
    """Upcoming seminars for the staff of member companies (registration on the seminar's page)."""
    return render(
        request,
        "tandem/seminars.html",
        {
            "seminars": event_selectors.seminars_upcoming().prefetch_related("training_offers__topics"),
            "staff": rules.can_manage(request.user),
        },
    )


@login_required
def need_new(request, slug: str):
    company = get_object_or_404(Company, slug=slug)
    if not rules.can_act_for_company(request.user, company):
        raise Http404
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.need_create(company=company, user=request.user, topics=data.pop("topics"), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Thank you! The network looks for a fitting offer and gets in touch.")
            )
            return redirect("tandem:index")
    return render(request, "tandem/need_form.html", {"form": form, "company": company})


@login_required
def overview(request):
    """Staff: open needs with ranked suggestions, and uncovered needs several companies share (clusters)."""
    if not rules.can_manage(request.user):
        raise Http404
    context = selectors.staff_overview()
    context["commission_form"] = CommissionForm()
    return render(request, "tandem/overview.html", context)


@login_required
@require_POST
def confirm(request):
    if not rules.can_manage(request.user):
        raise Http404
    need = get_object_or_404(Need, pk=_post_id(request, "need"))
    offer = get_object_or_404(TrainingOffer, pk=_post_id(request, "offer"))
    try:
        tandem = services.tandem_confirm(need=need, offer=offer, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tandem:overview")
    messages.success(request, _("The tandem is confirmed; both sides are notified."))
    return redirect("tandem:tandem", pk=tandem.pk)


@login_required
@require_POST
def commission(request):
    """Staff turn a cluster of uncovered needs into a commissioned seminar (offer + draft seminar date)."""
    if not rules.can_manage(request.user):
        raise Http404
    form = CommissionForm(request.POST)
    topic = get_object_or_404(Topic, pk=_post_id(request, "topic"))
    need_ids = [int(x) for x in request.POST.getlist("need") if x.isdigit()]
    if not form.is_valid():
        messages.error(request, _("Choose the provider who runs the seminar."))
        return redirect("tandem:overview")
    try:
        offer = services.seminar_commission(
            topic=topic,
            need_ids=need_ids,
            provider=form.cleaned_data["provider"],
            online=request.POST.get("online") == "1",
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tandem:overview")
    messages.success(
        request,
        _(
            "The seminar is created as a draft. Set the date and the room, then publish it; the companies of the "
            "cluster then find it among their suggestions."
        ),
    )
    return redirect("events:edit", slug=offer.event.slug)


def _tandem_or_404(user, pk: int) -> Tandem:
    obj = get_object_or_404(
        Tandem.objects.select_related("need__company", "offer__provider", "offer__event"), pk=pk
    )
    if not rules.can_see_tandem(user, obj):
        raise Http404
    return obj


@login_required
def tandem(request, pk: int):
    """The tandem's workspace: status, goals and outcome; steps with due dates; meeting notes; files."""
    obj = _tandem_or_404(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        # a copy: a refused change must not show as the tandem's state on the page
        "form": TandemForm(request.POST if action == "status" else None, instance=copy.copy(obj)),
        "step_form": StepForm(request.POST if action == "step" else None, prefix="step"),
        "note_form": NoteForm(
            request.POST if action == "note" else None,
            prefix="note",
            initial={"met_on": timezone.localdate()},
        ),
        "file_form": FileForm(
            request.POST if action == "file" else None,
            request.FILES if action == "file" else None,
            prefix="file",
        ),
    }
    done = None
    try:
        if action == "status" and forms["form"].is_valid():
            data = forms["form"].cleaned_data
            services.tandem_update(
                tandem=obj, status=data["status"], goals=data["goals"], outcome=data["outcome"]
            )
            done = _("The tandem is saved.")
        elif action == "step" and forms["step_form"].is_valid():
            services.step_add(tandem=obj, by=request.user, **forms["step_form"].cleaned_data)
            done = _("The step is added.")
        elif action == "toggle":
            step = get_object_or_404(Step, pk=_post_id(request, "step"), tandem=obj)
            services.step_toggle(step=step, by=request.user)
            done = _("The step is saved.")
        elif action == "note" and forms["note_form"].is_valid():
            services.note_add(tandem=obj, author=request.user, **forms["note_form"].cleaned_data)
            done = _("The note is saved.")
        elif action == "file" and forms["file_form"].is_valid():
            services.attachment_add(
                tandem=obj, upload=forms["file_form"].cleaned_data["file"], by=request.user
            )
            done = _("The file is shared.")
        elif action == "delete_file":
            attachment = get_object_or_404(Attachment, pk=_post_id(request, "file"), tandem=obj)
            services.attachment_delete(attachment=attachment, by=request.user)
            done = _("The file is deleted.")
    except ValidationError as exc:
        target = {"status": "form", "step": "step_form", "note": "note_form", "file": "file_form"}.get(action)
        if target:
            forms[target].add_error(None, exc)
        else:
            messages.error(request, " ".join(exc.messages))
            return redirect("tandem:tandem", pk=obj.pk)
    if done:
        messages.success(request, done)
        return redirect("tandem:tandem", pk=obj.pk)
    seminar = obj.offer.event
    context = {
        "tandem": obj,
        "steps": obj.steps.select_related("done_by"),
        "notes": obj.notes.select_related("author"),
        "files": obj.files.select_related("uploaded_by"),
        "today": timezone.localdate(),
        "seminar": seminar if seminar and seminar.status == "published" and not seminar.is_over else None,
        "is_company": rules.can_act_for_company(request.user, obj.need.company),
        **forms,
    }
    return render(request, "tandem/tandem.html", context)


@login_required
def tandem_file(request, pk: int, file_pk: int):
    """A tandem's file, for both sides and staff only, always as a download (never shown inline)."""
    obj = _tandem_or_404(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=file_pk, tandem=obj)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
def offer_edit(request, provider_pk: int, pk: int | None = None):
    provider = get_object_or_404(Provider, pk=provider_pk)
    if not rules.can_act_for_provider(request.user, provider):
        raise Http404
    offer = (
        get_object_or_404(TrainingOffer, pk=pk, provider=provider) if pk else TrainingOffer(provider=provider)
    )
    form = OfferForm(request.POST or None, instance=offer, initial={"formats": offer.formats} if pk else None)
    if request.method == "POST" and form.is_valid():
        offer = form.save(commit=False)
        offer.formats = form.cleaned_data["formats"]
        try:
            services.offer_save(offer=offer, topics=form.cleaned_data["topics"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect("tandem:index")
    title = _("Edit offer") if pk else _("New offer")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "back": "/tandem/", "submit": _("Save")},
    )
