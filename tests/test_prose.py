"""`sitrep eval` on single marked sentences: event_location (the event's place) and cameo_ner (source, target)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_file
from sitrep.errors import InputError
from sitrep.run.pipeline import Pipeline
from sitrep.train.evaluate import gold_kind
from sitrep.train.gold import is_article_held_out
from sitrep.train.prose import (
    evaluate_conll,
    evaluate_event_location,
    read_conll,
    read_event_location,
    tagged_sentence,
)


def location_record(record_id: str, text: str, verb: str, places: list[str]) -> dict[str, object]:
    def span(word: str) -> dict[str, object]:
        start = text.index(word)
        return {"start": start, "end": start + len(word), "text": word}

    return {"id": record_id, "text": text, "verb": span(verb), "locations": [span(p) for p in places]}


LOCATIONS = [
    location_record("1", "Gunmen killed four farmers in Maiduguri on Saturday, police said.", "killed", ["Maiduguri"]),
    location_record("2", "The minister opened a new hospital wing on Monday.", "opened", []),
    location_record("3", "Protesters from Mombasa clashed with police in Nairobi on Tuesday.", "clashed", ["Nairobi"]),
]
CONLL = """Rebels B-S
shelled O
an B-T
army I-T
checkpoint I-T
near O
Idlib O
. O

The B-R
two I-R
leaders I-R
met O
in O
Geneva O
. O
"""


@pytest.fixture
def locations(tmp_path: Path) -> Path:
    path = tmp_path / "event_location.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in LOCATIONS), encoding="utf-8")
    return path


@pytest.fixture
def conll(tmp_path: Path) -> Path:
    path = tmp_path / "cameo.txt"
    path.write_text(CONLL, encoding="utf-8")
    return path


def test_prose_gold_kind_tells_the_sets_apart_by_their_first_line(locations: Path, conll: Path) -> None:
    assert (gold_kind(locations), gold_kind(conll)) == ("event_location", "conll")


def test_prose_gold_kind_refuses_json_lines_of_another_kind(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"id": 1, "text": "A strike hit the port."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="E003"):
        gold_kind(path)


def test_prose_tagged_sentence_joins_tokens_and_reads_bio_spans() -> None:
    pairs = [("The", "B-S"), ("US", "I-T"), ("President", "I-S"), ("condemned", "O"), ("Iran", "B-T"),
             ("'s", "I-T"), ("strike", "I-T"), (",", "O"), ("officials", "O"), ("said", "O"), (".", "O")]  # fmt: skip
    sentence = tagged_sentence("s1", pairs)
    assert sentence.text == "The US President condemned Iran's strike, officials said."
    # An I- after another role opens a span of its own.
    assert sentence.spans["S"] == {(0, 1), (2, 3)}
    assert sentence.spans["T"] == {(1, 2), (4, 7)}
    assert sentence.tokens_of(sentence.text.index("Iran"), sentence.text.index("Iran") + 4) == (4, 5)


def test_prose_read_conll_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("Rebels B-S\nshelled\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"E150.*line 2"):
        read_conll(path)


def test_prose_read_event_location_refuses_a_span_outside_the_text(tmp_path: Path) -> None:
    record = location_record("1", "Shelling hit Morek.", "hit", ["Morek"])
    record["locations"] = [{"start": 13, "end": 40, "text": "Morek"}]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"E150.*line 1.*outside"):
        read_event_location(path)


def test_prose_splits_are_fixed_halves_keyed_on_the_sentence(tmp_path: Path) -> None:
    records = [location_record(str(i), f"Shelling hit village number {i}.", "hit", []) for i in range(40)]
    records.append(records[3] | {"id": "again"})  # a sentence repeated with another id
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    held = read_event_location(path, split="held-out")
    rest = read_event_location(path, split="train")
    assert len(held) + len(rest) == 41 and 0 < len(held) < 41
    assert {r["text"] for r in held}.isdisjoint({r["text"] for r in rest})
    assert all(is_article_held_out("sentence:" + r["text"]) for r in held)
    with pytest.raises(InputError, match="E017"):
        read_conll(path.with_suffix(".txt"), split="dev")


@pytest.mark.model
def test_prose_extraction_keeps_the_words_of_its_place_and_actors() -> None:
    text = "Rebels shelled an army checkpoint near Idlib on Friday."
    (event,) = Pipeline().extract(text, published="2024-12-06").events
    spans = {e.field: e.text for e in event.evidence if e.field}
    assert spans == {"event_date": "on Friday", "location": "Idlib", "actor1": "Rebels", "actor2": "army checkpoint"}
    located = next(e for e in event.evidence if e.field == "location")
    assert text[located.start : located.end] == "Idlib"


@pytest.mark.model
def test_prose_evaluate_event_location_scores_the_event_place(locations: Path) -> None:
    scores = evaluate_event_location(read_event_location(locations), Pipeline().extract_many)
    accuracy = {name: (score.right, score.total) for name, score in scores.fields.items()}
    assert accuracy["event"] == (2, 2)
    assert accuracy["place_is_gold"] == (2, 2)
    assert accuracy["no_place_when_none"] == (1, 1)
    assert scores.misses == []


@pytest.mark.model
def test_prose_evaluate_conll_scores_source_and_target_spans(conll: Path) -> None:
    scores = evaluate_conll(read_conll(conll), Pipeline().extract_many)
    accuracy = {name: (score.right, score.total) for name, score in scores.fields.items()}
    # "Rebels" is the source; the mention "army checkpoint" lies inside the target "an army checkpoint": a shared token.
    assert accuracy["source_f1"] == (2, 2)
    assert accuracy["target_f1"] == (2, 2)
    assert accuracy["source_exact_f1"] == (2, 2)
    assert accuracy["target_exact_f1"] == (0, 2)
    assert accuracy["event"] == (1, 2)


def test_prose_reads_the_shared_event_location_file() -> None:
    path = shared_file("data", "event_location", "event_location.jsonl")
    every = read_event_location(path)
    held = read_event_location(path, split="held-out")
    assert len(every) == 9143
    assert sum(1 for r in every if r["locations"]) == 5199
    assert 0.45 < len(held) / len(every) < 0.55
    assert all(r["text"][s["start"] : s["end"]] == s["text"] for r in every for s in r["locations"])


def test_prose_reads_the_shared_cameo_ner_file() -> None:
    path = shared_file("data", "conflibert", "cameo_ner_train.txt")
    every = read_conll(path)
    assert gold_kind(path) == "conll"
    assert len(every) == 1153
    # The README counts the B- tags: 1,094 S, 963 T and 102 R; three sources open with an I- after another role.
    counts = {role: sum(len(s.spans[role]) for s in every) for role in ("S", "T", "R")}
    assert counts == {"S": 1094 + 3, "T": 963, "R": 102}
    held = read_conll(path, split="held-out")
    assert 0.4 < len(held) / len(every) < 0.6
