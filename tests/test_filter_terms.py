"""One filter grammar: `sitrep events` and `GET /api/events` accept the same words and answer the same events, on
the real ingest of examples/ (case, actor aliases from the registry, admin1 and place spellings from the
gazetteer, one coordinate order)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sitrep.store import open_store
from sitrep.views.api import create_app
from sitrep.views.cli import app

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def client(examples_db: Path) -> Iterator[TestClient]:
    store = open_store(str(examples_db))
    yield TestClient(create_app(store, token=""))
    store.close()


def _cli_events(runner: CliRunner, db: Path, args: list[str]) -> list[dict[str, object]]:
    result = runner.invoke(app, ["events", "--db", str(db), "--format", "jsonl", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _api_ids(client: TestClient, params: dict[str, str]) -> list[str]:
    response = client.get("/api/events", params={**params, "limit": 1000})
    assert response.status_code == 200, response.text
    return [event["event_id"] for event in response.json()["events"]]


# Each case: how a user may write it on the command line, the same in a query string, and what each event found
# must satisfy. Every spelling of a case must find the same, non-empty set of events.
CASES = {
    "type in any case": [
        (["--type", "battles"], {"event_type": "battles"}),
        (["--type", "BATTLES"], {"event_type": "BATTLES"}),
        (["--type", "Battles"], {"event_type": "Battles"}),
    ],
    "sub-type in any case": [
        (
            ["--sub-type", "non-state actor overtakes territory"],
            {"sub_event_type": "non-state ACTOR overtakes territory"},
        ),
        (
            ["--sub-type", "Non-state actor overtakes territory"],
            {"sub_event_type": "Non-state actor overtakes territory"},
        ),
    ],
    "actor by acronym or alias": [
        (["--actor", "HTS"], {"actor": "HTS"}),
        (["--actor", "hts"], {"actor": "hts"}),
        (["--actor", "Hayat Tahrir al-Sham"], {"actor": "Hayat Tahrir al-Sham"}),
        (["--actor", "Hayat Tahrir al Sham"], {"actor": "Hayat Tahrir al Sham"}),
    ],
    "admin1 in the gazetteer's spellings": [
        (["--admin1", "Idlib"], {"admin1": "Idlib"}),
        (["--admin1", "idleb"], {"admin1": "idleb"}),
        (["--admin1", "Idlib Governorate"], {"admin1": "Idlib Governorate"}),
    ],
    "place in spelling variants": [
        (["--place", "Tal Rifat"], {"place": "Tal Rifat"}),
        (["--place", "Tall Rifaat"], {"place": "Tall Rifaat"}),
    ],
    "a circle around a place or a point (longitude first)": [
        (["--place", "Hama", "--radius", "30"], {"place": "Hama", "radius_km": "30"}),
        (["--near", "36.758,35.132", "--radius", "30"], {"near": "36.758,35.132", "radius_km": "30"}),
    ],
}
CHECKS = {
    "type in any case": lambda e: e["event_type"] == "Battles",
    "sub-type in any case": lambda e: e["sub_event_type"] == "Non-state actor overtakes territory",
    "actor by acronym or alias": lambda e: "Hayat Tahrir al Sham" in (e["actor1"], e["actor2"]),
    "admin1 in the gazetteer's spellings": lambda e: e["admin1"] == "Idleb",
    "place in spelling variants": lambda e: e["location"] == "Tal Rifat",
    "a circle around a place or a point (longitude first)": lambda e: abs(e["latitude"] - 35.13) < 0.3,
}


@pytest.mark.parametrize("case", list(CASES))
def test_filter_terms_every_spelling_finds_the_same_events_in_cli_and_api(
    runner: CliRunner, examples_db: Path, client: TestClient, case: str
) -> None:
    answers = []
    for args, params in CASES[case]:
        found = _cli_events(runner, examples_db, args)
        assert found and all(CHECKS[case](event) for event in found), (args, found)
        ids = [str(event["event_id"]) for event in found]
        assert _api_ids(client, params) == ids
        answers.append(ids)
    assert all(ids == answers[0] for ids in answers)


def test_filter_terms_type_in_any_case_is_the_stored_type(runner: CliRunner, examples_db: Path) -> None:
    every = _cli_events(runner, examples_db, [])
    battles = _cli_events(runner, examples_db, ["--type", "battles"])
    assert len(battles) == sum(1 for event in every if event["event_type"] == "Battles") > 0


def test_filter_terms_circle_is_smaller_than_everything(runner: CliRunner, examples_db: Path) -> None:
    every = _cli_events(runner, examples_db, [])
    around = _cli_events(runner, examples_db, ["--place", "Hama", "--radius", "30"])
    assert 0 < len(around) < len(every)


def test_filter_terms_unknown_place_is_the_same_error_in_cli_and_api(
    runner: CliRunner, examples_db: Path, client: TestClient
) -> None:
    result = runner.invoke(app, ["events", "--db", str(examples_db), "--place", "Hamaville"])
    response = client.get("/api/events", params={"place": "Hamaville"})
    assert result.exit_code == 1 and response.status_code == 400
    assert result.output.strip() == f"Error: {response.json()['detail']}"
    assert response.json()["detail"].startswith("[E017] Bad filter 'place': no place called 'Hamaville'")
