"""The store: SQLAlchemy Core over a SQLite file by default, or PostgreSQL by URL.

`open_store(url)` connects, brings the schema up to date with the Alembic migrations, and returns a `Store`.
Writes live in `write.py`, reads in `queries.py`, the filter grammar in `filters.py`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import Errors, StoreError, Warnings

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a writer waits for another one before giving up, on both backends.
WRITE_WAIT_SECONDS = 600.0
# Sitrep's PostgreSQL advisory lock: write transactions take it, so that writers run one at a time as on SQLite.
_PG_WRITE_LOCK = 7_316_246_515_870_001

logger = logging.getLogger(__name__)


@dataclass
class Store:
    """An open database: its URL and engine."""

    url: str
    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        Writers from any number of processes take turns: SQLite's `BEGIN IMMEDIATE` and a PostgreSQL advisory lock
        make a second writer wait (saying so) instead of failing half-way or interleaving read-then-write steps.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(sitrep_write=True)
                with conn.begin():
                    if not self.is_sqlite:
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})
                    yield conn
        except (SQLAlchemyError, sqlite3.Error) as e:
            raise _store_error(self.safe_url, e) from e

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except (SQLAlchemyError, sqlite3.Error) as e:
            raise _store_error(self.safe_url, e) from e

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def database_url(db: str) -> str:
    """A SQLAlchemy URL from what a user types: a file path, `sqlite:///…`, or `postgresql://…`."""
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser()}"
    if db.startswith("postgresql://") or db.startswith("postgres://"):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def open_store(db: str, *, migrate: bool = True) -> Store:
    """Open (and create, and migrate) the database.

    Args:
        db: A SQLite file path or a database URL.
        migrate: Bring the schema up to date first.

    Returns:
        The open `Store`.

    Raises:
        StoreError: The database cannot be reached, created or migrated.
    """
    url = database_url(db)
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": WRITE_WAIT_SECONDS})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        store = Store(url=url, engine=engine)
    except SQLAlchemyError as e:
        raise _store_error(_hide(url), e) from e
    if migrate:
        # Inside a write transaction, so that processes opening a new database at once migrate it once.
        with store.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return store


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by `_sqlite_begin`, not by the driver, so that writers can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Begin a read (deferred) or a write (immediate) transaction; a writer that finds the database taken says it
    waits, then waits.

    A deferred transaction that reads and then writes cannot wait for a concurrent writer (SQLite answers "database
    is locked" at once), so every write transaction takes the write lock up front.
    """
    if not conn.get_execution_options().get("sitrep_write"):
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA busy_timeout=200")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        logger.warning(Warnings.W003.format(url=_hide(str(conn.engine.url)), seconds=WRITE_WAIT_SECONDS))
        raw.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")
        raw.execute("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")


def _store_error(url: str, e: Exception) -> StoreError:
    """The clearest message for a database failure: read-only, full, locked, or else the driver's words."""
    reason = _reason(e)
    lowered = reason.casefold()
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(Errors.E019.format(url=url, reason=reason))
    if "disk is full" in lowered or "no space left" in lowered or "could not extend file" in lowered:
        return StoreError(Errors.E020.format(url=url, reason=reason))
    if "database is locked" in lowered:
        return StoreError(Errors.E021.format(url=url, seconds=WRITE_WAIT_SECONDS))
    return StoreError(Errors.E013.format(url=url, reason=reason))


def _reason(e: Exception) -> str:
    orig = getattr(e, "orig", None)
    return str(orig or e).splitlines()[0]


def _hide(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
