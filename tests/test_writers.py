"""Writers never starve: while a big ingest stores and fuses, `POST /api/ingest` of one sentence is answered within
seconds. Real processes on loopback: `sitrep serve` and `sitrep ingest` over one SQLite file.
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

from sitrep.store import open_store
from sitrep.store.schema import documents

pytestmark = [
    pytest.mark.model,
    # A wall-clock bound: on a machine loaded by other jobs it measures them, not Sitrep.
    pytest.mark.skipif(
        not os.environ.get("SITREP_TEST_TIMING"), reason="a timing test: set SITREP_TEST_TIMING=1 on an idle machine"
    ),
]

TOWNS = ["Kafr Nabudah", "Morek", "Saraqib", "Ariha", "Maarat al-Numan", "Khan Shaykhun", "Azaz", "Manbij", "Homs"]
SENTENCES = [
    "Government forces shelled {town} on Tuesday, killing {n} civilians, activists said.",
    "Rebel fighters clashed with the army near {town} on Tuesday.",
    "An air strike hit a market in {town} on Tuesday, killing {n} people.",
    "Hundreds of people protested in {town} on Tuesday against rising prices.",
]


def feed(path: Path, count: int, *, seed: int = 3) -> None:
    """`count` short items of one day, each a sentence or two about one of a few towns."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            town = rng.choice(TOWNS)
            text = " ".join(s.format(town=town, n=rng.randint(1, 9)) for s in rng.sample(SENTENCES, 2))
            record = {"id": f"item-{number}", "text": f"{text} Report {number}.", "published": "2024-12-04"}
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


def test_api_ingest_answers_while_a_big_ingest_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    open_store(db).close()
    items = tmp_path / "feed.jsonl"
    feed(items, 1500)
    port = _free_port()
    env = {**os.environ, "SITREP_TOKEN": "secret"}
    server = subprocess.Popen(
        [sys.executable, "-m", "sitrep", "serve", "--db", db, "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ingest: subprocess.Popen[bytes] | None = None
    url = f"http://127.0.0.1:{port}/api/ingest"
    headers = {"Authorization": "Bearer secret"}
    try:
        with httpx.Client(timeout=300) as client:
            deadline = time.monotonic() + 120
            while True:  # the server is up; the first ingest loads the models, before the clock starts
                try:
                    warm = client.post(url, json={"text": "Protesters gathered in Homs on Monday.",
                                                  "published": "2024-12-02"}, headers=headers)  # fmt: skip
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.5)
            assert warm.status_code == 201
            ingest = subprocess.Popen(
                [sys.executable, "-m", "sitrep", "ingest", str(items), "--db", db, "--quiet"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            while _stored(db) < 200:
                assert ingest.poll() is None, "the big ingest ended before the test could write beside it"
                time.sleep(0.2)
            timings = []
            for number, day in enumerate(("2024-12-05", "2024-12-04")):  # another day, then the big ingest's day
                started = time.monotonic()
                answer = client.post(url, json={"text": f"Gunmen shot dead a teacher in Daraa on Wednesday ({number}).",
                                                "published": day}, headers=headers)  # fmt: skip
                timings.append(time.monotonic() - started)
                assert answer.status_code == 201, answer.text
            assert ingest.poll() is None, "the big ingest ended before the writes beside it: make the feed longer"
            assert max(timings) < 10, timings
            assert ingest.wait(timeout=900) == 0
    finally:
        for process in (ingest, server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
