"""A pupil's talk plan as a printable PDF (German only, like the printed fair material)."""

from django.utils import timezone

from einblick.core.pdf import Document

WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
VIDEO_NOTE = (
    "Video-Gespräche: Der Link erscheint 10 Minuten vorher auf deiner Seite „Meine Gespräche“. "
    "Kamera und Mikrofon darfst du auslassen und im Chat schreiben."
)


def talk_time(talk) -> str:
    """'Di 01.12. 10:00–10:15' in the local time zone."""
    start, end = timezone.localtime(talk.starts_at), timezone.localtime(talk.ends_at)
    return f"{WEEKDAYS[start.weekday()]} {start:%d.%m.} {start:%H:%M}–{end:%H:%M}"


def talk_place(offer) -> str:
    if offer.mode == "online":
        return "online (Video)"
    return f"Tisch {offer.table}" if offer.table else "vor Ort"


def talk_hint(talk) -> str:
    hints = []
    if talk.offer.group_size > 1:
        hints.append("Gruppengespräch")
    if talk.status == "offered":
        hints.append("Platz angeboten – bitte bestätigen")
    return ", ".join(hints)


def plan_pdf(*, round, pupil, talks) -> bytes:
    subtitle = round.title
    if getattr(round, "fair", None):
        subtitle = f"{round.title} – {round.fair.name}"
    doc = Document("Mein Gesprächsplan", subtitle)
    line = f"Für: {pupil.display_name}"
    if pupil.school_class:
        line += f", Klasse {pupil.school_class}"
    doc.paragraph(line)
    talks = sorted(talks, key=lambda t: t.starts_at)
    if talks:
        rows = [[talk_time(t), t.offer.company.name, talk_place(t.offer), talk_hint(t)] for t in talks]
        doc.table(["Zeit", "Betrieb", "Ort", "Hinweis"], rows, widths=[2.6, 3.4, 2, 2.6])
    else:
        doc.paragraph("Du hast in dieser Runde noch kein Gespräch.")
    doc.note(VIDEO_NOTE)
    return doc.output()
