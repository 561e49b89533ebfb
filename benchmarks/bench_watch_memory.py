"""Memory of a long `sitrep watch`: 1,000 cycles over local feed files that change every few cycles.

The script writes its own feeds (made-up items from a small closed vocabulary, so that spaCy's string store
stops growing early) into a temporary folder: feed k gets a new item every 3 + k cycles and keeps its 10 newest.
It watches them with the real `Watcher`, `Pipeline` and a SQLite store, with no sleeping between cycles, and
samples the resident memory (after a garbage collection) every 50 cycles. Run:

    .venv/bin/python benchmarks/bench_watch_memory.py [--cycles 1000] [--feeds 4] [--static]

It prints the series (resident memory, and the blocks Python's allocator holds) and their growth from cycle 100
(models loaded, caches warm) to the last cycle, and exits 1 when the resident memory grew more than
--max-growth-mb (25), Python's live blocks more than --max-growth-blocks (5,000), an item was ingested twice or
missed, or a feed's remembered ids exceeded the cap.

Why these limits. Between cycle 100 and 1,000 nothing in the process should grow with the number of cycles: the
database grows on disk, and all a cycle builds (parsed feeds, new items, the near-duplicate index, spaCy docs) is
dropped when it ends. Measured (2 cores shared, SQLite): Python's live blocks move by a few hundred (+638) while
950 documents are ingested; a run made to keep every new item alive (about 1 KB of text each) adds +10,004
blocks but only 1 MB, lost in the noise of the resident memory. So 5,000 blocks catches a leak of half an item
per cycle, or a few objects every cycle. Resident memory also carries C-level
memory that settles slowly as the database grows (SQLite page caches of up to 2 MB per pooled connection, malloc
fragmentation from batches of varying size): +12.8 and +19.8 MB in two runs, +0.0 MB with --static (polling
only, no ingest). 25 MB is above that noise and below what a leaked spaCy doc per item (about 30 KB, 950 items)
would add.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import psutil

from sitrep.run.pipeline import Pipeline
from sitrep.run.watch import CycleStats, Watcher
from sitrep.settings import Settings
from sitrep.store import open_store
from sitrep.store.watch_state import load_states

PLACES = ["Morek", "Saraqib", "Ariha", "Sarmada", "Maarat al-Numan", "Khan Shaykhun", "Atarib", "Darat Izza"]
ACTORS = ["Rebel fighters", "Government troops", "Pro-government militiamen", "Unidentified gunmen", "Police"]
ACTS = [
    "clashed with local guards near {place}",
    "shelled farmland east of {place}",
    "stormed a checkpoint outside {place}",
    "fired on a crowd in the centre of {place}",
    "detained several men in {place}",
]
TAILS = [
    "{n} people were killed, according to a local monitor.",
    "Residents said {n} houses were damaged.",
    "A medic said {n} people were wounded.",
    "No casualties were reported.",
]
WINDOW = 10
SEEN_IDS = 25


def made_up_item(rng: random.Random, number: int, day: dt.date) -> tuple[str, str, str, dt.date]:
    """(guid, title, text, date) of one invented news item."""
    place = rng.choice(PLACES)
    sentences = [
        f"{rng.choice(ACTORS)} {rng.choice(ACTS).format(place=place)} on {day:%A}.",
        rng.choice(TAILS).format(n=rng.randint(2, 30)),
        f"{rng.choice(ACTORS)} {rng.choice(ACTS).format(place=rng.choice(PLACES))} a day earlier.",
    ]
    return f"item-{number}", f"Report {number} from {place}", " ".join(sentences), day


def feed_xml(title: str, items: list[tuple[str, str, str, dt.date]]) -> str:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{escape(head)}</title><pubDate>{day:%a, %d %b %Y} 08:00:00 GMT</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, head, text, day in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'  # noqa: E501


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--every", type=int, default=50, help="Sample memory every this many cycles.")
    parser.add_argument("--max-growth-mb", type=float, default=25.0)
    parser.add_argument("--max-growth-blocks", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--static", action="store_true", help="Never change the feeds: the cost of polling alone, with no ingest."
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    process = psutil.Process()
    folder = Path(tempfile.mkdtemp(prefix="sitrep-watch-bench-"))
    paths = [folder / f"feed-{k}.xml" for k in range(args.feeds)]
    feeds: list[list[tuple[str, str, str, dt.date]]] = [[] for _ in paths]
    published = 0
    start_day = dt.date(2024, 1, 1)

    def publish(k: int) -> None:
        nonlocal published
        published += 1
        day = start_day + dt.timedelta(days=published // 6)  # a few items a day, so fusion windows stay small
        feeds[k] = [made_up_item(rng, published, day), *feeds[k]][:WINDOW]
        paths[k].write_text(feed_xml(f"Made-up Wire {k}", feeds[k]), encoding="utf-8")

    for k in range(args.feeds):
        publish(k)
    settings = Settings(db=str(folder / "watch.db"), watch_seen_ids=SEEN_IDS)
    store = open_store(settings.db)
    samples: list[tuple[int, float, float, int]] = []
    totals = {"new_items": 0, "failed": 0, "changed": 0, "documents": 0, "duplicates": 0}
    started = time.perf_counter()

    def on_cycle(stats: CycleStats) -> None:
        totals["new_items"] += stats.new_items
        totals["failed"] += stats.failed
        totals["changed"] += stats.changed
        if stats.ingest is not None:
            totals["documents"] += stats.ingest.new
            totals["duplicates"] += stats.ingest.duplicate
        if stats.cycle % args.every == 0 or stats.cycle == 1:
            gc.collect()
            # Python's own live blocks tell a leak of Python objects from growth of C caches (SQLite, malloc).
            blocks = sys.getallocatedblocks()
            samples.append((stats.cycle, process.memory_info().rss / 2**20, time.perf_counter() - started, blocks))
            print(f"cycle {stats.cycle:5d}: rss {samples[-1][1]:7.1f} MB, python blocks {blocks:10,d} "
                  f"({samples[-1][2]:6.1f} s)", flush=True)  # fmt: skip
        for k in range(args.feeds):
            if stats.cycle % (3 + k) == 0 and not args.static:
                publish(k)

    with Watcher([str(p) for p in paths], store, Pipeline(settings)) as watcher:
        watcher.run(every=0, cycles=args.cycles, on_cycle=on_cycle)
    with store.connect() as conn:
        longest = max(len(state.seen_ids) for state in load_states(conn).values())
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - started

    at = {cycle: (rss, blocks) for cycle, rss, _, blocks in samples}
    first, first_blocks = at.get(100, (samples[0][1], samples[0][3]))
    last, last_blocks = samples[-1][1], samples[-1][3]
    growth = last - first
    # Items written after the last cycle are never polled.
    unpublished = sum(1 for k in range(args.feeds) if args.cycles % (3 + k) == 0 and not args.static)
    print(
        f"{args.cycles} cycles in {seconds:.0f} s ({1000 * seconds / args.cycles:.0f} ms a cycle); "
        f"{published} items published, {totals['new_items']} ingested as new ({totals['documents']} documents, "
        f"{totals['duplicates']} near/exact copies), {totals['failed']} source failures; "
        f"longest seen-id list {longest} (cap {SEEN_IDS})"
    )
    print(f"rss at cycle 100: {first:.1f} MB, at cycle {samples[-1][0]}: {last:.1f} MB, growth {growth:+.1f} MB "
          f"(limit {args.max_growth_mb:g} MB); python blocks {last_blocks - first_blocks:+,d}")  # fmt: skip
    problems = []
    if growth > args.max_growth_mb:
        problems.append(f"memory grew {growth:.1f} MB")
    if last_blocks - first_blocks > args.max_growth_blocks:
        problems.append(f"Python's live blocks grew by {last_blocks - first_blocks:,d}")
    if totals["new_items"] != published - unpublished:
        problems.append(f"{published - unpublished} items published but {totals['new_items']} ingested as new")
    if longest > SEEN_IDS:
        problems.append(f"a feed remembers {longest} ids, over the cap {SEEN_IDS}")
    if totals["failed"]:
        problems.append(f"{totals['failed']} source failures")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
