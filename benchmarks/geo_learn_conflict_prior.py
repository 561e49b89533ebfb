"""Count ACLED events per country in the TRAINING rows: the prior `event_place` gives a place's country.

Conflict news is mostly about conflict countries: when a note names "Laama" (a village in Togo, by name match) and
"Gaalkacyo" (Somalia), the event is far likelier in Somalia. Held-out rows (sha1(event_id_cnty) % 5 == 0) are not
counted. Writes `src/sitrep/data/gazetteer/conflict_prior.csv` (ISO alpha-2 code, events).

Usage:
    .venv/bin/python benchmarks/geo_learn_conflict_prior.py [--dry-run]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import ACLED
from sitrep.errors import InputError
from sitrep.gazetteer import DATA_DIR, Gazetteer, default_gazetteer_path
from sitrep.settings import Settings

HEADER = """# Conflict events per country (ACLED training rows, counted by benchmarks/geo_learn_conflict_prior.py): the
# prior that sitrep.geocode.event_place gives a place's country, as log(1 + events). Edit freely.
country,events
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(Settings()))
    counts: Counter[str] = Counter()
    with ACLED.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if int(hashlib.sha1(row["event_id_cnty"].encode()).hexdigest(), 16) % 5 == 0:
                continue
            try:
                counts[gaz.country_code(row["country"])] += 1
            except InputError:
                continue
    text = HEADER + "".join(f"{cc},{n}\n" for cc, n in sorted(counts.items()))
    if args.dry_run:
        print(text)
    else:
        (DATA_DIR / "conflict_prior.csv").write_text(text, encoding="utf-8")
        print(f"wrote {len(counts)} countries to {DATA_DIR / 'conflict_prior.csv'}")


if __name__ == "__main__":
    main()
