"""Territorial control: periods per settlement from takeover events, their status, front distances, storage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sitrep.control.timeline import control_timeline, front_distance, load_control_vocabulary, reported_distances
from sitrep.errors import DataFileError
from sitrep.models import ControlPeriod, Event, Evidence, Figure
from sitrep.settings import Settings
from sitrep.store import open_store
from sitrep.store import queries as q
from sitrep.store import write as w

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HTS = "Hayat Tahrir al Sham"
ARMY = "Military Forces of Syria (2000-)"
# Gazetteer facts (GeoNames ids and coordinates), not text.
HAMA = {"location": "Hama", "geonameid": 170017, "latitude": 35.13, "longitude": 36.76, "admin1": "Hama"}
HOMS = {"location": "Homs", "geonameid": 169577, "latitude": 34.72, "longitude": 36.73, "admin1": "Homs"}


def _event(event_id: str, day: int, place: dict[str, Any], text: str, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "event_id": event_id,
        "event_date": dt.date(2024, 12, day),
        "event_type": "Battles",
        "sub_event_type": "Non-state actor overtakes territory",
        "actor1": HTS,
        "actor2": ARMY,
        "geo_precision": 1,
        "attributed_to": ["Syrian Observatory for Human Rights"],
        "evidence": [Evidence(text=text, start=0, end=len(text))],
        "country": "Syria",
        **place,
    }
    values.update(fields)
    return Event.model_validate(values)


# Unit tests of the timeline use a handful of events: one reported battle is enough to call a country at war.
SETTINGS = Settings(control_conflict_events=1)


def _timeline(events: list[Event], **kwargs: Any) -> list[tuple[str, str, str, str, str | None]]:
    return [
        (p.place, p.actor, p.status, p.valid_from.isoformat(), p.valid_to.isoformat() if p.valid_to else None)
        for p in control_timeline(events, settings=SETTINGS, **kwargs)
    ]


def test_control_takeover_starts_a_period_held_by_the_coalition() -> None:
    events = [_event("e1", 5, HAMA, "Fighters seized the city.")]
    assert _timeline(events) == [("Hama", "Military Operations Command", "assessed", "2024-12-05", None)]


def test_control_next_change_closes_the_period() -> None:
    events = [
        _event("e1", 5, HAMA, "Fighters seized the city."),
        _event("e2", 9, HAMA, "The army retook the city.", sub_event_type="Government regains territory",
               actor1=ARMY, actor2=HTS),
    ]  # fmt: skip
    assert _timeline(events) == [
        ("Hama", "Military Operations Command", "assessed", "2024-12-05", "2024-12-08"),
        ("Hama", ARMY, "assessed", "2024-12-09", None),
    ]


@pytest.mark.parametrize(
    ("claimants", "text", "status"),
    [
        (["Military Operations Command"], "Its fighters seized the city.", "claimed"),
        ([ARMY], "The army said it withdrew from the city.", "assessed"),
        (["Syrian Observatory for Human Rights"], "Fighters pushed into the western districts.", "contested"),
    ],
)
def test_control_status_follows_who_says_it(claimants: list[str], text: str, status: str) -> None:
    events = [_event("e1", 5, HAMA, text, attributed_to=claimants)]
    assert [p.status for p in control_timeline(events, settings=SETTINGS)] == [status]


def test_control_withdrawal_gives_the_place_to_the_other_side() -> None:
    text = "Rebels took control of the city after the army pulled out."
    events = [_event("e1", 7, HOMS, text, event_type="Strategic developments",
                     sub_event_type="Non-violent transfer of territory", actor1=ARMY, actor2=HTS)]  # fmt: skip
    assert [p.actor for p in control_timeline(events, settings=SETTINGS)] == ["Military Operations Command"]


def test_control_countryside_takeover_says_nothing_about_the_city() -> None:
    events = [_event("e1", 4, HAMA, "Fighters seized villages in the countryside.", geo_precision=2)]
    assert control_timeline(events, settings=SETTINGS) == []


def test_control_clash_after_takeover_makes_it_contested() -> None:
    events = [
        _event("e1", 5, HAMA, "Fighters seized the city."),
        _event("e2", 7, HAMA, "Clashes went on in Hama.", sub_event_type="Armed clash"),
    ]
    assert [(p.status, p.valid_from.day) for p in control_timeline(events, settings=SETTINGS)] == [
        ("assessed", 5),
        ("contested", 7),
    ]


def test_control_front_distance_to_nearest_held_settlement() -> None:
    periods = control_timeline([_event("e1", 5, HAMA, "Fighters seized the city.")], settings=SETTINGS)
    homs = (34.72, 36.73)
    distance = front_distance(periods, "Homs", HTS, dt.date(2024, 12, 6), homs)
    assert distance is not None and 40 < distance < 50
    assert front_distance(periods, "Homs", HTS, dt.date(2024, 12, 4), homs) is None


def test_control_reported_distances_keep_claimants() -> None:
    figure = Figure(kind="distance_km", value=10, place="Hama", claimant="Syrian Observatory for Human Rights")
    event = _event("e1", 4, HAMA, "Fighters advanced.", sub_event_type="Armed clash", figures=[figure])
    assert reported_distances([event], "hama") == [figure]


def test_control_vocabulary_bad_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "control.yaml"
    path.write_text("control:\n  territorial_sub_types: []\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="territorial_sub_types"):
        load_control_vocabulary(path)


def test_control_store_sync_is_idempotent(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "c.db"))
    periods = control_timeline([_event("e1", 5, HAMA, "Fighters seized the city.")], settings=SETTINGS)
    with store.begin() as conn:
        assert w.sync_control_periods(conn, periods) == (1, 0, 0)
    with store.begin() as conn:
        assert w.sync_control_periods(conn, periods) == (0, 0, 0)
    with store.connect() as conn:
        assert list(q.iter_control_periods(conn, on=dt.date(2024, 12, 6), actor="operations")) == periods
        assert list(q.iter_control_periods(conn, on=dt.date(2024, 12, 4))) == []


@pytest.mark.model
def test_control_examples_give_the_city_takeovers(tmp_path: Path) -> None:
    from sitrep.run.pipeline import Pipeline
    from sitrep.views.cli import app

    db = str(tmp_path / "e.db")
    Pipeline(Settings()).ingest([str(EXAMPLES)], open_store(db))
    result = CliRunner().invoke(app, ["control", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    periods = [ControlPeriod.model_validate(p) for p in json.loads(result.output)]
    first = {p.place: p.valid_from for p in sorted(periods, key=lambda p: p.valid_from, reverse=True)}
    assert first.get("Aleppo") in (dt.date(2024, 11, 29), dt.date(2024, 11, 30))
    assert first.get("Hama") == dt.date(2024, 12, 5)
    assert first.get("Homs") in (dt.date(2024, 12, 7), dt.date(2024, 12, 8))
    assert first.get("Damascus") == dt.date(2024, 12, 8)
    for period in periods:
        assert period.actor != ARMY and period.event_ids
    held_by = {p.place: p.actor for p in periods if p.place in ("Aleppo", "Hama", "Homs", "Damascus")}
    assert set(held_by.values()) == {"Military Operations Command"}, held_by


IDLIB = {"location": "Saraqib", "geonameid": 163345, "latitude": 35.86, "longitude": 36.80, "admin1": "Idlib"}
ALEPPO = {"location": "Aleppo", "geonameid": 170063, "latitude": 36.20, "longitude": 37.16, "admin1": "Aleppo"}
DARAA = {"location": "Daraa", "geonameid": 170592, "latitude": 32.62, "longitude": 36.10, "admin1": "Dar'a"}
LOOSE = "Unidentified Armed Group (Syria)"


def _clash(event_id: str, day: int, place: dict[str, Any], actor: str) -> Event:
    text = f"Fighting went on in {place['location']}."
    return _event(event_id, day, place, text, sub_event_type="Armed clash", actor1=actor)


def _handover(event_id: str, day: int, place: dict[str, Any], actor: str) -> Event:
    return _event(event_id, day, place, "The army withdrew and the rebels entered.", actor1=actor, country="Syria",
                  event_type="Strategic developments", sub_event_type="Non-violent transfer of territory")  # fmt: skip


def _unnamed_takeover(day: int, place: dict[str, Any]) -> Event:
    return _event("t", day, place, "Rebel fighters seized the city.", actor1=LOOSE, country="Syria")


@pytest.mark.parametrize(
    ("fighting", "holder"),
    [
        ([_clash("c1", 3, IDLIB, HTS)], "Military Operations Command"),  # one named side nearby, just before
        # a town handed over to a named side shows the offensive too
        ([_handover("h1", 3, IDLIB, HTS)], "Military Operations Command"),
        ([_clash("c1", 3, IDLIB, HTS), _clash("c2", 4, IDLIB, "Syrian National Army")], LOOSE),  # two sides
        ([_clash("c1", 9, IDLIB, HTS)], LOOSE),  # the named side fought there only later
        ([_clash("c1", 3, DARAA, HTS)], LOOSE),  # too far away (about 400 km)
        ([], LOOSE),  # nobody named
    ],
)
def test_control_unnamed_rebels_are_credited_to_the_one_named_offensive(fighting: list[Event], holder: str) -> None:
    periods = control_timeline([*fighting, _unnamed_takeover(5, ALEPPO)], settings=SETTINGS)
    aleppo = [p for p in periods if p.place == "Aleppo"]
    assert [p.actor for p in aleppo] == [holder]
    assert aleppo[0].reported_actor == (LOOSE if holder != LOOSE else None)


def test_control_offensive_credit_can_be_turned_off() -> None:
    events = [_clash("c1", 3, IDLIB, HTS), _unnamed_takeover(5, ALEPPO)]
    periods = control_timeline(events, settings=Settings(offensive_days=0, control_conflict_events=1))
    assert [p.actor for p in periods if p.place == "Aleppo"] == [LOOSE]


@pytest.mark.parametrize("fmt", ["json", "geojson"])
def test_control_cli_prints_the_contract(tmp_path: Path, fmt: str) -> None:
    from sitrep.views.cli import app

    db = str(tmp_path / "cli.db")
    store = open_store(db)
    with store.begin() as conn:
        w.sync_control_periods(
            conn, control_timeline([_event("e1", 5, HAMA, "Fighters seized it.")], settings=SETTINGS)
        )
    result = CliRunner().invoke(app, ["control", "--db", db, "--date", "2024-12-06", "--format", fmt])
    assert result.exit_code == 0, result.output
    record = {
        "place": "Hama",
        "admin1": "Hama",
        "latitude": 35.13,
        "longitude": 36.76,
        "actor": "Military Operations Command",
        "status": "assessed",
        "valid_from": "2024-12-05",
        "valid_to": None,
        "event_ids": ["e1"],
        "assessed_by": ["Syrian Observatory for Human Rights"],
    }
    payload = json.loads(result.output)
    found = payload if fmt == "json" else [f["properties"] for f in payload["features"]]
    assert found == [record]
