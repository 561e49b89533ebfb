"""The CLI through typer's CliRunner: exit codes, exact contracts, and the database afterwards."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.models import ACLED_COLUMNS
from sitrep.views.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "-", "--format", "xml"], "[E001] Unknown output format 'xml'"),
        (["extract", "-", "--published", "3 Dec"], "[E002] Bad date '3 Dec'"),
        (["extract", "no-such-file.txt"], "[E010] no-such-file.txt: no such file"),
        (["events", "--bbox", "1,2,3"], "[E017] Bad filter 'bbox'"),
    ],
)
def test_cli_user_errors_are_one_line_and_exit_1(
    runner: CliRunner, args: list[str], message: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, [*args, *(["--db", str(tmp_path / "x.db")] if args[0] == "events" else [])])
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.model
def test_cli_extract_jsonl_is_one_line_per_input_in_order(runner: CliRunner, tmp_path: Path) -> None:
    lines = [
        {
            "id": "a",
            "text": "Syrian and Russian warplanes struck the town of Sarmada in Idlib on Monday, "
            "killing four civilians, the White Helmets said.",
            "published": "2024-12-02",
        },
        {"id": "b", "text": "###"},
        {
            "id": "c",
            "text": "Protesters gathered in Nairobi on Tuesday to demand lower fuel prices.",
            "published": "2020-05-05",
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(app, ["extract", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["input_id"] for o in out] == ["a", "b", "c"]
    assert out[1]["events"] == []
    event = out[0]["events"][0]
    for key in (
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "inter1",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
        "fatalities_low",
        "fatalities_high",
        "attributed_to",
        "modality",
        "confidence",
        "evidence",
    ):
        assert key in event
    assert event["event_date"] == "2024-12-02" and event["sub_event_type"] == "Air/drone strike"
    start, end = event["evidence"][0]["start"], event["evidence"][0]["end"]
    assert lines[0]["text"][start:end] == event["evidence"][0]["text"]
    assert out[2]["events"][0]["event_type"] == "Protests"


@pytest.mark.model
@pytest.mark.parametrize(("flag", "date"), [([], "2024-12-02"), (["--published", "2024-12-04"], "2024-12-04")])
def test_cli_extract_text_header_is_metadata(runner: CliRunner, tmp_path: Path, flag: list[str], date: str) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Title: Clashes erupt in Hama\nOutlet: Test Wire\nPublished: 2024-12-02\n\n"
        "Warplanes struck the town of Sarmada in Idlib, killing four civilians, the White Helmets said.\n"
    )
    result = runner.invoke(app, ["extract", str(story), "--format", "jsonl", *flag])
    assert result.exit_code == 0, result.output
    [out] = [json.loads(line) for line in result.stdout.splitlines()]
    # the header's title names Hama and clashes: read as a title, it gives no event of its own
    assert [(e["admin1"], e["event_date"]) for e in out["events"]] == [("Idleb", date)]


@pytest.mark.model
def test_cli_extract_acled_csv_has_acled_columns(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Rebels shelled government positions near Morek in northern Hama on Sunday, the army said.")
    result = runner.invoke(app, ["extract", str(path), "--published", "2024-12-01", "--format", "acled-csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == ACLED_COLUMNS and len(rows) >= 2


@pytest.mark.model
def test_cli_ingest_then_events_and_export(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert result.exit_code == 0, result.output
    assert "read 20, new 20, duplicate 0, failed 0" in result.output
    again = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db, "--quiet"])
    assert "new 0, duplicate 20" in again.output and "events new 0, updated 0, deleted 0" in again.output
    geojson = runner.invoke(app, ["events", "--db", db, "--format", "geojson"])
    collection = json.loads(geojson.stdout)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    exported = runner.invoke(app, ["export", "--db", db, "--format", "acled-csv"])
    header = next(csv.reader(io.StringIO(exported.stdout)))
    assert tuple(header) == ACLED_COLUMNS
