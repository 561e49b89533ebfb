"""Count ACLED events per country in the TRAINING rows: the prior `event_place` gives a place's country.

Conflict news is mostly about conflict countries: when a note names "Laama" (a village in Togo, by name match) and
"Gaalkacyo" (Somalia), the event is far likelier in Somalia. Held-out rows (sha1(event_id_cnty) % 5 == 0) are not
counted. Writes `src/sitrep/data/gazetteer/conflict_prior.csv` (ISO alpha-2 code, events) and
`conflict_admin1.csv` (ISO alpha-2 code, GeoNames admin1 code, events): within a country, the prior the resolver
gives a namesake village's admin1 area (a "Novoselivka" near the front line before one far from it).

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
from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, default_gazetteer_path
from sitrep.settings import load_settings

HEADER = """# Conflict events per country (ACLED training rows, counted by benchmarks/geo_learn_conflict_prior.py): the
# prior that sitrep.geo.geocode.event_place gives a place's country, as log(1 + events). Edit freely.
country,events
"""
ADMIN1_HEADER = """# Conflict events per admin1 area (ACLED training rows, counted by
# benchmarks/geo_learn_conflict_prior.py): within a country, the prior sitrep.geo.geocode's resolver gives a place's
# admin1 area, as log(1 + events) scaled to the country's busiest area. Edit freely.
country,admin1,events
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    counts: Counter[str] = Counter()
    areas: Counter[tuple[str, str]] = Counter()
    with ACLED.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if int(hashlib.sha1(row["event_id_cnty"].encode()).hexdigest(), 16) % 5 == 0:
                continue
            try:
                iso = gaz.country_code(row["country"])
            except InputError:
                continue
            counts[iso] += 1
            area = gaz.admin1_area(row["admin1"], iso) if row["admin1"].strip() else None
            if area is not None:
                areas[(iso, area.admin1_code)] += 1
    text = HEADER + "".join(f"{cc},{n}\n" for cc, n in sorted(counts.items()))
    admin1_text = ADMIN1_HEADER + "".join(f"{cc},{code},{n}\n" for (cc, code), n in sorted(areas.items()))
    if args.dry_run:
        print(text)
        print(admin1_text)
    else:
        (DATA_DIR / "conflict_prior.csv").write_text(text, encoding="utf-8")
        (DATA_DIR / "conflict_admin1.csv").write_text(admin1_text, encoding="utf-8")
        print(
            f"wrote {len(counts)} countries to {DATA_DIR / 'conflict_prior.csv'} and {len(areas)} admin1 areas "
            f"to {DATA_DIR / 'conflict_admin1.csv'}"
        )


if __name__ == "__main__":
    main()
