"""The shipped profession catalogue is complete and consistent."""

import re
from collections import Counter

import pytest

from einblick.catalog import search
from einblick.catalog.importers import catalog_load, profession_slug, read_fields, read_professions
from einblick.catalog.models import Certificate, Field, Profession

PROFESSIONS = read_professions()
FIELD_SLUGS = {row["slug"] for row in read_fields()}


def test_about_320_recognised_professions():
    # BIBB lists about 320-330 recognised dual apprenticeship professions (BBiG/HwO).
    assert 280 <= len(PROFESSIONS) <= 340, len(PROFESSIONS)


def test_no_duplicates_by_name_slug_or_normalised_form():
    for key in (
        lambda p: p["name"],
        lambda p: profession_slug(p["name"]),
        lambda p: search.normalise(p["name"]),
    ):
        counts = Counter(key(p) for p in PROFESSIONS)
        assert [k for k, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("row", PROFESSIONS, ids=lambda row: row["name"])
def test_profession_is_consistent(row):
    assert row["field"] in FIELD_SLUGS
    assert 24 <= row["duration_months"] <= 42
    assert row["law"] in {"BBiG", "HwO", "BBiG/HwO"}
    assert row["certificate"] in Certificate.values
    assert set(row["riasec"]) == set("RIASEC")
    assert all(0 <= v <= 5 for v in row["riasec"].values()) and max(row["riasec"].values()) >= 4
    assert row["kldb"] is None or re.fullmatch(r"\d{5}", row["kldb"])
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", row["description"])) <= 5
    assert row["description"].count("Du ") + row["description"].count(" du ") >= 1, (
        "pupils are addressed with du"
    )
    assert row["terms"] and len(set(row["terms"])) == len(row["terms"])
    # Gender-fair name: colon form, "-mann/-frau", or an already neutral word.
    assert ":" in row["name"] or "/" in row["name"] or "kraft" in row["name"], row["name"]


def test_every_field_has_professions():
    used = Counter(row["field"] for row in PROFESSIONS)
    assert set(used) == FIELD_SLUGS


@pytest.mark.django_db
def test_loader_is_idempotent_and_builds_search_text():
    assert catalog_load() == len(PROFESSIONS)
    assert catalog_load() == len(PROFESSIONS)
    assert Profession.objects.count() == len(PROFESSIONS)
    assert Field.objects.count() == len(FIELD_SLUGS)
    mechatronics = Profession.objects.get(name="Mechatroniker:in")
    assert "mechatronikerin" in mechatronics.search_text.split()
    assert "mechatroniker" in mechatronics.search_text.split()
    assert mechatronics.field.slug == "elektro" or mechatronics.field.slug == "metall-maschinenbau"
