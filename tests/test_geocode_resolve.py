"""Tests of resolving given place mentions: macro-regions, adjectives, places named inside longer names,
unknown names beside a country, and mentions given out of text order.

Sentences are written for these tests; the gazetteer is the small one of test_gazetteer.py plus a few regions
and adjectives written here (points are general knowledge).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from sitrep.errors import DataFileError
from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.priors import load_admin1_prior
from sitrep.geo.resolve import ResolvedPlace, resolve_places
from sitrep.nlp import blank_language
from test_gazetteer import _city, build_small_gazetteer

REGIONS = """# regions for the test gazetteer
name,aliases,latitude,longitude,kind,countries
Middle East,Mideast,29.0,41.0,region,
Persian Gulf,the Gulf|Arabian Gulf,27.0,51.0,gulf,
Eastern Ghouta,Ghouta,33.55,36.4,region,SY
"""
DEMONYMS = """# adjectives for the test gazetteer
adjective,kind,country,target
Saudi,country,SA,
Middle Eastern,region,,Middle East
Damascene,place,SY,Damascus
"""


# Namesakes of famous places, and places for chains of qualifiers (points are general knowledge).
MORE_CITIES = [
    _city(2643743, "London", "GB", "ENG", 8961989, 51.50853, -0.12574),
    _city(4517009, "London", "US", "OH", 10060, 39.88645, -83.44825),
    _city(5128581, "New York City", "US", "NY", 8175133, 40.71427, -74.00597, "New York"),
    _city(4930956, "Boston", "US", "MA", 667137, 42.35843, -71.05977),
    _city(4887398, "Chicago", "US", "IL", 2720546, 41.85003, -87.65005),
    _city(1622318, "Tuban", "ID", "08", 76242, -6.8995, 112.064),
    _city(73560, "Lahij", "YE", "24", 23375, 13.05667, 44.88194),
]


def _build(folder: Path, regions: str = REGIONS, demonyms: str = DEMONYMS) -> Path:
    files = {"regions.csv": regions, "demonyms.csv": demonyms}
    return build_small_gazetteer(folder, files=files, cities=MORE_CITIES)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(_build(tmp_path_factory.mktemp("resolve")))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


def given_places(
    text: str, names: list[str], nlp: Language, gazetteer: Gazetteer, *, infer: bool = False
) -> list[ResolvedPlace]:
    """Resolve `names` of `text` as given mentions (each at its first occurrence)."""
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    return resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans, infer_unknown=infer)


@pytest.mark.parametrize(
    ("text", "name", "expected", "point"),
    [("Oil prices rose across the Middle East on Monday.", "Middle East", "Middle East", (29.0, 41.0)),
     ("Tankers crossed the Gulf at night.", "the Gulf", "Persian Gulf", (27.0, 51.0)),
     ("Shelling hit Ghouta and Damascus.", "Ghouta", "Eastern Ghouta", (33.55, 36.4))],
)  # fmt: skip
def test_geocode_resolve_region(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str, expected: str, point: tuple[float, float]
) -> None:
    place = given_places(text, [name], nlp, gazetteer)[0]
    assert (place.kind, place.name, place.geo_precision) == ("region", name, 3)
    assert (place.latitude, place.longitude) == point
    assert gazetteer.region(expected) is not None


@pytest.mark.parametrize(
    ("text", "name", "kind", "country"),
    [("Saudi officials met in the capital.", "Saudi", "country", "SA"),
     ("Middle Eastern markets fell.", "Middle Eastern", "region", None),
     ("A Damascene merchant spoke to us.", "Damascene", "place", "SY")],
)  # fmt: skip
def test_geocode_resolve_adjective(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str, kind: str, country: str | None
) -> None:
    place = given_places(text, [name], nlp, gazetteer)[0]
    assert (place.resolved, place.kind, place.country_code) == (True, kind, country)


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [("The Damascus Chamber of Commerce met on Sunday.", "Damascus Chamber of Commerce", "Damascus"),
     ("Students at the University of Aleppo protested.", "University of Aleppo", "Aleppo"),
     ("Delegates of the Saudi Senate arrived.", "Saudi Senate", "Saudi Arabia")],
)  # fmt: skip
def test_geocode_resolve_place_inside_name(
    nlp: Language, gazetteer: Gazetteer, text: str, name: str, expected: str
) -> None:
    place = given_places(text, [name], nlp, gazetteer)[0]
    whole = given_places(f"They met in {expected}.", [expected], nlp, gazetteer)[0]
    assert place.resolved and place.name == name
    assert (place.latitude, place.longitude) == (whole.latitude, whole.longitude)


@pytest.mark.parametrize(
    "text",
    ["Farmers gathered at Morek Flat on Friday.", "Fighting near Saraqib Flats was reported.",
     "The Third Presbyterian Church opened."],
)  # fmt: skip
def test_geocode_resolve_unknown_long_name_stays_unknown(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    name = next(n for n in ("Morek Flat", "Saraqib Flats", "Third Presbyterian Church") if n in text)
    place = given_places(text, [name], nlp, gazetteer)[0]
    assert (place.resolved, place.latitude, place.kind) == (False, None, None)


def test_geocode_resolve_unknown_beside_country_has_no_point(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Clashes broke out in Wadi Zarqun, Syria, on Friday."
    village, country = given_places(text, ["Wadi Zarqun", "Syria"], nlp, gazetteer)
    assert (village.resolved, village.latitude, village.kind) == (False, None, None)
    assert country.kind == "country"


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_geocode_resolve_mentions_in_any_order(nlp: Language, gazetteer: Gazetteer, order: list[int]) -> None:
    text = "Clashes in Kafr Nabudah (Hama) and Nairobi."
    names = ["Kafr Nabudah", "Hama", "Nairobi"]
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    places = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=[spans[i] for i in order])
    by_name = {p.mention: p for p in places}
    assert (by_name["Kafr Nabudah"].admin1, by_name["Kafr Nabudah"].geo_precision) == ("Hama", 2)
    assert by_name["Nairobi"].country_code == "KE"


@pytest.mark.parametrize(
    ("regions", "field"),
    [("name,aliases,latitude,longitude,kind,countries\nMiddle East,,29,41,blob,\n", "kind"),
     ("name,aliases,latitude,longitude,kind,countries\nMiddle East,,129,41,region,\n", "latitude"),
     ("name,aliases,latitude,longitude,kind,countries\nMiddle East,,29,41,region,QQ\n", "countries")],
)  # fmt: skip
def test_geocode_resolve_bad_regions_file_refused(tmp_path: Path, regions: str, field: str) -> None:
    with pytest.raises(DataFileError, match=field):
        _build(tmp_path, regions=regions)


def test_geocode_resolve_bad_demonym_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="target"):
        _build(tmp_path, demonyms="adjective,kind,country,target\nAtlantean,region,,Atlantis\n")


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [("Flights from New York, Boston and Chicago to London were cancelled.", "GB", "ENG"),
     ("Flights from New York and Boston to London, Ohio were cancelled.", "US", "OH")],
)  # fmt: skip
def test_geocode_resolve_famous_place_beats_namesake_of_the_documents_country(
    nlp: Language, gazetteer: Gazetteer, text: str, country: str, admin1: str
) -> None:
    names = ["New York", "Boston", "London"] + (["Chicago"] if "Chicago" in text else ["Ohio"])
    london = next(p for p in given_places(text, names, nlp, gazetteer) if p.mention == "London")
    assert (london.country_code, london.admin1_code) == (country, admin1)


def test_geocode_resolve_chain_of_qualifiers_passes_its_area_down(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Gunmen seized a farm in Wadi Qarn area of Tuban district (Lahij) on Monday."
    farm, tuban, lahij = given_places(text, ["Wadi Qarn", "Tuban", "Lahij"], nlp, gazetteer)
    assert lahij.country_code == "YE"
    # Tuban is known only in Indonesia; the qualifier puts it, and the unknown name it qualifies, in Lahij.
    assert [(p.country_code, p.admin1_code, p.geo_precision) for p in (farm, tuban)] == [("YE", "24", 2)] * 2


@pytest.mark.parametrize("text", ["Security forces raided farms in Rural Damascus on Monday.",
                                  "Security forces raided farms in rural Damascus on Monday."])  # fmt: skip
def test_geocode_resolve_area_named_with_its_countryside_word(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    (place,) = given_places(text, ["Damascus"], nlp, gazetteer)
    # "Rural Damascus" is the governorate around the capital; "rural Damascus" is the capital's countryside.
    expected = ("admin1", "08") if "Rural" in text else ("place", "13")
    assert (place.kind, place.admin1_code) == expected


def test_geocode_resolve_list_of_cities_is_no_chain_of_qualifiers(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "The band played in London, Boston, New York and Chicago last month."
    places = given_places(text, ["London", "Boston", "New York", "Chicago"], nlp, gazetteer)
    assert [p.country_code for p in places] == ["GB", "US", "US", "US"]


@pytest.mark.parametrize("line", ["UA,14", "UKR,14,30", "UA,,30", "UA,14,many"])
def test_geocode_resolve_bad_admin1_prior_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "conflict_admin1.csv"
    path.write_text(f"# test\ncountry,admin1,events\nUA,05,10\n{line}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 3"):
        load_admin1_prior(str(path))
