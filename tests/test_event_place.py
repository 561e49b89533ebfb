"""The event's place in whole sentences, through the real pipeline and gazetteer: the place the event verb's words
put it in, not a reference point, an actor's name or the area the object lies in."""

from __future__ import annotations

import pytest

from sitrep.run.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "location", "mention"),
    [
        # "northeast of Baghdad" says how to find Muqdadiyah, not the area it lies in.
        ("In Muqdadiyah, northeast of Baghdad, gunmen opened fire on a police convoy, killing two guards.",
         "Muqdadiyah", "Muqdadiyah"),
        ("Students demonstrated in Hadera, north of Tel Aviv, on Sunday.", "Hadera", "Hadera"),
        # Al-Sham is part of the group's name.
        ("The Islamic State of Iraq and Al-Sham attacked army positions in the eastern countryside of the Homs "
         "Governorate, killing five soldiers.", "Homs", "Homs"),
        # What was shelled names the place, more than the province the sentence opens with.
        ("In the Hama province, militants shelled the settlements of Maharda and Kornaz.", "Maharda", "Maharda"),
    ],
)  # fmt: skip
def test_event_place_in_sentences(pipeline: Pipeline, text: str, location: str, mention: str) -> None:
    event = pipeline.extract(text, published="2024-05-06").events[0]
    assert event.location == location
    assert [e.text for e in event.evidence if e.field == "location"] == [mention]


@pytest.mark.model
def test_event_place_name_holding_an_actor_word_stays_a_place(pipeline: Pipeline) -> None:
    # "Imam" alone is an actor mention; inside "Taybat al-Imam", and for the town listed with it, it is not.
    text = "The rebels had taken the towns of Taybat al-Imam and Halfaya and were fighting for Suran."
    events = pipeline.extract(text, published="2024-12-03").events
    assert [e.location for e in events][:2] == ["Taybat al-Imam", "Halfaya"]
