"""Actor registry, the actor ruler and in-document coreference. Sentences here are written for the tests."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from conftest import shared_file
from sitrep.errors import DataFileError
from sitrep.nlp import ACTOR_SPANS, blank_language
from sitrep.read.actor_data import DOC_COUNTRY_KEY, actor_key, interaction
from sitrep.read.actor_registry import ActorRegistry, load_actors
from sitrep.read.actors import ACTION, actor_spans
from sitrep.train.gold import is_held_out


@pytest.fixture(scope="module")
def registry() -> ActorRegistry:
    return load_actors()


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = blank_language()
    nlp.add_pipe("sitrep_actor_ruler")
    nlp.add_pipe("sitrep_coref")
    return nlp


def _run(nlp: Language, text: str, *, country: str | None = None) -> Doc:
    """Run the pipeline with the document's country known before coreference, as a place ruler would set it."""
    doc = nlp.make_doc(text)
    if country:
        doc.user_data[DOC_COUNTRY_KEY] = country
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _mentions(doc: Doc) -> list[tuple[str, str]]:
    return [(span.text, span.id_) for span in doc.spans[ACTOR_SPANS]]


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("the Syrian army", "Military Forces of Syria (2000-)"),
        ("Syrian Arab Army", "Military Forces of Syria (2000-)"),
        ("regime forces", "Military Forces of Syria (2000-)"),
        ("Assad forces", "Military Forces of Syria (2000-)"),
        ("SAA", "Military Forces of Syria (2000-)"),
        ("Hay'at Tahrir al-Sham", "Hayat Tahrir al Sham"),
        ("Hayat Tahrir al-Sham", "Hayat Tahrir al Sham"),
        ("Islamist rebels led by HTS", "Hayat Tahrir al Sham"),
        ("Russian warplanes", "Military Forces of Russia (2000-)"),
        ("Russian air force", "Military Forces of Russia (2000-)"),
        ("SDF", "QSD: Syrian Democratic Forces"),
        ("Turkish-backed factions", "Syrian National Army"),
        ("Houthi rebels", "Military Forces of Yemen (2016-) Supreme Political Council"),
        ("al-Shabab", "Al Shabaab"),
        ("Taliban fighters", "Taliban"),
        ("Boko Haram", "Islamic State (West Africa) and/or Boko Haram - Jamatu Ahli is-Sunnah lid-Dawatai wal-Jihad"),
    ],
)
def test_actors_alias_resolves_to_canonical(registry: ActorRegistry, mention: str, expected: str) -> None:
    actor = registry.resolve(mention, country="SY", on=dt.date(2024, 12, 3))
    assert actor is not None
    assert actor.name == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("HTS fighters entered the town.", True),
        ("hts fighters entered the town.", False),
        ("The SAA shelled the village.", True),
        ("The saa shelled the village.", False),
        ("IS claimed the bombing.", True),
        ("This is what the report is about.", False),
    ],
)
def test_actors_acronyms_match_exact_case_only(nlp: Language, text: str, found: bool) -> None:
    named = [span for span in actor_spans(_run(nlp, text)) if span.label_ == "rebels" or span.label_ == "military"]
    assert bool(named) is found


@pytest.mark.parametrize(
    ("mention", "country", "on", "expected"),
    [
        ("protesters", "KE", dt.date(2019, 5, 1), "Protesters (Kenya)"),
        ("rioters", "India", dt.date(2020, 5, 1), "Rioters (India)"),
        ("villagers", "NG", dt.date(2020, 5, 1), "Civilians (Nigeria)"),
        ("gunmen", "SY", dt.date(2024, 12, 3), "Unidentified Armed Group (Syria)"),
        ("Kenyan police", None, dt.date(2017, 5, 1), "Police Forces of Kenya (2013-2022)"),
        ("Somali refugees", "KE", dt.date(2017, 5, 1), "Civilians (Somalia)"),
        ("military forces of Armenia", None, dt.date(2020, 5, 1), "Military Forces of Armenia (2018-)"),
        ("gang members", "MX", dt.date(2020, 5, 1), "Unidentified Gang (Mexico)"),
        ("gang members", "KE", dt.date(2020, 5, 1), "Unidentified Armed Group (Kenya)"),
        # ACLED's unnamed rebels in Syria are the opposition's; elsewhere an unidentified armed group
        ("rebels", "SY", dt.date(2024, 12, 6), "Opposition Rebels (Syria)"),
        ("opposition fighters", "SY", dt.date(2016, 2, 1), "Opposition Rebels (Syria)"),
        ("rebels", "SO", dt.date(2020, 5, 1), "Unidentified Armed Group (Somalia)"),
        ("jihadists", "SY", dt.date(2016, 2, 1), "Unidentified Armed Group (Syria)"),
    ],
)
def test_actors_generic_actor_takes_the_country(
    registry: ActorRegistry, mention: str, country: str | None, on: dt.date, expected: str
) -> None:
    actor = registry.resolve(mention, country=country, on=on)
    assert actor is not None
    assert actor.name == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2010, 3, 1), "Police Forces of Kenya (2002-2013)"),
        (dt.date(2017, 8, 8), "Police Forces of Kenya (2013-2022)"),
        (dt.date(2023, 1, 1), "Police Forces of Kenya (2022-)"),
        (None, "Police Forces of Kenya (2022-)"),
    ],
)
def test_actors_period_suffix_follows_the_date(registry: ActorRegistry, on: dt.date | None, expected: str) -> None:
    actor = registry.resolve_generic("police", "KE", on=on)
    assert actor is not None
    assert actor.name == expected


