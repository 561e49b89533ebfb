"""Tests of finding place mentions the parser and cities500 miss: names put in a bracketed area ("X (Y, Z)")
and names of places learned from coded events (`acled_places.csv`).

Sentences, place names in them and learned-place files are written for these tests (some names are made up);
the gazetteer is the small one of test_gazetteer.py, the pipeline blank (no parser entities).
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.mentions import find_place_spans
from sitrep.nlp import blank_language
from test_gazetteer import build_small_gazetteer

HEADER = "country,name,admin1,admin2,latitude,longitude,geonameid,seen\n"
# Made-up villages: one in Syria, one in Kenya, one with a hyphen and a small link word in Afghanistan.
LEARNED = (
    HEADER
    + """SY,Kafr Zorba,12,,35.6,36.5,,4
KE,Mbiruni,05,,-1.3,36.8,,7
AF,Darra-e Sorkh,10,,31.5,64.3,,3
"""
)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(build_small_gazetteer(tmp_path_factory.mktemp("geocode_find")))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("learned") / "places.csv"
    path.write_text(LEARNED, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def no_learned(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("no_learned") / "places.csv"
    path.write_text(HEADER, encoding="utf-8")
    return str(path)


def _names(nlp: Language, gazetteer: Gazetteer, text: str, learned: str) -> list[str]:
    return [s.text for s in find_place_spans(nlp(text), gazetteer=gazetteer, learned_places=learned)]


@pytest.mark.parametrize(
    ("text", "names"),
    [("Gunmen raided Wadi Kharuba (Idlib) at night.", ["Wadi Kharuba", "Idlib"]),
     ("Fighters held the Zarzur front (Saraqib, Idlib) for a day.", ["Zarzur", "Saraqib", "Idlib"]),
     ("Shots were fired on Tell-e Bakri hill (Saraqib, Idlib).", ["Tell-e Bakri", "Saraqib", "Idlib"]),
     ("Clashes broke out in Jabal al Harra (Idlib) before dawn.", ["Jabal al Harra", "Idlib"]),
     # the brackets must hold a known area, after a name that is no organisation's or acronym
     ("Gunmen raided Wadi Kharuba (as reported) at night.", []),
     ("Gunmen raided Wadi Kharuba (Zorglubia) at night.", []),
     ("The Hamdan Company (Damascus) denied the report.", ["Damascus"]),
     ("Rebels of the ABCD (Idlib) shelled the road.", ["Idlib"])],
)  # fmt: skip
def test_geocode_find_name_before_bracketed_area(
    nlp: Language, gazetteer: Gazetteer, no_learned: str, text: str, names: list[str]
) -> None:
    assert _names(nlp, gazetteer, text, no_learned) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [("Regime forces shelled Kafr Zorba and Saraqib in Idlib.", ["Kafr Zorba", "Saraqib", "Idlib"]),
     ("Police dispersed traders in Mbiruni on Monday.", ["Mbiruni"]),
     ("A bomb hit a car in Darra-e Sorkh district.", ["Darra-e Sorkh"])],
)  # fmt: skip
def test_geocode_find_learned_place(
    nlp: Language, gazetteer: Gazetteer, learned: str, no_learned: str, text: str, names: list[str]
) -> None:
    assert _names(nlp, gazetteer, text, learned) == names
    # Without the learned places the finder does not know these names.
    assert _names(nlp, gazetteer, text, no_learned) != names


def test_geocode_find_learned_place_needs_its_country_or_a_place_word(
    nlp: Language, gazetteer: Gazetteer, learned: str
) -> None:
    # A Kenyan village's name in a Syrian story, not where a place stands, is no mention.
    assert _names(nlp, gazetteer, "Shelling hit Saraqib and Idlib as Mbiruni traders watched.", learned) == [
        "Saraqib", "Idlib"]  # fmt: skip
