"""The CLI through typer's CliRunner: exit codes, exact contracts, and the database afterwards."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.models import ACLED_COLUMNS
from sitrep.store import open_store
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
    open_store(str(tmp_path / "x.db")).close()
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
@pytest.mark.parametrize(
    ("header", "flag", "date"),
    [
        ("Published: 2024-12-02\n", [], "2024-12-02"),
        ("Published: 2024-12-02\n", ["--published", "2024-12-04"], "2024-12-02"),  # the document's own date wins
        ("", ["--published", "2024-12-04"], "2024-12-04"),  # the flag dates what states no date
    ],
)
def test_cli_extract_text_header_is_metadata(
    runner: CliRunner, tmp_path: Path, header: str, flag: list[str], date: str
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        f"Title: Clashes erupt in Hama\nOutlet: Test Wire\n{header}\n"
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


UNDATED = "Rebels seized the town of Morek in northern Hama on Tuesday, the Syrian Observatory for Human Rights said.\n"


@pytest.mark.model
def test_cli_ingest_and_extract_read_a_folder_alike(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "undated.txt").write_text(UNDATED)
    failed = f"failed [E005] {folder / 'blob.txt'} is not text (binary content)"
    warning = f"Warning: [W006] 1 document(s) state no publication date ({folder / 'undated.txt'})"
    ingest = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "s.db"), "--quiet"])
    extract = runner.invoke(app, ["extract", str(folder), "--format", "jsonl"])
    for result, done in ((ingest, "stored"), (extract, "extracted")):
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert lines[0].startswith(failed) and lines[1].startswith(warning)
        assert (
            lines[-1]
            == f"Error: [E030] 1 of 2 input document(s) could not be read (listed above); the others were {done}."
        )
    assert [json.loads(line)["input_id"] for line in extract.stdout.splitlines()] == ["blob.txt", "undated.txt"]


@pytest.mark.model
def test_cli_ingest_published_and_outlet_fill_in_what_a_text_lacks(runner: CliRunner, tmp_path: Path) -> None:
    story = tmp_path / "undated.txt"
    story.write_text(UNDATED)
    db = str(tmp_path / "s.db")
    args = ["ingest", str(story), "--db", db, "--published", "2024-12-05", "--outlet", "Test Wire", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "W006" not in result.stderr
    counts = json.loads(result.stdout)
    assert (counts["new"], counts["events_new"], counts["undated"]) == (1, 1, [])
    [event] = [
        json.loads(line) for line in runner.invoke(app, ["events", "--db", db, "--format", "jsonl"]).stdout.splitlines()
    ]
    # "on Tuesday" in a story published on Thursday 5 December 2024
    assert event["event_date"] == "2024-12-03" and [s["outlet"] for s in event["sources"]] == ["Test Wire"]
