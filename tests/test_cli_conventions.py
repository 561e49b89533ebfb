"""The CLI's conventions, as a new user meets them: help, version, one-line errors with a non-zero exit, no silent
empty database, the same filter errors as the API. None of these needs the English model."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sitrep.store import open_store
from sitrep.views.api import create_app
from sitrep.views.cli import app


def _empty_db(tmp_path: Path) -> str:
    path = tmp_path / "empty.db"
    open_store(str(path)).close()
    return str(path)


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_cli_help_short_and_long(runner: CliRunner, flag: str) -> None:
    result = runner.invoke(app, ["events", flag])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ") and "-h, --help" in result.output


def test_cli_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("sitrep ") and len(result.output.splitlines()) == 1


@pytest.mark.parametrize("command", [["ingest"], ["events"], ["eval"], ["watch"], ["alerts", "test"]])
def test_cli_flags_are_shown_plainly(runner: CliRunner, command: list[str]) -> None:
    text = runner.invoke(app, [*command, "-h"]).output
    assert "<bool>" not in text  # `--quiet`, not `--quiet <bool>`
    assert "--help <" not in text and "--format" in text


def test_cli_eval_json_is_a_hidden_alias_of_format(runner: CliRunner) -> None:
    text = runner.invoke(app, ["eval", "-h"]).output
    assert "--format" in text and "--json" not in text


@pytest.mark.parametrize(
    "args",
    [
        ["events"],
        ["export", "--format", "jsonl"],
        ["control"],
        ["report", "--out", "{tmp}/r.html"],
        ["alerts", "test", "{tmp}/rules.yaml"],
        ["watch", "{tmp}/feeds.txt", "--once"],
        ["serve", "--port", "0"],
    ],
)
def test_cli_missing_database_is_an_error(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "rules.yaml").write_text("- {name: r, when: control_change, place: Hama}\n")
    (tmp_path / "feeds.txt").write_text("wire.xml\n")
    (tmp_path / "wire.xml").write_text("<rss version='2.0'><channel><title>w</title></channel></rss>")
    db = tmp_path / "typo.db"
    result = runner.invoke(app, [*(a.format(tmp=tmp_path) for a in args), "--db", str(db)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: [E029] Database {db} does not exist: check --db (or SITREP_DB); "
        f"`sitrep ingest FILES --db {db}` makes it, or add --create."
    )
    assert not db.exists()


@pytest.mark.parametrize("missing", ["nope.txt", "exmaples/"])
def test_cli_ingest_missing_input_fails_before_reading(runner: CliRunner, tmp_path: Path, missing: str) -> None:
    db = tmp_path / "new.db"
    result = runner.invoke(app, ["ingest", str(tmp_path / missing), "--db", str(db)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: [E010] {tmp_path / missing}: no such file or folder."
    assert not db.exists()  # nothing read, nothing made


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--type", "battle"],
            "[E017] Bad filter 'event_type': 'battle' is not an ACLED event type; use one of: ",
        ),
        (["--sub-type", "clash"], "[E017] Bad filter 'sub_event_type': 'clash' is not an ACLED sub-event type"),
        (["--place", "Xyzzyville"], "[E017] Bad filter 'place': no place called 'Xyzzyville' is stored or in the"),
        (["--admin1", "Xyzzyshire"], "[E017] Bad filter 'admin1': no admin1 area called 'Xyzzyshire' is stored"),
        (["--near", "36.7", "--radius", "5"], "[E017] Bad filter 'near': 'longitude,latitude' expected"),
        (["--near", "36.7,95", "--radius", "5"], "[E017] Bad filter 'filters': near must be a latitude in [-90, 90]"),
    ],
)
def test_cli_bad_filters_are_one_line(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["events", "--db", _empty_db(tmp_path), *args])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}") and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "params", "status"),
    [
        (["--place", "Xyzzyville"], {"place": "Xyzzyville"}, 400),
        (["--place", "Xyzzyville", "--radius", "10"], {"place": "Xyzzyville", "radius_km": "10"}, 400),
        (["--admin1", "Xyzzyshire"], {"admin1": "Xyzzyshire"}, 400),
        (["--type", "battle"], {"event_type": "battle"}, 400),
        (["--near", "36.7,95", "--radius", "5"], {"near": "36.7,95", "radius_km": "5"}, 422),
    ],
)
def test_cli_and_api_refuse_the_same_filters_alike(
    runner: CliRunner, tmp_path: Path, args: list[str], params: dict[str, str], status: int
) -> None:
    db = _empty_db(tmp_path)
    result = runner.invoke(app, ["events", "--db", db, *args])
    store = open_store(db)
    response = TestClient(create_app(store, token="")).get("/api/events", params=params)
    store.close()
    assert result.exit_code == 1 and response.status_code == status
    assert result.output.strip() == f"Error: {response.json()['detail']}"


def test_cli_known_place_without_events_is_an_empty_answer(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["events", "--db", _empty_db(tmp_path), "--place", "Hama", "--format", "jsonl"])
    assert result.exit_code == 0 and result.output == ""
