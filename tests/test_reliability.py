"""Engines, faults and concurrent writers, on the real pipeline and real databases.

Killed processes, concurrent ingests and waiting writers run as real subprocesses and threads; a full disk is
SQLite's own "database or disk is full" (a page cap), a read-only database SQLite's read-only mode.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table, event, func, select

from sitrep.errors import InputError, StoreError
from sitrep.models import Document
from sitrep.read.reports import Extractor
from sitrep.run.engine import EngineSpec
from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store.schema import documents, pending_fusion

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = pytest.mark.model

Snapshot = tuple[int, int, list[tuple[str, str | None, int, int]]]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Snapshot:
    """What one uninterrupted local ingest of the examples stores."""
    store = open_store(str(tmp_path_factory.mktemp("clean") / "clean.db"))
    pipeline.ingest([str(EXAMPLES)], store)
    snapshot = _snapshot(store)
    store.close()
    return snapshot


def _snapshot(store: Store) -> Snapshot:
    """Documents, reports and the live events (id, place, fatalities, sources) of a store."""
    with store.connect() as conn:
        rows = q.count_rows(conn)
        events = sorted((e.event_id, e.location, e.fatalities, e.n_sources) for e in q.iter_events(conn))
    return rows["documents"], rows["reports"], events


def _sitrep(*args: str) -> list[str]:
    return [sys.executable, "-m", "sitrep", *args]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "SITREP_SPACY_BATCH_SIZE": "1", **extra}


# ---- engines -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "workers"), [("local", 2), ("dask", 2)])
def test_reliability_every_engine_stores_the_same_events(
    pipeline: Pipeline, clean_run: Snapshot, tmp_path: Path, engine: str, workers: int
) -> None:
    store = open_store(str(tmp_path / f"{engine}.db"))
    stats = pipeline.ingest([str(EXAMPLES)], store, engine=EngineSpec(engine, workers))
    assert stats.new == clean_run[0]
    assert _snapshot(store) == clean_run
    store.close()


@pytest.mark.parametrize(
    ("engine", "workers", "scheduler"),
    [("spark", 1, None), ("local", 0, None), ("local", 2, "tcp://127.0.0.1:1"), ("dask", 1, "tcp://127.0.0.1:1")],
)
def test_reliability_bad_engine_options_are_clear_errors(
    pipeline: Pipeline, tmp_path: Path, engine: str, workers: int, scheduler: str | None
) -> None:
    store = open_store(str(tmp_path / "bad.db"))
    with pytest.raises(InputError, match=r"\[E02[3456]\]"):
        pipeline.ingest([str(EXAMPLES)], store, engine=EngineSpec(engine, workers, scheduler))
    store.close()


# ---- faults --------------------------------------------------------------------------------------------------


def _count(store: Store, table: Table) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _kill_when(store: Store, command: list[str], ready: str) -> None:
    """Start an ingest and kill -9 it at a moment: after a few documents, or once all are stored but not fused."""
    process = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            stored = _count(store, documents)
            if (ready == "some documents" and stored >= 3) or (
                ready == "before fusion" and stored >= 18 and _count(store, pending_fusion) > 0
            ):
                break
            time.sleep(0.02)
        assert process.poll() is None, "the ingest ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("moment", ["some documents", "before fusion"])
def test_reliability_kill_9_then_rerun_ends_as_a_clean_run(
    pipeline: Pipeline, clean_run: Snapshot, store: Store, moment: str
) -> None:
    _kill_when(store, _sitrep("ingest", str(EXAMPLES), "--db", store.url, "--quiet"), moment)
    interrupted = _snapshot(store)
    assert interrupted != clean_run
    pipeline.ingest([str(EXAMPLES)], store)
    assert _snapshot(store) == clean_run
    assert _count(store, pending_fusion) == 0


def test_reliability_a_failing_document_loses_none_of_the_others(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one injected fault: extraction raises on a single document, as a bug would.
    original = Extractor.extract_documents

    def failing(self: Extractor, docs: list[Document]) -> list[object]:
        if any("Saraqib" in d.text for d in docs):
            raise RuntimeError("injected failure")
        return original(self, docs)  # type: ignore[return-value]

    store = open_store(str(tmp_path / "partial.db"))
    monkeypatch.setattr(Extractor, "extract_documents", failing)
    stats = pipeline.ingest([str(EXAMPLES)], store)
    failing_count = stats.failed
    assert failing_count >= 1
    assert all("[E022]" in message for message in stats.errors)
    assert stats.new + stats.duplicate + failing_count == stats.read
    monkeypatch.undo()
    again = pipeline.ingest([str(EXAMPLES)], store)
    assert again.new == failing_count
    store.close()


def test_reliability_read_only_database_is_a_clear_error(pipeline: Pipeline, tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    open_store(str(path)).close()
    store = open_store(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
    with pytest.raises(StoreError, match=r"\[E019\].*read-only"):
        pipeline.ingest([str(EXAMPLES)], store)
    store.close()


def _full_disk(store: Store, pages: int) -> None:
    """Cap the SQLite file at a number of pages: writes past it fail as on a full disk."""
    event.listen(store.engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count={pages}"))
    store.engine.dispose()


def test_reliability_full_disk_is_a_clear_error_and_loses_nothing(
    pipeline: Pipeline, clean_run: Snapshot, tmp_path: Path
) -> None:
    path = str(tmp_path / "full.db")
    store = open_store(path)
    with store.connect() as conn:
        used = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    _full_disk(store, used + 40)
    with pytest.raises(StoreError, match=r"\[E020\]"):
        pipeline.ingest([str(EXAMPLES)], store)
    store.close()
    roomy = open_store(path)
    partial = _snapshot(roomy)
    assert 0 < partial[0] < clean_run[0]
    pipeline.ingest([str(EXAMPLES)], roomy)
    assert _snapshot(roomy) == clean_run
    roomy.close()


# ---- concurrent writers --------------------------------------------------------------------------------------


def test_reliability_concurrent_ingests_equal_one_ingest(clean_run: Snapshot, store: Store) -> None:
    command = _sitrep("ingest", str(EXAMPLES), "--db", store.url, "--quiet")
    processes = [
        subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert _snapshot(store) == clean_run


@pytest.fixture
def sqlite_pair(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    path = str(tmp_path / "shared.db")
    first, second = open_store(path), open_store(path)
    yield first, second
    first.close()
    second.close()


def test_reliability_second_sqlite_writer_says_it_waits(
    sqlite_pair: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    first, second = sqlite_pair
    holding = threading.Event()

    def hold_the_lock() -> None:
        with first.begin() as conn:
            conn.execute(pending_fusion.insert().values(event_date=dt.date(2024, 1, 1), block=""))
            holding.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(10)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="sitrep.store"), second.begin() as conn:
        waited = time.monotonic() - started
        assert conn.execute(select(func.count()).select_from(pending_fusion)).scalar_one() == 1
    holder.join()
    assert waited >= 0.5
    assert any("[W003]" in record.getMessage() for record in caplog.records)


def test_reliability_database_password_never_shown() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://sitrep:hunter2-secret@127.0.0.1:1/sitrep")
    assert "hunter2-secret" not in str(caught.value)
    assert "[E013]" in str(caught.value)


def test_reliability_events_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # Worker processes get their own string-hash seeds: nothing may depend on the order of a set.
    outputs = []
    for seed in ("1", "2"):
        db = str(tmp_path / f"seed{seed}.db")
        subprocess.run(_sitrep("ingest", str(EXAMPLES), "--db", db, "--quiet"), env=_env(PYTHONHASHSEED=seed),
                       capture_output=True, check=True)  # fmt: skip
        outputs.append(_snapshot(open_store(db)))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][2]) >= 20
