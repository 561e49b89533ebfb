"""Reads, returning models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from ..models import ControlPeriod, Document, Event, Figure, Report
from .filters import EventFilter
from .schema import control_periods, document_copies, document_figures, documents, event_sources, events, reports


def iter_events(
    conn: Connection, where: EventFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> Iterator[Event]:
    """Events matching a filter, by date then id."""
    where = where or EventFilter()
    query = events_query(where, limit=limit, offset=offset)
    exact_radius = where.near is not None and where.radius_km is not None
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


def events_query(where: EventFilter, *, limit: int | None = None, offset: int = 0) -> Select[Any]:
    """The SELECT behind `iter_events`: the filter's conditions, by date then id, one page unless the filter is a
    radius (whose exact circle is tested in Python, so SQL cannot count the page).

    With a date range and a box, both backends answer it from `ix_events_date_place`, walking dates in order
    and testing the box on the index entries (`explain_events` shows the plans).
    """
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
    return query


def explain_events(conn: Connection, where: EventFilter, *, limit: int | None = None, offset: int = 0) -> list[str]:
    """The database's plan for `iter_events` with this filter, one line per step (SQLite's EXPLAIN QUERY PLAN,
    PostgreSQL's EXPLAIN), for benchmarks and tests."""
    rows = conn.execute(_Explain(events_query(where, limit=limit, offset=offset))).all()
    return [str(row[-1]) for row in rows]  # SQLite's detail is its last column, PostgreSQL's plan its only one


class _Explain(Executable, ClauseElement):
    """`EXPLAIN <select>` with the select's bound parameters (SQLAlchemy's compiler-extension recipe)."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(_Explain)
def _compile_explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    return prefix + compiler.process(element.statement, **kw)


def count_events(conn: Connection, *, include_deleted: bool = False) -> int:
    """How many events are stored."""
    query = select(func.count()).select_from(events)
    if not include_deleted:
        query = query.where(events.c.deleted.is_(False))
    return int(conn.execute(query).scalar_one())


def iter_reports(
    conn: Connection,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    blocks: Collection[str] | None = None,
    fused_or: Collection[str] | None = None,
) -> Iterator[Report]:
    """Stored reports, optionally of a date range and of some fusion blocks only, in id order; given `fused_or`,
    only those already fused into an event and those of these ids."""
    query = select(reports.c.data).order_by(reports.c.report_id)
    if fused_or is not None:
        fused = select(event_sources.c.report_id).where(event_sources.c.report_id == reports.c.report_id).exists()
        query = query.where(fused | reports.c.report_id.in_(sorted(fused_or)))
    if date_from:
        query = query.where(reports.c.event_date >= date_from)
    if date_to:
        query = query.where(reports.c.event_date <= date_to)
    if blocks is not None:
        query = query.where(reports.c.fusion_block.in_(sorted(blocks)))
    for row in conn.execute(query):
        yield Report.model_validate(row.data)


def report_block_states(
    conn: Connection, *, date_from: dt.date, date_to: dt.date, blocks: Collection[str] | None = None
) -> dict[str, tuple[int, str | None]]:
    """For each fusion block with reports in a date range (of `blocks` only, when given), how many there are and the
    largest of their ids: either changes when a document's reports of the block are stored or removed."""
    query = select(reports.c.fusion_block, func.count(), func.max(reports.c.report_id)).where(
        reports.c.event_date >= date_from, reports.c.event_date <= date_to
    )
    if blocks is not None:
        query = query.where(reports.c.fusion_block.in_(sorted(blocks)))
    return {row[0] or "": (int(row[1]), row[2]) for row in conn.execute(query.group_by(reports.c.fusion_block))}


def live_event_kinds(
    conn: Connection, *, date_from: dt.date, date_to: dt.date
) -> dict[str, tuple[str | None, str | None, str, str]]:
    """(admin1, country, event_type, sub_event_type) of each live event of a date range, by event id: what its
    fusion block is made of."""
    query = select(events.c.event_id, events.c.admin1, events.c.country, events.c.event_type, events.c.sub_event_type)
    query = query.where(events.c.event_date >= date_from, events.c.event_date <= date_to, events.c.deleted.is_(False))
    return {row.event_id: (row.admin1, row.country, row.event_type, row.sub_event_type) for row in conn.execute(query)}


