"""End-to-end runs of the real pipeline (spaCy model, gazetteer, classifier) on the bundled example corpus."""

from __future__ import annotations

import contextlib
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


def _snapshot(db: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    store = open_store(db)
    with store.connect() as conn:
        rows = q.count_rows(conn)
        events = [(e.event_id, e.model_dump_json(exclude={"first_seen", "updated_at"})) for e in q.iter_events(conn)]
    store.close()
    return rows, events


def test_pipeline_ingest_examples_then_reingest_changes_nothing(pipeline: Pipeline, tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    store = open_store(db)
    first = pipeline.ingest([str(EXAMPLES)], store)
    assert (first.read, first.failed, first.new) == (20, 0, 20)
    assert first.events_new > 0 and first.reports >= first.events_new
    before = _snapshot(db)
    second = pipeline.ingest([str(EXAMPLES)], store)
    assert (second.new, second.duplicate, second.events_new, second.events_updated) == (0, 20, 0, 0)
    assert _snapshot(db) == before
    with store.connect() as conn:
        assert q.count_rows(conn)["document_copies"] == 0


def test_pipeline_ingest_order_gives_same_events(pipeline: Pipeline, tmp_path: Path) -> None:
    forward, backward = str(tmp_path / "f.db"), str(tmp_path / "b.db")
    parts = sorted(str(p) for p in EXAMPLES.iterdir() if p.is_dir())
    pipeline.ingest(parts, open_store(forward))
    pipeline.ingest(list(reversed(parts)), open_store(backward))
    assert _snapshot(forward)[1] == _snapshot(backward)[1]


def test_pipeline_bad_inputs_fail_alone_and_lose_nothing(pipeline: Pipeline, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "text", folder)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.rss").write_text('<?xml version="1.0"?><rss><channel>')
    db = str(tmp_path / "c.db")
    store = open_store(db)
    stats = pipeline.ingest([str(folder), str(tmp_path / "missing.html")], store)
    assert stats.new == len(list((EXAMPLES / "text").iterdir()))
    assert stats.failed == 3 and stats.skipped == 1
    assert any("binary.txt is not text" in m for m in stats.errors)
    assert any("missing.html: no such file" in m for m in stats.errors)


def test_pipeline_near_duplicate_is_recorded_not_stored(pipeline: Pipeline, tmp_path: Path) -> None:
    story = (EXAMPLES / "text" / "orontes-2024-12-08-homs.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(story, encoding="utf-8")
    (tmp_path / "b.txt").write_text(story.replace("Homs", "Homs", 1) + "\nCopyright Another Outlet.", encoding="utf-8")
    store = open_store(str(tmp_path / "d.db"))
    stats = pipeline.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store)
    assert (stats.new, stats.duplicate) == (1, 1)
    with store.connect() as conn:
        assert q.count_rows(conn)["document_copies"] == 1


def test_pipeline_extract_junk_gives_empty_result(pipeline: Pipeline) -> None:
    result = pipeline.extract("???", input_id="x")
    assert result.input_id == "x" and result.events == [] and result.figures == []


def test_pipeline_ingest_same_events_on_each_backend(pipeline: Pipeline, store: Store, tmp_path: Path) -> None:
    reference = open_store(str(tmp_path / "ref.db"))
    pipeline.ingest([str(EXAMPLES / "jsonl")], reference)
    pipeline.ingest([str(EXAMPLES / "jsonl")], store)
    with reference.connect() as a, store.connect() as b:
        expected = [e.model_dump(exclude={"first_seen", "updated_at"}) for e in q.iter_events(a)]
        assert [e.model_dump(exclude={"first_seen", "updated_at"}) for e in q.iter_events(b)] == expected


def test_pipeline_is_exported_by_the_package_without_loading_spacy() -> None:
    script = "import sys, sitrep; assert 'spacy' not in sys.modules; from sitrep import Pipeline; print(Pipeline)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "sitrep.run.pipeline.Pipeline" in done.stdout


@pytest.mark.parametrize(("enabled", "fails"), [(True, False), (True, True), (False, False)])
def test_pipeline_collector_paused_restores_the_collector(enabled: bool, fails: bool) -> None:
    import gc

    from sitrep.memory import collector_paused

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(ValueError) if fails else contextlib.nullcontext(), collector_paused():
            assert not gc.isenabled()
            if fails:
                raise ValueError("a failing batch")
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_pipeline_keep_freed_memory_applies_once() -> None:
    from sitrep.memory import keep_freed_memory

    assert keep_freed_memory() == keep_freed_memory()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert keep_freed_memory()
