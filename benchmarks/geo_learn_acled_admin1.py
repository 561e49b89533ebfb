"""Learn ACLED's spelling of admin1 names (the output contract's naming) from the TRAINING ACLED rows.

ACLED writes Syria's admin1 as "Idleb", "Al-Hasakeh", "Dar'a"; GeoNames as "Idlib", "Al-Hasakah", "Daraa".
For each training row (held out = sha1(event_id_cnty) % 5 == 0 is skipped), the gazetteer place nearest to the
row's point (same country, within --km) gives a GeoNames admin1 code; the ACLED admin1 name most often paired
with that code becomes the area's display name, written to `src/sitrep/data/gazetteer/admin1_acled.csv` as
name pairs only (no note text). GeoNames' own names stay searchable.

Usage:
    .venv/bin/python benchmarks/geo_learn_acled_admin1.py [--dry-run] [--km 10]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import ACLED
from sitrep.errors import InputError
from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, default_gazetteer_path, plain_name
from sitrep.geo.words import load_context_words
from sitrep.settings import load_settings

HEADER = """# ACLED's spelling of admin1 names, the naming Sitrep's output uses: GeoNames admin1 code -> ACLED name.
# Learned by benchmarks/geo_learn_acled_admin1.py from the training ACLED rows (name pairs only): the place
# nearest each row's point gives the GeoNames code. seen: rows that paired them; share: of that code's rows;
# seen 0: written by hand (relearning keeps it). The GeoNames name stays an alternative name. Edit freely; editing
# rebuilds the gazetteer.
country,code,acled_name,geonames_name,seen,share
"""


def _hand_written() -> dict[tuple[str, str], str]:
    """The rows an analyst added (seen 0), as written, to keep when the file is learned again."""
    path = DATA_DIR / "admin1_acled.csv"
    if not path.exists():
        return {}
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {
        (row["country"], row["code"]): line
        for line, row in zip(lines[1:], csv.DictReader(lines), strict=True)
        if row["seen"] == "0"
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--km", type=float, default=10.0, help="largest km from the row's point to a place")
    parser.add_argument("--min-share", type=float, default=0.65)
    parser.add_argument("--show", default="", help="print the name pairs of these countries (ISO codes, with commas)")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    with ACLED.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f)
                if int(hashlib.sha1(r["event_id_cnty"].encode()).hexdigest(), 16) % 5 != 0]  # fmt: skip
    by_country: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        try:
            cc = gaz.country_code(row["country"])
        except InputError:
            continue
        if row["admin1"] and row["latitude"]:
            by_country[cc].append(row)
    pairs: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for cc, items in by_country.items():
        places = gaz.conn.execute("SELECT latitude, longitude, admin1 FROM places WHERE country = ? AND admin1 != ''",
                                  (cc,)).fetchall()  # fmt: skip
        if not places:
            continue
        pts = np.radians(np.array([(p[0], p[1]) for p in places]))
        for row in items:
            lat, lon = np.radians(float(row["latitude"])), np.radians(float(row["longitude"]))
            a = (np.sin((pts[:, 0] - lat) / 2) ** 2
                 + np.cos(lat) * np.cos(pts[:, 0]) * np.sin((pts[:, 1] - lon) / 2) ** 2)  # fmt: skip
            km = 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
            i = int(np.argmin(km))
            if km[i] <= args.km:
                pairs[(cc, places[i][2])][row["admin1"].strip()] += 1
    # GeoNames' own names, from admin1.csv: the compiled gazetteer already shows the names learned last time.
    geonames_names, alternatives = _geonames_admin1_names()
    lines = []
    if args.show:
        for key in sorted(k for k in pairs if k[0] in args.show.split(",")):
            print(key, geonames_names.get(key, ""), dict(pairs[key]))
    for (cc, code), names in sorted(pairs.items()):
        name, n = names.most_common(1)[0]
        share = n / sum(names.values())
        area = gaz.admin1_by_code(cc, code)
        geonames = geonames_names.get((cc, code), "")
        if share < args.min_share or not area or name == geonames:
            continue
        # One or two rows may pair a town with the wrong area (boundaries moved): keep those only when the two
        # names are spellings of each other.
        if n < 3 and geonames and fuzz.token_set_ratio(plain_name(name), plain_name(geonames)) < 70:
            continue
        lines.append(f'{cc},{code},"{name}","{geonames}",{n},{share:.2f}')
    learned = {(line.split(",")[0], line.split(",")[1]) for line in lines}
    lines += _name_pairs(gaz, by_country, alternatives, learned)
    learned = {(line.split(",")[0], line.split(",")[1]) for line in lines}
    lines += [line for key, line in _hand_written().items() if key not in learned]
    lines.sort()
    text = HEADER + "\n".join(lines) + "\n"
    if args.dry_run:
        print(text)
    else:
        (DATA_DIR / "admin1_acled.csv").write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} names to {DATA_DIR / 'admin1_acled.csv'}")


def _geonames_admin1_names() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], list[str]]]:
    """GeoNames' admin1 names and alternative names by (country, code), from admin1.csv."""
    with (DATA_DIR / "admin1.csv").open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rows = [row for row in csv.reader(lines[1:]) if len(row) >= 3]
    names = {(row[0], row[1]): row[2] for row in rows}
    alternatives = {(row[0], row[1]): [a for a in (row[3] if len(row) > 3 else "").split("|") if a] for row in rows}
    return names, alternatives


def _name_pairs(
    gaz: Gazetteer,
    by_country: dict[str, list[dict[str, str]]],
    alternatives: dict[tuple[str, str], list[str]],
    learned: set[tuple[str, str]],
) -> list[str]:
    """Pairs by spelling, for areas whose rows lie too far from any gazetteer place: an ACLED admin1 name the
    gazetteer does not know that equals, without level words ("Rayon", "District"), exactly one area's GeoNames
    or alternative name ("Gadabay" = "Gadabay Rayon", GeoNames "Gədəbəy")."""
    level_words = load_context_words().region_after
    geonames_names = _geonames_admin1_names()[0]

    def level_free(text: str) -> str:
        return " ".join(w for w in gaz.rules.strip_admin_words(plain_name(text)).split() if w not in level_words)

    lines = []
    for cc, items in sorted(by_country.items()):
        counts = Counter(row["admin1"].strip() for row in items)
        for name, n in sorted(counts.items()):
            if n < 2:
                continue
            known = gaz.admin1_area(name, cc)
            plain = level_free(name)
            if known is not None and known.admin1_code:
                # Found under another of its names ("Gadabay" for "Gədəbəy"): the output must say ACLED's.
                geonames = geonames_names.get((cc, known.admin1_code), "")
                codes = {known.admin1_code} if geonames != name and (cc, known.admin1_code) not in learned else set()
            else:
                codes = {code for (c, code), alts in alternatives.items() if c == cc and (c, code) not in learned
                         and any(level_free(a) == plain for a in alts)}  # fmt: skip
            if len(codes) == 1:
                code = codes.pop()
                area = gaz.admin1_by_code(cc, code)
                geonames = geonames_names.get((cc, code), "")
                # An area merged into another that ACLED still names ("Mwaro", now part of Gitega) is no spelling:
                # a name unlike GeoNames' needs a few rows.
                unlike = bool(plain_name(geonames)) and fuzz.token_set_ratio(plain, plain_name(geonames)) < 50
                if area is not None and geonames not in counts and (n >= 3 or not unlike):
                    lines.append(f'{cc},{code},"{name}","{geonames}",{n},1.00')
    return lines


if __name__ == "__main__":
    main()
