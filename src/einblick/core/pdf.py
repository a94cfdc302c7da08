"""A small builder for printable PDFs (talk plans, later tickets and certificates), built on fpdf2.

Usage::

    doc = Document("Mein Gesprächsplan", "Speed-Dating Ausbildung")
    doc.heading("Termine")
    doc.table(["Zeit", "Betrieb"], [["10:00", "Müller & Söhne"]], widths=[1, 3])
    return pdf_response(doc.output(), "gespraechsplan.pdf")

German text needs a Unicode TrueType font (DejaVu Sans or Liberation Sans). On a machine without one we fall back
to the core font Helvetica, which only knows latin-1, and transliterate the rest (see ``transliterate``).
"""

import functools
import glob
import logging
import os
import unicodedata

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"), "/Library/Fonts"]
# (regular, bold) file names, in order of preference
FONT_FILES = [
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
]
# characters outside latin-1 that have a readable ASCII stand-in; everything else becomes "?"
REPLACEMENTS = {"–": "-", "—": "-", "‑": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'"}
REPLACEMENTS |= {"…": "...", "€": "EUR", "•": "-", "→": "->", "\u202f": " ", "\u2009": " "}
GREY, LIGHT = (110, 110, 110), (232, 236, 240)
# fpdf2 subsets embedded fonts with fontTools, which logs ~40 INFO lines per document; our root level is INFO
logging.getLogger("fontTools").setLevel(logging.WARNING)


@functools.cache
def find_font() -> tuple[str, str] | None:
    """Paths of a Unicode sans font (regular, bold) found on this machine, or None."""
    for regular, bold in FONT_FILES:
        for base in FONT_DIRS:
            found = glob.glob(os.path.join(base, "**", regular), recursive=True)
            if found:
                bold_path = os.path.join(os.path.dirname(found[0]), bold)
                return found[0], bold_path if os.path.exists(bold_path) else found[0]
    return None


def transliterate(text: str) -> str:
    """Make ``text`` printable with a latin-1 core font: – → -, „“ → ", … → ..., € → EUR, anything else → ?."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(REPLACEMENTS.get(char, char) for char in text)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    """'#0a5c8a' (or '#08c') → (10, 92, 138); an unreadable value gives a dark grey."""
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return (60, 60, 60)


class _PDF(FPDF):
    """FPDF with our page header (site, network, coloured rule) and footer (page x of y)."""

    def __init__(self, font: str, clean):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.font_name, self.clean = font, clean

    def header(self):
        site = settings.EINBLICK["SITE_NAME"]
        network = settings.EINBLICK["NETWORK_NAME"]
        self.set_font(self.font_name, "B", 9)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.clean(f"{site} – {network}" if network else site))
        self.ln(6)
        self.set_draw_color(*hex_to_rgb(settings.EINBLICK["PRIMARY_COLOR"]))
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(6)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.font_name, "", 8)
        self.set_text_color(*GREY)
        # {nb} is replaced by the total page count when the document is closed
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="C")


class Document:
    """A printable A4 document: title block, then headings, paragraphs, tables and notes in order."""

    def __init__(self, title: str, subtitle: str = ""):
        font = find_font()
        # without a Unicode font, every text goes through transliterate() before it reaches the core font
        self._clean = (lambda text: str(text)) if font else transliterate
        pdf = _PDF("Body" if font else "Helvetica", self._clean)
        if font:
            pdf.add_font("Body", "", font[0])
            pdf.add_font("Body", "B", font[1])
        pdf.set_margins(18, 18, 18)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_title(title)  # metadata is stored as UTF-16, so no transliteration needed
        pdf.set_creator(settings.EINBLICK["SITE_NAME"])
        pdf.set_lang("de")
        pdf.add_page()
        self._pdf, self._font = pdf, pdf.font_name
        self._title_block(title, subtitle)
        self._opened_at = pdf.get_y()  # where the content of the first page starts (see ``is_empty``)

    def _title_block(self, title: str, subtitle: str = "") -> None:
        self._text(title, size=18, style="B", height=9)
        if subtitle:
            self._text(subtitle, size=12, height=6, color=GREY)
        self._pdf.ln(4)

    @property
    def is_empty(self) -> bool:
        """True while nothing but the opening title block has been added."""
        return self._pdf.page_no() == 1 and self._pdf.get_y() == self._opened_at

    def _text(self, text: str, size: float = 11, style: str = "", height: float = 5.5, color=(0, 0, 0)):
        """A wrapped, left-aligned block of text over the full width."""
        self._pdf.set_font(self._font, style, size)
        self._pdf.set_text_color(*color)
        self._pdf.multi_cell(0, height, self._clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self._pdf.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self._pdf.ln(3)
        self._text(text, size=13, style="B", height=7)
        self._pdf.ln(1)

    def paragraph(self, text: str, *, size: float = 11, bold: bool = False) -> None:
        self._text(text, size=size, style="B" if bold else "", height=size / 2)
        self._pdf.ln(2)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        """A table with a bold, shaded header row repeated on every page; ``widths`` are relative (e.g. [1, 3])."""
        pdf = self._pdf
        pdf.set_font(self._font, "", 10)
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
            repeat_headings=1,  # on top of every page
            text_align="LEFT",
            line_height=pdf.font_size * 1.6,
            padding=(1, 1.5),
        ) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(self._clean("" if value is None else value))
        pdf.ln(3)

    def note(self, text: str) -> None:
        self._text(text, size=8.5, height=4.5, color=GREY)
        self._pdf.ln(1)

    def new_page(self, title: str = "", subtitle: str = "") -> None:
        """Continue on a fresh page, opened by a title block like the first one when ``title`` is given."""
        self._pdf.add_page()
        if title:
            self._title_block(title, subtitle)

    def signature_lines(self, labels: list[str], space_above: float = 16) -> None:
        """Blank lines side by side to sign on by hand, each labelled underneath (e.g. "Ort, Datum")."""
        pdf = self._pdf
        if not labels:
            return
        gap = 10
        width = (pdf.w - pdf.l_margin - pdf.r_margin - gap * (len(labels) - 1)) / len(labels)
        if pdf.get_y() + space_above + 8 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(space_above)
        y = pdf.get_y()
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.3)
        pdf.set_font(self._font, "", 9)
        pdf.set_text_color(*GREY)
        for i, label in enumerate(labels):
            x = pdf.l_margin + i * (width + gap)
            pdf.line(x, y, x + width, y)
            pdf.set_xy(x, y + 1)
            pdf.cell(width, 4.5, self._clean(label))
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(pdf.l_margin, y + 8)

    def output(self) -> bytes:
        return bytes(self._pdf.output())


def pdf_response(data: bytes, filename: str, inline: bool = False) -> HttpResponse:
    """The PDF as a download (or shown in the browser with ``inline=True``)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
