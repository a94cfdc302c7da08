"""Turn pages of the BA job search into plain records, tolerating both response shapes and broken input.

v4 (``/pc/v4/jobs``)::

    {"stellenangebote": [{"refnr", "titel", "beruf", "arbeitgeber",
                          "arbeitsort": {"plz", "ort", "strasse", "koordinaten": {"lat", "lon"}},
                          "eintrittsdatum", "aktuelleVeroeffentlichungsdatum", "externeUrl", ...}],
     "maxErgebnisse": "123", "page": "1", "size": "50"}

v6 (``/pc/v6/jobs``, seen in the wild)::

    {"ergebnisliste": [{"referenznummer", "stellenangebotsTitel", "firma", "hauptberuf",
                        "stellenlokationen": [{"adresse": {"plz", "ort", "strasse"}, "breite", "laenge"}],
                        "eintrittszeitraum": {"von", "bis"}, "externeUrl", ...}],
     "maxErgebnisse": 123}

A page without either list has no results. Nothing here raises on bad input: a broken page or record becomes a
``Problem``; fields we do not know are counted so that changes of the API show up in the import report.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

REF_MAX_LENGTH = 60

V4_FIELDS = frozenset(
    [
        "hashId",
        "beruf",
        "titel",
        "refnr",
        "arbeitgeber",
        "aktuelleVeroeffentlichungsdatum",
        "eintrittsdatum",
        "arbeitsort",
        "kundennummerHash",
        "externeUrl",
        "modifikationsTimestamp",
    ]
)
V6_FIELDS = frozenset(
    [
        "referenznummer",
        "stellenangebotsart",
        "stellenangebotsTitel",
        "hauptberuf",
        "alleBerufe",
        "weitereBerufe",
        "alternativBeruf1",
        "alternativBeruf2",
        "firma",
        "arbeitgeberKundennummerHash",
        "kundennummerHash",
        "stellenlokationen",
        "entfernung",
        "eintrittszeitraum",
        "veroeffentlichungszeitraum",
        "datumErsteVeroeffentlichung",
        "aenderungsdatum",
        "verguetungsangabe",
        "artDerVerguetung",
        "externeUrl",
        "externeURL",
        "hashId",
    ]
)
KNOWN_FIELDS = V4_FIELDS | V6_FIELDS

_PLZ = re.compile(r"^\d{4,5}$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Location:
    plz: str | None  # five digits, leading zeros kept; None when absent
    town: str
    street: str = ""
    latitude: float | None = None
    longitude: float | None = None
    raw_plz: str = ""  # what the source said, for the report when it is not a valid PLZ


@dataclass(frozen=True)
class JobRecord:
    ref: str
    title: str
    profession_title: str
    employer: str
    locations: tuple[Location, ...]
    start_date: date | None = None
    published: date | None = None
    external_url: str = ""


@dataclass(frozen=True)
class Problem:
    ref: str
    reason: str
    detail: str = ""

    def as_dict(self) -> dict:
        return {"ref": self.ref, "reason": self.reason, "detail": self.detail}


@dataclass
class ParsedPage:
    records: list[JobRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_fields: Counter = field(default_factory=Counter)
    # refs of every record of the page, also of those that could not be used: they still exist at the source
    refs: set[str] = field(default_factory=set)
    total: int | None = None  # maxErgebnisse: all results of the search, over all pages
    shape: str = "empty"  # "v4", "v6", "empty" or "broken"


class RecordError(ValueError):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


# --- Values -----------------------------------------------------------------------------------------------------
def text(value, max_length: int | None = None) -> str:
    """A string from a string or number; anything else is empty."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    value = " ".join(value.split())
    return value[:max_length] if max_length else value


def plz_normalise(value) -> str | None:
    """26871, "26871", 1067, "01067", " 1067 " → five-digit string; None when it is no postal code."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    raw = str(value).strip()
    if not _PLZ.match(raw):
        return None
    return raw.zfill(5)


def number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) <= 180 else None  # no NaN, plausible degrees


def parse_date(value) -> date | None:
    """ "2026-08-01" or "2026-08-01T00:00:00.000" → date; anything else → None."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _pick(item: dict, *keys: str):
    for key in keys:
        value = item.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _location(place: dict, *, nested_address: bool) -> Location | None:
    if not isinstance(place, dict):
        return None
    address = place.get("adresse") if nested_address else place
    if not isinstance(address, dict):
        address = {}
    coords = place.get("koordinaten") if isinstance(place.get("koordinaten"), dict) else {}
    raw_plz = address.get("plz")
    town = text(address.get("ort"), 120)
    if raw_plz in (None, "") and not town:
        return None
    street = text(_pick(address, "strasseHausnummer", "strasse"), 150)
    if street and address.get("hausnummer") and not address.get("strasseHausnummer"):
        street = text(f"{street} {text(address['hausnummer'])}", 150)
    return Location(
        plz=plz_normalise(raw_plz),
        town=town,
        street=street,
        latitude=number(_pick(place, "breite") if nested_address else coords.get("lat")),
        longitude=number(_pick(place, "laenge") if nested_address else coords.get("lon")),
        raw_plz=text(raw_plz, 20),
    )


