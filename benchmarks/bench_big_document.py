"""Ingest of one 900 KB single-line text document into a fresh SQLite store: seconds, peak memory, what was stored.

The document is generated here: one sentence about shelling near Hama repeated to 900 KB on one line (`--kind
repeat`), or twelve sentences about different places and days cycled (`--kind cycle`). Run:

    .venv/bin/python benchmarks/bench_big_document.py [--kind repeat] [--bytes 900000]

The time includes loading the models once (printed apart) and the whole ingest: reading, cleaning, extraction,
storing and fusion.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sitrep.run.pipeline import Pipeline
from sitrep.store import open_store
from sitrep.store import queries as q

REPEATED = "Government forces shelled the town of Kafr Nabudah in northern Hama on Tuesday, killing two civilians. "
CYCLE = [
    "Government forces shelled Kafr Nabudah in northern Hama on Tuesday, killing two civilians. ",
    "Rebel fighters clashed with the army near Morek on Monday. ",
    "An air strike hit a market in Maarat al-Numan on Wednesday, killing five people. ",
    "Protesters gathered in Homs on Thursday to demand the release of detainees. ",
    "Gunmen killed a teacher in Daraa on Friday. ",
    "Opposition fighters took control of Saraqib on Saturday after heavy fighting. ",
    "Shelling on Ariha on Sunday wounded three children. ",
    "Drone strikes targeted positions of the Syrian Democratic Forces near Manbij on Monday. ",
    "The army regained Khan Shaykhun on Tuesday, state media said. ",
    "A car bomb exploded in Azaz on Wednesday, killing eight people. ",
    "Clashes broke out between rival factions in Afrin on Thursday. ",
    "Security forces arrested dozens of people in Latakia on Friday. ",
]


def document(kind: str, size: int) -> str:
    text = REPEATED if kind == "repeat" else "".join(CYCLE)
    return (text * (size // len(text) + 1))[:size].rsplit(". ", 1)[0] + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kind", choices=["repeat", "cycle"], default="repeat")
    parser.add_argument("--bytes", type=int, default=900_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        path.write_text(f"Published: 2024-12-03\n\n{document(args.kind, args.bytes)}\n", encoding="utf-8")
        pipeline = Pipeline()
        started = time.perf_counter()
        pipeline.extractor  # noqa: B018 - load the models outside the timing
        loaded = time.perf_counter() - started
        store = open_store(str(Path(folder) / "bench.db"))
        started = time.perf_counter()
        stats = pipeline.ingest([str(path)], store)
        seconds = time.perf_counter() - started
        with store.connect() as conn:
            rows = q.count_rows(conn)
            sizes = [len(e.model_dump_json()) for e in q.iter_events(conn)]
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.kind} {path.stat().st_size if path.exists() else args.bytes:,} bytes: ingest {seconds:.1f} s "
          f"(models loaded in {loaded:.1f} s before), max RSS {rss:.0f} MB")  # fmt: skip
    print(f"  {stats.summary()}")
    print(f"  rows {rows}; largest event {max(sizes, default=0):,} bytes of JSON")


if __name__ == "__main__":
    main()
