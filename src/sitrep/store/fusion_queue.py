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

from sqlalchemy import Connection, delete, select, update

from .schema import pending_fusion
from .upsert import insert_ignore

# The block of a mark that stands for every block of its date (queued before blocks were kept).
WHOLE_DATE = ""

Mark = tuple[dt.date, str]


def mark_pending(conn: Connection, marks: Iterable[Mark], *, seq: int | None = None) -> dict[Mark, int | None]:
    """Queue (date, block) pairs for fusion (a pair queued twice is queued once), each with `seq`, the write number
    of the document that queued it last.

    Returns:
        For each pair, the write number it was queued with before, or `None` when it was not queued: an API ingest
        whose pairs were not queued before, and were not queued again since, knows their queued reports are its
        own alone.
    """
    before: dict[Mark, int | None] = {}
    for date, block in sorted(set(marks)):
        where = (pending_fusion.c.event_date == date) & (pending_fusion.c.block == block)
        row = conn.execute(select(pending_fusion.c.seq).where(where)).first()
        before[(date, block)] = None if row is None else int(row.seq or 0)
        if row is None:
            insert_ignore(conn, pending_fusion, {"event_date": date, "block": block, "seq": seq})
        else:
            conn.execute(update(pending_fusion).where(where).values(seq=seq))
    return before


def mark_seqs(conn: Connection, marks: Iterable[Mark]) -> dict[Mark, int | None]:
    """The write number each of these (date, block) pairs was last queued with (absent when not queued)."""
    found: dict[Mark, int | None] = {}
    for date, block in set(marks):
        where = (pending_fusion.c.event_date == date) & (pending_fusion.c.block == block)
        row = conn.execute(select(pending_fusion.c.seq).where(where)).first()
        if row is not None:
            found[(date, block)] = None if row.seq is None else int(row.seq)
    return found


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
