"""Booths (issue #4): the public booth page, visits counted per day, downloadable PDFs (checked), the "ask us"
form (rate limit, hostile input escaped) and its answers, the booth management page, the exhibitor list."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from einblick.fair import forms, selectors, services
from einblick.fair.models import BoothMaterial, BoothQuestion, BoothVisit
from tests.factories import CompanyFactory, OfferFactory, ProfessionFactory, SiteFactory
from tests.fair.support import make_session, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) Mobile Safari"}


def booth_url(exhibitor) -> str:
    return reverse("fair:booth", args=[exhibitor.fair.slug, exhibitor.company.slug])


def manage_url(exhibitor) -> str:
    return reverse("fair:booth_manage", args=[exhibitor.fair.slug, exhibitor.company.slug])


# --- Public booth page --------------------------------------------------------------------------------------------
def test_booth_shows_professions_offers_sessions_contacts_material_and_public_answers(
    client, exhibitor_a, fair
):
    company = exhibitor_a.company
    OfferFactory(site=SiteFactory(company=company), profession=company.professions.first())
    make_session(fair, minutes=30, company=company, title="Live aus der Werkstatt")
    past = make_session(fair, minutes=-90, company=company, title="Azubis erzählen")
    past.recording_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    past.save()
    services.booth_update(exhibitor=exhibitor_a, intro="Moin!", video_url="https://vimeo.com/123456")
    services.booth_material_add(exhibitor=exhibitor_a, title="Flyer Mechatronik", file=pdf_upload())
    public = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Finn", text="Wie lange dauert's?")
    services.booth_question_answer(question=public, answer="3,5 Jahre.", public=True)
    private = services.booth_question_ask(
        exhibitor=exhibitor_a, nickname="Ida", text="Geheime Frage", email="i@x.de"
    )
    services.booth_question_answer(question=private, answer="Per Mail.", public=False)
    services.booth_question_ask(exhibitor=exhibitor_a, nickname="Ole", text="Noch offen?")

    response = client.get(booth_url(exhibitor_a), **BROWSER)
    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Moin!",
        "Mechatroniker:in",
        "Live aus der Werkstatt",
        "Anke Janssen",
        "Flyer Mechatronik",
        "Wie lange dauert",
        "3,5 Jahre.",
        "Vimeo",  # booth video, two-click
        "Azubis erzählen",  # recording
    ]:
        assert text in content, text
    assert "Geheime Frage" not in content and "Noch offen?" not in content
    assert 'action="/messe/55-stunden/stand/meyer/fragen/#fragen"' in content
    assert "Merken" in content  # bookmark buttons on the session rows


def test_booth_of_unknown_or_foreign_company_is_404(client, fair, exhibitor_a, company_b):
    assert client.get(reverse("fair:booth", args=[fair.slug, company_b.slug])).status_code == 404
    assert client.get(reverse("fair:booth", args=[fair.slug, "gibt-es-nicht"])).status_code == 404


def test_booth_visits_counted_once_per_visitor_and_day(client, exhibitor_a, exhibitor_b):
    for _ in range(3):
        client.get(booth_url(exhibitor_a), **BROWSER)
    client.get(booth_url(exhibitor_b), **BROWSER)
    visit = BoothVisit.objects.get(exhibitor=exhibitor_a)
    assert (visit.day, visit.count) == (timezone.localdate(), 1)
    assert BoothVisit.objects.get(exhibitor=exhibitor_b).count == 1

    client.get(
        booth_url(exhibitor_a), HTTP_USER_AGENT="Mozilla/5.0 (Android 14) Firefox/130"
    )  # another browser
    assert BoothVisit.objects.get(exhibitor=exhibitor_a).count == 2

    tomorrow = timezone.localdate() + timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):  # the next day counts again
        client.get(booth_url(exhibitor_a), **BROWSER)
    assert BoothVisit.objects.get(exhibitor=exhibitor_a, day=tomorrow).count == 1
    assert not client.cookies.get("sessionid")  # counting keeps nothing in a session


def test_booth_visits_skip_bots_and_the_company_itself(client, login, exhibitor_a, member_a):
    client.get(booth_url(exhibitor_a), HTTP_USER_AGENT="Googlebot/2.1")
    client.get(booth_url(exhibitor_a))  # no user agent
    login(member_a).get(booth_url(exhibitor_a), **BROWSER)
    assert not BoothVisit.objects.exists()


def test_booth_visit_count_service_adds_up(exhibitor_a):
    day = timezone.localdate()
    for _ in range(5):
        services.booth_visit_count(exhibitor=exhibitor_a, day=day)
    services.booth_visit_count(exhibitor=exhibitor_a, day=day + timedelta(days=1))
    assert list(BoothVisit.objects.order_by("day").values_list("count", flat=True)) == [5, 1]


# --- Ask us -------------------------------------------------------------------------------------------------------
def ask(client, exhibitor, **data):
    payload = {"nickname": "Mia", "text": "Braucht man Mathe?", "email": ""} | data
    return client.post(reverse("fair:booth_ask", args=[exhibitor.fair.slug, exhibitor.company.slug]), payload)


def test_ask_question_stores_it_and_tells_the_company(client, exhibitor_a, member_a, run_tasks):
    response = ask(client, exhibitor_a, email="mia@example.org")
    assert response.status_code == 302 and response["Location"].endswith("#fragen")
    question = BoothQuestion.objects.get()
    assert (question.nickname, question.text, question.email, question.status) == (
        "Mia",
        "Braucht man Mathe?",
        "mia@example.org",
        "open",
    )
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ausbilder@meyer.example"]]
    assert "Braucht man Mathe?" in mail.outbox[0].body and "mia@example.org" not in mail.outbox[0].body
    assert manage_url(exhibitor_a) in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nickname": ""}, "zwingend erforderlich"),
        ({"text": ""}, "zwingend erforderlich"),
        ({"text": "x" * 1001}, "höchstens 1000 Zeichen"),
        ({"email": "keine-mail"}, "gültige E-Mail-Adresse"),
        ({"text": "Hallo\x00Welt"}, "Null"),
        ({"nickname": "\u202e\u202e"}, "Spitznamen"),
    ],
)
def test_bad_question_input_is_rejected_with_a_german_message_and_kept(client, exhibitor_a, data, message):
    response = ask(client, exhibitor_a, **data)
    assert response.status_code == 200
    assert not BoothQuestion.objects.exists()
    content = response.content.decode()
    assert message in content, content[content.find("errorlist") - 100 : content.find("errorlist") + 300]
    if data.get("text", "").startswith("x"):
        assert "x" * 1001 in content  # what the user typed is kept


HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "{{ request.user }} {% debug %}",
    "'; DROP TABLE fair_boothquestion; --",
    "\u202eevil\u202c",
    "🎉🔧 Ausbildung?",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_questions_and_answers_are_rendered_escaped(client, login, exhibitor_a, member_a, payload):
    assert ask(client, exhibitor_a, nickname=payload[:40], text=payload).status_code == 302
    question = BoothQuestion.objects.get()
    services.booth_question_answer(question=question, answer=payload, public=True)
    for url in (booth_url(exhibitor_a), manage_url(exhibitor_a)):
        content = login(member_a).get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content
        assert escape(payload) in content
    assert BoothQuestion.objects.count() == 1  # the SQL fragment is only text


@override_settings(EINBLICK_BOOTH_QUESTION_LIMITS={"session": (2, 600), "ip": (100, 3600)})
def test_questions_are_rate_limited_per_browser_session(client, exhibitor_a):
    assert ask(client, exhibitor_a).status_code == 302
    assert ask(client, exhibitor_a).status_code == 302
    response = ask(client, exhibitor_a, text="Noch eine Frage")
    assert response.status_code == 429
    assert "viele Fragen" in response.content.decode() and "Noch eine Frage" in response.content.decode()
    assert BoothQuestion.objects.count() == 2
    client.cookies.clear()  # another browser may ask
    assert ask(client, exhibitor_a).status_code == 302


@override_settings(EINBLICK_BOOTH_QUESTION_LIMITS={"session": (100, 600), "ip": (3, 3600)})
def test_questions_are_rate_limited_per_ip(client, exhibitor_a):
    for _ in range(3):
        client.cookies.clear()
        assert ask(client, exhibitor_a).status_code == 302
    client.cookies.clear()
    assert ask(client, exhibitor_a).status_code == 429


# --- Answers ------------------------------------------------------------------------------------------------------
def answer_url(question):
    exhibitor = question.exhibitor
    return reverse(
        "fair:booth_question_answer", args=[exhibitor.fair.slug, exhibitor.company.slug, question.pk]
    )


def test_answer_by_email_deletes_the_address(client, login, exhibitor_a, member_a, run_tasks):
    question = services.booth_question_ask(
        exhibitor=exhibitor_a, nickname="Mia", text="Gehalt?", email="mia@x.de"
    )
    run_tasks()
    mail.outbox.clear()
    prefix = f"q{question.pk}"
    response = login(member_a).post(answer_url(question), {f"{prefix}-answer": "Im 1. Jahr 1.000 €."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.answer, question.email, question.answer_public) == (
        "answered",
        "Im 1. Jahr 1.000 €.",
        "",
        False,
    )
    run_tasks()
    assert [m.to for m in mail.outbox] == [["mia@x.de"]]
    assert "Im 1. Jahr 1.000 €." in mail.outbox[0].body and "Gehalt?" in mail.outbox[0].body
    assert "Meyer Maschinenbau GmbH" in mail.outbox[0].subject
    assert "1.000 €" not in client.get(booth_url(exhibitor_a)).content.decode()


def test_public_answer_appears_on_the_booth(client, login, exhibitor_a, member_a):
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Mia", text="Probearbeiten?")
    prefix = f"q{question.pk}"
    login(member_a).post(
        answer_url(question), {f"{prefix}-answer": "Ja, gern!", f"{prefix}-answer_public": "on"}
    )
    assert "Ja, gern!" in client.get(booth_url(exhibitor_a)).content.decode()
    assert list(selectors.booth_questions_public(exhibitor_a)) == [question]


def test_answer_without_email_must_be_public(login, exhibitor_a, member_a):
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Mia", text="Probearbeiten?")
    response = login(member_a).post(answer_url(question), {f"q{question.pk}-answer": "Ja"})
    assert response.status_code == 200
    assert "keine E-Mail-Adresse" in response.content.decode()
    question.refresh_from_db()
    assert question.status == "open"


def test_hide_question(login, exhibitor_a, member_a):
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="X", text="Spam", email="s@x.de")
    url = reverse("fair:booth_question_hide", args=[exhibitor_a.fair.slug, "meyer", question.pk])
    assert login(member_a).post(url).status_code == 302
    question.refresh_from_db()
    assert (question.status, question.email) == ("hidden", "")


def test_member_cannot_answer_a_question_of_another_booth(login, exhibitor_a, exhibitor_b, member_b):
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Mia", text="Frage")
    url = reverse("fair:booth_question_answer", args=[exhibitor_b.fair.slug, "brink", question.pk])
    assert (
        login(member_b)
        .post(url, {f"q{question.pk}-answer": "Hack", f"q{question.pk}-answer_public": "on"})
        .status_code
        == 404
    )
    question.refresh_from_db()
    assert question.status == "open"


# --- Booth management: intro, video, PDFs -------------------------------------------------------------------------
def test_manage_booth_intro_and_video(login, exhibitor_a, member_a):
    client = login(member_a)
    page = client.get(manage_url(exhibitor_a))
    assert page.status_code == 200 and "Willkommen an unserem Stand!" in page.content.decode()
    response = client.post(manage_url(exhibitor_a), {"intro": "Neu", "video_url": "youtu.be/dQw4w9WgXcQ"})
    assert response.status_code == 302
    exhibitor_a.refresh_from_db()
    assert (exhibitor_a.intro, exhibitor_a.video_url) == ("Neu", "https://youtu.be/dQw4w9WgXcQ")


def test_unknown_video_provider_gets_a_clear_message(login, exhibitor_a, member_a):
    response = login(member_a).post(
        manage_url(exhibitor_a), {"intro": "Bleibt erhalten", "video_url": "https://example.org/film"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "YouTube, Vimeo, PeerTube" in content and "Bleibt erhalten" in content
    exhibitor_a.refresh_from_db()
    assert exhibitor_a.video_url == "" and exhibitor_a.intro == "Willkommen an unserem Stand!"


def upload(client, exhibitor, file, title="Flyer"):
    url = reverse("fair:booth_material_upload", args=[exhibitor.fair.slug, exhibitor.company.slug])
    return client.post(url, {"title": title, "file": file})


def test_upload_real_pdf_stores_it_under_our_own_name(client, login, exhibitor_a, member_a):
    response = upload(
        login(member_a), exhibitor_a, pdf_upload("../../etc/passwd.pdf"), title="Ausbildungsflyer"
    )
    assert response.status_code == 302
    material = BoothMaterial.objects.get()
    assert material.title == "Ausbildungsflyer"
    assert material.file.name.startswith("booth/meyer-") and material.file.name.endswith(".pdf")
    from pypdf import PdfReader

    with material.file.open("rb") as handle:
        assert "Ausbildung bei uns" in PdfReader(handle).pages[0].extract_text()
    client.logout()
    assert material.file.url in client.get(booth_url(exhibitor_a)).content.decode()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("flyer.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf"),
            "kein PDF",
        ),
        (SimpleUploadedFile("flyer.pdf", b"<html><script>alert(1)</script></html>"), "kein PDF"),
        (SimpleUploadedFile("flyer.pdf", b"%PDF-1.7\n%garbage without objects\n%%EOF\n"), "beschädigt"),
        (SimpleUploadedFile("flyer.pdf", pdf_bytes()[:200]), "beschädigt"),
        (SimpleUploadedFile("leer.pdf", b""), "leer"),
    ],
    ids=["exe", "html", "fake-header", "truncated", "empty"],
)
def test_fake_pdfs_are_rejected_with_a_german_message(login, exhibitor_a, member_a, file, message):
    response = upload(login(member_a), exhibitor_a, file, title="Mein Titel bleibt")
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content, content[content.find("errorlist") - 100 : content.find("errorlist") + 300]
    assert "Mein Titel bleibt" in content
    assert not BoothMaterial.objects.exists()


def test_pdf_over_10_mb_is_rejected(login, exhibitor_a, member_a):
    big = pdf_bytes() + b"%" + b"0" * (10 * 1024 * 1024)
    response = upload(login(member_a), exhibitor_a, SimpleUploadedFile("gross.pdf", big))
    assert response.status_code == 200
    assert "zu groß" in response.content.decode() and "10 MB" in response.content.decode()
    assert not BoothMaterial.objects.exists()


def test_password_protected_pdf_is_rejected():
    from io import BytesIO

    from django.core.exceptions import ValidationError
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes())))
    writer.encrypt(user_password="geheim", algorithm="RC4-128")
    buffer = BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError) as error:
        forms.validate_pdf(SimpleUploadedFile("geheim.pdf", buffer.getvalue()))
    assert error.value.code == "encrypted"


def test_delete_material_removes_the_file(django_capture_on_commit_callbacks, login, exhibitor_a, member_a):
    material = services.booth_material_add(exhibitor=exhibitor_a, title="Alt", file=pdf_upload())
    storage, name = material.file.storage, material.file.name
    url = reverse("fair:booth_material_delete", args=[exhibitor_a.fair.slug, "meyer", material.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert login(member_a).post(url).status_code == 302
    assert not BoothMaterial.objects.exists() and not storage.exists(name)


def test_member_of_b_cannot_touch_material_of_a(login, exhibitor_a, exhibitor_b, member_b):
    material = services.booth_material_add(exhibitor=exhibitor_a, title="Alt", file=pdf_upload())
    for url in (
        reverse("fair:booth_material_delete", args=[exhibitor_a.fair.slug, "meyer", material.pk]),
        reverse("fair:booth_material_delete", args=[exhibitor_a.fair.slug, "brink", material.pk]),
    ):
        assert login(member_b).post(url).status_code == 404
    assert upload(login(member_b), exhibitor_a, pdf_upload()).status_code == 404
    assert BoothMaterial.objects.count() == 1


def test_company_manage_page_links_to_booth_and_statistics(login, exhibitor_a, member_a):
    content = login(member_a).get(reverse("catalog:company_manage", args=["meyer"])).content.decode()
    assert manage_url(exhibitor_a) in content
    assert reverse("fair:company_stats", args=[exhibitor_a.fair.slug, "meyer"]) in content


# --- Exhibitor list -----------------------------------------------------------------------------------------------
def test_exhibitor_list_filters_by_profession(client, fair, exhibitor_a, exhibitor_b, profession):
    url = reverse("fair:exhibitors", args=[fair.slug])
    content = client.get(url).content.decode()
    assert "Meyer Maschinenbau" in content and "Tischlerei Brink" in content
    response = client.get(url, {"beruf": profession.slug})
    assert [e.company.slug for e in response.context["exhibitors"]] == ["meyer"]
    assert client.get(url, {"beruf": "gibt-es-nicht"}).context["exhibitors"] == [exhibitor_a, exhibitor_b]


def test_exhibitor_list_has_no_n_plus_1(client, fair, django_assert_num_queries):
    professions = [
        ProfessionFactory(name=n) for n in ("Tischler:in", "Metallbauer:in", "Industriemechaniker:in")
    ]

    def add(n):
        for _ in range(n):
            company = CompanyFactory()
            company.professions.set(professions)
            services.exhibitor_add(fair=fair, company=company)

    url = reverse("fair:exhibitors", args=[fair.slug])
    add(1)
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"beruf": professions[0].slug})
    add(2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url, {"beruf": professions[0].slug})
    assert len(response.context["exhibitors"]) == 3
