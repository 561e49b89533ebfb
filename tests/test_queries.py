"""The view reads of `store/queries.py`: one event with its reports and documents, figures, control periods."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from sitrep.fuse.clusters import report_block
from sitrep.models import Document, Event, Figure, Report, Source
from sitrep.store import Store
from sitrep.store import queries as q
from sitrep.store import write as w
from sitrep.store.filters import EventFilter
from sitrep.store.schema import control_periods
from sitrep.views.api import create_app


def _fill(store: Store) -> None:
    """Two documents; event e1 fused from a report of each, event e2 from one; figures of two kinds."""
    documents = [Document(id=d, source=f"{d}.txt", outlet=f"Outlet {d}", text=f"Text of {d}.") for d in ("d1", "d2")]
    reports = [
        Report(report_id=f"{d}:0:r", document_id=d, sentence_start=0, sentence_end=8, sentence=f"Text of {d}.",
               event_type="Battles", sub_event_type="Armed clash", event_date=dt.date(2024, 12, 1))
        for d in ("d1", "d2")
    ] + [Report(report_id="d2:9:s", document_id="d2", sentence_start=0, sentence_end=8, sentence="Text of d2.",
                event_type="Protests", sub_event_type="Peaceful protest", event_date=dt.date(2024, 12, 3))]  # fmt: skip
    events = [
        Event(event_id="e1", event_type="Battles", sub_event_type="Armed clash", event_date=dt.date(2024, 12, 1),
              report_ids=["d1:0:r", "d2:0:r"], n_sources=2,
              sources=[Source(document_id="d1", outlet="Outlet d1"), Source(document_id="d2", outlet="Outlet d2")],
              figures=[Figure(kind="killed", value=4, claimant="SANA"), Figure(kind="displaced", value=900)]),
        Event(event_id="e2", event_type="Protests", sub_event_type="Peaceful protest",
              event_date=dt.date(2024, 12, 3), report_ids=["d2:9:s"], n_sources=1,
              sources=[Source(document_id="d2", outlet="Outlet d2")],
              figures=[Figure(kind="killed", value=1)]),
    ]  # fmt: skip
    with store.begin() as conn:
        for document in documents:
            w.write_document(conn, document, minhash=None)
        w.write_reports(conn, reports, block_of=report_block)
        w.sync_events(conn, events)


@pytest.mark.parametrize(
    ("event_id", "reports", "documents"),
    [("e1", ["d1:0:r", "d2:0:r"], ["d1", "d2"]), ("e2", ["d2:9:s"], ["d2"]), ("nope", [], [])],
)
def test_queries_event_with_reports_and_documents(
    store: Store, event_id: str, reports: list[str], documents: list[str]
) -> None:
    _fill(store)
    with store.connect() as conn:
        event = q.get_event(conn, event_id)
        assert (event.event_id if event else None) == (event_id if reports else None)
        assert [r.report_id for r in q.event_reports(conn, event_id)] == reports
        assert [d.id for d in q.event_documents(conn, event_id)] == documents


@pytest.mark.parametrize(
    ("where", "kind", "expected"),
    [
        (None, None, [("e1", "killed"), ("e1", "displaced"), ("e2", "killed")]),
        (None, "killed", [("e1", "killed"), ("e2", "killed")]),
        (EventFilter(date_from=dt.date(2024, 12, 2)), None, [("e2", "killed")]),
    ],
)
def test_queries_figures(store: Store, where: EventFilter | None, kind: str | None, expected: list[tuple]) -> None:
    _fill(store)
    with store.connect() as conn:
        assert [(f.event_id, f.kind) for f in q.iter_figures(conn, where, kind=kind)] == expected


def test_queries_latest_event_date(store: Store) -> None:
    with store.connect() as conn:
        assert q.latest_event_date(conn) is None
    _fill(store)
    with store.connect() as conn:
        assert q.latest_event_date(conn) == dt.date(2024, 12, 3)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["p1", "p2", "p3"]),
        ({"on": dt.date(2024, 12, 1)}, ["p1", "p3"]),
        ({"on": dt.date(2024, 12, 6)}, ["p2", "p3"]),
        ({"date_from": dt.date(2024, 12, 2), "date_to": dt.date(2024, 12, 8)}, ["p2"]),
        ({"place": "HAMA"}, ["p1", "p2"]),
    ],
)
def test_queries_control_periods(store: Store, kwargs: dict[str, object], expected: list[str]) -> None:
    rows = [
        ("p1", "Hama", "Government", dt.date(2024, 11, 1), dt.date(2024, 12, 4)),
        ("p2", "Hama", "HTS", dt.date(2024, 12, 5), None),
        ("p3", "Idlib", "HTS", dt.date(2020, 1, 1), None),
    ]
    with store.begin() as conn:
        for period_id, place, actor, valid_from, valid_to in rows:
            # The model's JSON in `data` carries the id as its actor so the test can tell periods apart.
            data = {"place": place, "actor": period_id, "status": "assessed", "valid_from": valid_from.isoformat(),
                    "valid_to": valid_to.isoformat() if valid_to else None}  # fmt: skip
            conn.execute(
                insert(control_periods).values(period_id=period_id, place=place, actor=actor, status="assessed",
                                               valid_from=valid_from, valid_to=valid_to, data=data)
            )  # fmt: skip
    with store.connect() as conn:
        assert [p.actor for p in q.iter_control_periods(conn, **kwargs)] == expected  # type: ignore[arg-type]


# ---- date range and box over many events: the indexed query returns exactly what a brute-force filter keeps ------

FIRST_DAY = dt.date(2024, 1, 1)


def _scattered_events(seed: int) -> tuple[list[Event], set[str]]:
    """200 events on 90 days: many on a few shared points and days (ties for the order), some anywhere in the
    world (the corners too), some without coordinates; and the ids of those to mark deleted."""
    rng = random.Random(seed)
    points = [(round(rng.uniform(32, 37), 4), round(rng.uniform(35, 42), 4)) for _ in range(6)]
    points += [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)]
    events = []
    for i in range(200):
        roll = rng.random()
        latitude: float | None
        longitude: float | None
        if roll < 0.6:
            latitude, longitude = rng.choice(points)
        elif roll < 0.9:
            latitude, longitude = round(rng.uniform(-90, 90), 4), round(rng.uniform(-180, 180), 4)
        else:
            latitude = longitude = None
        events.append(
            Event(event_id=f"{rng.getrandbits(32):08x}{i:03d}", event_type="Battles", sub_event_type="Armed clash",
                  event_date=FIRST_DAY + dt.timedelta(days=rng.randrange(90)), latitude=latitude, longitude=longitude)
        )  # fmt: skip
    deleted = {event.event_id for event in rng.sample(events, 10)}
    return events, deleted


def _random_filter(rng: random.Random, events: list[Event]) -> EventFilter:
    """Dates, a box, or both; a box edge is often exactly an event's coordinate, to test that edges count."""
    located = [e for e in events if e.latitude is not None and e.longitude is not None]

    def edges(low: float, high: float, values: list[float]) -> tuple[float, float]:
        a, b = (rng.choice(values) if rng.random() < 0.5 else round(rng.uniform(low, high), 4) for _ in range(2))
        return min(a, b), max(a, b)

    days = sorted(FIRST_DAY + dt.timedelta(days=rng.randrange(-5, 95)) for _ in range(2))
    min_lon, max_lon = edges(-180, 180, [e.longitude for e in located if e.longitude is not None])
    min_lat, max_lat = edges(-90, 90, [e.latitude for e in located if e.latitude is not None])
    kind = rng.choice(("dates", "box", "both", "both"))
    return EventFilter(
        date_from=days[0] if kind != "box" else None,
        date_to=days[1] if kind != "box" else None,
        bbox=(min_lon, min_lat, max_lon, max_lat) if kind != "dates" else None,
    )


