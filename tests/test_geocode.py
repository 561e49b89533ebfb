"""Tests of place finding, resolving, relative places and the event's place.

Sentences are written for these tests. Most use a blank pipeline and the small test gazetteer of
test_gazetteer.py; tests marked `model` use the trained English pipeline, `shared` ones ../shared/data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from conftest import shared_file
from sitrep.geo.event_place import event_place
from sitrep.geo.gazetteer import Gazetteer
from sitrep.geo.geocoder import CONTRACT_FIELDS, Geocoder, place_record
from sitrep.geo.mentions import find_place_spans
from sitrep.geo.resolve import ResolvedPlace, resolve_places
from sitrep.nlp import PLACE_SPANS, blank_language, load_language
from sitrep.settings import Settings
from test_gazetteer import build_small_gazetteer


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(build_small_gazetteer(tmp_path_factory.mktemp("geocode")))


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


@pytest.fixture(scope="module")
def model_nlp() -> Language:
    return load_language()


def _resolve(text: str, nlp: Language, gazetteer: Gazetteer) -> list[ResolvedPlace]:
    return resolve_places(nlp(text), gazetteer=gazetteer)


def _by_mention(places: list[ResolvedPlace], mention: str) -> ResolvedPlace:
    return next(p for p in places if p.mention == mention)


@pytest.mark.parametrize(
    ("text", "names"),
    [("Rebels shelled Morek and Saraqib on Monday.", ["Morek", "Saraqib"]),
     ("Clashes near al-Bazzun, Khan Sheikhoun and Saraqib.", ["Khan Sheikhoun", "Saraqib"]),
     ("The army entered Ma'arrat al-Nu'man and Saraqib.", ["Ma'arrat al-Nu'man", "Saraqib"]),
     ("Protests in Paris and Nairobi.", ["Paris", "Nairobi"])],
)  # fmt: skip
def test_geocode_find_place_spans(nlp: Language, gazetteer: Gazetteer, text: str, names: list[str]) -> None:
    spans = find_place_spans(nlp(text), gazetteer=gazetteer)
    assert [s.text for s in spans] == names


@pytest.mark.parametrize("text", ["the morek front was quiet.", "We met in paris."])
def test_geocode_find_place_spans_needs_capitals(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    assert find_place_spans(nlp(text), gazetteer=gazetteer) == []


def test_geocode_small_place_needs_focus(nlp: Language, gazetteer: Gazetteer) -> None:
    # A village alone is not taken from the gazetteer; with a second Syrian name it is.
    assert [s.text for s in find_place_spans(nlp("Morek was quiet."), gazetteer=gazetteer)] == []
    spans = find_place_spans(nlp("Morek was quiet."), gazetteer=gazetteer, focus_countries=["SY"])
    assert [s.text for s in spans] == ["Morek"]


def test_geocode_place_ruler_component(gazetteer: Gazetteer) -> None:
    nlp = blank_language()
    ruler = nlp.add_pipe("sitrep_place_ruler", config={"gazetteer_path": str(gazetteer.path)})
    assert ruler.gazetteer_path == str(gazetteer.path)  # type: ignore[attr-defined]
    ruler.gazetteer = gazetteer  # type: ignore[attr-defined]  # share the open one (as Pipeline does)
    doc = nlp("Rebels shelled Morek and Saraqib.")
    assert [s.text for s in doc.spans[PLACE_SPANS]] == ["Morek", "Saraqib"]
    places = resolve_places(doc, gazetteer=gazetteer)
    assert [s.id_ for s in doc.spans[PLACE_SPANS]] == [str(p.geonameid) for p in places]


@pytest.mark.parametrize(
    ("text", "mention", "geonameid", "precision", "relation"),
    [("Clashes erupted in the northern Hama countryside, near Morek.", "Hama", 170017, 2, "countryside"),
     ("Shelling hit the countryside of Hama and Morek.", "Hama", 170017, 2, "countryside"),
     ("Airstrikes on rural Idlib and Saraqib.", "Idlib", 169389, 2, "countryside"),
     ("Clashes near Morek and Saraqib.", "Morek", 166640, 2, "near"),
     ("Shelling on the outskirts of Morek and Saraqib.", "Morek", 166640, 1, "outskirts"),
     ("Fighting in Hama province and Idlib province.", "Hama", 170017, 3, "region"),
     ("Shelling in Idlib and Morek.", "Idlib", 169389, 1, "in"),
     # A plural settlement word before one name is its area's countryside; before a list, the towns themselves.
     ("Jets pounded the villages of Idlib overnight.", "Idlib", 169389, 2, "countryside"),
     ("Insurgents seized the towns of Morek and Saraqib.", "Morek", 166640, 1, "in"),
     ("Militants overran the villages of Morek, Saraqib and Khan Shaykhun at dawn.", "Morek", 166640, 1, "in"),
     ("Protests spread to the villages of Morek, Hama, on Friday.", "Morek", 166640, 2, "countryside")],
)  # fmt: skip
def test_geocode_relative_places(
    nlp: Language, gazetteer: Gazetteer, text: str, mention: str, geonameid: int, precision: int, relation: str
) -> None:
    place = _by_mention(_resolve(text, nlp, gazetteer), mention)
    assert (place.geonameid, place.geo_precision, place.relation) == (geonameid, precision, relation)


def test_geocode_region_centroid_setting(nlp: Language, gazetteer: Gazetteer) -> None:
    doc = nlp("Fighting in Hama province and Idlib province.")
    capital = _by_mention(resolve_places(doc, gazetteer=gazetteer), "Hama")
    centroid = _by_mention(resolve_places(doc, gazetteer=gazetteer, region_point="centroid"), "Hama")
    assert capital.geonameid == 170017 and capital.latitude == pytest.approx(35.13179)
    assert centroid.geonameid == 170015 and centroid.admin1 == "Hama" and centroid.geo_precision == 3  # the province


@pytest.mark.parametrize(
    ("text", "distance"),
    [("Rebels advanced to within 10 km of Hama and Morek.", 10.0),
     ("The shells fell 5 miles north of Hama, near Morek.", 8.045),
     ("Rebels are 12km from Hama after taking Morek.", 12.0)],
)  # fmt: skip
def test_geocode_distance_is_not_an_event_point(
    nlp: Language, gazetteer: Gazetteer, text: str, distance: float
) -> None:
    hama = _by_mention(_resolve(text, nlp, gazetteer), "Hama")
    assert hama.role == "distance"
    assert hama.distance_km == pytest.approx(distance)


@pytest.mark.parametrize(
    "text",
    ["A Damascus-based official said Morek was shelled.", "Damascus said rebels shelled Morek.",
     "Aleppo's governor said rebels shelled Morek."],
)  # fmt: skip
def test_geocode_actor_named_after_place(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    places = _resolve(text, nlp, gazetteer)
    assert places[0].role == "actor"
    assert _by_mention(places, "Morek").role == "place"


def test_geocode_admin_qualifier(nlp: Language, gazetteer: Gazetteer) -> None:
    places = _resolve("Rebels took Morek (Hama) and Saraqib.", nlp, gazetteer)
    assert _by_mention(places, "Hama").role == "context"
    assert _by_mention(places, "Morek").admin1 == "Hama"


def test_geocode_unknown_place_has_no_coordinates(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Clashes in Kafr Nabudah and Morek."
    doc = nlp(text)
    start = text.index("Kafr")
    places = resolve_places(doc, gazetteer=gazetteer, char_spans=[(start, start + len("Kafr Nabudah"))])
    assert places[0].resolved is False
    assert (places[0].latitude, places[0].longitude, places[0].geonameid) == (None, None, None)
    assert places[0].name == "Kafr Nabudah"


def test_geocode_unknown_place_inside_known_area(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Clashes in Kafr Nabudah (Hama)."
    start = text.index("Kafr")
    spans = [(start, start + len("Kafr Nabudah")), (text.index("Hama"), text.index("Hama") + 4)]
    village = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=spans)[0]
    assert (village.name, village.admin1, village.geo_precision, village.geonameid) == ("Kafr Nabudah", "Hama", 2, None)


def test_geocode_country_focus_disambiguates(nlp: Language, gazetteer: Gazetteer) -> None:
    places = _resolve("Storms hit Paris, Texas, and Dallas in the United States.", nlp, gazetteer)
    assert _by_mention(places, "Paris").country_code == "US"
    places = _resolve("Protesters marched in Paris.", nlp, gazetteer)
    assert _by_mention(places, "Paris").country_code == "FR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Rebels shelled positions in Morek, the Damascus government said.", "Morek"),
     ("Rebels advanced to within 10 km of Hama after clashes in Morek.", "Morek"),
     ("Clashes in Syria as rebels attacked Saraqib.", "Saraqib")],
)  # fmt: skip
def test_geocode_event_place_blank(nlp: Language, gazetteer: Gazetteer, text: str, expected: str) -> None:
    doc = nlp(text)
    places = resolve_places(doc, gazetteer=gazetteer)
    chosen = event_place(next(iter(doc.sents)), places)
    assert chosen is not None and chosen.name == expected


def test_geocode_event_place_none_without_places(nlp: Language, gazetteer: Gazetteer) -> None:
    doc = nlp("Nothing happened.")
    assert event_place(next(iter(doc.sents)), resolve_places(doc, gazetteer=gazetteer)) is None


def test_geocode_geocoder_contract(nlp: Language, gazetteer: Gazetteer) -> None:
    geocoder = Geocoder(nlp=blank_language(), gazetteer=gazetteer, settings=Settings())
    text = "Rebels shelled Morek and Saraqib."
    record = geocoder.geocode_record({"id": "a1", "text": text, "mentions": [{"start": 15, "end": 20}]})
    assert record["input_id"] == "a1"
    assert [tuple(p) for p in record["places"]] == [CONTRACT_FIELDS]
    assert record["places"][0] == {"start": 15, "end": 20, "name": "Morek", "geonameid": 166640,
                                   "feature_class": "P", "feature_code": "PPL", "latitude": 35.37615,
                                   "longitude": 36.6897, "admin1": "Hama", "country": "Syria",
                                   "geo_precision": 1}  # fmt: skip
    found = geocoder.geocode(text)
    assert [place_record(p)["name"] for p in found] == ["Morek", "Saraqib"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [("A Damascus-based official said rebels shelled Morek on Monday.", "Morek"),
     ("Government forces shelled Saraqib, Aleppo's governor said.", "Saraqib"),
     ("Rebels seized Morek (Hama) and advanced within 10 km of Hama.", "Morek"),
     ("Artillery hit the outskirts of Ma'arrat al-Nu'man in rural Idlib.", "Ma'arrat al-Nu'man")],
)  # fmt: skip
def test_geocode_event_place_model(model_nlp: Language, gazetteer: Gazetteer, text: str, expected: str) -> None:
    doc = model_nlp(text)
    places = resolve_places(doc, gazetteer=gazetteer, spans=find_place_spans(doc, gazetteer=gazetteer))
    chosen = event_place(next(iter(doc.sents)), places)
    assert chosen is not None and chosen.name == expected


@pytest.mark.model
@pytest.mark.shared
def test_geocode_trnews_sample_accuracy() -> None:
    """On the first 20 TR-News articles, given the gold spans, most toponyms land within 161 km."""
    shared_file("data", "geoparsing", "TR-News.xml")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_geocode import bench_corpus, load_trnews

    geocoder = Geocoder(gazetteer=Gazetteer.open(), settings=Settings(geocode_region_point="centroid"))
    result = bench_corpus(geocoder, load_trnews()[:20])
    assert result["acc@161km"] >= 0.6


@pytest.mark.parametrize(
    ("text", "names"),
    [("Fighters of the Liwa Morek Brigade attacked Saraqib.", ["Saraqib"]),
     ("Gunmen of Morek Kataib shelled Saraqib.", ["Saraqib"]),
     ("Gunmen from Morek shelled Saraqib.", ["Morek", "Saraqib"]),
     ("Gunmen shelled Saraqib-e-Kalan and Morek.", ["Morek"]),
     ("Troops entered Morek al-Fawqani and Saraqib.", ["Saraqib"])],
)  # fmt: skip
def test_geocode_name_inside_longer_name_is_not_a_place(
    nlp: Language, gazetteer: Gazetteer, text: str, names: list[str]
) -> None:
    assert [s.text for s in find_place_spans(nlp(text), gazetteer=gazetteer, focus_countries=["SY"])] == names


def test_geocode_level_word_stripped_for_unknown_name(nlp: Language, gazetteer: Gazetteer) -> None:
    # "Hama Muhafazat" as one given span: the area without its level word.
    text = "Shelling hit Hama Muhafazat."
    start = text.index("Hama")
    places = resolve_places(nlp(text), gazetteer=gazetteer, char_spans=[(start, start + len("Hama Muhafazat"))])
    assert places[0].resolved and places[0].admin1 == "Hama"


def test_geocode_conflict_prior_refuses_bad_line(tmp_path: Path) -> None:
    from sitrep.errors import DataFileError
    from sitrep.geo.priors import load_conflict_prior

    bad = tmp_path / "prior.csv"
    bad.write_text("country,events\nSyria,ten\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="E011"):
        load_conflict_prior(str(bad))
    good = tmp_path / "good.csv"
    good.write_text("country,events\nSY,99\nFR,9\n", encoding="utf-8")
    assert load_conflict_prior(str(good)) == {"SY": 1.0, "FR": 0.5}


@pytest.mark.parametrize(
    ("text", "names"),
    [("A protest was held in Morek.", ["Morek"]),
     ("Shelling was reported near Morek.", ["Morek"]),
     ("Morek was quiet.", [])],
)  # fmt: skip
def test_geocode_small_place_after_place_preposition(
    nlp: Language, gazetteer: Gazetteer, text: str, names: list[str]
) -> None:
    # "in X", "near X": a place wherever it lies, without the document's focus.
    assert [s.text for s in find_place_spans(nlp(text), gazetteer=gazetteer)] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [("Somali youth marched in Paris.", ["Paris"]),
     ("Clan fighting spread across the Somali region.", ["Somali"])],
)  # fmt: skip
def test_geocode_demonym_is_not_a_place(nlp: Language, gazetteer: Gazetteer, text: str, names: list[str]) -> None:
    assert [s.text for s in find_place_spans(nlp(text), gazetteer=gazetteer)] == names


def _doc_with_entity(nlp: Language, words: list[str], label: str, start: int, end: int) -> Doc:
    ents = ["O"] * len(words)
    ents[start] = f"B-{label}"
    for i in range(start + 1, end):
        ents[i] = f"I-{label}"
    return Doc(nlp.vocab, words=words, ents=ents)


@pytest.mark.parametrize(
    ("words", "label", "start", "end", "names"),
    [(["Riots", "in", "Paris", ",", "Nairobi", "."], "GPE", 2, 5, ["Paris", "Nairobi"]),
     (["Riots", "in", "Dandora", "(", "Nairobi", ")", "."], "ORG", 2, 5, ["Dandora", "Nairobi"]),
     (["Riots", "at", "the", "University", "of", "Nairobi", "."], "ORG", 3, 6, ["Nairobi"]),
     (["Staff", "of", "Morek", "Hospital", "went", "on", "strike", "."], "ORG", 2, 4, ["Morek"]),
     (["Morek", "residents", "blocked", "a", "road", "."], "PERSON", 0, 1, ["Morek"]),
     (["Residents", "of", "Morek", "blocked", "a", "road", "."], "ORG", 2, 3, ["Morek"]),
     (["The", "Morek", "Lions", "won", "."], "ORG", 1, 3, []),
     (["Clashes", "in", "Morek", "Baha", "Wuddin", "district", "."], "GPE", 2, 3, ["Morek Baha Wuddin"]),
     (["Clashes", "in", "Morek", "del", "Rio", "."], "GPE", 2, 3, ["Morek del Rio"]),
     (["Bandits", "raided", "West", "Pokot", "."], "GPE", 2, 4, ["West Pokot"]),
     (["Bandits", "raided", "northern", "Hama", "."], "GPE", 2, 4, ["Hama"])],
)  # fmt: skip
def test_geocode_entity_parts(
    nlp: Language, gazetteer: Gazetteer, words: list[str], label: str, start: int, end: int, names: list[str]
) -> None:
    # Parser entities are split at commas and brackets and stretched over the rest of a proper name; an
    # organisation where a place stands ("in X", "X residents", "X Hospital") names a place, another one blocks
    # the names inside it; a capitalised compass word inside a sentence stays part of the name.
    doc = _doc_with_entity(nlp, words, label, start, end)
    assert [s.text for s in find_place_spans(doc, gazetteer=gazetteer)] == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Gunmen fired in Saraqib village of Hama province.", "Hama"),
     ("Gunmen fired in Saraqib village of Idlib province.", "Idlib")],
)  # fmt: skip
def test_geocode_event_place_agrees_with_its_area(
    nlp: Language, gazetteer: Gazetteer, text: str, expected: str
) -> None:
    # A village said to lie in an area it is not in gives way to the area (somewhere in it: precision 2); in its own
    # area it stays.
    doc = nlp(text)
    places = resolve_places(doc, gazetteer=gazetteer)
    chosen = event_place(next(iter(doc.sents)), places)
    assert isinstance(chosen, ResolvedPlace) and chosen.admin1 == expected
    assert chosen.geo_precision == (2 if expected == "Hama" else 1)


@pytest.mark.parametrize(
    ("text", "role"),
    [("Gunmen attacked the Morek police station.", "place"),
     ("Morek police arrested two men.", "actor"),
     ("Morek raiders stole cattle in Saraqib.", "actor"),
     ("Fighting in Morek left two dead.", "place")],
)  # fmt: skip
def test_geocode_facility_and_group_words(nlp: Language, gazetteer: Gazetteer, text: str, role: str) -> None:
    # "X police station" is a facility at X; "X police", "X raiders" are actors named after X.
    doc = nlp(text)
    places = resolve_places(doc, gazetteer=gazetteer, spans=find_place_spans(doc, gazetteer=gazetteer,
                                                                             focus_countries=["SY"]))  # fmt: skip
    assert _by_mention(places, "Morek").role == role


@pytest.mark.parametrize(
    ("text", "names"),
    [("Gunmen shelled Morek and the villages near Saraqib.", ["Morek", "Saraqib"]),
     ("Militias from Huanzantlan del Morek attacked Saraqib.", ["Saraqib"]),
     ("Militias from Morek del Huanzantlan attacked Saraqib.", ["Saraqib"])],
)  # fmt: skip
def test_geocode_gazetteer_names_need_a_whole_name(
    nlp: Language, gazetteer: Gazetteer, text: str, names: list[str]
) -> None:
    # A name joined to other capitalised words by a linking word ("del") is part of a longer name.
    assert [s.text for s in find_place_spans(nlp(text), gazetteer=gazetteer, focus_countries=["SY"])] == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Riots broke out in Paris, Damascus.", "Damascus"),
     ("Riots broke out in Paris, the Damascus government said.", "Paris")],
)  # fmt: skip
def test_geocode_event_place_town_then_its_city(nlp: Language, gazetteer: Gazetteer, text: str, expected: str) -> None:
    # "X, Y" with Y a capital or an admin seat says where X lies; an actor named after a city does not.
    doc = nlp(text)
    chosen = event_place(next(iter(doc.sents)), resolve_places(doc, gazetteer=gazetteer))
    assert chosen is not None and chosen.name == expected


def test_geocode_event_place_unknown_village_in_known_area(nlp: Language, gazetteer: Gazetteer) -> None:
    # A village the gazetteer lacks, in a named area: the area, at geo_precision 2 at best.
    words = ["Shells", "fell", "in", "Kafr", "Zita", "(", "Damascus", ")", "."]
    ents = ["O", "O", "O", "B-GPE", "I-GPE", "O", "B-GPE", "O", "O"]
    starts: list[bool | int | None] = [True, *[False] * (len(words) - 1)]
    doc = Doc(nlp.vocab, words=words, ents=ents, sent_starts=starts)
    chosen = event_place(next(iter(doc.sents)), resolve_places(doc, gazetteer=gazetteer))
    assert chosen is not None and chosen.name == "Damascus" and chosen.geo_precision == 2


@pytest.fixture(scope="module")
def world() -> Gazetteer:
    """The whole gazetteer, as Sitrep builds it on first use."""
    return Gazetteer.open()


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "mention", "name", "country", "admin1"),
    [
        # The Irish Newport is a village the world's bigger Newports push out of the first candidates.
        ("Storms cut power to homes in Nenagh, Thurles, Roscrea and Newport on Monday.", "Newport", "Newport",
         "Ireland", "Munster"),
        # A town in the province of its own name: the qualifier is not the place itself.
        ("Dockworkers protested outside the port in Colon (Colon) on Tuesday.", "Colon", "Colon", "Panama", "Colon"),
        # A part of a town is in the town, not a namesake far away.
        ("In Aracaju, Sergipe, gunmen robbed a pharmacy in Santa Maria neighborhood on Friday.", "Santa Maria",
         "Aracaju", "Brazil", "Sergipe"),
        ("In Manzanillo, Colima, police found two bodies in fraccionamiento La Joya.", "La Joya", "Manzanillo",
         "Mexico", "Colima"),
        ("In Gustavo A. Madero, Ciudad de Mexico, gunmen shot a man in Colonia Vallejo on Friday.", "Colonia",
         "Gustavo A. Madero", "Mexico", "Distrito Federal"),
        # ... and the town it is said to be in may come after it.
        ("Two factions clashed in the Ashrafieh neighbourhood in Afrin city.", "Ashrafieh", "Afrin", "Syria",
         "Aleppo"),
    ],
)  # fmt: skip
def test_geocode_namesake_in_the_documents_country_qualifier_or_town(
    model_nlp: Language, world: Gazetteer, text: str, mention: str, name: str, country: str, admin1: str
) -> None:
    place = next(p for p in resolve_places(model_nlp(text), gazetteer=world) if p.mention == mention)
    assert (place.name, place.country, place.admin1, place.geo_precision) == (name, country, admin1, 1)
