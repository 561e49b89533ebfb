"""Shared fixtures: real files, real SQLite databases, a PostgreSQL server when SITREP_TEST_PG names one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Span
from typer.testing import CliRunner

from sitrep.errors import SitrepError
from sitrep.nlp import load_language
from sitrep.settings import Settings
from sitrep.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The real English pipeline (a test file that needs another pipeline defines its own `nlp`)."""
    try:
        return load_language()
    except SitrepError as e:
        pytest.skip(str(e))


def first_sentence(nlp: Language, text: str) -> Span:
    """The first sentence of a text parsed by `nlp`."""
    return next(iter(nlp(text).sents))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "sitrep.db"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _pg_url() -> str | None:
    return os.environ.get("SITREP_TEST_PG") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated database: a SQLite file, and a fresh PostgreSQL schema when a server is given."""
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "store.db"))
        yield opened
        opened.close()
        return
    url = _pg_url()
    if url is None:
        pytest.skip("PostgreSQL tests need SITREP_TEST_PG=postgresql://… (.ci/run starts a server and sets it)")
    yield from _pg_store(url)


def _pg_store(url: str) -> Iterator[Store]:
    import sqlalchemy as sa

    from sitrep.store import database_url

    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = url.rsplit("/", 1)[0]
    opened = open_store(f"{base}/{name}")
    try:
        yield opened
    finally:
        opened.close()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def shared_file(*parts: str) -> Path:
    """A file of ../shared, or skip the test saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared development data beside the repository)")
    return path


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the real ingest of examples/ (what `make demo` builds), made once per test session.

    Tests read it and must not write to it."""
    from sitrep.run.pipeline import Pipeline

    path = tmp_path_factory.mktemp("examples") / "examples.db"
    try:
        pipeline = Pipeline(Settings(db=str(path)))
        opened = open_store(str(path))
        pipeline.ingest([str(EXAMPLES)], opened)
        opened.close()
    except SitrepError as e:  # no English model installed
        pytest.skip(str(e))
    return path
