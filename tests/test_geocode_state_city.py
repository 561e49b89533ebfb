"""Tests of a name that is both an admin1 area and its namesake town (geo/state_city.py): the town unless the text
speaks of the area, by an office only the area has or by a list of areas beside it.

Sentences are written for these tests; the gazetteer is the small one of test_gazetteer.py plus the towns below
(names, populations and points are GeoNames facts).
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.resolve import ResolvedPlace, resolve_places
from sitrep.nlp import blank_language
from test_gazetteer import _city, build_small_gazetteer

TOWNS = [
    _city(4140963, "Washington", "US", "DC", 601723, 38.89511, -77.03637, "Washington D.C."),
    _city(6325494, "Québec", "CA", "10", 528595, 46.81228, -71.21454, "Quebec", "Quebec City"),
    _city(4887398, "Chicago", "US", "IL", 2720546, 41.85003, -87.65005),
    _city(4930956, "Boston", "US", "MA", 667137, 42.35843, -71.05977),
]


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(build_small_gazetteer(tmp_path_factory.mktemp("state_city"), cities=TOWNS))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


def _places(text: str, names: tuple[str, ...], nlp: Language, gazetteer: Gazetteer) -> dict[str, ResolvedPlace]:
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    places = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans, region_point="centroid")
    return {p.mention: p for p in places}


@pytest.mark.parametrize(
    ("text", "names", "name", "admin1", "precision"),
    [("Builders moved north from costly states such as Oregon or Washington last year.",
      ("Oregon", "Washington"), "Washington", "Washington", 3),
     ("The clinics in Ontario, Quebec and Manitoba stayed shut.", ("Ontario", "Quebec", "Manitoba"), "Quebec",
      "Quebec", 3),
     ("The Quebec Health Minister toured two wards on Sunday.", ("Quebec",), "Quebec", "Quebec", 3),
     ("A bill stalled in the Washington legislature this spring.", ("Washington",), "Washington", "Washington", 3),
     # the town: a list of towns, its old town, a visit
     ("After stops in Washington, Chicago and Boston, the envoy flew home.", ("Washington", "Chicago", "Boston"),
      "Washington", "District of Columbia", 1),
     ("Snow closed the old town of Quebec on Friday.", ("Quebec",), "Quebec", "Quebec", 1),
     ("The envoy met reporters in Washington on Monday.", ("Washington",), "Washington", "District of Columbia", 1)],
)  # fmt: skip
def test_state_city_reads_the_area_only_where_the_text_speaks_of_it(
    text: str, names: tuple[str, ...], name: str, admin1: str, precision: int, nlp: Language, gazetteer: Gazetteer
) -> None:
    place = _places(text, names, nlp, gazetteer)[name]
    assert place.admin1 == admin1
    assert place.geo_precision == precision  # 3: the area itself; 1: its namesake town