def live_event_ids(conn: Connection, event_ids: Collection[str]) -> set[str]:
    """Which of these event ids are stored and not deleted."""
    found: set[str] = set()
    wanted = sorted(set(event_ids))
    for start in range(0, len(wanted), 1000):
        query = select(events.c.event_id).where(
            events.c.event_id.in_(wanted[start : start + 1000]), events.c.deleted.is_(False)
        )
        found.update(conn.execute(query).scalars())
    return found


def events_of_reports(conn: Connection, report_ids: Collection[str]) -> set[str]:
    """The ids of the events that hold any of these reports, read a thousand reports at a time."""
    found: set[str] = set()
    wanted = sorted(set(report_ids))
    for start in range(0, len(wanted), 1000):
        query = select(event_sources.c.event_id).where(event_sources.c.report_id.in_(wanted[start : start + 1000]))
        found.update(conn.execute(query).scalars())
    return found


def dates_of_events_holding(conn: Connection, report_ids: Collection[str]) -> dict[str, dt.date | None]:
    """The date of each live event that holds any of these reports, by event id, read a thousand reports at a time."""
    found: dict[str, dt.date | None] = {}
    wanted = sorted(set(report_ids))
    for start in range(0, len(wanted), 1000):
        query = (
            select(events.c.event_id, events.c.event_date)
            .join(event_sources, event_sources.c.event_id == events.c.event_id)
            .where(event_sources.c.report_id.in_(wanted[start : start + 1000]), events.c.deleted.is_(False))
        )
        found.update({row.event_id: row.event_date for row in conn.execute(query)})
    return found


def reports_of_events_dated(
    conn: Connection, *, date_from: dt.date, date_to: dt.date, blocks: Collection[str] | None = None
) -> dict[str, dt.date | None]:
    """The stored reports (of `blocks` only, when given) that the live events of a date range hold, with their own
    dates, by report id."""
    query = (
        select(reports.c.report_id, reports.c.event_date)
        .join(event_sources, event_sources.c.report_id == reports.c.report_id)
        .join(events, events.c.event_id == event_sources.c.event_id)
        .where(events.c.event_date >= date_from, events.c.event_date <= date_to, events.c.deleted.is_(False))
    )
    if blocks is not None:
        query = query.where(reports.c.fusion_block.in_(sorted(blocks)))
    return {row.report_id: row.event_date for row in conn.execute(query)}


