"""The dates and blocks whose reports still wait for fusion.

Reports and their (date, block) marks are written in one transaction; the marks are cleared in the transaction that
writes the fused events of that block. Whatever stops an ingest in between (kill -9, a full disk), the next ingest
finds the dates here and finishes the work, so the database always ends as a clean run would leave it. A run that
fuses whole dates clears every mark of them; an API ingest fuses and clears only the blocks of its own document, so
the marks a big ingest running meanwhile left on the same dates stay for that ingest to fuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, delete, select

from .schema import pending_fusion
from .upsert import insert_ignore

# The block of a mark that stands for every block of its date (queued before blocks were kept).
WHOLE_DATE = ""

Mark = tuple[dt.date, str]


def mark_pending(conn: Connection, marks: Iterable[Mark]) -> None:
    """Queue (date, block) pairs for fusion (a pair queued twice is queued once)."""
    for date, block in sorted(set(marks)):
        insert_ignore(conn, pending_fusion, {"event_date": date, "block": block})


def pending_dates(conn: Connection) -> list[dt.date]:
    """The queued dates, oldest first."""
    query = select(pending_fusion.c.event_date).distinct().order_by(pending_fusion.c.event_date)
    return list(conn.execute(query).scalars())


def pending_marks(conn: Connection) -> set[Mark]:
    """Every queued (date, block)."""
    return {(row.event_date, row.block) for row in conn.execute(select(pending_fusion))}


def clear_pending(conn: Connection, dates: Iterable[dt.date], *, blocks: Iterable[str] | None = None) -> None:
    """Take fused dates off the queue: every mark of them, or only the marks of `blocks`."""
    wanted = None if blocks is None else sorted(set(blocks))
    for date in set(dates):
        where = pending_fusion.c.event_date == date
        if wanted is not None:
            where = where & pending_fusion.c.block.in_(wanted)
        conn.execute(delete(pending_fusion).where(where))
