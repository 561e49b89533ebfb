"""The known holders a control timeline starts from: written by `sitrep control load`, read by every rebuild."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, delete, insert, select

from ..models import BaselineHolding
from . import counters
from .schema import control_baseline


def replace_baseline(conn: Connection, holdings: Sequence[BaselineHolding]) -> int:
    """Make the stored baseline exactly these lines (a later line for the same settlement and day wins).

    Args:
        conn: An open transaction.
        holdings: The whole baseline.

    Returns:
        The number of lines stored.
    """
    rows = {(h.place_key, h.date): h for h in holdings}
    conn.execute(delete(control_baseline))
    for (key, date), holding in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1])):
        conn.execute(insert(control_baseline).values(place_key=key, date=date, data=holding.model_dump(mode="json")))
    counters.advance(conn, counters.CONTROL_INPUTS)
    return len(rows)


def iter_baseline(conn: Connection) -> Iterator[BaselineHolding]:
    """The stored baseline, by settlement and day."""
    c = control_baseline.c
    for row in conn.execute(select(c.data).order_by(c.place_key, c.date)):
        yield BaselineHolding.model_validate(row.data)
