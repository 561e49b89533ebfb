"""Writes: idempotent and transactional. Writing the same thing twice changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from ..models import ControlPeriod, Document, Event, Figure, Report
from . import counters
from .schema import control_periods, document_copies, document_figures, documents, event_sources, events, reports
from .upsert import insert_ignore


def now() -> dt.datetime:
    """The current time in UTC, to the second (stored timestamps compare equal across backends)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def has_document(conn: Connection, document_id: str) -> bool:
    """Whether a document with this id is stored."""
    return conn.execute(select(documents.c.id).where(documents.c.id == document_id)).first() is not None


def write_document(conn: Connection, document: Document, *, minhash: bytes | None) -> int | None:
    """Store a document unless its id is there already (another process may have just stored it). Returns its write
    number (`counters.DOCUMENTS`), or `None` when it was stored already."""
    if has_document(conn, document.id):
        return None
    row = document.model_dump(exclude={"ingested_at"})
    seq = counters.advance(conn, counters.DOCUMENTS)
    new = insert_ignore(conn, documents, {**row, "minhash": minhash, "ingested_at": now(), "seq": seq})
    return seq if new else None


def record_copy(
    conn: Connection,
    document_id: str,
    *,
    source: str,
    url: str | None,
    outlet: str | None,
    kind: str,
    similarity: float,
    minhash: bytes | None = None,
) -> bool:
    """Remember that `source` repeated a stored document (exactly or nearly), with the copy's MinHash signature.
    Returns whether it was new.

    The document's own source read again is not a copy: re-ingesting the same input changes nothing.
    """
    own = conn.execute(select(documents.c.source).where(documents.c.id == document_id)).scalar()
    if own is None or own == source:  # None: the original failed and is not stored; its next ingest records this
        return False
    values = {
        "document_id": document_id,
        "source": source,
        "url": url,
        "outlet": outlet,
        "kind": kind,
        "similarity": round(similarity, 4),
        "seen_at": now(),
        "minhash": minhash,
    }
    return insert_ignore(conn, document_copies, values)


def write_document_figures(conn: Connection, document: Document, figures: Sequence[Figure]) -> int:
    """Store the figures a document states, in document order, unless they are stored already. Returns how many
    were new. A figure with no date of its own is filed under the document's publication date."""
    stored = conn.execute(select(document_figures.c.position).where(document_figures.c.document_id == document.id))
    if stored.first() is not None:
        return 0
    rows = [
        {
            "document_id": document.id,
            "position": position,
            "kind": figure.kind,
            "figure_date": figure.date or document.published,
            "data": figure.model_dump(mode="json"),
        }
        for position, figure in enumerate(figures)
    ]
    if rows:
        conn.execute(insert(document_figures), rows)
    return len(rows)


def remove_document(conn: Connection, document_id: str) -> tuple[list[dict[str, Any]], set[tuple[dt.date, str]]]:
    """Delete a document with its reports, figures and copy records (a copy ranked before it replaces it). Returns
    its copy records, to move to the document that replaces it (the document's own first, as a copy with its
    MinHash), and the (date, block) of its reports, to fuse again."""
    own = conn.execute(
        select(documents.c.source, documents.c.url, documents.c.outlet, documents.c.minhash).where(
            documents.c.id == document_id
        )
    ).mappings()
    copies = [{**row, "kind": "near", "similarity": 0.0} for row in own]
    copies += [
        dict(row)
        for row in conn.execute(
            select(
                document_copies.c.source,
                document_copies.c.url,
                document_copies.c.outlet,
                document_copies.c.kind,
                document_copies.c.similarity,
                document_copies.c.minhash,
            ).where(document_copies.c.document_id == document_id)
        ).mappings()
    ]
    dates = {
        (row.event_date, row.fusion_block or "")
        for row in conn.execute(
            select(reports.c.event_date, reports.c.fusion_block).where(
                reports.c.document_id == document_id, reports.c.event_date.is_not(None)
            )
        )
    }
    conn.execute(delete(event_sources).where(event_sources.c.document_id == document_id))
    conn.execute(delete(reports).where(reports.c.document_id == document_id))
    conn.execute(delete(document_copies).where(document_copies.c.document_id == document_id))
    conn.execute(delete(document_figures).where(document_figures.c.document_id == document_id))
    conn.execute(delete(documents).where(documents.c.id == document_id))
    return copies, dates


def write_reports(conn: Connection, items: Iterable[Report], *, block_of: Callable[[Report], str]) -> int:
    """Store reports not stored yet (keyed by report_id), each with its fusion block (`block_of`, the fusion stage's
    `report_block`: the store knows only the data model). Returns how many were new."""
    new = 0
    for report in items:
        if conn.execute(select(reports.c.report_id).where(reports.c.report_id == report.report_id)).first():
            continue
        conn.execute(
            insert(reports).values(
                report_id=report.report_id,
                document_id=report.document_id,
                event_date=report.event_date,
                event_type=report.event_type,
                sub_event_type=report.sub_event_type,
                fusion_block=block_of(report),
                data=report.model_dump(mode="json"),
            )
        )
        new += 1
    return new


