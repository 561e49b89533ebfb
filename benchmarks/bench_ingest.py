"""Ingest throughput, documents per second, for each engine: local with 1 and 2 processes, Dask with 1 and 2
workers (a LocalCluster on loopback).

Issue 7 asks for a corpus of at least 5,000 documents. It is made at run time, outside the repository, from
../shared's ACLED notes (one note per document, published on its event date) plus the bundled example corpus.
Each run is a fresh `sitrep ingest` subprocess into a new SQLite file, timed from start to exit (model loading and
cluster start included), so the numbers are what a user waits for.

    .venv/bin/python benchmarks/bench_ingest.py [--n 5000] [--runs local:1,local:2,dask:1,dask:2] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
ACLED = REPO.parent / "shared" / "data" / "acled" / "acled-dev.csv"


def make_corpus(folder: Path, n: int) -> int:
    """Write `n` ACLED notes as JSON Lines and copy the example corpus beside them. Returns the document count."""
    if not ACLED.exists():
        sys.exit(f"needs {ACLED} (the shared development data beside the repository)")
    with ACLED.open(encoding="utf-8") as handle, (folder / "acled-notes.jsonl").open("w", encoding="utf-8") as out:
        written = 0
        for row in csv.DictReader(handle):
            if written == n:
                break
            record = {"id": row["event_id_cnty"], "text": row["notes"], "published": row["event_date"]}
            out.write(json.dumps(record) + "\n")
            written += 1
    shutil.copytree(REPO / "examples", folder / "examples")
    examples = sum(1 for path in (folder / "examples").rglob("*") if path.is_file())
    return written + examples


def run(corpus: Path, db: Path, engine: str, workers: int) -> dict[str, object]:
    """One timed ingest; returns its counts and wall time."""
    command = [sys.executable, "-m", "sitrep", "ingest", str(corpus), "--db", str(db), "--quiet"]
    command += ["--engine", engine, "--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events WHERE NOT deleted").fetchone()[0]
    return {"engine": engine, "workers": workers, "seconds": round(seconds, 1), "stored": stored, "events": events,
            "summary": done.stdout.strip().splitlines()[-1]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="ACLED notes to use as documents")
    parser.add_argument("--runs", default="local:1,local:2,dask:1,dask:2", help="engine:workers, comma-separated")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-ingest-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        documents = make_corpus(corpus, args.n)
        results = []
        for spec in args.runs.split(","):
            engine, workers = spec.split(":")
            console.print(f"ingest {documents:,} documents with {engine} x {workers} …")
            result = run(corpus, Path(tmp) / f"{engine}-{workers}.db", engine, int(workers))
            result["documents_per_s"] = round(documents / float(result["seconds"]), 1)  # type: ignore[arg-type]
            results.append(result)
    same = len({(r["stored"], r["events"]) for r in results}) == 1
    if args.json:
        print(json.dumps({"documents": documents, "runs": results, "same_results": same}))
        return
    table = Table(title=f"sitrep ingest of {documents:,} documents (wall time, one fresh SQLite file each)")
    for column in ("engine", "workers", "seconds", "documents/s", "stored", "live events"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r["engine"]), str(r["workers"]), str(r["seconds"]), str(r["documents_per_s"]),
                      str(r["stored"]), str(r["events"]))  # fmt: skip
    Console().print(table)
    Console().print(f"all engines stored the same documents and events: {same}")


if __name__ == "__main__":
    main()
