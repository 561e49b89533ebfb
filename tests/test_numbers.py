"""Fatalities (ACLED's conservative counting) and figures from sentences. All sentences here are our own."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from spacy.language import Language

from conftest import first_sentence, shared_file
from sitrep.errors import DataFileError
from sitrep.read.casualty_cues import _cue_candidates, _token_cues
from sitrep.read.figures import find_figures
from sitrep.read.number_rules import load_number_rules
from sitrep.read.numbers import find_document_fatalities, find_fatalities

# ---------------------------------------------------------------------------------------------------------
# Data file
# ---------------------------------------------------------------------------------------------------------


def test_numbers_rules_load() -> None:
    rules = load_number_rules()
    assert rules.vague_quantities["dozens"] == 12
    assert rules.vague_quantities["tens"] == 10
    assert rules.vague_quantities["hundreds"] == 100
    assert rules.unknown_deaths == 3
    assert rules.significant_deaths == 10


@pytest.mark.parametrize(
    ("content", "entry"),
    [
        ("number_words: {one: lots}\n", "number_words"),
        ("- just a list\n", None),
    ],
)
def test_numbers_rules_bad_file_raises(tmp_path: Path, content: str, entry: str | None) -> None:
    path = tmp_path / "numbers.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_number_rules(path)
    assert str(path) in str(info.value)
    if entry:
        assert entry in str(info.value)


# ---------------------------------------------------------------------------------------------------------
# Fatalities in one sentence
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Gunmen killed three villagers near the market.", 3),
        ("Twenty-one people were killed in the attack.", 21),
        ("The strike killed 1,200 people, officials said.", 1200),
        ("At least 20 soldiers were killed in the ambush.", 20),
        ("More than 20 fighters died in the clashes.", 20),
        ("Between 10 and 15 civilians were killed in the shelling.", 10),
        ("Militants killed 10-15 farmers on Sunday.", 10),
        ("Dozens of people were killed when the market was bombed.", 12),
        ("Tens of fighters were killed in the offensive.", 10),
        ("Hundreds were killed in the siege.", 100),
        ("A dozen soldiers died in the attack.", 12),
        ("A man was killed by unknown gunmen.", 1),
        ("Two soldiers and a civilian were killed.", 3),
        ("5 soldiers and 3 militants were killed in the fighting.", 8),
        ("5 soldiers and 3 militants killed in clashes.", 8),
        ("Police shot dead two robbery suspects.", 2),
        ("A trader was beaten to death by a mob.", 1),
        ("The attack left 4 people dead.", 4),
        ("The death toll rose to 17.", 17),
        ("The bombing claimed the lives of six children.", 6),
        ("Seven fighters lost their lives in the battle.", 7),
        ("Three killed in a raid on the village.", 3),
        ("Three police officers were wounded in the attack.", 0),
        ("No one was killed in the explosion.", 0),
        ("No fatalities were reported.", 0),
        ("Militants killed or wounded 30 soldiers.", 0),
        ("Seven soldiers were killed and wounded in the ambush.", 0),
        ("Three men were killed and several wounded when the shell landed.", 3),
        ("Clashes erupted near the border, leaving three people dead and 15 more injured.", 3),
        ("Residents protested over the killing of two students.", 0),
        ("Gunmen tried to kill the governor.", 0),
        ("The former commander died of cancer.", 0),
        ("The raiders killed 15 livestock.", 0),
    ],
)
def test_numbers_fatalities_best(nlp: Language, text: str, best: int) -> None:
    assert find_fatalities(first_sentence(nlp, text)).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Gunmen opened fire on the bus, killing civilians.", 3),
        ("People were killed when the shells hit the town.", 3),
        ("Many people were killed in the massacre.", 10),
        ("A massacre in the village left many dead.", 10),
    ],
)
def test_numbers_fatalities_unknown_count(nlp: Language, text: str, best: int) -> None:
    result = find_fatalities(first_sentence(nlp, text))
    assert (result.best, result.unknown, result.stated) == (best, True, False)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "low", "best", "high"),
    [
        ("Between 10 and 15 civilians were killed in the shelling.", 10, 10, 15),
        ("Up to 20 people were killed.", 0, 20, 20),
        ("Militants killed or wounded 30 soldiers.", 0, 0, 30),
    ],
)
def test_numbers_fatalities_range(nlp: Language, text: str, low: int, best: int, high: int) -> None:
    result = find_fatalities(first_sentence(nlp, text))
    assert (result.low, result.best, result.high) == (low, best, high)


@pytest.mark.model
def test_numbers_fatalities_evidence_offsets(nlp: Language) -> None:
    doc = nlp("Fighting went on. Rebels killed 4 soldiers near the bridge.")
    sent = list(doc.sents)[1]
    result = find_fatalities(sent)
    assert result.best == 4
    assert result.evidence
    for evidence in result.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text
    assert any("4 soldiers" in e.text for e in result.evidence)


@pytest.mark.model
@pytest.mark.parametrize(
    ("sub_type", "best"),
    [("Peaceful protest", 0), ("Attack", 2), (None, 2)],
)
def test_numbers_fatalities_sub_type(nlp: Language, sub_type: str | None, best: int) -> None:
    sent = first_sentence(nlp, "Two men were shot dead during the march.")
    assert find_fatalities(sent, event_sub_type=sub_type).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("published", "best"),
    [(dt.date(2024, 12, 3), 0), (dt.date(2014, 6, 1), 40)],
)
def test_numbers_fatalities_older_year_is_background(nlp: Language, published: dt.date, best: int) -> None:
    sent = first_sentence(nlp, "Forty miners were killed in the town in 2014.")
    assert find_fatalities(sent, published=published).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        # The parser takes "IS" for a verb and leaves the number outside the noun phrase.
        ("Late on Friday, 9 IS militants were killed in an air raid east of the city.", 9),
    ],
)
def test_numbers_fatalities_number_cut_off_by_a_name(nlp: Language, text: str, best: int) -> None:
    assert find_fatalities(first_sentence(nlp, text)).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Farmer killed on his land by unknown attackers.", 1),
        ("Two nurses killed, three hurt in overnight raid.", 2),
        # the parse makes the wounded the object of "killed"; the participle after them says what befell them
        ("One Person Killed 16 Others Injured in Rocket Attack on Aleppo", 1),
        ("3 Civilians Killed 12 Injured in Mortar Fire on Homs", 3),
        ("Boy killed two others wounded in shelling of village", 1),
    ],
)
def test_numbers_fatalities_headline_passive(nlp: Language, text: str, best: int) -> None:
    assert find_fatalities(first_sentence(nlp, text)).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        # The parser hangs the victims on the place names before them; the passive verb right after still counts them.
        ("In Mombasa, Kenya, two men and a boy were shot dead near the port.", 3),
    ],
)
def test_numbers_fatalities_victims_after_a_place_list(nlp: Language, text: str, best: int) -> None:
    assert find_fatalities(first_sentence(nlp, text)).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Police shot and killed a 19-year-old near the market.", 1),
        # the gerund counts injuries: its "others" are no second group of dead
        ("The clashes resulted in the killing of 2 members of the militia and the injuring of 5 others.", 2),
    ],
)
def test_numbers_fatalities_one_victim_phrase_is_one_group(nlp: Language, text: str, best: int) -> None:
    assert find_fatalities(first_sentence(nlp, text)).best == best


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Shelling killed three civilians on Monday. The death toll since the offensive began stands at 300.", 3),
        ("Five soldiers were killed, bringing the death toll so far this year to 90.", 5),
        # the killing verb itself runs over a period
        ("A drone killed two farmers on Monday. Some 640 people have been killed since the truce collapsed.", 2),
        ("A drone killed two farmers on Monday. Some 640 people have been killed since March.", 2),
        ("A drone killed two farmers on Monday. More than 640 people have died there so far.", 2),
        # "since" belongs to the town, not to the killing
        ("Four people were killed on Monday in the town, which has been under siege since March.", 4),
        # a count over several days, after the news: a tally; as the news itself, the event's toll
        ("Rebels took the town on Saturday. More than 300 people were killed in four days of fighting.", 0),
        ("Twelve people were killed in two days of fighting in the town.", 12),
    ],
)
def test_numbers_document_fatalities_running_tally_is_not_the_event(nlp: Language, text: str, best: int) -> None:
    assert find_document_fatalities(nlp(text)).best == best


@pytest.mark.model
def test_numbers_document_fatalities_toll_brought_to_a_number(nlp: Language) -> None:
    doc = nlp("A second wounded man died in hospital, bringing the death toll to 2.")
    assert find_document_fatalities(doc).best == 2


# ---------------------------------------------------------------------------------------------------------
# Fatalities in a document
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "best"),
    [
        # Groups in different sentences add up.
        ("Two policemen were killed in the raid. Three attackers were also killed.", 5),
        # A restatement does not.
        ("A farmer was shot dead in his field. The man died on the spot. 1 fatality.", 1),
        ("Gunmen killed 6 traders on the highway. The victims were buried on Friday.", 6),
        # A coder's summary decides, and a split shares the total out.
        ("Militias clashed in two villages, killing several fighters. Fatalities coded as 8.", 8),
        ("Rebels killed 9 soldiers in three attacks. 9 fatalities split between 3 events.", 3),
        ("Unknown fatalities coded as 10 and spread across three locations.", 3),
    ],
)
def test_numbers_document_fatalities(nlp: Language, text: str, best: int) -> None:
    assert find_document_fatalities(nlp(text)).best == best


@pytest.mark.model
@pytest.mark.shared
def test_numbers_acled_heldout_sample(nlp: Language) -> None:
    with shared_file("data", "acled", "acled-dev.csv").open(encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["fatalities"] and int(hashlib.sha1(r["event_id_cnty"].encode()).hexdigest(), 16) % 5 == 0
        ][:300]
    docs = nlp.pipe([r["notes"] for r in rows])
    exact = sum(
        find_document_fatalities(doc, published=dt.date.fromisoformat(r["event_date"])).best == int(r["fatalities"])
        for r, doc in zip(rows, docs, strict=True)
    )
    assert exact / len(rows) >= 0.88


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "kind", "value", "unit", "place"),
    [
        ("The fighting has displaced 50,000 people across the region.", "displaced", 50000, None, None),
        ("The offensive forced 280,000 to flee their homes.", "displaced", 280000, None, None),
        ("Rebels seized over 100 towns and villages in three days.", "captured_places", 100, "places", None),
        ("The column was 12 kilometers (7 miles) away from Hama city.", "distance_km", 12, "km", "Hama"),
        ("Insurgents advanced to within 10 km of Homs.", "distance_km", 10, "km", "Homs"),
        ("The convoy stopped 5 miles south of Idlib.", "distance_km", 8.047, "km", "Idlib"),
        ("Police arrested 23 protesters outside parliament.", "arrested", 23, None, None),
        ("Gunmen abducted 12 students from the school.", "abducted", 12, None, None),
        ("Two helicopters were shot down over the valley.", "aircraft", 2, None, None),
        ("Rebels said they shot down an aircraft over the valley.", "aircraft", 1, None, None),
        ("Rebels said they shot down two aircraft over the valley.", "aircraft", 2, None, None),
        ("The army released 150 prisoners on Monday.", "prisoners", 150, None, None),
        ("Some 3,000 refugees crossed the border.", "refugees", 3000, None, None),
        ("The blast wounded 14 people.", "injured", 14, None, None),
        ("More than 1.5 million people have been displaced.", "displaced", 1500000, None, None),
    ],
)
def test_numbers_figures_kind_value(
    nlp: Language, text: str, kind: str, value: float, unit: str | None, place: str | None
) -> None:
    figures = [f for f in find_figures(first_sentence(nlp, text), attribute=False) if f.kind == kind]
    assert len(figures) == 1
    figure = figures[0]
    assert figure.value == pytest.approx(value, rel=1e-3)
    assert figure.unit == unit
    if place is not None:
        assert figure.place == place


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        # the same word for one and many: no count without "a" or a number
        "The army, backed by Syrian and Russian aircraft, repelled the attack.",
        "Military personnel were deployed to the border.",
    ],
)
def test_numbers_figures_invariant_noun_without_count(nlp: Language, text: str) -> None:
    assert find_figures(first_sentence(nlp, text), attribute=False) == []


@pytest.mark.model
def test_numbers_figures_vague_wounded_count_is_no_figure(nlp: Language) -> None:
    text = "Three men were killed and several wounded when the shell landed."
    figures = find_figures(first_sentence(nlp, text), attribute=False)
    assert [(f.kind, f.value) for f in figures] == [("killed", 3.0)]


def test_numbers_figures_ambiguous_is_casualties(nlp: Language) -> None:
    figures = find_figures(
        first_sentence(nlp, "Seven soldiers were killed and wounded in the ambush."), attribute=False
    )
    assert [(f.kind, f.value) for f in figures] == [("casualties", 7)]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "claimant"),
    [
        ("About 50,000 people have fled the fighting, according to the United Nations.", "United Nations"),
        ("The monitor said 40 fighters were killed, according to SOHR.", "Syrian Observatory for Human Rights"),
        ("Rebels killed 12 soldiers near the airport.", None),
    ],
)
def test_numbers_figures_claimant(nlp: Language, text: str, claimant: str | None) -> None:
    figures = find_figures(first_sentence(nlp, text), published=dt.date(2024, 12, 3))
    assert figures
    assert {f.claimant for f in figures} == {claimant}
    assert {f.date for f in figures} == {dt.date(2024, 12, 3)}


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Written for this test: a second claimant's figure for the statistic the sentence has just told.
        (
            "The UN refugee agency said more than 15,000 people had been displaced in the east of the province as "
            "of Monday, while the Norwegian Refugee Council put the number at about 22,000.",
            [("displaced", 15_000, "UNHCR"), ("displaced", 22_000, "Norwegian Refugee Council")],
        ),
        (
            "Medics said 14 people were wounded in the shelling, and the World Health Organization estimated the "
            "total at 19.",
            [("injured", 14, "Medics"), ("injured", 19, "WHO")],
        ),
        # No figure told before it: nothing to restate.
        ("The council put the number at 300.", []),
        # A number set for something else is no restatement.
        ("Medics said 14 people were wounded, and the governor set the curfew at 9.", [("injured", 14, "Medics")]),
    ],
)
def test_numbers_figures_restated_by_another_claimant(
    nlp: Language, text: str, expected: list[tuple[str, float, str | None]]
) -> None:
    figures = find_figures(first_sentence(nlp, text), published=dt.date(2024, 12, 3))
    assert [(f.kind, f.value, f.claimant) for f in figures if f.kind != "distance_km"] == expected


@pytest.mark.model
def test_numbers_figures_restatement_refers_to_the_previous_sentence(nlp: Language) -> None:
    doc = nlp(
        "Some 3,000 families fled the town on Monday, Reuters reported. "
        "The World Food Programme put their number at 4,500."
    )
    first, second = list(doc.sents)
    told = find_figures(first, published=dt.date(2024, 12, 3))
    assert [(f.kind, f.value, f.claimant) for f in told] == [("displaced", 3_000, "Reuters")]
    restated = find_figures(second, published=dt.date(2024, 12, 3), earlier=told)
    assert [(f.kind, f.value, f.claimant) for f in restated] == [("displaced", 4_500, "WFP")]
    assert restated[0].evidence[0].text == "The World Food Programme put their number at 4,500"
    assert find_figures(second, published=dt.date(2024, 12, 3)) == []  # alone, it restates nothing


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "has_cues"),
    [
        ("Gunmen shot dead two farmers near the river on Friday.", True),
        ("A teacher was beaten to death by a mob in the market.", True),
        ("Three soldiers died and five others were wounded in the blast.", True),
        ("The strike left 12 people dead and hundreds homeless.", True),
        ("Militants gunned down a village chief late on Sunday.", True),
        ("Rescuers recovered the bodies of four miners from the pit.", True),
        ("The council met on Monday to discuss the price of water.", False),
    ],
)
def test_numbers_cue_candidates_hold_every_cue(nlp: Language, text: str, has_cues: bool) -> None:
    # Only the candidate tokens are read for cues: any cue outside them would be lost.
    rules = load_number_rules()
    doc = nlp(text)
    cued = {token.i for token in doc if _token_cues(token, rules)}
    assert bool(cued) is has_cues
    assert cued <= _cue_candidates(doc, rules)
