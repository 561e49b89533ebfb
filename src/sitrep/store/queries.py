"""Reads, returning models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection, func, select

from ..models import Document, Event, Report
from .filters import EventFilter
from .schema import document_copies, documents, events, reports


def iter_events(
    conn: Connection, where: EventFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> Iterator[Event]:
    """Events matching a filter, by date then id."""
    where = where or EventFilter()
    query = (
        select(
            events.c.data,
            events.c.deleted,
            events.c.first_seen,
            events.c.updated_at,
            events.c.latitude,
            events.c.longitude,
        )
        .where(*where.clauses())
        .order_by(events.c.event_date, events.c.event_id)
    )
    exact_radius = where.near is not None and where.radius_km is not None
    if limit is not None and not exact_radius:
        query = query.limit(limit).offset(offset)
    skipped = returned = 0
    for row in conn.execute(query):
        if not where.within_radius(row.latitude, row.longitude):
            continue
        if exact_radius and skipped < offset:
            skipped += 1
            continue
        event = Event.model_validate(row.data["content"])
        yield event.model_copy(
            update={
                "deleted": bool(row.deleted),
                "first_seen": _utc(row.first_seen),
                "updated_at": _utc(row.updated_at),
            }
        )
        returned += 1
        if exact_radius and limit is not None and returned >= limit:
            return


def count_events(conn: Connection, *, include_deleted: bool = False) -> int:
    """How many events are stored."""
    query = select(func.count()).select_from(events)
    if not include_deleted:
        query = query.where(events.c.deleted.is_(False))
    return int(conn.execute(query).scalar_one())


def event_ids(conn: Connection) -> list[str]:
    """Ids of all live events."""
    return [row[0] for row in conn.execute(select(events.c.event_id).where(events.c.deleted.is_(False)))]


def iter_reports(
    conn: Connection, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Iterator[Report]:
    """Stored reports, optionally of a date range, in id order."""
    query = select(reports.c.data).order_by(reports.c.report_id)
    if date_from:
        query = query.where(reports.c.event_date >= date_from)
    if date_to:
        query = query.where(reports.c.event_date <= date_to)
    for row in conn.execute(query):
        yield Report.model_validate(row.data)


def get_document(conn: Connection, document_id: str) -> Document | None:
    """One stored document by id."""
    row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
    if row is None:
        return None
    data = dict(row)
    data.pop("minhash", None)
    data["ingested_at"] = _utc(data["ingested_at"])
    return Document.model_validate(data)


def iter_signatures(conn: Connection) -> Iterator[tuple[str, bytes]]:
    """(document id, MinHash bytes) of every stored document, to rebuild the near-duplicate index."""
    query = select(documents.c.id, documents.c.minhash).where(documents.c.minhash.is_not(None))
    for row in conn.execute(query):
        yield row.id, bytes(row.minhash)


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows per table, for summaries and tests."""
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in (documents, document_copies, reports, events)
    }


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
