"""Certificates, the portfolio export (Berufswahlpass), a class's attendance and the feedback after an event.

Documents are German only (PDF texts, CSV headers); pages use English message ids. Anything a user may not see
answers 404. "Attended" means the registration was checked in (``checked_in_at``)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

from einblick.core.pdf import pdf_response
from einblick.core.spreadsheet import to_csv

from .. import pdf, rules, selectors, services
from ..forms_feedback import FeedbackForm
from ..models import Event, Feedback, Registration

# ------------------------------------------------------------------------------------------------------- helpers


def _registration(pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related(
            "event", "event__place", "pupil", "teacher", "school_class__school", "company"
        ).prefetch_related("event__hosts", "event__professions", "members"),
        pk=pk,
    )


def _class_names(registration: Registration) -> list[str]:
    """The names the teacher entered, then class members with an account who are not among them."""
    names = registration.name_list
    known = {name.casefold() for name in names}
    for member in sorted(registration.members.all(), key=lambda m: m.certificate_name.casefold()):
        if member.certificate_name.casefold() not in known:
            names.append(member.certificate_name)
            known.add(member.certificate_name.casefold())
    return names


def _is_member(user, registration: Registration) -> bool:
    return any(member.pk == user.pk for member in registration.members.all())


def _certificate_names(user, registration: Registration) -> list[str]:
    """Whose certificates ``user`` may download for this registration; Http404 if none."""
    if registration.checked_in_at is None:
        raise Http404
    if not registration.is_group:
        if registration.pupil_id == user.pk or rules.can_host(user, registration.event):
            return [registration.pupil.certificate_name]
        raise Http404
    if rules.owns_registration(user, registration) or rules.can_host(user, registration.event):
        # one certificate per person present: the names entered first, then blanks to be written in by hand
        present = registration.places if registration.attended is None else registration.attended
        if present < 1:
            raise Http404
        return _class_names(registration)[:present] or [""] * present
    if _is_member(user, registration):
        return [user.certificate_name]
    raise Http404


def _csv_response(header: list[str], rows: list[list], filename: str) -> HttpResponse:
    """Semicolons and a UTF-8 byte order mark, so that a German Excel opens it with umlauts intact."""
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _when(value) -> str:
    return f"{timezone.localtime(value):%d.%m.%Y %H:%M}" if value else ""


# -------------------------------------------------------------------------------------------------- certificates


@login_required
def certificate(request, pk: int):
    """The attendance certificate of one registration: the pupil's own, a class member's own, or — for the
    teacher, hosts and staff — one page per pupil of the class."""
    registration = _registration(pk)
    names = _certificate_names(request.user, registration)
    data = pdf.certificates_pdf(items=[(name, registration) for name in names])
    suffix = (
        f"-{slugify(registration.school_class.name)}" if len(names) > 1 and registration.school_class else ""
    )
    return pdf_response(data, f"teilnahmebescheinigung-{registration.event.slug}{suffix}.pdf")


NONE_YET = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<p class="empty">{{ text }}</p>
<p><a class="button secondary" href="{{ back }}">{{ back_label }}</a></p>
{% endblock %}"""


@login_required
def certificates_all(request):
    """All of the pupil's certificates in one PDF, one page each."""
    pupil = request.user
    registrations = list(selectors.attended_of_pupil(pupil))
    if not registrations:
        context = {
            "title": _("My certificates"),
            "text": _(
                "You have no certificates yet. After an event at which you were checked in, "
                "your certificate appears here."
            ),
            "back": reverse("events:mine"),
            "back_label": _("Back to my events"),
        }
        return HttpResponse(engines["django"].from_string(NONE_YET).render(context, request))
    data = pdf.certificates_pdf(items=[(pupil.certificate_name, r) for r in registrations])
    return pdf_response(data, "teilnahmebescheinigungen.pdf")


# ------------------------------------------------------------------------------------------- portfolio export


def _portfolio_entries(request) -> list[dict]:
    entries = []
    for registration in selectors.attended_of_pupil(request.user):
        event = registration.event
        start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        entries.append(
            {
                "date": start.date().isoformat(),
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "title": event.title,
                "kind": pdf.kind_de(event),
                "hosts": sorted(company.name for company in event.hosts.all()),
                "place": pdf.place_text(event),
                "professions": pdf.professions_list(event),
                "hours": pdf.hours(event),
                "organiser": pdf.organiser(),
                "category": "Berufsorientierung",
                "certificate_url": request.build_absolute_uri(
                    reverse("events:certificate", args=[registration.pk])
                ),
            }
        )
    return entries


