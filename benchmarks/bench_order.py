"""Order and batching do not change the record: the FA-KES dev articles (ingested as JSON Lines with their dates)
forward, reversed, shuffled, as two overlapping halves one after the other, and as two overlapping halves at once
(two `sitrep ingest` processes), each into a fresh database; every run's events (ids and all fields) are compared
with the forward run's. Run:

    .venv/bin/python benchmarks/bench_order.py [--db-base postgresql://.../] [--orders forward reverse ...]

With `--db-base` a PostgreSQL server URL (ending in a slash), each run gets a new database there; else SQLite files.
Prints each run's seconds, documents, events, and the events that differ from the forward run.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sitrep.run.pipeline import Pipeline
from sitrep.store import database_url, open_store
from sitrep.store import queries as q
from sitrep.train.articles import fakes_record, read_fakes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ORDERS = ["forward", "reverse", "shuffled", "halves", "concurrent"]


def records() -> list[dict[str, Any]]:
    rows = read_fakes(SHARED / "fakes" / "fakes-dev.csv")
    return [{**fakes_record(row), "outlet": row["source"]} for row in rows]


def write(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def new_db(base: str | None, folder: Path, name: str) -> str:
    if base is None:
        return str(folder / f"{name}.db")
    import sqlalchemy as sa

    database = f"order_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url(base + "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return base + database


def events_of(db: str) -> dict[str, dict[str, Any]]:
    store = open_store(db)
    with store.connect() as conn:
        found = {
            e.event_id: e.model_dump(mode="json", exclude={"first_seen", "updated_at"}) for e in q.iter_events(conn)
        }
        documents = q.count_rows(conn)["documents"]
    store.close()
    found["#documents"] = {"count": documents}
    return found


def run(order: str, rows: list[dict[str, Any]], db: str, folder: Path, pipeline: Pipeline) -> None:
    half = len(rows) // 2
    first, second = rows[: half + len(rows) // 10], rows[half - len(rows) // 10 :]
    if order == "concurrent":
        paths = [write(folder / "first.jsonl", first), write(folder / "second.jsonl", second[::-1])]
        open_store(db).close()
        results: list[int] = []

        def ingest(path: str) -> None:
            command = [sys.executable, "-m", "sitrep", "ingest", path, "--db", db, "--quiet"]
            results.append(subprocess.run(command, capture_output=True, check=False).returncode)

        threads = [threading.Thread(target=ingest, args=(p,)) for p in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [0, 0], results
        return
    if order == "forward":
        batches = [rows]
    elif order == "reverse":
        batches = [rows[::-1]]
    elif order == "shuffled":
        shuffled = list(rows)
        random.Random(11).shuffle(shuffled)
        batches = [shuffled]
    else:
        batches = [second, first]
    store = open_store(db)
    for number, batch in enumerate(batches):
        pipeline.ingest([write(folder / f"{order}{number}.jsonl", batch)], store)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db-base", help="A PostgreSQL server URL ending in '/', to make each run's database on.")
    parser.add_argument("--orders", nargs="+", choices=ORDERS, default=ORDERS)
    args = parser.parse_args()
    rows = records()
    pipeline = Pipeline()
    reference: dict[str, dict[str, Any]] | None = None
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for order in ["forward", *[o for o in args.orders if o != "forward"]]:
            db = new_db(args.db_base, folder, order)
            started = time.perf_counter()
            run(order, rows, db, folder, pipeline)
            seconds = time.perf_counter() - started
            found = events_of(db)
            reference = reference or found
            only_here = sorted(set(found) - set(reference))
            only_there = sorted(set(reference) - set(found))
            other = sorted(k for k in set(found) & set(reference) if found[k] != reference[k])
            print(f"{order:>10}: {seconds:6.1f} s, {found['#documents']['count']} documents, {len(found) - 1} events;"
                  f" vs forward: {len(only_here)} only here, {len(only_there)} only there,"
                  f" {len(other)} with other fields", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
