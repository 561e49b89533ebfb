"""Tests of the story's home region (geo/home.py): its dateline, its most-named area and its outlet's country settle
namesakes, unless the text says otherwise.

Sentences are written for these tests; the gazetteer is the small one of test_gazetteer.py plus the namesakes below
(names, populations and points are GeoNames facts).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from sitrep.errors import DataFileError
from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.home import find_dateline, load_home_rules, outlet_country
from sitrep.geo.resolve import ResolvedPlace, resolve_places
from sitrep.geo.weights import ScoringWeights, scoring_weights
from sitrep.nlp import blank_language
from test_gazetteer import SMALL_ALIASES, _city, build_small_gazetteer

NAMESAKES = [
    _city(4303602, "Paris", "US", "KY", 9870, 38.2098, -84.25299),
    _city(4292686, "Georgetown", "US", "KY", 32356, 38.2098, -84.55883),
    _city(4297983, "Lexington", "US", "KY", 322570, 37.98869, -84.47772),
    _city(4295940, "Hopkinsville", "US", "KY", 31577, 36.8656, -87.49117),
    _city(4431410, "Jackson", "US", "MS", 153701, 32.29876, -90.18481),
    _city(4632595, "Jackson", "US", "TN", 66975, 35.61452, -88.81395),
    _city(4641239, "Memphis", "US", "TN", 633104, 35.14953, -90.04898),
    _city(4644585, "Nashville", "US", "TN", 689447, 36.16589, -86.78444),
    _city(4781708, "Richmond", "US", "VA", 226610, 37.55376, -77.46026),
    _city(6122085, "Richmond", "CA", "02", 209937, 49.17003, -123.13683),
    _city(4305974, "Richmond", "US", "KY", 33533, 37.74786, -84.29465),
]
ALIASES = SMALL_ALIASES + "Ky.,US,admin1,KY,,\n"


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    folder = tmp_path_factory.mktemp("home")
    return Gazetteer(build_small_gazetteer(folder, files={"aliases.csv": ALIASES}, cities=NAMESAKES))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


def _place(text: str, name: str, nlp: Language, gazetteer: Gazetteer, *, url: str = "", others: tuple[str, ...] = (),
           weights: ScoringWeights | None = None) -> ResolvedPlace:  # fmt: skip
    """The place the text's mention `name` resolves to (its first occurrence after the dateline), given with the
    `others` mentions."""
    spans = [(text.index(n, 1), text.index(n, 1) + len(n)) for n in (name, *others)]
    places = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans, url=url, weights=weights)
    return places[0]


def _without_home() -> ScoringWeights:
    return scoring_weights().model_copy(update={"home_country": 0.0, "home_area": 0.0, "home_near": 0.0})


@pytest.mark.parametrize(
    ("text", "name", "qualifier"),
    [("SPRINGVALE, Ore. (AP) — The county board met on Monday.", "SPRINGVALE", "Ore."),
     ("OAKDALE, Ky. -- Voters lined up early.", "OAKDALE", "Ky."),
     ("MILLBROOK COUNTY, SC (WXYZ) - A road was closed.", "MILLBROOK COUNTY", "SC"),
     ("BEIRUT (AFP) — Talks resumed on Sunday.", "BEIRUT", ""),
     ("HARBOURTON - The ferry ran late again.", "HARBOURTON", "")],
)  # fmt: skip
def test_geocode_home_finds_datelines(text: str, name: str, qualifier: str) -> None:
    dateline = find_dateline(text)
    assert dateline is not None
    assert (dateline.name, dateline.qualifier, text[dateline.start : dateline.end]) == (name, qualifier, name)


@pytest.mark.parametrize(
    "text",
    ["Last-minute talks failed on Monday.", "Voters in Oakdale lined up early.", "April 5, 2018 - A road closed."],
)
def test_geocode_home_no_dateline(text: str) -> None:
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    ("url", "country"),
    [("https://www.example.ca/news/1", "CA"), ("http://news.example.co.uk/a?id=2", "GB"),
     ("example.com.au", "AU"), ("https://example.com/story", ""), ("https://example.tv/clip", ""),
     ("https://example.zz/x", ""), ("", "")],
)  # fmt: skip
def test_geocode_home_outlet_country(gazetteer: Gazetteer, url: str, country: str) -> None:
    assert outlet_country(url, gazetteer) == country


def test_geocode_home_listed_outlet(gazetteer: Gazetteer, tmp_path: Path) -> None:
    rules_file = tmp_path / "home.yaml"
    packaged = Path(__file__).parents[1] / "src" / "sitrep" / "data" / "gazetteer" / "home.yaml"
    text = packaged.read_text(encoding="utf-8").replace("outlets: {}", "outlets: {example.com: KE}")
    rules_file.write_text(text, encoding="utf-8")
    rules = load_home_rules(str(rules_file))
    assert outlet_country("https://sport.example.com/x", gazetteer, rules) == "KE"
    assert outlet_country("https://example.org/x", gazetteer, rules) == ""


@pytest.mark.parametrize(
    ("entry", "reason"),
    [('dateline: "(unclosed"', "not a regular expression"), ('dateline: "^[A-Z]+ -"', "(?P<name>"),
     ("outlets: {example.com: Kenya}", "not an ISO 3166 alpha-2 code")],
)  # fmt: skip
def test_geocode_home_bad_rules(tmp_path: Path, entry: str, reason: str) -> None:
    packaged = Path(__file__).parents[1] / "src" / "sitrep" / "data" / "gazetteer" / "home.yaml"
    lines = [line for line in packaged.read_text(encoding="utf-8").splitlines()
             if not line.startswith(entry.split(":")[0] + ":")]  # fmt: skip
    path = tmp_path / "home.yaml"
    path.write_text("\n".join([*lines, entry]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"home\.yaml") as error:
        load_home_rules(str(path))
    assert reason in str(error.value)


def test_geocode_home_dateline_state_settles_a_namesake(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "GEORGETOWN, Ky. (WXYZ) — Firefighters from Paris were called to a barn fire on Tuesday night."
    assert _place(text, "Paris", nlp, gazetteer).admin1_code == "KY"
    # The dateline is what says so: without the home region's weights the famous Paris wins.
    assert _place(text, "Paris", nlp, gazetteer, weights=_without_home()).country_code == "FR"


def test_geocode_home_famous_place_without_a_home(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Firefighters from Paris were called to a barn fire on Tuesday night."
    assert _place(text, "Paris", nlp, gazetteer).country_code == "FR"


@pytest.mark.parametrize(
    "text",
    ["GEORGETOWN, Ky. — A couple from the town were in Paris, France, when the storm hit.",
     "GEORGETOWN, Ky. — A couple from the town flew to France on Monday and reached Paris by train."],
)  # fmt: skip
def test_geocode_home_text_says_otherwise(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    assert _place(text, "Paris", nlp, gazetteer, others=("France",)).country_code == "FR"


def test_geocode_home_unqualified_dateline(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "GEORGETOWN — Firefighters from Paris were called to a barn fire on Tuesday night."
    assert _place(text, "Paris", nlp, gazetteer).admin1_code == "KY"


@pytest.mark.parametrize(
    "names",
    [("Lexington", "Hopkinsville", "Paris"), ("Memphis", "Nashville", "Jackson"),
     ("Lexington", "Hopkinsville", "Richmond")],
)  # fmt: skip
def test_geocode_home_most_named_area(nlp: Language, gazetteer: Gazetteer, names: tuple[str, str, str]) -> None:
    text = f"Storms closed roads in {names[0]} and in {names[1]} on Monday, and schools in {names[2]} stayed shut."
    spans = [(text.index(name), text.index(name) + len(name)) for name in names]
    places = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans)
    assert len({p.admin1_code for p in places}) == 1


def test_geocode_home_outlet_country_settles_a_namesake(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Police closed a road in Richmond after a crash on Friday."
    assert _place(text, "Richmond", nlp, gazetteer, url="https://www.example.ca/local/1").country_code == "CA"
    assert _place(text, "Richmond", nlp, gazetteer).country_code == "US"


def test_geocode_home_outlet_country_yields_to_the_text(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Police closed a road in Richmond, Virginia, after a crash on Friday."
    place = _place(text, "Richmond", nlp, gazetteer, url="https://www.example.ca/local/1", others=("Virginia",))
    assert place.admin1_code == "VA"
