"""Event dates on the ACLED dev rows: `resolve_date` on the first sentence of each note.

Two runs: with each row's event_date as the publication date (as `sitrep eval` does), and a harder one with the
publication date three days later. Reports event_date exact and time_precision exact, over all rows and on the
held-out fifth (sha1(event_id_cnty) % 5 == 0); `--misses N` prints N wrong rows of the other part.

    .venv/bin/python benchmarks/bench_dates.py [--limit N] [--misses 20] [--blank]
"""

import argparse
import csv
import datetime as dt
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

from sitrep.nlp import blank_language, load_language
from sitrep.read.dates import resolve_date

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "acled" / "acled-dev.csv"


def held_out(row_id: str) -> bool:
    return int(hashlib.sha1(row_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--date-only", action="store_true", help="list only rows whose date is wrong")
    parser.add_argument("--blank", action="store_true", help="sentencizer only, no DATE entities (fast)")
    args = parser.parse_args()
    if not args.gold.exists():
        print(f"no gold file at {args.gold}", file=sys.stderr)
        return 1
    with args.gold.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if args.limit:
        rows = rows[: args.limit]
    nlp = blank_language() if args.blank else load_language()
    docs = list(nlp.pipe((r["notes"] for r in rows), batch_size=64))
    for shift in (0, 3):
        counts: Counter[str] = Counter()
        misses = []
        start = time.perf_counter()
        for row, doc in zip(rows, docs, strict=True):
            gold = dt.date.fromisoformat(row["event_date"])
            sent = next(iter(doc.sents), doc[:])
            result = resolve_date(sent, published=gold + dt.timedelta(days=shift))
            part = "held_out" if held_out(row["event_id_cnty"]) else "dev"
            date_ok = result.date == gold
            precision_ok = str(result.time_precision) == row["time_precision"]
            for split in ("all", part):
                counts[f"{split}.total"] += 1
                counts[f"{split}.date"] += date_ok
                counts[f"{split}.precision"] += precision_ok
                counts[f"{split}.both"] += date_ok and precision_ok
            if part == "dev" and not (date_ok and (precision_ok or not args.date_only)):
                misses.append((row, result))
        seconds = time.perf_counter() - start
        print(f"published = event_date + {shift} days ({len(rows) / seconds:.0f} sentences/s)")
        for split in ("all", "dev", "held_out"):
            total = counts[f"{split}.total"]
            if total:
                print(
                    f"  {split:9} rows {total:6d}  event_date {counts[f'{split}.date'] / total:.3f}  "
                    f"time_precision {counts[f'{split}.precision'] / total:.3f}  "
                    f"both {counts[f'{split}.both'] / total:.3f}"
                )
        for row, result in misses[: args.misses]:
            print(
                f"    gold {row['event_date']} p{row['time_precision']}  got {result.date} p{result.time_precision}"
                f"  [{result.evidence.text if result.evidence else ''}]  {row['notes'][:110]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
