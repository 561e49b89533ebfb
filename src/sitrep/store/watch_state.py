"""Reads and writes of `watch_sources`: what `sitrep watch` remembers of each source between cycles and runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from .schema import watch_sources


@dataclass
class SourceState:
    """One watched source's memory.

    For a URL, `etag` and `last_modified` are the server's validators; for a local file they hold its size and
    modification time, which let an unchanged file go unread.
    """

    source: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    seen_ids: list[str] = field(default_factory=list)
    failures: int = 0
    next_attempt_at: dt.datetime | None = None
    last_polled_at: dt.datetime | None = None
    last_error: str | None = None


def load_states(conn: Connection, sources: Iterable[str] | None = None) -> dict[str, SourceState]:
    """The stored state of these sources (all when `None`); a source never polled is absent."""
    query = select(watch_sources)
    if sources is not None:
        query = query.where(watch_sources.c.source.in_(list(sources)))
    return {row.source: _state(row._mapping) for row in conn.execute(query)}


def save_state(conn: Connection, state: SourceState) -> None:
    """Insert or replace one source's state."""
    values = {
        "source": state.source,
        "etag": state.etag,
        "last_modified": state.last_modified,
        "content_hash": state.content_hash,
        "seen_ids": list(state.seen_ids),
        "failures": state.failures,
        "next_attempt_at": state.next_attempt_at,
        "last_polled_at": state.last_polled_at,
        "last_error": state.last_error,
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(watch_sources).values(**values)
    changed = {k: statement.excluded[k] for k in values if k != "source"}
    conn.execute(statement.on_conflict_do_update(index_elements=["source"], set_=changed))


def _state(row: Any) -> SourceState:
    return SourceState(
        source=row["source"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_hash=row["content_hash"],
        seen_ids=[str(i) for i in row["seen_ids"] or []],
        failures=int(row["failures"] or 0),
        next_attempt_at=_utc(row["next_attempt_at"]),
        last_polled_at=_utc(row["last_polled_at"]),
        last_error=row["last_error"],
    )


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
