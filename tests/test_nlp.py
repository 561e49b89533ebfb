from __future__ import annotations

import pytest
from spacy.language import Language


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
