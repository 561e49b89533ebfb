"""Counters advanced inside write transactions, which writers take one at a time (`Store.begin`).

So their values order the writes as they committed, whatever the clocks say or how long a transaction took: a
reader that remembers the largest value it saw finds, with `> value`, exactly what was written after it looked.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from .schema import store_counters
from .upsert import insert_ignore

# The number of each stored document (`documents.seq`).
DOCUMENTS = "documents"
# Advanced by every change of the events or of the control baseline: what a control timeline is computed from.
CONTROL_INPUTS = "control_inputs"
# The value of `CONTROL_INPUTS` the stored control timeline was computed at: a timeline computed outside the write
# lock is written only when it is computed from inputs at least as new.
CONTROL_BUILT = "control_built"


def advance(conn: Connection, name: str) -> int:
    """The counter's next value, taken (inside a write transaction)."""
    insert_ignore(conn, store_counters, {"name": name, "value": 0})
    conn.execute(update(store_counters).where(store_counters.c.name == name).values(value=store_counters.c.value + 1))
    return current(conn, name)


def current(conn: Connection, name: str) -> int:
    """The counter's value (0 before its first write)."""
    value = conn.execute(select(store_counters.c.value).where(store_counters.c.name == name)).scalar()
    return int(value or 0)


def set_value(conn: Connection, name: str, value: int) -> None:
    """Set a counter (inside a write transaction): `CONTROL_BUILT` takes the `CONTROL_INPUTS` it was computed at."""
    insert_ignore(conn, store_counters, {"name": name, "value": value})
    conn.execute(update(store_counters).where(store_counters.c.name == name).values(value=value))
