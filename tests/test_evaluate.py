from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from sitrep.errors import InputError
from sitrep.models import ACLED_COLUMNS
from sitrep.run.pipeline import Pipeline
from sitrep.train.articles import evaluate_fakes, evaluate_police, read_fakes, read_police
from sitrep.train.evaluate import evaluate_acled, gold_kind, read_acled
from sitrep.train.gold import is_article_held_out

# Two rows written for this test in ACLED's layout: a strike the pipeline codes right, and a gold row whose
# coding no note could give (a wrong type, a place elsewhere), so that every score is between 0 and 1.
ROWS = [
    {"event_id_cnty": "TST1", "event_date": "2024-12-02", "event_type": "Explosions/Remote violence",
     "sub_event_type": "Air/drone strike", "actor1": "Military Forces of Russia (2000-)", "actor2": "",
     "country": "Syria", "admin1": "Idleb", "location": "Idlib", "latitude": "35.9306", "longitude": "36.6339",
     "geo_precision": "1", "time_precision": "1", "fatalities": "4",
     "notes": "On 2 December 2024, Russian warplanes struck Idlib city, killing four civilians."},
    {"event_id_cnty": "TST2", "event_date": "2020-05-05", "event_type": "Riots",
     "sub_event_type": "Mob violence", "actor1": "Rioters (Kenya)", "actor2": "",
     "country": "Kenya", "admin1": "Mombasa", "location": "Mombasa", "latitude": "-4.05", "longitude": "39.66",
     "geo_precision": "1", "time_precision": "1", "fatalities": "0",
     "notes": "On 5 May 2020, Russian warplanes struck Idlib city, killing four civilians."},
]  # fmt: skip


def write_csv(path: Path, fields: Sequence[str], rows: Sequence[dict[str, str]]) -> Path:
    """A CSV with these columns; a row's missing columns are empty."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "gold.csv", ACLED_COLUMNS, ROWS)


@pytest.mark.model
def test_evaluate_scores_each_field_against_the_gold_rows(gold: Path) -> None:
    scores = evaluate_acled(read_acled(gold), Pipeline().extract_many)
    accuracy = {name: (score.right, score.total) for name, score in scores.fields.items()}
    assert scores.rows == 2
    assert accuracy["event_type"] == (1, 2)
    assert accuracy["admin1"] == (1, 2)
    assert accuracy["event_date"] == (2, 2)
    # the suffix-free name and the whole name of Russia's forces are both found for the first row only
    assert accuracy["actor1"] == (1, 2)
    assert accuracy["actor1_exact"] == (1, 2)
    assert "actor2" not in accuracy  # no gold actor2: nothing to find


@pytest.mark.model
def test_evaluate_event_count_is_the_gold_rows_sharing_the_note(tmp_path: Path) -> None:
    """A note coded as two events (its row written twice) should give two; each of ROWS gives one."""
    rows = [*ROWS, {**ROWS[0], "event_id_cnty": "TST3", "location": "Saraqib"}]
    read = read_acled(write_csv(tmp_path / "gold.csv", ACLED_COLUMNS, rows))
    assert [row["events_in_note"] for row in read] == ["2", "1", "2"]
    scores = evaluate_acled(read, Pipeline().extract_many)
    assert (scores.fields["event_count"].right, scores.fields["event_count"].total) == (1, 3)


# ------------------------------------------------------------------------------------------ real prose

FAKES_FIELDS = ["unit_id", "article_title", "article_content", "source", "date", "location", "actor",
                "cause_of_death", "nb_children", "nb_civilians", "nb_noncivilians", "nb_women", "label"]  # fmt: skip
# Two articles written for this test in FA-KES's layout: a strike coded as its text tells it, and one whose gold
# (another governorate, perpetrator, cause and toll) the text cannot give.
ARTICLES = [
    {"unit_id": "1", "article_title": "Russian jets strike Idlib city", "date": "12/2/24", "location": "idlib",
     "actor": "syrian government or russian troops", "cause_of_death": "shelling", "nb_civilians": "4",
     "nb_noncivilians": "0",
     "article_content": "Russian warplanes struck Idlib city on Monday, killing four civilians, rescuers said."},
    {"unit_id": "2", "article_title": "Protest in Aleppo", "date": "12/2/24", "location": "homs",
     "actor": "armed opposition groups", "cause_of_death": "explosion", "nb_civilians": "9",
     "nb_noncivilians": "2",
     "article_content": "Hundreds of people protested peacefully in Aleppo on Monday against rising bread prices."},
]  # fmt: skip


@pytest.fixture
def fakes_gold(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "fakes.csv", FAKES_FIELDS, [{"nb_children": "0", "nb_women": "0", **a} for a in ARTICLES]
    )


def test_gold_kind_tells_the_files_apart_by_their_columns(tmp_path: Path, fakes_gold: Path, gold: Path) -> None:
    case = tmp_path / "case.tsv"
    case.write_text("id\tEventSnippet\tSubType\n1\tTroops shelled the town.\tART_MISS_ATTACK\n", encoding="utf-8")
    police = tmp_path / "police.tsv"
    police.write_text("police arrested two men on friday.\t0\t1\t1\t0\t0\r\n", encoding="utf-8")
    assert [gold_kind(p) for p in (gold, case, fakes_gold, police)] == ["acled", "case", "fakes", "police"]


def test_real_prose_splits_are_fixed_halves(fakes_gold: Path) -> None:
    held = read_fakes(fakes_gold, split="held-out")
    rest = read_fakes(fakes_gold, split="train")
    assert sorted(r["unit_id"] for r in held + rest) == ["1", "2"]
    assert [is_article_held_out(r["unit_id"]) for r in held] == [True] * len(held)
    with pytest.raises(InputError, match="E017"):
        read_fakes(fakes_gold, split="dev")


def test_read_police_rejects_a_line_without_five_labels(tmp_path: Path) -> None:
    path = tmp_path / "police.tsv"
    path.write_text("police arrested two men.\t0\t1\t1\t0\t0\r\nthe meeting ended.\t0\t1\r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"E136.*line 2"):
        read_police(path)


@pytest.mark.model
def test_evaluate_fakes_scores_the_main_event_and_lists_the_misses(fakes_gold: Path) -> None:
    scores = evaluate_fakes(read_fakes(fakes_gold), Pipeline().extract_many)
    accuracy = {name: (score.right, score.total) for name, score in scores.fields.items()}
    assert accuracy["admin1"] == (1, 2)
    assert accuracy["perpetrator"] == (1, 2)
    assert accuracy["type_fits_cause"] == (1, 2)
    assert accuracy["deaths"] == (1, 2)
    assert [miss["id"] for miss in scores.misses] == ["2"]
    assert scores.misses[0]["wrong"]["deaths"] == {"got": 0, "want": 11}


@pytest.mark.model
def test_evaluate_police_tells_arrests_from_killings(tmp_path: Path) -> None:
    path = tmp_path / "police.tsv"
    path.write_text(
        "Police arrested twelve men after the clashes in the old city on Friday.\t0\t1\t1\t0\t0\r\n"
        "Police opened fire on the mob, killing two rioters.\t1\t0\t1\t0\t1\r\n"
        "The minister opened a new hospital wing on Monday.\t0\t0\t0\t0\t0\r\n",
        encoding="utf-8",
    )
    scores = evaluate_police(read_police(path), Pipeline().extract_many)
    accuracy = {name: (score.right, score.total) for name, score in scores.fields.items()}
    assert accuracy == {"arrests": (1, 1), "no_arrest_deaths": (1, 1), "no_arrest_claimed": (2, 2), "killings": (1, 1)}
