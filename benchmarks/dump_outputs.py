"""Dump what Sitrep's contracts print on fixed inputs, so a change meant to keep output can be checked byte for byte.

Runs the installed `sitrep` command (so it measures the contract whatever the package layout) on:
- `extract`: the first N ACLED notes (published on their event date), the CASE 2021 snippets, the FA-KES dev
  articles (published on their date) and every file of `examples/`;
- `geocode`: the TR-News articles with their gold toponym spans as mentions.
Writes one file per input set to OUT (default `dumps/`); compare two runs with `diff -r` or `--compare OTHER`.

Usage:
    .venv/bin/python benchmarks/dump_outputs.py OUT [--acled N] [--compare OTHER_DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from sitrep.train.articles import fakes_record, read_fakes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SITREP = str(Path(sys.executable).with_name("sitrep"))


def acled_records(limit: int) -> Iterator[dict[str, str]]:
    with (SHARED / "acled" / "acled-dev.csv").open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= limit:
                return
            yield {"id": f"acled-{number}", "text": row["notes"], "published": row["event_date"]}


def case_records() -> Iterator[dict[str, str]]:
    with (SHARED / "case2021" / "case2021-task2.tsv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield {"id": f"case-{row['id']}", "text": row["EventSnippet"]}


def fakes_records() -> Iterator[dict[str, str | None]]:
    for row in read_fakes(SHARED / "fakes" / "fakes-dev.csv"):
        yield fakes_record(row)


def trnews_records() -> Iterator[dict[str, object]]:
    root = ET.parse(SHARED / "geoparsing" / "TR-News.xml").getroot()
    for number, article in enumerate(root.iter("article")):
        text = article.findtext("text") or ""
        mentions = []
        for toponym in article.iter("toponym"):
            start, end = int(toponym.findtext("start") or -1), int(toponym.findtext("end") or -1)
            if 0 <= start < end <= len(text):
                mentions.append({"start": start, "end": end})
        yield {"id": f"trnews-{number}", "text": text, "mentions": mentions}


def run(args: list[str], records: Iterator[dict] | None, out: Path) -> None:
    """Run one sitrep command, JSON Lines in (when given), its standard output to `out`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as tmp:
        for record in records or ():
            tmp.write(json.dumps(record, ensure_ascii=False) + "\n")
    command = [SITREP, *[tmp.name if a == "{input}" else a for a in args]]
    with out.open("wb") as handle:
        subprocess.run(command, stdout=handle, check=True)
    Path(tmp.name).unlink()
    print(f"{out.name}: {sum(1 for _ in out.open(encoding='utf-8'))} lines", file=sys.stderr)


def dump(out_dir: Path, *, acled: int) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    extract = ["extract", "{input}", "--format", "jsonl"]
    run(extract, acled_records(acled), out_dir / "extract-acled.jsonl")
    run(extract, case_records(), out_dir / "extract-case.jsonl")
    run(extract, fakes_records(), out_dir / "extract-fakes.jsonl")
    run(["geocode", "{input}", "--format", "jsonl"], trnews_records(), out_dir / "geocode-trnews.jsonl")
    with (out_dir / "extract-examples.jsonl").open("w", encoding="utf-8") as handle:
        for path in sorted(p for p in (ROOT / "examples").rglob("*") if p.is_file() and p.name != "README.md"):
            if path.suffix in {".jsonl", ".xml", ".rss"}:
                continue  # feeds and JSON Lines are read by `ingest`, not `extract`'s single-document path
            command = [SITREP, "extract", str(path), "--format", "jsonl"]
            result = subprocess.run(command, capture_output=True, check=True)
            handle.write(result.stdout.decode("utf-8"))
    print(f"extract-examples.jsonl: written to {out_dir}", file=sys.stderr)


def changed_fields(before: Path, after: Path) -> Counter[str]:
    """Count, per dotted field path, the lines whose value differs between two dumps of the same inputs."""
    counts: Counter[str] = Counter()

    def walk(a: object, b: object, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for x, y in zip(a, b, strict=True):
                walk(x, y, f"{path}[]")
        elif a != b:
            counts[path] += 1

    for name in sorted(p.name for p in before.glob("*.jsonl")):
        old = (before / name).read_text(encoding="utf-8").splitlines()
        new = (after / name).read_text(encoding="utf-8").splitlines() if (after / name).exists() else []
        if len(old) != len(new):
            counts[f"{name}: line count {len(old)} -> {len(new)}"] += 1
            continue
        for a, b in zip(old, new, strict=True):
            if a != b:
                walk(json.loads(a), json.loads(b), name)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--acled", type=int, default=2000, help="how many ACLED notes (the first N rows)")
    parser.add_argument("--compare", type=Path, help="an earlier dump folder to compare with")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"no shared data at {SHARED}")
    dump(args.out, acled=args.acled)
    if args.compare:
        counts = changed_fields(args.compare, args.out)
        for field, count in counts.most_common():
            print(f"{count:6d}  {field}")
        print("identical" if not counts else f"{sum(counts.values())} differing values")


if __name__ == "__main__":
    main()
