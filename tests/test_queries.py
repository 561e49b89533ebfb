"""The view reads of `store/queries.py`: one event with its reports and documents, figures, control periods."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from sitrep.models import Document, Event, Figure, Report, Source
from sitrep.store import Store
from sitrep.store import queries as q
from sitrep.store import write as w
from sitrep.store.filters import EventFilter
from sitrep.store.schema import control_periods


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
        w.write_reports(conn, reports)
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
