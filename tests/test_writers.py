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

from sitrep.store import fusion_queue, open_store
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
