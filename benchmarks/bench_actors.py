"""Actor recall on the ACLED dev rows: is each row's gold actor1 (and actor2) among the actors the ruler and
coref find in its note?

Each note goes through the English pipeline with `sitrep_actor_ruler` and `sitrep_coref`; every actor span is
resolved with the row's country and event date. Names are compared without parenthesised parts (periods and
countries: 'Military Forces of Syria (2000-)' → 'military forces of syria'), and also with only the final
parenthesised suffix removed (as `sitrep eval` compares them). Held-out rows are those whose
sha1(event_id_cnty) % 5 == 0; `--misses` lists the most frequent missed gold actors of the other rows only.

    .venv/bin/python benchmarks/bench_actors.py [--limit N] [--misses 30] [--blank]

`--pipeline` instead runs the whole extraction (as `sitrep eval` does) on the training rows only and writes each
row whose gold actor1 or actor2 is missing among the predicted events to `--dump` (JSON Lines: gold, predicted,
note), for studying misses without looking at the held-out rows.

    .venv/bin/python benchmarks/bench_actors.py --pipeline --dump /tmp/actor_misses.jsonl [--limit N]
"""

import argparse
import csv
import datetime as dt
import hashlib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from sitrep.nlp import blank_language, load_language
from sitrep.read.actor_data import actor_key
from sitrep.read.actor_registry import load_actors
from sitrep.read.actors import actor_spans

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "acled" / "acled-dev.csv"
_FINAL_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


def final_suffix_key(name: str) -> str:
    return _FINAL_SUFFIX.sub("", name or "").strip().casefold()


def held_out(row_id: str) -> bool:
    return int(hashlib.sha1(row_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--misses", type=int, default=0, help="list the N most frequent missed gold actors")
    parser.add_argument("--blank", action="store_true", help="tokenizer only (the components use no parse): fast")
    parser.add_argument("--pipeline", action="store_true", help="whole extraction on the training rows")
    parser.add_argument("--dump", type=Path, help="with --pipeline: write the missed rows here (JSON Lines)")
    args = parser.parse_args()
    if args.pipeline:
        return pipeline_misses(args.gold, limit=args.limit, dump=args.dump, top=args.misses)
    if not args.gold.exists():
        print(f"no gold file at {args.gold}", file=sys.stderr)
        return 1
    with args.gold.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if args.limit:
        rows = rows[: args.limit]
    texts = [r["notes"] for r in rows]

    registry = load_actors()
    nlp = blank_language() if args.blank else load_language()
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    bare_s = time.perf_counter() - start
    # The components run on the parsed documents and are timed alone, so that other load on the machine
    # during the (much longer) parse does not blur their share.
    ruler = nlp.add_pipe("sitrep_actor_ruler")
    coref = nlp.add_pipe("sitrep_coref")
    start = time.perf_counter()
    docs = [coref(ruler(doc)) for doc in docs]
    components_s = time.perf_counter() - start

    counts: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    n_found = 0
    for row, doc in zip(rows, docs, strict=True):
        on = dt.date.fromisoformat(row["event_date"])
        country = row["country"] or None
        found = []
        for span in actor_spans(doc):
            actor = registry.resolve_id(span.id_, country=country, on=on)
            if actor is not None:
                found.append(actor.name)
        n_found += len(set(found))
        keys = {actor_key(n) for n in found}
        final_keys = {final_suffix_key(n) for n in found}
        part = "held_out" if held_out(row["event_id_cnty"]) else "dev"
        for column in ("actor1", "actor2"):
            gold = row[column]
            if not gold:
                continue
            for split in ("all", part):
                counts[f"{split}.{column}.total"] += 1
                counts[f"{split}.{column}.found"] += actor_key(gold) in keys
                counts[f"{split}.{column}.found_final"] += final_suffix_key(gold) in final_keys
            if part == "dev" and actor_key(gold) not in keys:
                misses[gold] += 1

    print(f"rows: {len(rows)}  (held out: {sum(held_out(r['event_id_cnty']) for r in rows)})")
    print(f"actors found per note: {n_found / len(rows):.2f}")
    print(
        f"speed: parse {len(rows) / bare_s:.0f} notes/s; ruler+coref {1000 * components_s / len(rows):.3f} ms/note; "
        f"parse+ruler+coref {len(rows) / (bare_s + components_s):.0f} notes/s "
        f"(x{(bare_s + components_s) / bare_s:.3f} of the parse)"
    )
    print(f"{'split':10} {'column':7} {'total':>6} {'found':>7} {'found (final suffix)':>21}")
    for split in ("all", "dev", "held_out"):
        for column in ("actor1", "actor2"):
            total = counts[f"{split}.{column}.total"]
            if total:
                found = counts[f"{split}.{column}.found"] / total
                final = counts[f"{split}.{column}.found_final"] / total
                print(f"{split:10} {column:7} {total:6d} {found:7.3f} {final:21.3f}")
    if args.misses:
        print("\nmost frequent missed gold actors (dev part):")
        for name, n in misses.most_common(args.misses):
            print(f"  {n:5d}  {name}")
    return 0


def pipeline_misses(gold: Path, *, limit: int, dump: Path | None, top: int) -> int:
    """Score actor recall of the whole extraction on the training rows; dump the misses."""
    from sitrep.run.pipeline import Pipeline
    from sitrep.train.evaluate import acled_raw, read_acled

    rows = read_acled(gold, split="train", limit=limit or None)
    raws = (acled_raw(r) for r in rows)
    counts: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    suffixes: Counter[str] = Counter()
    out = dump.open("w", encoding="utf-8") if dump else None
    for row, result in zip(rows, Pipeline().extract_many(raws), strict=True):
        names = [n for e in result.events for n in (e.actor1, e.actor2, e.assoc_actor_1, e.assoc_actor_2) if n]
        keys = {actor_key(n) for n in names}
        exact = {n.casefold() for n in names}
        miss = {}
        for column in ("actor1", "actor2"):
            gold_name = row[column]
            if not gold_name:
                continue
            counts[f"{column}.total"] += 1
            found = actor_key(gold_name) in keys
            counts[f"{column}.found"] += found
            counts[f"{column}.exact"] += gold_name.casefold() in exact
            if found and gold_name.casefold() not in exact:
                same = sorted({n for n in names if actor_key(n) == actor_key(gold_name)})
                suffixes[f"{gold_name} -> {' | '.join(same)}"] += 1
            if not found:
                missed[f"{column}: {gold_name}"] += 1
                miss[column] = gold_name
        if miss and out is not None:
            fields = ("sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country")
            predicted = [{f: getattr(e, f) for f in fields} for e in result.events]
            record = {
                "id": row["event_id_cnty"],
                "country": row["country"],
                "sub": row["sub_event_type"],
                "missed": miss,
                "gold1": row["actor1"],
                "gold2": row["actor2"],
                "predicted": predicted,
                "notes": row["notes"],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if out is not None:
        out.close()
    for column in ("actor1", "actor2"):
        total = counts[f"{column}.total"]
        if total:
            print(f"train {column}: {counts[f'{column}.found'] / total:.3f} found, "
                  f"{counts[f'{column}.exact'] / total:.3f} exact, of {total}")  # fmt: skip
    for name, n in missed.most_common(top):
        print(f"  {n:5d}  {name}")
    print("\nfound, but with another suffix (gold -> predicted):")
    for name, n in suffixes.most_common(top):
        print(f"  {n:5d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
