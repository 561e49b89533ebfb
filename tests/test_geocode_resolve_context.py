"""Tests of resolving given mentions from their context: namesakes in the areas a document names, places named
inside longer names, unknown places in a named town, lists, and the opt-in inference of unknown places.

Sentences are written for these tests; the gazetteer is the small one of test_gazetteer.py plus the places below
(names, coordinates and populations are general knowledge, rounded).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from sitrep.errors import DataFileError
from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.geocoder import Geocoder
from sitrep.nlp import blank_language
from sitrep.settings import Settings
from test_gazetteer import _city, build_small_gazetteer
from test_geocode_resolve import given_places

# Fifteen towns called Paris, bigger than the one in Missouri (so that a plain lookup leaves it out) and smaller
# than the one in Texas.
PARISES = [
    _city(9_000_000 + k, "Paris", cc, a1, 20_000 - 100 * k, lat, lon)
    for k, (cc, a1, lat, lon) in enumerate([
        ("US", "TN", 36.30, -88.33), ("US", "KY", 38.21, -84.25), ("US", "IL", 39.61, -87.70),
        ("US", "AR", 35.29, -93.73), ("US", "ME", 44.26, -70.50), ("US", "ID", 42.23, -111.40),
        ("CA", "08", 43.19, -80.38), ("US", "MI", 43.78, -85.52), ("US", "VA", 39.00, -77.95),
        ("US", "WI", 42.63, -87.95), ("US", "OH", 40.80, -81.16), ("US", "NY", 42.95, -75.30),
        ("US", "PA", 40.39, -80.51), ("US", "IN", 38.80, -85.58), ("US", "NH", 43.00, -71.40)])
]  # fmt: skip
MORE_CITIES = [
    *PARISES,
    _city(4402452, "Paris", "US", "MO", 1200, 39.48087, -92.00128),
    _city(5037649, "Minneapolis", "US", "MN", 410939, 44.97997, -93.26384),
    _city(5037680, "Minneota", "US", "MN", 1363, 44.55885, -95.98559, "Minnesota"),
    _city(5128581, "New York City", "US", "NY", 8175133, 40.71427, -74.00597, "New York"),
    _city(4930956, "Boston", "US", "MA", 667137, 42.35843, -71.05977),
    _city(4887398, "Chicago", "US", "IL", 2720546, 41.85003, -87.65005),
    _city(1174872, "Karachi", "PK", "05", 11624219, 24.8608, 67.0104),
    _city(2962308, "Nenagh", "IE", "M", 8968, 52.86194, -8.19667),
    _city(2961192, "Tipperary", "IE", "M", 4979, 52.47333, -8.15556),
]
ADMIN2 = """# counties for the test gazetteer
country,admin1,name,alt_names,latitude,longitude,population
IE,M,County Tipperary,,52.65,-7.85,160000
GB,ENG,Berkshire,Royal County of Berkshire,51.45,-1.10,920000
"""


def _build(folder: Path, admin2: str = ADMIN2) -> Path:
    return build_small_gazetteer(folder, files={"admin2.csv": admin2}, cities=MORE_CITIES)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(_build(tmp_path_factory.mktemp("context")))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


@pytest.mark.parametrize(
    ("text", "names", "state"),
    [("Floods reached Paris on Monday.", ["Paris"], None),
     ("Floods reached Paris on Monday, the governor of Missouri said, as rain moved on to Chicago, Boston and "
      "New York City.", ["Paris", "Missouri", "Chicago", "Boston", "New York City"], "MO")],
)  # fmt: skip
def test_geocode_resolve_namesake_in_the_state_the_document_names(
    nlp: Language, gazetteer: Gazetteer, text: str, names: list[str], state: str | None
) -> None:
    paris = given_places(text, names, nlp, gazetteer)[0]
    assert (paris.country_code, paris.admin1_code) == (("US", state) if state else ("FR", "11"))


def test_geocode_resolve_small_namesake_found_in_its_qualifying_state(nlp: Language, gazetteer: Gazetteer) -> None:
    assert len(gazetteer.lookup("Paris", fuzzy=False, limit=15)) == 15  # the Missouri one is not among them
    paris, _ = given_places("A man from Paris, Missouri, was arrested.", ["Paris", "Missouri"], nlp, gazetteer)
    assert (paris.admin1_code, paris.geonameid) == ("MO", 4402452)


def test_geocode_resolve_village_with_the_states_name_is_not_the_state(nlp: Language, gazetteer: Gazetteer) -> None:
    (place,) = given_places("She is in legal trouble in Minnesota.", ["Minnesota"], nlp, gazetteer)
    assert (place.kind, place.admin1_code) == ("admin1", "MN")


@pytest.mark.parametrize(
    ("text", "name", "town"),
    [("A professor at Tishreen Hall in Damascus spoke.", "Tishreen Hall", "Damascus"),
     ("Students of the Polytechnic Institute, Aleppo, marched.", "Polytechnic Institute", "Aleppo"),
     ("Doctors at Al-Razi Hospital (Nairobi) protested.", "Al-Razi Hospital", "Nairobi")],
)  # fmt: skip
def test_geocode_resolve_unknown_place_in_a_named_town(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str, town: str
) -> None:
    place, known = given_places(text, [name, town], nlp, gazetteer)
    assert (place.latitude, place.longitude, place.geo_precision) == (known.latitude, known.longitude, 2)
    assert (place.mention, place.inferred) == (name, False)


def test_geocode_resolve_list_item_is_not_put_in_the_next_area(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "The firm has offices in Chicago, Morek, Texas, and Boston."
    places = given_places(text, ["Chicago", "Morek", "Texas", "Boston"], nlp, gazetteer)
    assert [p.country_code for p in places] == ["US", "SY", "US", "US"]


@pytest.mark.parametrize(
    ("text", "name", "inside"),
    [("He spoke at the New York Auto Show on Friday.", "New York Auto Show", "New York City"),
     ("She studies at IBA-Karachi.", "IBA-Karachi", "Karachi")],
)  # fmt: skip
def test_geocode_resolve_place_inside_a_longer_name(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str, inside: str
) -> None:
    (place,) = given_places(text, [name], nlp, gazetteer)
    expected = next(c for c in gazetteer.lookup(inside, fuzzy=False) if c.kind == "place")
    assert (place.latitude, place.longitude) == (expected.latitude, expected.longitude)


def test_geocode_resolve_two_places_joined_are_a_road_not_a_place(nlp: Language, gazetteer: Gazetteer) -> None:
    (road,) = given_places("Protesters blocked the Hama-Aleppo highway.", ["Hama-Aleppo"], nlp, gazetteer)
    assert (road.resolved, road.latitude) == (False, None)


@pytest.mark.parametrize(
    ("text", "name"),
    [("Residents of Hama fled. Later the Old Souk burned.", "Old Souk"),
     ("Hama was quiet. Hama police guarded the Old Souk.", "Old Souk")],
)  # fmt: skip
def test_geocode_resolve_unknown_place_inferred_from_the_documents_town(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str
) -> None:
    *_, souk = given_places(text, ["Hama", name] if text.count("Hama") == 1 else ["Hama", "Hama", name], nlp, gazetteer,
                      infer=True)  # fmt: skip
    hama = gazetteer.lookup("Hama", kinds=("place",))[0]
    assert (souk.inferred, souk.resolved, souk.geonameid, souk.geo_precision) == (True, False, None, 3)
    assert (souk.latitude, souk.longitude, souk.name) == (hama.latitude, hama.longitude, name)


def test_geocode_resolve_unknown_place_not_inferred_by_default(nlp: Language, gazetteer: Gazetteer) -> None:
    _, souk = given_places("Residents of Hama fled. Later the Old Souk burned.", ["Hama", "Old Souk"], nlp, gazetteer)
    assert (souk.inferred, souk.latitude) == (False, None)


def test_geocode_resolve_unknown_place_not_inferred_from_a_country(nlp: Language, gazetteer: Gazetteer) -> None:
    _, souk = given_places("Syria said the Old Souk burned.", ["Syria", "Old Souk"], nlp, gazetteer, infer=True)
    assert (souk.inferred, souk.latitude) == (False, None)


def test_geocode_resolve_inferred_flag_in_geocode_output(gazetteer: Gazetteer) -> None:
    text = "Residents of Hama fled. Later the Old Souk burned."
    mentions = [{"start": text.index(n), "end": text.index(n) + len(n)} for n in ("Hama", "Old Souk")]
    plain = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    inferring = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings(geocode_infer_unknown=True))
    assert "inferred" not in plain.geocode_record({"id": 1, "text": text, "mentions": mentions})["places"][1]
    souk = inferring.geocode_record({"id": 1, "text": text, "mentions": mentions})["places"][1]
    assert (souk["inferred"], souk["geonameid"], souk["geo_precision"]) == (True, None, 3)


@pytest.mark.parametrize(
    ("name", "county"),
    [("County Tipperary", "County Tipperary"), ("Co. Tipperary", "County Tipperary"),
     ("Berkshire", "Berkshire"), ("Royal County of Berkshire", "Berkshire")],
)  # fmt: skip
def test_geocode_resolve_county_of_the_admin2_file(gazetteer: Gazetteer, name: str, county: str) -> None:
    hits = [c for c in gazetteer.lookup(name, fuzzy=False) if c.kind == "admin2"]
    assert hits and hits[0].name == county


@pytest.mark.parametrize(
    ("line", "field"),
    [("IE,Q,County Nowhere,,52.6,-7.8,1000", "admin1"), ("IE,M,County Tipperary,,152.6,-7.8,1000", "latitude"),
     ("IE,M,County Tipperary,,52.6,-7.8,many", "population")],
)  # fmt: skip
def test_geocode_resolve_bad_admin2_file_refused(tmp_path: Path, line: str, field: str) -> None:
    text = f"country,admin1,name,alt_names,latitude,longitude,population\n{line}\n"
    with pytest.raises(DataFileError, match=field):
        _build(tmp_path, admin2=text)