def test_actors_generic_template_needs_a_country(registry: ActorRegistry) -> None:
    assert registry.resolve_id("Protesters ({country})") is None
    actor = registry.resolve_id("Protesters ({country})", country="Kenya")
    assert actor is not None
    assert (actor.name, actor.inter) == ("Protesters (Kenya)", 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kenyan police fired tear gas at protesters in Kisumu.",
            [("Kenyan police", "Police Forces of Kenya ({period})"), ("protesters", "Protesters ({country})")],
        ),
        (
            "Syrian and Russian forces shelled the town.",
            [("Syrian", "Military Forces of Syria (2000-)"), ("Russian forces", "Military Forces of Russia (2000-)")],
        ),
        (
            "Pokot raiders attacked two herders in West Pokot.",
            [("Pokot raiders", "Pokot Ethnic Militia ({country})"), ("herders", "Civilians ({country})")],
        ),
    ],
)
def test_actors_ruler_writes_canonical_ids(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.text, s.id_) for s in actor_spans(_run(nlp, text))] == expected


def test_actors_month_name_is_not_a_march(nlp: Language) -> None:
    doc = _run(nlp, "On 13 March 2020, soldiers were killed in an ambush.")
    assert all(span.label_ != "protesters" for span in doc.spans[ACTOR_SPANS])


def test_actors_protest_verb_is_marked_as_action(nlp: Language) -> None:
    doc = _run(nlp, "Residents protested in front of the county offices.")
    verbs = [span for span in doc.spans[ACTOR_SPANS] if span.text == "protested"]
    assert [(span.id_, span.kb_id_) for span in verbs] == [("Protesters ({country})", ACTION)]


def test_actors_coref_links_rebels_to_hts(nlp: Language) -> None:
    doc = _run(nlp, "HTS fighters seized two villages near the city. The rebels then advanced on the airport.")
    assert ("The rebels", "Hayat Tahrir al Sham") in _mentions(doc)


def test_actors_coref_links_the_army_to_the_syrian_army(nlp: Language) -> None:
    doc = _run(nlp, "The Syrian army shelled the town at dawn. Later the army said it had retaken a hill.")
    assert ("the army", "Military Forces of Syria (2000-)") in _mentions(doc)


def test_actors_coref_uses_the_document_country_among_several_states(nlp: Language) -> None:
    text = "Syrian troops held the line while Russian jets struck the rebels. Government forces then shelled the town."
    without = dict(_mentions(_run(nlp, text)))
    with_country = dict(_mentions(_run(nlp, text, country="SY")))
    assert without["Government forces"] == "Military Forces of {the_country} ({period})"
    assert with_country["Government forces"] == "Military Forces of Syria (2000-)"


def test_actors_coref_falls_back_to_the_document_country(registry: ActorRegistry, nlp: Language) -> None:
    doc = _run(nlp, "Government troops shelled the northern suburbs.")
    (span,) = actor_spans(doc)
    actor = registry.resolve_id(span.id_, country="SY", on=dt.date(2024, 12, 3))
    assert actor is not None
    assert actor.name == "Military Forces of Syria (2000-)"


def test_actors_coref_skips_the_head_noun_of_a_name(nlp: Language) -> None:
    doc = _run(nlp, "Taliban militants ambushed a convoy.")
    assert _mentions(doc) == [("Taliban militants", "Taliban")]


@pytest.mark.parametrize(
    ("actor", "country", "expected"),
    [
        ("Turkish forces", "SY", 8),
        ("Turkish forces", "TR", 1),
        ("Taliban", "AF", 2),
        ("protesters", "KE", 6),
    ],
)
def test_actors_state_forces_abroad_are_external(
    registry: ActorRegistry, actor: str, country: str, expected: int
) -> None:
    resolved = registry.resolve(actor, country=country)
    assert resolved is not None
    assert registry.inter_for(resolved, country) == expected


@pytest.mark.parametrize(
    ("inter1", "inter2", "expected"),
    [(1, 2, 12), (2, 1, 12), (7, 3, 37), (1, 1, 11), (6, None, 60), (5, 0, 50), (None, None, None)],
)
def test_actors_interaction_code(inter1: int | None, inter2: int | None, expected: int | None) -> None:
    assert interaction(inter1, inter2) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Police Forces of Kenya (2002-2013)", "Police Forces of Kenya (2013-2022)", True),
        ("Pokot Communal Militia (Kenya)", "Pokot Ethnic Militia (Kenya)", True),
        ("HTS: Hayat Tahrir al Sham", "Hayat Tahrir al Sham", True),
        ("Military Forces of Syria (2000-)", "Military Forces of Russia (2000-)", False),
    ],
)
def test_actors_same_actor_across_periods_and_former_names(registry: ActorRegistry, a: str, b: str, same: bool) -> None:
    assert registry.same_actor(a, b) is same


