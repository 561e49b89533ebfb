"""Event dates and ACLED time_precision from a sentence and the publication date. Sentences are written here."""

import datetime as dt
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Span

from sitrep.errors import DataFileError
from sitrep.nlp import blank_language
from sitrep.read.dates import load_date_rules, resolve_date


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_language()


def _sent(nlp: Language, text: str) -> Span:
    return next(iter(nlp(text).sents))


D = dt.date


@pytest.mark.parametrize(
    ("text", "published", "date", "precision"),
    [
        ("On 9 May 2020, gunmen attacked a village.", D(2020, 5, 9), D(2020, 5, 9), 1),
        ("On 9 May 2020, gunmen attacked a village.", D(2020, 5, 12), D(2020, 5, 9), 1),
        ("Around 9 May 2020 (as reported), a man was killed.", D(2020, 5, 10), D(2020, 5, 9), 2),
        ("On or before 3 June 2018, students marched to the police station.", D(2018, 6, 5), D(2018, 6, 3), 2),
        ("As reported on 2 May 2020, settlers cut down olive trees.", D(2020, 5, 2), D(2020, 5, 2), 2),
        ("Rebels seized the town on Tuesday.", D(2024, 12, 5), D(2024, 12, 3), 1),
        ("Rebels seized the town on Tuesday.", D(2024, 12, 3), D(2024, 12, 3), 1),
        ("Rebels seized the town last Tuesday.", D(2024, 12, 3), D(2024, 11, 26), 1),
        ("Clashes erupted overnight in the suburbs.", D(2024, 12, 3), D(2024, 12, 2), 1),
        ("Yesterday, jets struck the city.", D(2024, 12, 3), D(2024, 12, 2), 1),
        ("Two days ago, militants burned a school.", D(2024, 12, 3), D(2024, 12, 1), 1),
        ("Fighting continued last week near the airport.", D(2024, 12, 5), D(2024, 11, 27), 2),
        ("The offensive began in November.", D(2024, 12, 3), D(2024, 11, 15), 3),
        ("In November, the rebels regrouped.", D(2024, 11, 10), D(2024, 11, 10), 3),
        ("On 29 November, rebels entered the city.", D(2024, 12, 3), D(2024, 11, 29), 1),
        ("On 29 December, rebels entered the city.", D(2025, 1, 2), D(2024, 12, 29), 1),
        ("On Sept 27th, parents camped outside the court.", D(2019, 9, 28), D(2019, 9, 27), 1),
        ("Residents marched on 27/04 over the state of the road.", D(2015, 4, 28), D(2015, 4, 27), 1),
        ("The army retook the town on 2024-11-30, a statement said.", D(2024, 12, 3), D(2024, 11, 30), 1),
        (
            "During the week beginning 26 November 2018, raiders attacked a village.",
            D(2018, 11, 30),
            D(2018, 11, 28),
            2,
        ),
        ("During the month of August 2018, four people were killed.", D(2018, 8, 31), D(2018, 8, 15), 3),
        ("On 12 July 2017, the body of a trader was found near the market.", D(2017, 7, 12), D(2017, 7, 12), 2),
        ("May the talks succeed, he said on Monday.", D(2024, 12, 4), D(2024, 12, 2), 1),
    ],
)
def test_dates_sentence_date_and_precision(
    nlp: Language, text: str, published: dt.date, date: dt.date, precision: int
) -> None:
    result = resolve_date(_sent(nlp, text), published=published)
    assert (result.date, result.time_precision) == (date, precision)
    assert not result.historical
    assert not result.future


@pytest.mark.parametrize("published", [D(2024, 12, 3), None])
def test_dates_no_date_falls_back_to_publication(nlp: Language, published: dt.date | None) -> None:
    result = resolve_date(_sent(nlp, "Soldiers were killed in an ambush."), published=published)
    assert result.date == published
    assert result.time_precision == (1 if published else None)
    assert result.evidence is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Russia launched airstrikes in 2015 to support the government.", D(2015, 7, 1)),
        ("The war that began in 2011 has killed thousands.", D(2011, 7, 1)),
        ("On 3 March 2020, the two sides signed a ceasefire.", D(2020, 3, 3)),
    ],
)
def test_dates_background_is_historical(nlp: Language, text: str, date: dt.date) -> None:
    result = resolve_date(_sent(nlp, text), published=D(2024, 12, 3))
    assert result.historical
    assert result.date == date


@pytest.mark.parametrize(
    ("text", "date", "historical"),
    [
        ("More than 2000 workers marched to the governor's office.", D(2024, 12, 5), False),
        ("Some 2019 families were displaced by the floods.", D(2024, 12, 5), False),
        ("Around 2015 when the war began, rebels took the town.", D(2015, 7, 1), True),
    ],
)
def test_dates_a_count_is_not_a_year(nlp: Language, text: str, date: dt.date, historical: bool) -> None:
    result = resolve_date(_sent(nlp, text), published=D(2024, 12, 5))
    assert (result.date, result.historical) == (date, historical)


def test_dates_news_day_wins_over_background_year(nlp: Language) -> None:
    text = "HTS, which has held Idlib since 2017, attacked the city on Tuesday."
    result = resolve_date(_sent(nlp, text), published=D(2024, 12, 5))
    assert (result.date, result.historical) == (D(2024, 12, 3), False)


@pytest.mark.parametrize(
    "text",
    ["The rebels plan to attack on 20 December 2024.", "Elections will be held next Tuesday."],
)
def test_dates_never_after_publication(nlp: Language, text: str) -> None:
    result = resolve_date(_sent(nlp, text), published=D(2024, 12, 3))
    assert result.date is None
    assert result.future


def test_dates_evidence_is_a_span_of_the_document(nlp: Language) -> None:
    doc = nlp("Fighting went on. Rebels entered the city on 29 November, witnesses said.")
    sent = list(doc.sents)[1]
    result = resolve_date(sent, published=D(2024, 12, 3))
    assert result.evidence is not None
    assert doc.text[result.evidence.start : result.evidence.end] == result.evidence.text == "29 November"
    assert result.evidence.field == "event_date"


def test_dates_relative_date_needs_a_publication_date(nlp: Language) -> None:
    result = resolve_date(_sent(nlp, "Rebels seized the town on Tuesday."), published=None)
    assert result.date is None
    assert result.evidence is not None


def test_dates_bad_rules_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("relative_days:\n  yesterday: {days: -1, precision: 1}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="yesterday"):
        load_date_rules(str(path))


@pytest.mark.model
def test_dates_uses_date_entities_of_the_parser() -> None:
    from sitrep.nlp import load_language

    nlp = load_language()
    sent = next(iter(nlp("Shelling resumed two weeks later, on 3rd of December.").sents))
    result = resolve_date(sent, published=D(2024, 12, 5))
    assert (result.date, result.time_precision) == (D(2024, 12, 3), 1)
