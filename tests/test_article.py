"""An article's headline and datelines: sentences of their own, neither events nor places (read/article.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.models import RawDocument
from sitrep.nlp import blank_language
from sitrep.read.article import article_parts, is_furniture, mark_article_parts
from sitrep.run.pipeline import Pipeline


def _parts(text: str, title: str | None = None) -> list[str]:
    return [text[start:].split(" ")[0] for start in article_parts(text, title).starts]


@pytest.mark.parametrize(
    ("title", "text", "starts"),
    [
        # the headline, the site's name cut from the page title, then an agency's dateline before the lede
        ("Shells kill 9 in border town - World - The Daily Example",
         "Shells kill 9 in border town AFP Monday 3 Mar 2014 Shells fired at a border town killed nine people.",
         ["Shells", "AFP", "Shells"]),
        # a date before the headline is a part of its own too
        ("Strike hits depot near the river",
         "Tue 04 Mar 2014 Strike hits depot near the river. Jets struck a fuel depot on Tuesday.", ["Strike"]),
        (None, "Date of publication 2 May 2015 Troops shelled the northern districts.", ["Date", "Troops"]),
        (None, "RIVERTOWN, Northland (AP) — Police arrested twelve men on Friday.", ["RIVERTOWN,", "Police"]),
        (None, "Last updated at Jun 132016 Rebels shelled the town.", ["Last", "Rebels"]),
        # a headline too short to be told from the lede's words, and a plain note: nothing to mark
        ("Clashes", "Clashes broke out in the market on Monday.", []),
        (None, "On 5 May 2020, police arrested 20 traders in the market.", []),
    ],
)  # fmt: skip
def test_article_parts_start_at_the_headline_datelines_and_lede(
    title: str | None, text: str, starts: list[str]
) -> None:
    assert _parts(text, title) == starts


def test_article_datelines_are_marked_on_the_doc() -> None:
    nlp = blank_language()
    text = "Date of publication 2 May 2015 Troops shelled the northern districts."
    doc = nlp(mark_article_parts(nlp.make_doc(text), None))
    sentences = list(doc.sents)
    assert [s.text for s in sentences] == ["Date of publication 2 May 2015", "Troops shelled the northern districts."]
    assert [is_furniture(s) for s in sentences] == [True, False]


@pytest.mark.model
def test_a_headline_run_into_its_lede_is_not_a_second_toll() -> None:
    """Read as one sentence, the headline's nine and the lede's nine would be eighteen dead."""
    raw = RawDocument(
        source="t",
        title="Shelling kills 9 in Ariha market - World - The Daily Example",
        content=b"Shelling kills 9 in Ariha market AFP Monday 3 Mar 2014 Shells fired by government forces at a "
        b"market in the Syrian town of Ariha killed nine civilians on Monday, a monitor said.",
        media_type="text",
        published=dt.date(2014, 3, 3),
    )
    (result,) = Pipeline().extract_many([raw])
    main = result.events[0]
    assert main.fatalities == 9
    assert main.location == "Ariha"
    assert "Philippines" not in f"{main.actor1} {main.actor2}"  # the agency's AFP is no army
