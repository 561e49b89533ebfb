"""Modality: reported, claimed, denied, planned or historical. All sentences are our own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from spacy.language import Language

from conftest import first_sentence
from sitrep.errors import DataFileError
from sitrep.read.modality import find_modality, load_modality_rules

PUBLISHED = dt.date(2024, 12, 3)


def test_modality_rules_load() -> None:
    rules = load_modality_rules()
    assert "vow" in rules.planned.verbs
    assert "deny" in rules.denied.verbs


def test_modality_bad_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "modality.yaml"
    path.write_text("planned: {verbs: [vow]}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=re.escape("modality.yaml")):
        load_modality_rules(path)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Rebels captured 20 villages on Tuesday.", "reported"),
        ("SOHR said rebels captured 20 villages.", "reported"),
        ("Witnesses said the army shelled the village.", "reported"),
        ("Al Shabaab claimed responsibility for the attack.", "reported"),
        ("The army is gearing up for an assault on the town.", "planned"),
        ("The army vowed to retake the city.", "planned"),
        ("Rebels will push towards the capital.", "planned"),
        ("Rebels are expected to attack the airport.", "planned"),
        ("Turkey threatened to launch a new offensive.", "planned"),
        ("The offensive could reach the coast within days.", "planned"),
        ("The Russian Defence Ministry denied that its jets had struck the hospital.", "denied"),
        ("The army rejected claims that it had withdrawn from the town.", "denied"),
        ("HTS said it had captured 20 villages.", "claimed"),
        ("The rebels claimed to have shot down a helicopter.", "claimed"),
        ("The Syrian army said its forces repelled the attack.", "claimed"),
        ("The group was formerly affiliated with al-Qaeda.", "historical"),
        ("More than 500,000 people have been killed since the civil war began in 2011.", "historical"),
        ("In 2015, Russia launched airstrikes to support the government.", "historical"),
        ("The rebels seized the city in 2016 before losing it.", "historical"),
        ("More than 2000 workers marched to the governor's office.", "reported"),
        ("Rebels recalled the 2015 elections as they seized the town.", "historical"),
        # a clause told whole keeps its own tense under a later verb of demanding
        ("Students marched to the ministry, they also called for lower fees.", "reported"),
    ],
)
def test_modality_sentence(nlp: Language, text: str, modality: str) -> None:
    assert find_modality(first_sentence(nlp, text), published=PUBLISHED) == modality


@pytest.mark.model
@pytest.mark.parametrize(
    ("published", "modality"),
    [(dt.date(2024, 12, 3), "historical"), (dt.date(2015, 10, 1), "reported"), (None, "reported")],
)
def test_modality_year_against_published(nlp: Language, published: dt.date | None, modality: str) -> None:
    sent = first_sentence(nlp, "In 2015, Russia launched airstrikes to support the government.")
    assert find_modality(sent, published=published) == modality


@pytest.mark.model
def test_modality_year_in_description_is_not_background(nlp: Language) -> None:
    sent = first_sentence(nlp, "The rebels, who first rose up in 2011, captured the airport on Friday.")
    trigger = next(t for t in sent if t.lower_ == "captured")
    assert find_modality(sent, trigger=trigger, published=PUBLISHED) == "reported"


@pytest.mark.model
@pytest.mark.parametrize(
    ("trigger_word", "modality"),
    [("captured", "reported"), ("advance", "planned")],
)
def test_modality_trigger(nlp: Language, trigger_word: str, modality: str) -> None:
    sent = first_sentence(nlp, "Rebels captured the airport and vowed to advance on the capital.")
    trigger = next(t for t in sent if t.lower_ == trigger_word)
    assert find_modality(sent, trigger=trigger, published=PUBLISHED) == modality


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        # a past phrase or an earlier year in the clause: `_historical` reads the clause only when its words hold one
        ("Militants attacked the army base two years ago.", "historical"),
        ("Soldiers burned the market in the past.", "historical"),
        ("Protesters blocked the road in 2019.", "historical"),
        ("Protesters blocked the road in 2024.", "reported"),
        ("Soldiers burned the market on Tuesday.", "reported"),
        # ... of the event's clause, not of an action beside it
        ("Families rallied at the ministry, demanding the return of sons since the start of the war.", "reported"),
        ("Families rallied outside the ministry, recalling the massacre of 2015.", "reported"),
    ],
)
def test_modality_past_words_in_the_clause(nlp: Language, text: str, modality: str) -> None:
    assert find_modality(first_sentence(nlp, text), published=PUBLISHED) == modality


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Militants made two attempts to storm the army base.", "reported"),  # an attempt is an act
        ("Militants made plans to storm the army base.", "planned"),
    ],
)
def test_modality_attempt_is_no_plan(nlp: Language, text: str, modality: str) -> None:
    sent = first_sentence(nlp, text)
    trigger = next(t for t in sent if t.lower_ == "storm")
    assert find_modality(sent, trigger=trigger, published=PUBLISHED) == modality