def _brute_force(events: list[Event], deleted: set[str], where: EventFilter) -> list[str]:
    kept = []
    for event in events:
        if event.event_id in deleted or event.event_date is None:
            continue
        if where.date_from and event.event_date < where.date_from:
            continue
        if where.date_to and event.event_date > where.date_to:
            continue
        if where.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = where.bbox
            if event.latitude is None or event.longitude is None:
                continue
            if not (min_lon <= event.longitude <= max_lon and min_lat <= event.latitude <= max_lat):
                continue
        kept.append(event)
    return [e.event_id for e in sorted(kept, key=lambda e: (e.event_date, e.event_id))]


def _fill_scattered(store: Store, seed: int) -> tuple[list[Event], set[str]]:
    events, deleted = _scattered_events(seed)
    with store.begin() as conn:
        w.sync_events(conn, events)
        w.sync_events(conn, [], replaces=deleted)
    return events, deleted


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queries_date_and_box_match_brute_force(store: Store, seed: int) -> None:
    events, deleted = _fill_scattered(store, seed)
    rng = random.Random(seed * 1000)
    wheres = [_random_filter(rng, events) for _ in range(40)]
    with store.connect() as conn:
        found = [[e.event_id for e in q.iter_events(conn, where)] for where in wheres]
    expected = [_brute_force(events, deleted, where) for where in wheres]
    assert found == expected
    assert sum(1 for ids in expected if ids) > 20  # most random filters keep some events: the check is not vacuous


@pytest.mark.parametrize("seed", [4, 5])
def test_queries_api_pages_match_brute_force(store: Store, seed: int) -> None:
    events, deleted = _fill_scattered(store, seed)
    client = TestClient(create_app(store, token=""))
    rng = random.Random(seed * 1000)
    for where in (_random_filter(rng, events) for _ in range(8)):
        params: dict[str, str | int] = {"limit": 7}
        if where.date_from and where.date_to:
            params.update(date_from=where.date_from.isoformat(), date_to=where.date_to.isoformat())
        if where.bbox:
            params["bbox"] = ",".join(repr(v) for v in where.bbox)
        paged: list[str] = []
        offset: int | None = 0
        while offset is not None:
            body = client.get("/api/events", params={**params, "offset": offset}).json()
            paged += [e["event_id"] for e in body["events"]]
            offset = body["next_offset"]
        assert paged == _brute_force(events, deleted, where)


def test_queries_date_and_box_are_answered_from_one_index(store: Store) -> None:
    where = EventFilter(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 1), bbox=(35.0, 32.0, 42.0, 37.0))
    with store.connect() as conn:
        if not store.is_sqlite:
            conn.exec_driver_sql("SET enable_seqscan = off")  # an almost empty table is otherwise read whole
        plan = "\n".join(q.explain_events(conn, where, limit=101))
    assert "ix_events_date_place" in plan
    if not store.is_sqlite:
        # The box is tested on the index entries (an index condition), not on rows fetched from the table.
        assert re.search(r"Index Cond: .*event_date >= .*latitude >= .*longitude >= ", plan), plan