def _locations(item: dict) -> tuple[Location, ...]:
    found: list[Location | None] = []
    if isinstance(item.get("arbeitsort"), dict):  # v4 search result
        found.append(_location(item["arbeitsort"], nested_address=False))
    if isinstance(item.get("arbeitsorte"), list):  # v4 details
        found += [_location(place, nested_address=False) for place in item["arbeitsorte"]]
    if isinstance(item.get("stellenlokationen"), list):  # v6
        found += [_location(place, nested_address=True) for place in item["stellenlokationen"]]
    return tuple(location for location in found if location is not None)


# --- Records and pages ------------------------------------------------------------------------------------------
def record_ref(item) -> str:
    return text(_pick(item, "refnr", "referenznummer")) if isinstance(item, dict) else ""


def parse_record(item) -> JobRecord:
    """One result of either shape; raises ``RecordError`` when something needed is missing or unusable."""
    if not isinstance(item, dict):
        raise RecordError("not_an_object")
    ref = record_ref(item)
    if not ref:
        raise RecordError("missing_ref")
    if len(ref) > REF_MAX_LENGTH:
        raise RecordError("invalid_ref", ref[:REF_MAX_LENGTH] + "…")
    employer = text(_pick(item, "arbeitgeber", "firma"), 160)
    if not employer:
        raise RecordError("missing_employer")
    profession_title = text(_pick(item, "beruf", "hauptberuf"), 200)
    title = text(_pick(item, "titel", "stellenangebotsTitel"), 200) or profession_title
    if not profession_title:
        raise RecordError("missing_profession", title)
    locations = _locations(item)
    if not locations:
        raise RecordError("missing_location")
    start = item.get("eintrittsdatum")
    if start is None and isinstance(item.get("eintrittszeitraum"), dict):
        start = item["eintrittszeitraum"].get("von")
    published = _pick(item, "aktuelleVeroeffentlichungsdatum", "datumErsteVeroeffentlichung")
    if published is None and isinstance(item.get("veroeffentlichungszeitraum"), dict):
        published = item["veroeffentlichungszeitraum"].get("von")
    return JobRecord(
        ref=ref,
        title=title,
        profession_title=profession_title,
        employer=employer,
        locations=locations,
        start_date=parse_date(start),
        published=parse_date(published),
        external_url=text(_pick(item, "externeUrl", "externeURL"), 2000),
    )


def _total(data: dict) -> int | None:
    value = data.get("maxErgebnisse")
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def parse_page(content: bytes | str | dict | list, *, label: str = "") -> ParsedPage:
    """Parse one page of search results (raw bytes, text or already decoded JSON)."""
    page = ParsedPage()
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except (ValueError, UnicodeDecodeError) as error:
            page.shape = "broken"
            page.problems.append(Problem(label, "malformed_json", str(error)[:200]))
            return page
    if isinstance(content, list):  # a bare list of records (hand-made files)
        content = {"stellenangebote": content}
    if not isinstance(content, dict):
        page.shape = "broken"
        page.problems.append(Problem(label, "malformed_page", type(content).__name__))
        return page
    page.total = _total(content)
    if "ergebnisliste" in content:
        page.shape, items = "v6", content["ergebnisliste"]
    elif "stellenangebote" in content:
        page.shape, items = "v4", content["stellenangebote"]
    else:
        return page  # no results: the v6 API leaves the list out entirely
    if items is None:
        items = []
    if not isinstance(items, list):
        key = "ergebnisliste" if page.shape == "v6" else "stellenangebote"
        page.shape = "broken"
        page.problems.append(Problem(label, "malformed_page", f"{key}: {type(items).__name__}"))
        return page
    for position, item in enumerate(items, start=1):
        ref = record_ref(item)
        if ref:
            page.refs.add(ref)
        if isinstance(item, dict):
            page.unknown_fields.update(key for key in item if key not in KNOWN_FIELDS)
        try:
            page.records.append(parse_record(item))
        except RecordError as error:
            where = ref or f"{label}#{position}".lstrip("#")
            page.problems.append(Problem(where, error.reason, error.detail))
    return page
