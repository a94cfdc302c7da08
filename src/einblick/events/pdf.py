"""Attendance certificates (Teilnahmebescheinigungen) as PDF, and the facts of an attended event as they appear on
a certificate and in the career-choice portfolio export (Berufswahlpass). German only, like the printed material."""

from django.conf import settings
from django.utils import timezone

from einblick.core.pdf import Document

TITLE = "Teilnahmebescheinigung"
SUBTITLE = "Berufsorientierung"
SUBTITLE_SEMINAR = "Betriebliche Weiterbildung"


def subtitle(event) -> str:
    return SUBTITLE_SEMINAR if event.for_companies else SUBTITLE


WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
KINDS = {
    "visit": "Betriebsbesichtigung",
    "workshop": "Workshop",
    "evening": "Informationsabend",
    "bus_tour": "Bustour zu Ausbildungsbetrieben",
    "seminar": "Seminar",
}
BLANK_NAME = "_" * 36  # a class registration without names: the teacher writes the name in by hand


def kind_de(event) -> str:
    return KINDS.get(event.kind, event.get_kind_display())


def hosts_text(event) -> str:
    return ", ".join(sorted(company.name for company in event.hosts.all()))


def professions_list(event) -> list[str]:
    return sorted(profession.name for profession in event.professions.all())


def place_text(event) -> str:
    """'Industriestraße 4, 26871 Papenburg' (what is known of it)."""
    town = f"{event.place.plz} {event.place.name}" if event.place_id else ""
    return ", ".join(part for part in (event.address.strip(), town) if part)


def hours(event) -> float:
    """The duration in hours, to a quarter of an hour."""
    return round((event.ends_at - event.starts_at).total_seconds() / 900) / 4


def hours_text(event) -> str:
    """'3', '2,5' (German decimal comma)."""
    value = hours(event)
    return f"{value:g}".replace(".", ",")


def date_text(event) -> str:
    """'Dienstag, 01.12.2026' (Europe/Berlin)."""
    start = timezone.localtime(event.starts_at)
    return f"{WEEKDAYS[start.weekday()]}, {start:%d.%m.%Y}"


def time_text(event) -> str:
    """'10:00–13:00 Uhr'; an event over midnight or several days names the end date too."""
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M} Uhr"
    return f"{start:%H:%M} Uhr bis {end:%d.%m.%Y %H:%M} Uhr"


def organiser() -> str:
    return settings.EINBLICK["NETWORK_NAME"] or settings.EINBLICK["SITE_NAME"]


def certificate_pages(doc: Document, *, name: str, event, ticket: str = "") -> None:
    """One attendance certificate for ``name`` at ``event``. On a document that holds only its opening title (see
    ``certificate_pdf``) the certificate fills the first page, otherwise it starts on a new page."""
    if not doc.is_empty:
        doc.new_page(TITLE, subtitle(event))
    network = organiser()
    place = place_text(event)
    hosts = hosts_text(event)
    professions = professions_list(event)
    doc.paragraph("Hiermit wird bestätigt, dass", size=12)
    doc.paragraph(name.strip() or BLANK_NAME, size=16, bold=True)
    where = f" in {event.place.name}" if event.place_id else ""
    if event.for_companies:  # a seminar for company staff (Digital-Tandem): further education
        online = " (online)" if event.join_url else ""
        doc.paragraph(
            f"am {date_text(event)}, {time_text(event)}{where} am Seminar „{event.title}“{online} "
            "teilgenommen hat (betriebliche Weiterbildung).",
            size=12,
        )
        rows = [
            ["Seminar", event.title],
            ["Form", "online" if event.join_url else "vor Ort"],
            ["Durchführung", hosts or network],
            ["Datum", date_text(event)],
            ["Uhrzeit", time_text(event)],
            ["Dauer", f"{hours_text(event)} Stunden"],
            ["Ort", place or ("online" if event.join_url else "–")],
            ["Veranstalter", network],
        ]
        doc.table(rows[0], rows[1:], widths=[1.3, 3.7])
    else:
        doc.paragraph(
            f"am {date_text(event)}, {time_text(event)}{where} an der Veranstaltung „{event.title}“ "
            f"({kind_de(event)}) teilgenommen hat (Berufsorientierung).",
            size=12,
        )
        rows = [
            ["Veranstaltung", event.title],
            ["Art", kind_de(event)],
            ["Gastgebende Betriebe", hosts or "–"],
            ["Datum", date_text(event)],
            ["Uhrzeit", time_text(event)],
            ["Dauer", f"{hours_text(event)} Stunden"],
            ["Ort", place or "–"],
            ["Vorgestellte Berufe", ", ".join(professions) or "–"],
            ["Veranstalter", network],
        ]
        doc.table(rows[0], rows[1:], widths=[1.3, 3.7])  # the event's title row is the shaded head
        doc.paragraph(
            "Die Teilnahme ist ein Schritt der beruflichen Orientierung und kann im Berufswahlpass "
            "(Portfolio zur Berufsorientierung) dokumentiert werden.",
        )
    doc.paragraph(f"Veranstaltet vom Netzwerk {network}.")
    doc.signature_lines(["Ort, Datum", "Unterschrift, Stempel"])
    if ticket:
        code = "-".join(ticket[i : i + 4] for i in range(0, len(ticket), 4))
        contact = settings.EINBLICK["CONTACT_EMAIL"]
        doc.note(
            f"Prüfcode der Anmeldung: {code}. Die Echtheit dieser Bescheinigung bestätigt {network} "
            f"auf Anfrage unter Angabe des Prüfcodes ({contact})."
        )


def certificate_pdf(*, name: str, registration) -> bytes:
    """One certificate."""
    return certificates_pdf(items=[(name, registration)])


def certificates_pdf(*, items: list[tuple[str, object]]) -> bytes:
    """Several certificates, one per page: ``items`` are (name, registration) pairs."""
    doc = Document(TITLE, subtitle(items[0][1].event) if items else SUBTITLE)
    for name, registration in items:
        certificate_pages(doc, name=name, event=registration.event, ticket=registration.ticket)
    return doc.output()
