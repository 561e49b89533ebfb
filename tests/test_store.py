from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from sitrep.distance import haversine_km
from sitrep.errors import StoreError
from sitrep.fuse.clusters import report_block
from sitrep.models import Document, Event, Source
from sitrep.store import Store, database_url, open_store
from sitrep.store import queries as q
from sitrep.store import write as w
from sitrep.store.filters import EventFilter
from sitrep.store.schema import documents, metadata


def _event(event_id: str, *, day: int = 5, fatalities: int = 0, location: str = "Hama") -> Event:
    return Event(
        event_id=event_id,
        event_date=dt.date(2024, 12, day),
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Hayat Tahrir al Sham",
        actor2="Military Forces of Syria (2000-)",
        location=location,
        admin1="Hama",
        latitude=35.13,
        longitude=36.75,
        fatalities=fatalities,
        report_ids=[f"d{event_id}:0"],
        sources=[Source(document_id=f"d{event_id}", outlet="Wire", attributed_to=["SANA"])],
        n_sources=1,
    )


def _document(doc_id: str) -> Document:
    return Document(id=doc_id, source=f"{doc_id}.txt", text="Clashes in Hama.", published=dt.date(2024, 12, 5))


def _add_reports_for(store: Store, *events: Event) -> None:
    from sitrep.models import Report

    with store.begin() as conn:
        for event in events:
            doc_id = event.report_ids[0].split(":")[0]
            w.write_document(conn, _document(doc_id), minhash=None)
            w.write_reports(
                conn,
                [
                    Report(
                        report_id=event.report_ids[0],
                        document_id=doc_id,
                        sentence_start=0,
                        sentence_end=10,
                        sentence="x",
                        event_type="Battles",
                        sub_event_type="Armed clash",
                    )
                ],
                block_of=report_block,
            )


def test_store_migrations_match_the_schema(store: Store) -> None:
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_store_open_twice_is_harmless(tmp_path: Path) -> None:
    path = str(tmp_path / "x.db")
    open_store(path).close()
    again = open_store(path)
    with again.connect() as conn:
        assert q.count_rows(conn)["documents"] == 0


def test_store_sqlite_uses_wal(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "x.db"))
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_store_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"\[E013\] Database postgresql\+psycopg://u:\*\*\*@127.0.0.1:9/x"):
        open_store("postgresql://u:secret@127.0.0.1:9/x")


def test_store_database_url() -> None:
    assert database_url("a/b.db") == "sqlite:///a/b.db"
    assert database_url("postgresql://h/db") == "postgresql+psycopg://h/db"


def test_store_document_written_once(store: Store) -> None:
    with store.begin() as conn:
        assert w.write_document(conn, _document("d1"), minhash=b"\x00" * 8)
        assert not w.write_document(conn, _document("d1"), minhash=None)
        assert w.record_copy(conn, "d1", source="copy.txt", url=None, outlet="X", kind="exact", similarity=1.0)
        assert not w.record_copy(conn, "d1", source="copy.txt", url=None, outlet="X", kind="exact", similarity=1.0)
    with store.connect() as conn:
        assert q.count_rows(conn) == {"documents": 1, "document_copies": 1, "reports": 0, "events": 0}
        document = q.get_document(conn, "d1")
    assert document is not None and document.published == dt.date(2024, 12, 5) and document.ingested_at


def test_store_a_document_written_after_a_reader_looked_is_found_whatever_its_timestamp(store: Store) -> None:
    """What another writer stored is found by its write number, not its clock: a transaction that committed long
    after it stamped `ingested_at` (a loaded machine) is found all the same."""
    with store.begin() as conn:
        w.write_document(conn, _document("d1"), minhash=b"\x01" * 8)
    with store.connect() as conn:
        seen = max(seq for _, _, seq in q.iter_signatures(conn))
    with store.begin() as conn:
        later = w.write_document(conn, _document("d2"), minhash=b"\x02" * 8)
        conn.execute(update(documents).where(documents.c.id == "d2").values(ingested_at=dt.datetime(2000, 1, 1)))
    assert later is not None and later > seen
    with store.connect() as conn:
        assert [doc_id for doc_id, _, _ in q.iter_signatures(conn, after=seen)] == ["d2"]
        assert list(q.iter_signatures(conn, after=later)) == []


def test_store_sync_events_new_unchanged_updated_deleted(store: Store) -> None:
    a, b = _event("a"), _event("b", day=6)
    _add_reports_for(store, a, b)
    with store.begin() as conn:
        assert w.sync_events(conn, [a, b]) == (2, 0, 0)
    with store.connect() as conn:
        first = {e.event_id: e for e in q.iter_events(conn)}
    with store.begin() as conn:
        assert w.sync_events(conn, [a, b], replaces=["a", "b"]) == (0, 0, 0)
    with store.connect() as conn:
        assert {e.event_id: e.updated_at for e in q.iter_events(conn)} == {k: v.updated_at for k, v in first.items()}
    with store.begin() as conn:
        assert w.sync_events(conn, [a.model_copy(update={"fatalities": 4})], replaces=["a", "b"]) == (0, 1, 1)
    with store.connect() as conn:
        live = list(q.iter_events(conn))
        assert [(e.event_id, e.fatalities) for e in live] == [("a", 4)]
        since = list(q.iter_events(conn, EventFilter(updated_since=first["a"].updated_at)))
        assert {(e.event_id, e.deleted) for e in since} == {("a", False), ("b", True)}


def test_store_sync_events_gives_an_unchanged_event_its_sources_back(store: Store) -> None:
    """A document replaced by a better copy of itself takes its reports' sources with it; the same reports come
    back, the event fused from them is unchanged, and it must hold them again."""
    a = _event("a")
    _add_reports_for(store, a)
    with store.begin() as conn:
        w.sync_events(conn, [a])
        w.remove_document(conn, "da")
    _add_reports_for(store, a)
    with store.begin() as conn:
        assert q.events_of_reports(conn, a.report_ids) == set()
        assert w.sync_events(conn, [a], replaces=["a"]) == (0, 0, 0)
        assert q.events_of_reports(conn, a.report_ids) == {"a"}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (EventFilter(), ["a", "b", "c"]),
        (EventFilter(date_from=dt.date(2024, 12, 6)), ["b", "c"]),
        (EventFilter(actor="tahrir"), ["a", "b", "c"]),
        (EventFilter(actor="100%_'; DROP TABLE events; --"), []),
        (EventFilter(place="homs"), ["c"]),
        (EventFilter(admin1="HAMA"), ["a", "b", "c"]),
        (EventFilter(bbox=(36.0, 35.0, 37.0, 35.5)), ["a", "b", "c"]),
        (EventFilter(bbox=(10.0, 10.0, 11.0, 11.0)), []),
        (EventFilter(near=(35.13, 36.75), radius_km=1), ["a", "b", "c"]),
    ],
)
def test_store_event_filters(store: Store, where: EventFilter, expected: list[str]) -> None:
    events = [_event("a"), _event("b", day=6), _event("c", day=7, location="Homs")]
    _add_reports_for(store, *events)
    with store.begin() as conn:
        w.sync_events(conn, events)
    with store.connect() as conn:
        assert [e.event_id for e in q.iter_events(conn, where)] == expected
        assert q.count_events(conn) == 3


def test_store_filter_rejects_impossible_coordinates() -> None:
    with pytest.raises(ValueError, match="latitude"):
        EventFilter(near=(95.0, 0.0), radius_km=5)


def test_store_haversine_hama_to_homs() -> None:
    assert 39 < haversine_km(35.1318, 36.7578, 34.7268, 36.7234) < 47
