"""Writers never starve: while a big ingest stores a long feed, `POST /api/ingest` of one sentence is answered with
its event stored, before the big ingest ends. Real processes on loopback: `sitrep serve` (uvicorn) and `sitrep
ingest` over one SQLite file. No clock is read here: how fast the answer comes is measured by
`benchmarks/bench_writers.py`; this test pins the behaviour (the API fuses only its own document's blocks, so it
never waits for the big ingest's work).
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sitrep.ingest.sources import read_sources
from sitrep.run.pipeline import Pipeline, _IngestRun
from sitrep.settings import Settings
from sitrep.store import Store, counters, fusion_queue, open_store
from sitrep.store import queries as q
from sitrep.store.schema import documents, event_sources

pytestmark = pytest.mark.model

# Towns of Idlib province: the big feed's reports fall in the Idlib blocks.
FEED_TOWNS = ["Saraqib", "Ariha", "Maarat al-Numan", "Khan Shaykhun", "Jisr al-Shughur", "Sarmada"]
SENTENCES = [
    "Government forces shelled {town} on Tuesday, killing {n} civilians, activists said.",
    "Rebel fighters clashed with the army near {town} on Tuesday.",
    "An air strike hit a market in {town} on Tuesday, killing {n} people.",
    "Hundreds of people protested in {town} on Tuesday against rising prices.",
]
FEED_DAY = "2024-12-04"
FEED_ITEMS = 20_000  # far more than the test waits for: the big ingest is stopped once the posts are checked


def feed(path: Path, count: int, *, seed: int = 3) -> None:
    """`count` short items of one day, each two sentences about one of a few towns."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            town = rng.choice(FEED_TOWNS)
            text = " ".join(s.format(town=town, n=rng.randint(1, 9)) for s in rng.sample(SENTENCES, 2))
            record = {"id": f"item-{number}", "text": f"{text} Report {number}.", "published": FEED_DAY}
            handle.write(json.dumps(record) + "\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stored(db: str) -> int:
    store = open_store(db, migrate=False)
    try:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(documents)).scalar_one())
    finally:
        store.close()


def _events_of(db: str, input_id: str) -> list[str]:
    """The live events fused from the reports of the document posted with this id."""
    store = open_store(db, migrate=False)
    try:
        with store.connect() as conn:
            doc = conn.execute(select(documents.c.id).where(documents.c.input_id == input_id)).scalar_one()
            rows = conn.execute(select(event_sources.c.event_id).where(event_sources.c.document_id == doc))
            return sorted(set(rows.scalars()))
    finally:
        store.close()


def _queued_blocks(db: str) -> set[str]:
    store = open_store(db, migrate=False)
    try:
        with store.connect() as conn:
            return {block for _, block in fusion_queue.pending_marks(conn)}
    finally:
        store.close()