def sync_events(conn: Connection, fused: Sequence[Event], *, replaces: Iterable[str] = ()) -> tuple[int, int, int]:
    """Make the stored events match a fresh fusion of some reports.

    An event whose content is unchanged is left alone (same `updated_at`); a changed one is updated; a new one
    is inserted; an event id in `replaces` that the fusion no longer produces is marked deleted, so that an
    "updated since" query sees the deletion.

    Args:
        conn: An open transaction.
        fused: The events fusion produced now.
        replaces: Ids of stored events that these events supersede (those fused from the same reports).

    Returns:
        Counts of (new, updated, deleted) events.
    """
    stamp = now()
    new = updated = deleted = 0
    fresh_ids = {event.event_id for event in fused}
    for event in fused:
        content = _event_content(event)
        stored = conn.execute(
            select(events.c.data, events.c.first_seen, events.c.deleted).where(events.c.event_id == event.event_id)
        ).first()
        if stored is not None and not stored.deleted and stored.data.get("content") == content:
            held = select(func.count()).select_from(event_sources).where(event_sources.c.event_id == event.event_id)
            if conn.execute(held).scalar_one() == len(event.report_ids):
                continue
            # Unchanged, but a document of its reports was replaced by a better copy of itself meanwhile (the same
            # reports again): its sources are to be written anew.
            _write_sources(conn, event)
            continue
        first_seen = stored.first_seen if stored is not None else stamp
        payload = event.model_copy(update={"first_seen": first_seen, "updated_at": stamp})
        values = _event_row(payload, content)
        if stored is None:
            conn.execute(insert(events).values(**values))
            new += 1
        else:
            conn.execute(update(events).where(events.c.event_id == event.event_id).values(**values))
            updated += 1
        _write_sources(conn, event)
    for event_id in set(replaces) - fresh_ids:
        result = conn.execute(
            update(events)
            .where(events.c.event_id == event_id, events.c.deleted.is_(False))
            .values(deleted=True, updated_at=stamp)
        )
        conn.execute(delete(event_sources).where(event_sources.c.event_id == event_id))
        deleted += result.rowcount or 0
    if new or updated or deleted:
        counters.advance(conn, counters.CONTROL_INPUTS)
    return new, updated, deleted


def _write_sources(conn: Connection, event: Event) -> None:
    conn.execute(delete(event_sources).where(event_sources.c.event_id == event.event_id))
    # One statement for all the rows (executemany): an event of thousands of reports was thousands of statements,
    # each compiled anew, inside the write transaction that other writers wait for.
    rows = [
        {"event_id": event.event_id, "report_id": report_id, "document_id": source[0], "outlet": source[1],
         "attributed_to": source[2]}
        for report_id, source in zip(event.report_ids, _sources_by_report(event), strict=True)
    ]  # fmt: skip
    if rows:
        conn.execute(insert(event_sources), rows)


def _event_content(event: Event) -> dict[str, Any]:
    """What an event says, without its bookkeeping timestamps: equal content means nothing changed."""
    return event.model_dump(mode="json", exclude={"first_seen", "updated_at", "deleted"})


def _event_row(event: Event, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_date": event.event_date,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "actor2": event.actor2,
        "country": event.country,
        "admin1": event.admin1,
        "location": event.location,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "fatalities": event.fatalities,
        "n_sources": event.n_sources,
        "deleted": False,
        "first_seen": event.first_seen,
        "updated_at": event.updated_at,
        "data": {"content": content},
    }


def _sources_by_report(event: Event) -> list[tuple[str, str | None, list[str]]]:
    """(document id, outlet, claimants) for each of the event's reports, in `report_ids` order."""
    by_document = {source.document_id: source for source in event.sources}
    out = []
    for report_id in event.report_ids:
        document_id = report_id.split(":", 1)[0]
        source = by_document.get(document_id)
        out.append((document_id, source.outlet if source else None, list(source.attributed_to) if source else []))
    return out


def sync_control_periods(conn: Connection, periods: Sequence[ControlPeriod]) -> tuple[int, int, int]:
    """Make the stored control periods match a fresh timeline: insert new ones, update changed ones (keyed by a
    stable `period_id`), delete those the timeline no longer has. Writing the same timeline twice changes nothing.

    Args:
        conn: An open transaction.
        periods: The whole timeline, as `control.control_timeline` made it.

    Returns:
        Counts of (new, updated, deleted) periods.
    """
    new = updated = 0
    fresh: set[str] = set()
    for period in periods:
        pid = control_period_id(period)
        fresh.add(pid)
        data = period.model_dump(mode="json")
        values = {
            "place": period.place,
            "geonameid": period.geonameid,
            "actor": period.actor,
            "status": period.status,
            "valid_from": period.valid_from,
            "valid_to": period.valid_to,
            "data": data,
        }
        stored = conn.execute(select(control_periods.c.data).where(control_periods.c.period_id == pid)).first()
        if stored is None:
            conn.execute(insert(control_periods).values(period_id=pid, **values))
            new += 1
        elif stored.data != data:
            conn.execute(update(control_periods).where(control_periods.c.period_id == pid).values(**values))
            updated += 1
    gone = [row[0] for row in conn.execute(select(control_periods.c.period_id)) if row[0] not in fresh]
    for pid in gone:
        conn.execute(delete(control_periods).where(control_periods.c.period_id == pid))
    return new, updated, len(gone)


def control_period_id(period: ControlPeriod) -> str:
    """A stable id for a control period: its settlement, holder, status and first day."""
    place = f"g{period.geonameid}" if period.geonameid is not None else period.place.casefold()
    key = "|".join((place, period.actor, period.status, period.valid_from.isoformat()))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