def outlets_and_urls(
    conn: Connection, document_ids: Iterable[str]
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """The outlet and the URL of each of some documents, read a thousand at a time."""
    outlets: dict[str, str | None] = {}
    urls: dict[str, str | None] = {}
    wanted = sorted(set(document_ids))
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        query = select(documents.c.id, documents.c.outlet, documents.c.url).where(documents.c.id.in_(chunk))
        for row in conn.execute(query):
            outlets[row.id], urls[row.id] = row.outlet, row.url
    return outlets, urls


def get_document(conn: Connection, document_id: str) -> Document | None:
    """One stored document by id."""
    row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
    if row is None:
        return None
    data = dict(row)
    data.pop("minhash", None)
    data.pop("seq", None)
    data["ingested_at"] = _utc(data["ingested_at"])
    return Document.model_validate(data)


def iter_signatures(conn: Connection, *, after: int | None = None) -> Iterator[tuple[str, bytes, int]]:
    """(document id, MinHash bytes, write number) of every stored document (or of those whose write number is above
    `after`: stored after a reader saw that number), to build the near-duplicate index."""
    query = select(documents.c.id, documents.c.minhash, documents.c.seq).where(documents.c.minhash.is_not(None))
    if after is not None:
        query = query.where(documents.c.seq > after)
    for row in conn.execute(query):
        yield row.id, bytes(row.minhash), int(row.seq or 0)


def iter_copy_signatures(conn: Connection) -> Iterator[tuple[str, str, bytes]]:
    """(document id, the copy's source, the copy's MinHash bytes) of every copy recorded with its signature."""
    c = document_copies.c
    for row in conn.execute(select(c.document_id, c.source, c.minhash).where(c.minhash.is_not(None))):
        yield row.document_id, row.source, bytes(row.minhash)


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


# ---- reads for the views (API, report): one event with its evidence, figures, control periods -------------------


def get_event(conn: Connection, event_id: str) -> Event | None:
    """One stored event by id (a deleted one too, marked `deleted`), or `None`."""
    row = conn.execute(
        select(events.c.data, events.c.deleted, events.c.first_seen, events.c.updated_at).where(
            events.c.event_id == event_id
        )
    ).first()
    if row is None:
        return None
    event = Event.model_validate(row.data["content"])
    return event.model_copy(
        update={"deleted": bool(row.deleted), "first_seen": _utc(row.first_seen), "updated_at": _utc(row.updated_at)}
    )


def event_reports(conn: Connection, event_id: str) -> list[Report]:
    """The reports an event was fused from, with their sentences and evidence, in report id order."""
    query = (
        select(reports.c.data)
        .join(event_sources, event_sources.c.report_id == reports.c.report_id)
        .where(event_sources.c.event_id == event_id)
        .order_by(reports.c.report_id)
    )
    return [Report.model_validate(row.data) for row in conn.execute(query)]


def event_documents(conn: Connection, event_id: str) -> list[Document]:
    """The documents behind an event's reports, each once, in id order."""
    query = (
        select(event_sources.c.document_id)
        .where(event_sources.c.event_id == event_id)
        .distinct()
        .order_by(event_sources.c.document_id)
    )
    found = (get_document(conn, row.document_id) for row in conn.execute(query))
    return [document for document in found if document is not None]


def iter_figures(
    conn: Connection, where: EventFilter | None = None, *, kind: str | None = None
) -> Iterator[EventFigure]:
    """The figures of the events matching a filter (optionally of one kind), with their event's id."""
    for event in iter_events(conn, where):
        for figure in event.figures:
            if kind is None or figure.kind == kind:
                yield EventFigure(event_id=event.event_id, **figure.model_dump())


def iter_document_figures(
    conn: Connection,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kinds: tuple[str, ...] = (),
) -> Iterator[DocumentFigure]:
    """The figures the stored documents state (whether or not an event holds them), with each document's outlet.

    Args:
        conn: An open connection.
        date_from: Figures dated (or, undated, published) on or after this day.
        date_to: Figures dated on or before this day.
        kinds: Only these kinds (killed, displaced …); empty for all.

    Returns:
        The figures by date, then document and position.
    """
    f, d = document_figures.c, documents.c
    query = (
        select(f.data, f.document_id, d.outlet, d.url, d.title, d.published)
        .join(documents, documents.c.id == f.document_id)
        .order_by(f.figure_date, f.document_id, f.position)
    )
    if date_from is not None:
        query = query.where(f.figure_date >= date_from)
    if date_to is not None:
        query = query.where(f.figure_date <= date_to)
    if kinds:
        query = query.where(f.kind.in_(kinds))
    for row in conn.execute(query):
        yield DocumentFigure(
            document_id=row.document_id, outlet=row.outlet, url=row.url, title=row.title, published=row.published,
            **Figure.model_validate(row.data).model_dump(),
        )  # fmt: skip


def iter_control_periods(
    conn: Connection,
    *,
    on: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    place: str | None = None,
    actor: str | None = None,
) -> Iterator[ControlPeriod]:
    """Stored control periods: those in force `on` a day, or starting within [date_from, date_to], of a place.

    Args:
        conn: An open connection.
        on: Periods valid on this day (valid_from <= on, and valid_to null or >= on).
        date_from: Periods that start on or after this day.
        date_to: Periods that start on or before this day.
        place: Periods of this place (case-insensitive).
        actor: Periods whose holder's name contains this text (case-insensitive).

    Returns:
        The periods by place, then start date.
    """
    c = control_periods.c
    query = select(c.data).order_by(c.place, c.valid_from, c.period_id)
    if on is not None:
        query = query.where(c.valid_from <= on, or_(c.valid_to.is_(None), c.valid_to >= on))
    if date_from is not None:
        query = query.where(c.valid_from >= date_from)
    if date_to is not None:
        query = query.where(c.valid_from <= date_to)
    if place:
        query = query.where(func.lower(c.place) == place.lower())
    if actor:
        query = query.where(func.lower(c.actor).contains(actor.lower(), autoescape=True))
    for row in conn.execute(query):
        # Like events, a period's model may be wrapped as {"content": ...}; accept both layouts.
        data = row.data.get("content", row.data) if isinstance(row.data, dict) else row.data
        yield ControlPeriod.model_validate(data)


def latest_event_date(conn: Connection) -> dt.date | None:
    """The date of the latest live event, or `None` when there is none."""
    value = conn.execute(select(func.max(events.c.event_date)).where(events.c.deleted.is_(False))).scalar()
    return value if isinstance(value, dt.date) else None


class EventFigure(Figure):
    """A figure with the id of the event it belongs to."""

    event_id: str


class DocumentFigure(Figure):
    """A figure as a document states it, with the document's id, outlet, link and publication date."""

    document_id: str
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
