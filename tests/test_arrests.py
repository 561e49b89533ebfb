"""Arrests told plainly are Arrests events, with or without a place; an arrest beside a clash, a killing or a
protest is part of that event; a wished-for or failed arrest is no event; and no arrest is counted as a death."""

from __future__ import annotations

import pytest

from sitrep.run.pipeline import Pipeline

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def _types(pipeline: Pipeline, text: str) -> list[str]:
    return [e.sub_event_type for e in pipeline.extract(text, published="2021-06-14").events]


@pytest.mark.parametrize(
    "text",
    [
        "Sixty-one traders including nine women have been arrested, officials said.",
        "The two brothers were picked up by the police late on Sunday.",
        "Police in Kisumu detained 14 men on Monday.",
        # the charge names an attack, which is not a second event of the sentence
        "Four men were arrested on Sunday in connection with the attack on the bus depot.",
        "Police arrested a cook who was caught stealing cash from the hotel.",
    ],
)
def test_an_arrest_told_plainly_is_an_arrests_event(pipeline: Pipeline, text: str) -> None:
    assert _types(pipeline, text)[:1] == ["Arrests"]


@pytest.mark.parametrize(
    "text",
    [
        "The opposition said the governor should be arrested for the killings.",
        "Police in Kisumu failed to arrest the gang on Monday.",
    ],
)
def test_a_wished_for_or_failed_arrest_is_no_event(pipeline: Pipeline, text: str) -> None:
    assert "Arrests" not in _types(pipeline, text)


def test_an_arrest_beside_a_seizure_is_part_of_it(pipeline: Pipeline) -> None:
    """ACLED codes a drug seizure with its arrests as one event of the seizure."""
    text = (
        "On 3 May 2021, in Goiania, Goias, federal police seized two tons of cocaine from a truck. "
        "Four men were arrested."
    )
    types = _types(pipeline, text)
    assert types and types[0] != "Arrests"


def test_arrested_people_are_never_counted_dead(pipeline: Pipeline) -> None:
    text = "At least 210 people were arrested in Nairobi and one protester was shot dead, police said on Tuesday."
    result = pipeline.extract(text, published="2023-07-11")
    assert sum(e.fatalities for e in result.events) == 1
    # the protester was shot by the police, not by civilians
    assert (result.events[0].actor1, result.events[0].actor2) == (
        "Protesters (Kenya)",
        "Police Forces of Kenya (2022-)",
    )
    assert {f.value for f in result.figures if f.kind == "arrested"} == {210}
