from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sitrep.models import ACLED_COLUMNS
from sitrep.run.pipeline import Pipeline
from sitrep.train.evaluate import evaluate_acled, read_acled

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


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in ACLED_COLUMNS} for row in ROWS)
    return path


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
    path = tmp_path / "gold.csv"
    rows = [*ROWS, {**ROWS[0], "event_id_cnty": "TST3", "location": "Saraqib"}]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in ACLED_COLUMNS} for row in rows)
    read = read_acled(path)
    assert [row["events_in_note"] for row in read] == ["2", "1", "2"]
    scores = evaluate_acled(read, Pipeline().extract_many)
    assert (scores.fields["event_count"].right, scores.fields["event_count"].total) == (1, 3)
