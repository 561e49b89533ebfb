"""The dates whose reports still wait for fusion.

Reports and their dates are written in one transaction; the dates are cleared in the transaction that writes the
fused events. Whatever stops an ingest in between (kill -9, a full disk), the next ingest finds the dates here and
finishes the work, so the database always ends as a clean run would leave it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, delete, select

from .schema import pending_fusion
from .upsert import insert_ignore


def mark_pending(conn: Connection, dates: Iterable[dt.date]) -> None:
    """Queue dates for fusion (a date queued twice is queued once)."""
    for date in sorted(set(dates)):
        insert_ignore(conn, pending_fusion, {"event_date": date})


def pending_dates(conn: Connection) -> list[dt.date]:
    """The queued dates, oldest first."""
    return list(conn.execute(select(pending_fusion.c.event_date).order_by(pending_fusion.c.event_date)).scalars())


def clear_pending(conn: Connection, dates: Iterable[dt.date]) -> None:
    """Take fused dates off the queue."""
    for date in set(dates):
        conn.execute(delete(pending_fusion).where(pending_fusion.c.event_date == date))
