"""The printable talk plan and the shared PDF builder (einblick.core.pdf)."""

import io
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from pypdf import PdfReader

from einblick.core import pdf as core_pdf
from einblick.talks.models import Talk, TalkOffer
from einblick.talks.pdf import plan_pdf
from tests.factories import CompanyFactory, SchoolClassFactory


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)  # table cells wrap; compare with single spaces


def offer(talk_round, name, **fields):
    return TalkOffer.objects.create(round=talk_round, company=CompanyFactory(name=name), **fields)


@pytest.fixture
def plan(talk_round, pupils):
    pupil = pupils[0]
    pupil.nickname = "Jördis"
    pupil.save()
    onsite = offer(talk_round, "Müller & Söhne – Kälte", mode="onsite", table="T3")
    online = offer(talk_round, "Demo Online GmbH", mode="online")
    group = offer(talk_round, "Gruppenwerk KG", mode="onsite", group_size=4)
    talks = [
        Talk.objects.create(round=talk_round, offer=onsite, pupil=pupil, slot=0),
        Talk.objects.create(round=talk_round, offer=online, pupil=pupil, slot=1, status=Talk.Status.OFFERED),
        Talk.objects.create(round=talk_round, offer=group, pupil=pupil, slot=2),
    ]
    return pupil, talks


def test_plan_lists_every_talk_with_time_place_and_hints(talk_round, plan):
    pupil, talks = plan
    reader, text = pdf_text(plan_pdf(round=talk_round, pupil=pupil, talks=talks))

    assert len(reader.pages) >= 1
    assert "Mein Gesprächsplan" in text
    assert "Speed-Dating Ausbildung" in text
    assert "Für: Jördis" in text
    assert "Müller & Söhne – Kälte" in text  # umlauts, ß-free ampersand and en dash survive
    assert "Demo Online GmbH" in text and "Gruppenwerk KG" in text
    start, end = timezone.localtime(talks[0].starts_at), timezone.localtime(talks[0].ends_at)
    weekday = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"][start.weekday()]
    assert f"{weekday} {start:%d.%m.} {start:%H:%M}–{end:%H:%M}" in text
    assert "Tisch T3" in text
    assert "online (Video)" in text
    assert "vor Ort" in text  # the group offer has no table
    assert "Gruppengespräch" in text
    assert "Platz angeboten – bitte bestätigen" in text
    assert "„Meine Gespräche“" in text
    # rows come in time order
    assert text.index("Müller & Söhne") < text.index("Demo Online GmbH") < text.index("Gruppenwerk KG")
    assert reader.metadata.title == "Mein Gesprächsplan"


def test_empty_plan_says_so_and_names_class_and_fair(talk_round, pupils):
    pupil = pupils[1]
    pupil.school_class = SchoolClassFactory(name="8b")
    pupil.save()
    fake_round = SimpleNamespace(title=talk_round.title, fair=SimpleNamespace(name="Ausbildungsmesse Lingen"))
    _, text = pdf_text(plan_pdf(round=fake_round, pupil=pupil, talks=[]))

    assert "Du hast in dieser Runde noch kein Gespräch." in text
    assert "Ausbildungsmesse Lingen" in text
    assert f"Für: {pupil.display_name}, Klasse 8b" in text
    assert "Zeit" not in text  # no table
    assert "Video-Gespräche: Der Link erscheint 10 Minuten vorher" in text


def test_long_table_breaks_pages_and_repeats_the_header():
    doc = core_pdf.Document("Teilnahmeliste", "Test")
    doc.heading("Alle Zeilen")
    doc.table(["Nr.", "Name"], [[str(i), f"Schüler:in {i}"] for i in range(40)], widths=[1, 4])
    reader, text = pdf_text(doc.output())

    assert len(reader.pages) == 2
    assert "Seite 1 von 2" in text and "Seite 2 von 2" in text
    second = reader.pages[1].extract_text()
    assert "Nr." in second and "Name" in second  # header row repeated
    assert "Schüler:in 39" in second
    assert (
        "Schüler:in 0" in reader.pages[0].extract_text()
        and "Schüler:in 39" not in reader.pages[0].extract_text()
    )
    assert "Einblick" in reader.pages[1].extract_text()  # page header on every page
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_unicode_font_is_found_and_keeps_special_characters():
    if core_pdf.find_font() is None:
        pytest.skip("no TrueType font installed on this machine")
    doc = core_pdf.Document("Preise")
    doc.paragraph("Eintritt: 5 € – „frei“ für Schüler…")
    _, text = pdf_text(doc.output())
    assert "5 € – „frei“ für Schüler…" in text


def test_transliterate_keeps_latin1_and_replaces_the_rest():
    assert core_pdf.transliterate("Grüße – „Hallo“ … 5 €") == 'Grüße - "Hallo" ... 5 EUR'
    assert core_pdf.transliterate("Kälte ✓ Ω") == "Kälte ? ?"
    assert core_pdf.transliterate("u\u0308") == "ü"  # decomposed umlaut is composed first


def test_fallback_without_font_uses_helvetica_and_never_crashes(monkeypatch):
    monkeypatch.setattr(core_pdf, "find_font", lambda: None)
    doc = core_pdf.Document("Plan – „Test“", "Müller & Söhne – Kälte")
    doc.table(["Zeit", "Ort"], [["10:00–10:15", "Tisch ✓ 5 €"]])
    doc.note("Link erscheint … vorher")
    reader, text = pdf_text(doc.output())

    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Helvetica" in font for font in fonts)
    assert "Müller & Söhne - Kälte" in text
    assert "10:00-10:15" in text
    assert "Tisch ? 5 EUR" in text
    assert "Link erscheint ... vorher" in text


@pytest.mark.parametrize(("inline", "kind"), [(False, "attachment"), (True, "inline")])
def test_pdf_response(inline, kind):
    response = core_pdf.pdf_response(b"%PDF-1.4", "gespraechsplan.pdf", inline=inline)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'{kind}; filename="gespraechsplan.pdf"'
    assert response.content == b"%PDF-1.4"
