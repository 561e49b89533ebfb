"""The store: SQLAlchemy Core over a SQLite file by default, or PostgreSQL by URL.

`open_store(url)` connects, brings the schema up to date with the Alembic migrations, and returns a `Store`.
Writes live in `write.py`, reads in `queries.py`, the filter grammar in `filters.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from ..errors import Errors, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


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
        """A transaction: committed when the block ends, rolled back if it raises."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise StoreError(Errors.E013.format(url=self.safe_url, reason=_reason(e))) from e

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise StoreError(Errors.E013.format(url=self.safe_url, reason=_reason(e))) from e

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
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        store = Store(url=url, engine=engine)
        if migrate:
            with engine.begin() as conn:
                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS))
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    except SQLAlchemyError as e:
        raise StoreError(Errors.E013.format(url=_hide(url), reason=_reason(e))) from e
    return store


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # a second writer waits instead of failing at once
    cursor.close()


def _reason(e: SQLAlchemyError) -> str:
    orig = getattr(e, "orig", None)
    return str(orig or e).splitlines()[0]


def _hide(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
