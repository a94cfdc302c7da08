"""Postal codes: the GeoNames importer and place resolution."""

import pytest

from einblick.catalog import selectors
from einblick.catalog.importers import places_import, places_import_csv
from einblick.catalog.models import Place

EMS_ACHSE = {"03454", "03456", "03457", "03452", "03462", "03402"}


def row(**overrides):
    base = {
        "zipcode": "26871",
        "place": "Papenburg",
        "community": "Landkreis Emsland",
        "community_code": "03454",
        "state": "Niedersachsen",
        "latitude": "53.0833",
        "longitude": "7.4",
    }
    return base | overrides


@pytest.mark.django_db
def test_import_skips_bad_rows_and_is_idempotent():
    rows = [
        row(),
        row(zipcode="1067", place="Dresden", community_code="14612"),
        row(zipcode="abc", place="X"),
        row(zipcode="26789", place="Leer", latitude=""),
        row(zipcode="26789", place=""),
    ]
    report = places_import(rows)
    assert (report.created, report.skipped) == (2, 3)
    assert Place.objects.get(name="Dresden").plz == "01067"  # PLZ kept as a string with its leading zero
    again = places_import([row(latitude="53.1")])
    assert (again.created, again.updated) == (0, 1)
    assert Place.objects.count() == 2


@pytest.mark.django_db
def test_import_of_the_real_geonames_file_for_the_region(shared_data_dir):
    report = places_import_csv(shared_data_dir / "zipcodes.de.csv", district_codes=EMS_ACHSE)
    assert report.created > 250
    assert set(Place.objects.values_list("district_code", flat=True)) == EMS_ACHSE
    papenburg = selectors.place_resolve("26871")
    assert papenburg and abs(papenburg.latitude - 53.08) < 0.1
    assert selectors.place_resolve("Nordhorn") is not None
    assert selectors.place_resolve("99999") is None


@pytest.mark.django_db
def test_place_resolution_by_plz_town_and_umlauts():
    places_import([row(), row(zipcode="49740", place="Haselünne", latitude="52.67", longitude="7.48")])
    assert selectors.place_resolve("26871").label == "26871 Papenburg"
    assert selectors.place_resolve("papenburg").label == "Papenburg"
    assert selectors.place_resolve("Haseluenne").label == "Haselünne"
    assert selectors.place_resolve("Haselünne").label == "Haselünne"
    assert selectors.place_resolve("") is None
    assert selectors.place_resolve("12345") is None


def test_distance_is_plausible():
    # Papenburg – Meppen is about 45 km as the crow flies.
    assert 40 < selectors.distance_km(53.0833, 7.4, 52.6906, 7.291) < 50