@login_required
def portfolio_json(request):
    payload = {
        "pupil": request.user.display_name,
        "generated_at": timezone.localtime().isoformat(),
        "organiser": pdf.organiser(),
        "events": _portfolio_entries(request),
    }
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "berufsorientierung.json")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def portfolio_csv(request):
    header = [
        "Datum",
        "Uhrzeit",
        "Veranstaltung",
        "Art",
        "Gastgebende Betriebe",
        "Ort",
        "Vorgestellte Berufe",
    ]
    header += ["Stunden", "Veranstalter"]
    rows = []
    for registration in selectors.attended_of_pupil(request.user):
        event = registration.event
        rows.append(
            [
                f"{timezone.localtime(event.starts_at):%d.%m.%Y}",
                pdf.time_text(event),
                event.title,
                pdf.kind_de(event),
                pdf.hosts_text(event),
                pdf.place_text(event),
                ", ".join(pdf.professions_list(event)),
                pdf.hours_text(event),
                pdf.organiser(),
            ]
        )
    return _csv_response(header, rows, "berufsorientierung.csv")


# ------------------------------------------------------------------------------------------- class attendance


@login_required
def class_attendance_csv(request, pk: int):
    """The teacher's list of a class registration: one row per name, or one summary row without names."""
    registration = _registration(pk)
    if not registration.is_group or not rules.can_see_registration(request.user, registration):
        raise Http404
    event, school_class, company = registration.event, registration.school_class, registration.company
    if company:  # a company's staff at a seminar
        group = [company.name]
        group_header = ["Betrieb"]
        label = slugify(company.name)
    else:
        group = [school_class.name if school_class else "", school_class.school.name if school_class else ""]
        group_header = ["Klasse", "Schule"]
        label = slugify(school_class.name) if school_class else "klasse"
    common = [
        event.title,
        _when(event.starts_at),
        *group,
        registration.places,
        "" if registration.attended is None else registration.attended,
    ]
    checked_in = _when(registration.checked_in_at)
    names = _class_names(registration) or [""]
    rows = [[*common, name, checked_in] for name in names]
    header = [
        "Veranstaltung",
        "Beginn",
        *group_header,
        "Angemeldete Plätze",
        "Anwesend",
        "Name",
        "Eingecheckt um",
    ]
    return _csv_response(header, rows, f"anwesenheit-{event.slug}-{label}.csv")


# ---------------------------------------------------------------------------------------------------- feedback


@login_required
def feedback(request, pk: int):
    """The survey after the event for the pupil of a registration or the teacher of a class registration."""
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    user = request.user
    if not rules.owns_registration(user, registration):
        raise Http404
    event = registration.event
    now = timezone.now()
    closed = ""
    if registration.checked_in_at is None:
        closed = _("Feedback is for participants who were there.")
    elif now < event.ends_at:
        closed = _("Feedback opens when the event is over.")
    answered = Feedback.objects.filter(event=event, voter=services.feedback_voter(registration)).exists()
    form = None
    if not closed and not answered:
        form = FeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.feedback_submit(registration=registration, now=now, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("stars" if exc.code == "stars" else None, exc)
            except IntegrityError:  # the same answer sent twice at once: the first one counts
                form.add_error(None, _("You have already given feedback. Thank you!"))
            else:
                messages.success(request, _("Thank you for your feedback!"))
                return redirect("events:mine")
    context = {
        "registration": registration,
        "event": event,
        "form": form,
        "closed": closed,
        "answered": answered,
    }
    return render(request, "events/feedback.html", context)


@login_required
def feedback_results(request, slug: str):
    event = get_object_or_404(Event, slug=slug)
    if not rules.can_host(request.user, event):
        raise Http404
    summary = selectors.feedback_summary(event)
    count = summary["count"]
    bars = [
        {"stars": stars, "count": n, "percent": round(100 * n / count) if count else 0}
        for stars, n in summary["histogram"].items()
    ]
    context = {
        "event": event,
        "count": count,
        "average": summary["average"],
        "bars": bars,
        "participants": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
        # a neutral order, so that the order of the texts does not hint at who wrote them when
        "liked": sorted(summary["liked"], key=str.casefold),
        "improve": sorted(summary["improve"], key=str.casefold),
    }
    return render(request, "events/feedback_results.html", context)