def test_actors_key_drops_parenthesised_parts() -> None:
    assert (
        actor_key("Police Forces of Kenya (2013-) General Service Unit")
        == "police forces of kenya general service unit"
    )


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("{name: Bad Actor, inter: 9, kind: rebels}", "inter"),
        ("{name: Bad Actor, inter: 2, kind: bandits}", "kind"),
        ("{name: Bad Actor, inter: 2, kind: rebels, country: Syria}", "country"),
        ("{name: Bad Actor, inter: 2, kind: rebels, colour: red}", "colour"),
        ("{name: Bad Actor, inter: 2, kind: rebels, members: [Nobody]}", "members"),
    ],
)
def test_actors_bad_entry_raises_naming_entry_and_field(tmp_path: Path, entry: str, field: str) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text(f"actors:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_actors(path)
    message = str(raised.value)
    assert str(path) in message
    assert "'Bad Actor'" in message
    assert f"field '{field}'" in message


def test_actors_empty_file_warns(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="W001"):
        registry = load_actors(path)
    assert registry.resolve("protesters", country="KE") is not None  # the generic patterns still apply


@pytest.mark.model
def test_actors_components_run_in_the_english_pipeline() -> None:
    from sitrep.nlp import load_language

    nlp = load_language()
    nlp.add_pipe("sitrep_actor_ruler")
    nlp.add_pipe("sitrep_coref")
    doc = nlp("Islamist rebels led by HTS seized the town. The rebels later clashed with government troops.")
    ids = [span.id_ for span in actor_spans(doc)]
    assert ids[:2] == ["Hayat Tahrir al Sham", "Hayat Tahrir al Sham"]
    assert ids[2] == "Military Forces of {the_country} ({period})"


@pytest.mark.shared
def test_actors_recall_on_held_out_acled_rows(registry: ActorRegistry, nlp: Language) -> None:
    with shared_file("data", "acled", "acled-dev.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if is_held_out(r["event_id_cnty"])]
    found = total = 0
    for row in rows[:1000]:
        doc = nlp(row["notes"])
        on = dt.date.fromisoformat(row["event_date"])
        names = {
            actor_key(a.name)
            for span in actor_spans(doc)
            if (a := registry.resolve_id(span.id_, country=row["country"] or None, on=on)) is not None
        }
        total += 1
        found += actor_key(row["actor1"]) in names
    assert found / total >= 0.70


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rebels take Homs. Fighters of Hayat Tahrir al-Sham entered the city on Sunday.", "Hayat Tahrir al Sham"),
        ("Rebels clashed with Hayat Tahrir al-Sham near Idlib.", "Opposition Rebels ({country})"),
    ],
)
def test_actors_coref_headline_rebels_named_in_a_later_sentence(nlp: Language, text: str, expected: str) -> None:
    doc = nlp(text)
    rebels = next(s for s in doc.spans[ACTOR_SPANS] if s.text == "Rebels")
    assert rebels.id_ == expected


@pytest.mark.parametrize(
    ("key", "expected"), [("protesters", "Protesters"), ("civilians", "Civilians"), ("police", None)]
)
def test_actors_generic_without_country_drops_only_a_country_suffix(
    registry: ActorRegistry, key: str, expected: str | None
) -> None:
    actor = registry.resolve_generic(key, None, unknown_country=True)
    assert (actor.name if actor else None) == expected


def test_actors_unit_coded_as_associate_of_its_parent(registry: ActorRegistry) -> None:
    actor = registry.resolve_id("Donbass People's Militia")
    assert actor is not None
    assert (actor.associate, actor.parent) == (True, "NAF: United Armed Forces of Novorossiya")


POLICE_KE = "Police Forces of Kenya ({period})"


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ([(POLICE_KE, "KE", dt.date(2010, 3, 1)), (POLICE_KE, "KE", dt.date(2017, 8, 8))],
         ["Police Forces of Kenya (2002-2013)", "Police Forces of Kenya (2013-2022)"]),
        ([(POLICE_KE, "KE", dt.date(2017, 8, 8)), (POLICE_KE, "Kenya", dt.date(2017, 8, 8))],
         ["Police Forces of Kenya (2013-2022)"] * 2),
        ([("Protesters ({country})", "Kenya", None), ("Protesters ({country})", None, None)],
         ["Protesters (Kenya)", None]),
    ],
)  # fmt: skip
def test_actors_resolved_actors_are_remembered_per_country_and_date(
    registry: ActorRegistry, calls: list[tuple[str, str | None, dt.date | None]], expected: list[str | None]
) -> None:
    first = [registry.resolve_id(span_id, country=c, on=on) for span_id, c, on in calls]
    again = [registry.resolve_id(span_id, country=c, on=on) for span_id, c, on in calls]
    assert [a.name if a else None for a in first] == expected
    assert again == first
