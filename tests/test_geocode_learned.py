"""Tests of resolving with places learned from coded events (`acled_places.csv`), and of the words and areas
around a town: "X town in the countryside of Y", "X (Y)" where Y is also a capital city, "X town" beside a
country of the name.

Sentences and learned-place files are written for these tests; the gazetteer is the small one of
test_gazetteer.py plus a few towns (points are general knowledge; "Jordan" in Syria is a made-up town).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from sitrep.errors import DataFileError
from sitrep.geo.event_place import event_place
from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.priors import load_learned_places
from sitrep.geo.resolve import ResolvedPlace, resolve_places
from sitrep.nlp import blank_language
from test_gazetteer import _city, build_small_gazetteer

MORE_CITIES = [
    _city(3427761, "Tigre", "AR", "01", 301223, -34.42603, -58.57962),
    _city(3435910, "Buenos Aires", "AR", "07", 13076300, -34.61315, -58.37723),
    _city(9000001, "Jordan", "SY", "10", 3000, 35.2, 36.9),
]
HEADER = "country,name,admin1,admin2,latitude,longitude,geonameid,seen\n"
# Kibera (a Nairobi neighbourhood the test gazetteer lacks); Morek as ACLED would code it in Idlib's area (12),
# not Hama's (10) where GeoNames puts it; a made-up Kenyan namesake of Paris.
LEARNED = (
    HEADER
    + """KE,Kibera,05,Kibra,-1.3117,36.7891,,12
SY,Morek,12,,35.37615,36.6897,166640,3
KE,Paris,05,,-1.2,36.9,,20
"""
)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(build_small_gazetteer(tmp_path_factory.mktemp("learned"), cities=MORE_CITIES))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


@pytest.fixture(scope="module")
def none(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("no_learned_places") / "none.csv")  # no such file: no learned places


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("learned_places") / "acled_places.csv"
    path.write_text(LEARNED, encoding="utf-8")
    return str(path)


def _given(text: str, names: list[str], nlp: Language, gazetteer: Gazetteer, learned: str) -> list[ResolvedPlace]:
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    return resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans, learned_places=learned)


@pytest.mark.parametrize("known", [True, False])
def test_geocode_learned_place_the_gazetteer_lacks(
    nlp: Language, gazetteer: Gazetteer, learned: str, none: str, known: bool
) -> None:
    # A neighbourhood only the learned file knows is found there, at its point, without a GeoNames id.
    place = _given("Police dispersed a protest in Kibera.", ["Kibera"], nlp, gazetteer, learned if known else none)[0]
    assert place.resolved is known
    if known:
        assert (place.country_code, place.admin1, place.admin2, place.geonameid) == ("KE", "Nairobi", "Kibra", None)
        assert (place.latitude, place.longitude, place.geo_precision) == (-1.3117, 36.7891, 1)


def test_geocode_learned_place_takes_the_learned_admin1_area(nlp: Language, gazetteer: Gazetteer, learned: str) -> None:
    # A gazetteer place that is a learned one (same GeoNames id) keeps its point and id, in the learned area.
    place = _given("Shelling hit Morek.", ["Morek"], nlp, gazetteer, learned)[0]
    assert (place.geonameid, place.admin1_code, place.admin1) == (166640, "12", "Idlib")
    assert (place.latitude, place.longitude) == (35.37615, 36.6897)


@pytest.mark.parametrize(
    ("text", "country"),
    [("Thousands marched in Paris.", "FR"),
     ("Thousands marched in Paris, Kenya.", "KE")],
)  # fmt: skip
def test_geocode_learned_namesake_needs_the_document(
    nlp: Language, gazetteer: Gazetteer, learned: str, text: str, country: str
) -> None:
    # A learned namesake of a famous place wins only where the document speaks for its country.
    names = ["Paris", "Kenya"] if "Kenya" in text else ["Paris"]
    assert _given(text, names, nlp, gazetteer, learned)[0].country_code == country


@pytest.mark.parametrize(
    "text",
    ["country,name,admin1,latitude,longitude,seen\nKE,Kibera,05,-1.3,36.8,1\n",
     HEADER + "KE,Kibera,05,,south,36.8,,1\n",
     HEADER + "Kenya,Kibera,05,,-1.3,36.8,,1\n",
     HEADER + "KE,Kibera,05,,-1.3,36.8,,0\n",
     HEADER + "KE,Kibera,05,,-91.0,36.8,,1\n",
     HEADER + "KE,Kibera,05\n"],
)  # fmt: skip
def test_geocode_learned_bad_file_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "learned.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError):
        load_learned_places(str(path))


def test_geocode_learned_packaged_file_loads() -> None:
    # The packaged file is valid and holds places.
    assert len(load_learned_places()) > 0


@pytest.mark.parametrize(
    "text",
    ["Shelling hit Morek town in the northern countryside of Hama.",
     "Shelling hit Morek village in rural Hama."],
)  # fmt: skip
def test_geocode_learned_settlement_word_links_its_area(
    nlp: Language, gazetteer: Gazetteer, none: str, text: str
) -> None:
    # "X town in the countryside of Y": Y says where the town lies (a qualifier, no rival place of events).
    doc = nlp(text)
    places = resolve_places(doc, gazetteer=gazetteer, learned_places=none)
    assert [(p.mention, p.role) for p in places] == [("Morek", "place"), ("Hama", "context")]
    chosen = event_place(next(iter(doc.sents)), places)
    assert isinstance(chosen, ResolvedPlace) and (chosen.mention, chosen.geo_precision) == ("Morek", 1)


def test_geocode_learned_qualifier_is_the_area_of_its_town(nlp: Language, gazetteer: Gazetteer, none: str) -> None:
    # "Tigre (Buenos Aires)": the province of the name, not the capital city in another admin1 area.
    text = "Workers occupied a factory in Tigre (Buenos Aires)."
    places = _given(text, ["Tigre", "Buenos Aires"], nlp, gazetteer, none)
    assert (places[1].role, places[1].kind, places[1].admin1_code) == ("context", "admin1", "01")
    chosen = event_place(next(iter(nlp(text).sents)), places)
    assert isinstance(chosen, ResolvedPlace)
    assert (chosen.mention, chosen.admin1, chosen.geo_precision) == ("Tigre", "Buenos Aires", 1)


@pytest.mark.parametrize(("text", "kind"), [("Shelling hit Jordan town.", "place"), ("Talks in Jordan.", "country")])
def test_geocode_learned_town_word_is_no_country(
    nlp: Language, gazetteer: Gazetteer, none: str, text: str, kind: str
) -> None:
    # "Jordan town" is a town of the name, not the country.
    assert _given(text, ["Jordan"], nlp, gazetteer, none)[0].kind == kind
