"""How long `POST /api/ingest` of one sentence takes while a big feed ingests into the same database.

Real processes on loopback: `sitrep serve` (uvicorn) and `sitrep ingest FEED --workers N` over one database (a
fresh SQLite file, or the PostgreSQL database of `--db postgresql://…` / `SITREP_TEST_PG`, emptied first). The feed is
`bench_feed.py`'s (N items of one day about 60 towns). Once the server has loaded its models, a sentence is posted
every `--every` seconds until the ingest ends, in turn one of another province on another day and one of the
feed's own towns and day (whose block the big ingest is writing), and each answer's seconds are printed with what
the big ingest was doing (storing documents, or fusing once all were stored). Run:

    nice -n 10 .venv/bin/python benchmarks/bench_writers.py [--items 50000] [--workers 1] [--db postgresql://…]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from bench_feed import feed, raised_cap
from sitrep.store import open_store
from sitrep.store.schema import documents

# In turn: another province on another day, and the feed's own day and towns (the block the big ingest writes).
POSTS = [
    ("Gunmen shot dead {victim} in {south} on Wednesday, {source} said.", "2024-12-05"),
    ("Government forces shelled {north} on Tuesday, killing {n} {victims}, {source} said.", "2024-12-04"),
]
SOUTH = ["Daraa", "Nawa", "Inkhil", "Jasim", "Bosra", "Sanamayn"]
NORTH = ["Saraqib", "Ariha", "Idlib", "Binnish", "Taftanaz", "Sarmada"]
VICTIMS = ["a teacher", "a former rebel commander", "a local council member", "two farmers", "a pharmacist"]
GROUPS = ["civilians", "people", "villagers", "residents"]
SOURCES = ["local activists", "a monitoring group", "the Daraa 24 network", "residents", "a rescue service"]


def post_text(number: int) -> tuple[str, str]:
    """The `number`th sentence to post and its day: no two alike, so that none is a near copy of another."""
    template, day = POSTS[number % len(POSTS)]
    rng = random.Random(number)
    words = {"victim": rng.choice(VICTIMS), "south": rng.choice(SOUTH), "north": rng.choice(NORTH),
             "n": number + 2, "victims": rng.choice(GROUPS), "source": rng.choice(SOURCES)}  # fmt: skip
    return template.format(**words) + f" It was the {number + 1}th report of the bench.", day


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


def _empty_postgres(url: str) -> None:
    store = open_store(url, migrate=False)
    try:
        with store.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--every", type=float, default=10.0, help="Seconds between two posts.")
    parser.add_argument("--db", default=None, help="A postgresql:// URL (emptied first!); default a new SQLite file.")
    parser.add_argument("--pg", action="store_true", help="Use the database of SITREP_TEST_PG (emptied first!).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or (os.environ["SITREP_TEST_PG"] if args.pg else str(Path(folder) / "bench.db"))
        if "://" in db:
            _empty_postgres(db)
        open_store(db).close()
        path = Path(folder) / "wire.rss"
        feed(path, args.items)
        port = _free_port()
        env = {**os.environ, "SITREP_TOKEN": "bench", **raised_cap(path)}
        server = subprocess.Popen(
            [sys.executable, "-m", "sitrep", "serve", "--db", db, "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/api/ingest"
        headers = {"Authorization": "Bearer bench"}
        ingest: subprocess.Popen[bytes] | None = None
        latencies: dict[str, list[float]] = {"storing": [], "fusing": []}
        try:
            with httpx.Client(timeout=3600) as client:
                while True:  # the first post loads the models, before the clock starts
                    try:
                        body = {"text": "Protesters gathered in Homs on Monday.", "published": "2024-12-02"}
                        client.post(url, json=body, headers=headers).raise_for_status()
                        break
                    except httpx.TransportError:
                        time.sleep(0.5)
                load = os.getloadavg()
                backend = db.split("://")[0] if "://" in db else "sqlite"
                print(f"database {backend}; {args.items} items, {args.workers} worker(s); "
                      f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)  # fmt: skip
                started = time.perf_counter()
                log = (Path(folder) / "ingest.log").open("wb")
                ingest = subprocess.Popen(
                    [sys.executable, "-m", "sitrep", "ingest", str(path), "--db", db, "--quiet",
                     "--workers", str(args.workers)],
                    stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **raised_cap(path)},
                )  # fmt: skip
                number, last = 0, -1
                while ingest.poll() is None:
                    time.sleep(args.every)
                    if ingest.poll() is not None:
                        break
                    stored = _stored(db)
                    # Fusing once most items are stored and the count grows by no more than this server's own post
                    # (before the big ingest has loaded its models it does not grow either).
                    phase = "fusing" if stored > args.items // 2 and stored - last <= 1 else "storing"
                    last = stored
                    sentence, day = post_text(number)
                    posted = time.perf_counter()
                    answer = client.post(url, json={"text": sentence, "published": day}, headers=headers)
                    seconds = time.perf_counter() - posted
                    answer.raise_for_status()
                    latencies[phase].append(seconds)
                    load = os.getloadavg()[0]
                    print(f"  {time.perf_counter() - started:7.1f} s: {stored:>6} documents stored ({phase}), "
                          f"POST {'own block' if number % 2 else 'elsewhere'} answered in {seconds:5.2f} s, "
                          f"document new {answer.json()['new']}, events new {answer.json()['events_new']}; "
                          f"load {load:.2f}", flush=True)  # fmt: skip
                    number += 1
                ingest_seconds = time.perf_counter() - started
                log.close()
                if ingest.returncode:
                    print((Path(folder) / "ingest.log").read_text(errors="replace")[-3000:])
        finally:
            for process in (ingest, server):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(timeout=60)
    load = os.getloadavg()
    status = ingest.returncode if ingest is not None else None
    print(f"ingest {ingest_seconds:.1f} s ({args.items / ingest_seconds:.1f} documents/s), exit {status}; "
          f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    for phase, values in latencies.items():
        if values:
            print(f"POST while {phase}: {len(values)} posts, median {statistics.median(values):.2f} s, "
                  f"max {max(values):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
