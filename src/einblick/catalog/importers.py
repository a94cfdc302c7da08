"""Loaders for reference data: the profession catalogue (shipped) and GeoNames postal codes (CSV)."""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Field, Place, Profession
from .search import fold
from .selectors import search_vocabulary_reset

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACE_FIELDS = ["district", "district_code", "state", "latitude", "longitude"]
REQUIRED_KEYS = {
    "name",
    "name_en",
    "terms",
    "field",
    "duration_months",
    "law",
    "certificate",
    "description",
    "kldb",
    "riasec",
}


def profession_slug(name: str) -> str:
    """ "Mechatroniker:in für Kältetechnik" → "mechatroniker-in-fuer-kaeltetechnik"."""
    return slugify(fold(name).replace(":", "-").replace("/-", "-").replace("/", "-"))


def read_fields() -> list[dict]:
    return json.loads((DATA_DIR / "fields.json").read_text(encoding="utf-8"))


def read_professions() -> list[dict]:
    rows: list[dict] = []
    for path in sorted((DATA_DIR / "professions").glob("*.json")):
        rows += json.loads(path.read_text(encoding="utf-8"))
    return sorted(rows, key=lambda row: row["name"])


@transaction.atomic
def catalog_load() -> int:
    """Create or update fields and professions from the shipped data files (idempotent, keyed by slug).

    Profile values that network staff changed in the database are overwritten only for professions whose data
    file entry changed; the loader is meant for set-up and upgrades.
    """
    from .services import profession_search_text

    fields = {}
    for position, row in enumerate(read_fields()):
        fields[row["slug"]], _ = Field.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "name_en": row["name_en"], "position": position}
        )
    count = 0
    for row in read_professions():
        profession, _ = Profession.objects.update_or_create(
            slug=profession_slug(row["name"]),
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "terms": row["terms"],
                "field": fields[row["field"]],
                "kind": row.get("kind", Profession.Kind.DUAL),
                "law": row["law"],
                "duration_months": row["duration_months"],
                "certificate": row["certificate"],
                "description": row["description"],
                "kldb": row["kldb"] or "",
                **{key.lower(): value for key, value in row["riasec"].items()},
            },
        )
        profession.search_text = profession_search_text(profession)
        profession.save(update_fields=["search_text"])
        count += 1
    search_vocabulary_reset()
    return count


@dataclass
class PlaceImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0


def places_import(rows: Iterable[dict], *, district_codes: set[str] | None = None) -> PlaceImportReport:
    """Import GeoNames postal-code rows (columns zipcode, place, community, community_code, state, latitude,
    longitude). Rows of other districts, without coordinates or with a malformed PLZ are skipped."""
    report = PlaceImportReport()
    existing = {(p.plz, p.name): p for p in Place.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        plz = (row.get("zipcode") or "").strip().zfill(5)
        name = (row.get("place") or "").strip()
        if district_codes and row.get("community_code") not in district_codes:
            continue
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (KeyError, TypeError, ValueError):
            report.skipped += 1
            continue
        if not (plz.isdigit() and len(plz) == 5 and name):
            report.skipped += 1
            continue
        values = {
            "district": (row.get("community") or "").strip(),
            "district_code": (row.get("community_code") or "").strip(),
            "state": (row.get("state") or "").strip(),
            "latitude": lat,
            "longitude": lon,
        }
        place = existing.get((plz, name))
        if place is None:
            place = Place(plz=plz, name=name, **values)
            existing[(plz, name)] = place
            to_create.append(place)
        elif any(getattr(place, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(place, key, value)
            to_update.append(place)
    with transaction.atomic():
        Place.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            Place.objects.bulk_update(to_update, PLACE_FIELDS, batch_size=1000)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def places_import_csv(path: Path, *, district_codes: set[str] | None = None) -> PlaceImportReport:
    with open(path, encoding="utf-8", newline="") as handle:
        return places_import(csv.DictReader(handle), district_codes=district_codes)
