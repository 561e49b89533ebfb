from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from sitrep.nlp import (
    CACHE_PREFIX,
    blank_language,
    entities_within,
    release_caches,
    span_text,
    spans_starting_within,
    spans_within,
    token_table,
)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "word", "starts"),
    [
        # a line that ends a sentence ends it, though the parser would run on
        ("The army said 12 rebels died.\nSANA said the road had reopened.", "SANA", True),
        ('He said: "We hold the airport."\nThe commander spoke from Hama.', "The", True),
        # a blank line ends a headline with no full stop
        ("Rebels reach the outskirts of Hama\n\nRebel fighters reached Hama on Monday.", "Rebel", True),
        # a hard-wrapped line inside a sentence stays one sentence
        ("Rebels took the town\nof Suran on Thursday, the monitor said.", "of", False),
    ],
)
def test_nlp_sentences_break_at_lines_that_end_one(nlp: Language, text: str, word: str, starts: bool) -> None:
    token = next(t for t in nlp(text) if t.text == word and t.i > 0)
    assert token.is_sent_start is starts


_TABLE_TEXTS = [
    "Rebels seized Morek on Tuesday, and the army shelled  Kafr Zita.",
    "Police fired tear gas in Kisumu.\n\nTwo people were hurt, the county said.",
    "",
]


@pytest.mark.model
@pytest.mark.parametrize("text", _TABLE_TEXTS)
def test_nlp_token_table_reads_what_the_tokens_say(nlp: Language, text: str) -> None:
    doc = nlp(text)
    table = token_table(doc)
    assert table.text == doc.text
    assert table.words == [t.text for t in doc]
    assert table.lower == [t.lower_ for t in doc]
    assert table.lemma == [t.lemma_.lower() for t in doc]
    assert table.idx == [t.idx for t in doc]
    assert table.head == [t.head.i for t in doc]
    assert table.sent_start == [t.is_sent_start for t in doc]


def test_nlp_token_table_of_a_blank_pipeline() -> None:
    doc = blank_language().make_doc("Gunmen raided  a camp.")
    table = token_table(doc)
    assert (table.text, table.lemma, table.head) == (doc.text, [""] * len(doc), list(range(len(doc))))
    assert table.sent_start == [t.is_sent_start for t in doc]


@pytest.mark.parametrize(("start", "end"), [(0, 1), (0, 7), (2, 5), (4, 5), (3, 3)])
def test_nlp_span_text_is_the_spans_text(start: int, end: int) -> None:
    doc = blank_language().make_doc("Shells hit  Idlib, the monitor said. ")
    assert span_text(doc[start:end]) == doc[start:end].text


@pytest.mark.parametrize(("start", "end"), [(0, 3), (0, 9), (1, 6), (2, 4), (3, 9), (6, 9)])
def test_nlp_entities_within_are_the_spans_entities(start: int, end: int) -> None:
    # An entity that starts inside the span and ends after it ends the list, as in spaCy's own `Span.ents`.
    doc = blank_language().make_doc("Kenyan police met protesters from Mombasa and Kisumu town")
    doc.ents = [Span(doc, 0, 1, "NORP"), Span(doc, 2, 4, "ORG"), Span(doc, 5, 6, "GPE"), Span(doc, 7, 9, "GPE")]
    span = doc[start:end]
    assert [(e.start, e.end) for e in entities_within(span)] == [(e.start, e.end) for e in span.ents]


def test_nlp_spans_starting_within_keep_a_span_that_runs_past_the_end() -> None:
    doc = blank_language().make_doc("Clashes in Deir ez-Zor city left two dead")
    doc.spans["places"] = [doc[2:5], doc[0:1]]
    assert [(s.start, s.end) for s in spans_starting_within(doc[1:4], "places")] == [(2, 5)]
    assert spans_within(doc[1:4], "places") == []
    assert [(s.start, s.end) for s in spans_within(doc[0:6], "places")] == [(0, 1), (2, 5)]


def test_nlp_release_caches_keeps_other_user_data() -> None:
    doc = blank_language().make_doc("Troops entered Hama.")
    doc.user_data["sitrep_country"] = "SY"
    span_text(doc[0:2])
    assert any(str(key).startswith(CACHE_PREFIX) for key in doc.user_data)
    release_caches(doc)
    assert doc.user_data == {"sitrep_country": "SY"}


def test_nlp_token_table_survives_a_round_trip_through_bytes() -> None:
    # The place ruler builds the table inside the pipeline: a document carrying it must still serialize.
    nlp = blank_language()
    doc = nlp("Troops entered Hama on Friday.")
    table = token_table(doc)
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert token_table(again) == table
