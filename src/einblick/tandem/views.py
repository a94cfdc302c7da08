"""Digital-Tandem: companies state needs, providers describe offers, staff match and confirm tandems."""

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

from . import matching, rules, services
from .forms import CommissionForm, FileForm, NeedForm, NoteForm, OfferForm, StepForm, TandemForm
from .models import Attachment, Need, Provider, Step, Tandem, Topic, TrainingOffer


def _suggestions(needs, limit=3) -> dict[int, list[dict]]:
    """Ranked offers per need with the offers and translated reasons (for the templates)."""
    need_list = list(needs)
    if not need_list:
        return {}
    offers_qs = TrainingOffer.objects.filter(active=True)
    need_ins, offer_ins = matching.from_models(
        Need.objects.filter(pk__in=[n.pk for n in need_list]), offers_qs
    )
    offers = {o.pk: o for o in offers_qs.select_related("provider")}
    today = timezone.localdate()
    out = {}
    for need_in in need_ins:
        rows = []
        for s in matching.suggest(need_in, offer_ins, today, limit=limit):
            rows.append(
                {
                    "offer": offers[s.offer_id],
                    "score": s.score,
                    "reasons": matching.explain(s),
                }
            )
        out[need_in.id] = rows
    return out


@login_required
def index(request):
    user = request.user
    companies = Company.objects.filter(memberships__user=user)
    providers = Provider.objects.filter(members=user)
    needs = Need.objects.filter(company__in=companies).prefetch_related("topics").select_related("company")
    suggestions = _suggestions(needs.filter(status=Need.Status.OPEN))
    asked = set(Tandem.objects.filter(need__company__in=companies).values_list("need_id", "offer_id"))
    for need_id, rows in suggestions.items():
        for row in rows:
            row["asked"] = (need_id, row["offer"].pk) in asked
    context = {
        "companies": companies,
        "needs": needs,
        "suggestions": suggestions,
        "providers": providers,
        "offers": TrainingOffer.objects.filter(provider__in=providers).select_related("provider"),
        "tandems": Tandem.objects.filter(need__company__in=companies).select_related(
            "need__company", "offer__provider"
        )
        | Tandem.objects.filter(offer__provider__in=providers).select_related(
            "need__company", "offer__provider"
        ),
        "staff": rules.can_manage(user),
        "asked": set(Tandem.objects.filter(need__company__in=companies).values_list("need_id", "offer_id")),
        "seminars": event_selectors.seminars_upcoming()[:5],
    }
    return render(request, "tandem/index.html", context)


@login_required
@require_POST
def request_offer(request, need_pk: int):
    """A company asks for a suggested offer itself."""
    need = get_object_or_404(Need.objects.select_related("company"), pk=need_pk)
    if not rules.can_act_for_company(request.user, need.company):
        raise Http404
    offer = get_object_or_404(TrainingOffer, pk=request.POST.get("offer") or 0, active=True)
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
    open_needs = Need.objects.filter(status=Need.Status.OPEN)
    need_ins, offer_ins = matching.from_models(open_needs, TrainingOffer.objects.filter(active=True))
    needs = open_needs.select_related("company").prefetch_related("topics")
    found = matching.clusters(need_ins, offer_ins, timezone.localdate(), min_companies=2)
    topics = {t.pk: t for t in Topic.objects.select_related("parent")}
    clusters = [{"cluster": c, "topic": topics.get(c.topic_id)} for c in found]
    context = {
        "requests": Tandem.objects.filter(status=Tandem.Status.REQUESTED).select_related(
            "need__company", "offer__provider"
        ),
        "commission_form": CommissionForm(),
        "needs": needs,
        "suggestions": _suggestions(needs),
        "clusters": clusters,
        "tandems": Tandem.objects.select_related("need__company", "offer__provider")[:50],
    }
    return render(request, "tandem/overview.html", context)


@login_required
@require_POST
def confirm(request):
    if not rules.can_manage(request.user):
        raise Http404
    need = get_object_or_404(Need, pk=request.POST.get("need") or 0)
    offer = get_object_or_404(TrainingOffer, pk=request.POST.get("offer") or 0)
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
    topic = get_object_or_404(Topic, pk=request.POST.get("topic") or 0)
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
        "form": TandemForm(request.POST if action == "status" else None, instance=obj),
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
            step = get_object_or_404(Step, pk=request.POST.get("step") or 0, tandem=obj)
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
            attachment = get_object_or_404(Attachment, pk=request.POST.get("file") or 0, tandem=obj)
            services.attachment_delete(attachment=attachment)
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
