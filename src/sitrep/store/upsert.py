"""`INSERT … ON CONFLICT DO NOTHING` on both backends: concurrent writers of the same row do not fail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert one row unless its primary key is already stored. Returns whether the row was inserted.

    RETURNING tells, on both backends, whether a row went in (a driver's rowcount may be -1 here).
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    key = list(table.primary_key.columns)
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(*key)
    return conn.execute(statement).first() is not None