@pytest.fixture
def server(tmp_path: Path) -> tuple[str, str, dict[str, str]]:
    """A real `sitrep serve` on a free loopback port over a fresh SQLite file, warmed by one ingest (which loads the
    models): its database, its ingest URL and the headers a write needs."""
    db = str(tmp_path / "shared.db")
    open_store(db).close()
    port = _free_port()
    env = {**os.environ, "SITREP_TOKEN": "secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sitrep", "serve", "--db", db, "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/ingest"
    headers = {"Authorization": "Bearer secret"}
    try:
        with httpx.Client(timeout=600) as client:
            for _ in range(600):  # the server is up once it answers; a connection refused means not yet
                try:
                    body = {"text": "Protesters gathered in Homs on Monday.", "published": "2024-12-02", "id": "warm"}
                    warm = client.post(url, json=body, headers=headers)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, "the server stopped"
                    time.sleep(0.5)
            assert warm.status_code == 201, warm.text
        yield db, url, headers
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Gunmen shot dead a teacher in Daraa on Wednesday.", "2024-12-05"),  # another province, the next day
        ("Government forces shelled Saraqib on Tuesday, killing 4 civilians.", FEED_DAY),  # the feed's own block
    ],
)
def test_writers_api_ingest_is_answered_with_its_event_while_a_big_ingest_runs(
    server: tuple[str, str, dict[str, str]], tmp_path: Path, text: str, day: str
) -> None:
    db, url, headers = server
    items = tmp_path / "feed.jsonl"
    feed(items, FEED_ITEMS)
    ingest = subprocess.Popen(
        [sys.executable, "-m", "sitrep", "ingest", str(items), "--db", db, "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while _stored(db) < 60:  # the big ingest is storing documents (and queueing their blocks for its fusion)
            assert ingest.poll() is None, "the big ingest stopped before the test could write beside it"
            time.sleep(0.2)
        with httpx.Client(timeout=600) as client:
            answer = client.post(url, json={"text": text, "published": day, "id": "beside"}, headers=headers)
        assert answer.status_code == 201, answer.text
        assert answer.json()["new"] == 1
        # Answered, with its event stored, while the big ingest still runs and before it stored its whole feed.
        assert ingest.poll() is None
        assert _stored(db) < FEED_ITEMS
        assert _events_of(db, "beside")
        # The big ingest's reports still wait for its own fusion: the API fused only its document's blocks.
        assert _queued_blocks(db)
    finally:
        ingest.terminate()
        ingest.wait(timeout=60)


# ---- in one process: what an API ingest fuses beside a big ingest that has not fused yet ------------------------

BIG = [
    {"id": f"big-{n}", "text": SENTENCES[n % 3].format(town=FEED_TOWNS[n % 4], n=n % 5 + 1) + f" Item {n}.",
     "published": FEED_DAY}
    for n in range(12)
]  # fmt: skip
POST = {
    "id": "post",
    "published": FEED_DAY,
    "text": "Government forces shelled Saraqib on Tuesday, killing 6 civilians.",
}
TAKEOVER = {"id": "takeover", "text": "Rebel fighters took control of Ariha on Tuesday.", "published": FEED_DAY}
ELSEWHERE = {
    "id": "elsewhere",
    "published": "2024-12-05",
    "text": "Gunmen shot dead a pharmacist in Daraa on Wednesday.",
}


def _jsonl(path: Path, records: list[dict[str, str]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _events(store: Store) -> list[dict[str, object]]:
    with store.connect() as conn:
        found = [e.model_dump(mode="json", exclude={"first_seen", "updated_at"}) for e in q.iter_events(conn)]
    return sorted(found, key=lambda e: str(e["event_id"]))


def _store_unfused(pipeline: Pipeline, store: Store, path: str) -> None:
    """Store documents as a big ingest does before its fusion (its marks queued, nothing fused)."""
    run = _IngestRun(pipeline, store, None)
    for raw in read_sources([path], settings=pipeline.settings):
        run.add(raw)
    run.flush(final=True)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings())


def test_writers_api_ingest_beside_unfused_reports_fuses_its_own_and_the_end_is_one_ingest(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    _store_unfused(pipeline, store, _jsonl(tmp_path / "big.jsonl", BIG))
    with store.connect() as conn:
        queued = fusion_queue.pending_marks(conn)
    assert queued
    pipeline.ingest([_jsonl(tmp_path / "post.jsonl", [POST])], store, fuse_all=False)
    with store.connect() as conn:
        doc = conn.execute(select(documents.c.id).where(documents.c.input_id == "post")).scalar_one()
        posted = [e for e in q.iter_events(conn) if any(s.document_id == doc for s in e.sources)]
        # The post's event holds the post's report alone: the big ingest's reports are not fused yet, and are left
        # to its own fusion, their marks still queued.
        assert [len(e.report_ids) for e in posted] == [1]
        assert fusion_queue.pending_marks(conn) == queued
    pipeline.fuse_pending(store)  # the big ingest's end
    reference = open_store(str(tmp_path / "reference.db"))
    pipeline.ingest([_jsonl(tmp_path / "all.jsonl", [*BIG, POST])], reference)
    assert _events(store) == _events(reference)
    reference.close()


def test_writers_api_ingest_of_a_block_nobody_queued_clears_it_and_rebuilds_control(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.ingest([_jsonl(tmp_path / "big.jsonl", BIG)], store)
    with store.connect() as conn:
        built = counters.current(conn, counters.CONTROL_BUILT)
    pipeline.ingest([_jsonl(tmp_path / "post.jsonl", [POST, ELSEWHERE])], store, fuse_all=False)
    with store.connect() as conn:
        assert not fusion_queue.pending_marks(conn)
        assert counters.current(conn, counters.CONTROL_BUILT) > built
    reference = open_store(str(tmp_path / "reference.db"))
    pipeline.ingest([_jsonl(tmp_path / "all.jsonl", [*BIG, POST, ELSEWHERE])], reference)
    assert _events(store) == _events(reference)
    reference.close()


def test_writers_a_control_timeline_from_older_events_is_not_written_over_a_newer_one(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.ingest([_jsonl(tmp_path / "first.jsonl", BIG[:6])], store)
    with store.connect() as conn:
        stale = pipeline.control_periods(conn)  # computed outside the lock, then another writer goes first
    pipeline.ingest([_jsonl(tmp_path / "second.jsonl", [*BIG[6:], TAKEOVER])], store)
    with store.connect() as conn:
        newer = list(q.iter_control_periods(conn))
    assert any(p.place == "Ariha" for p in newer) and not any(p.place == "Ariha" for p in stale[1])
    assert pipeline.write_control(store, *stale) is None
    with store.connect() as conn:
        assert list(q.iter_control_periods(conn)) == newer
        assert counters.current(conn, counters.CONTROL_BUILT) > stale[0]
