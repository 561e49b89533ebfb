"""The `Gazetteer` reader: lookups by name key, id, area and country over the compiled SQLite file, with their
caches and the fuzzy index."""

from __future__ import annotations

import bisect
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy
from rapidfuzz import fuzz, process

from ...errors import DataFileError, Errors, InputError
from ...settings import Settings
from .build import build_gazetteer
from .index import (
    DEMONYM_KEY,
    PLACE_KEY,
    UNKNOWN_KEY,
    FuzzyList,
    file_version,
    key_hash,
    letter_set,
    read_key_filter,
    unpack_fuzzy_list,
)
from .names import NameRules, load_name_rules, plain_name
from .schema import (
    ALL_KINDS,
    KIND_CODE,
    SRC_DEMONYM,
    GazEntry,
    Kind,
    Match,
    default_gazetteer_path,
    gazetteer_version,
    matched_as,
)

_MATCH_QUALITY: dict[str, float] = {"id": 1.0, "exact": 1.0, "alias": 1.0, "key": 0.85}
_MISSING = object()


# Names kept in memory for fuzzy matching, by country, least recently used dropped first. A worldwide feed cycles
# through a hundred countries (2,000 ACLED notes name 98), so a cache of a few countries thrashed: reloading them
# cost 15% of extraction time. The shipped gazetteer's 800,000 names take about 70 MB, and all fit.
FUZZY_CACHE_NAMES = 1_000_000
# Lookups, fuzzy scans and key checks remembered per gazetteer (the least recently used dropped first).
LOOKUP_CACHE_SIZE = 100_000
ENTRY_CACHE_SIZE = 50_000  # entries built, all forgotten at once when full

# A place's columns, as `Gazetteer._place_entry` reads them (`p`: places, `a`: its admin1 area).
_PLACE_COLUMNS = (
    "p.geonameid, p.name, p.latitude, p.longitude, p.country, p.admin1, a.name, p.admin2, p.admin3, p.fcode,"
    " p.population"
)
# A key's names, each with its place's columns when it names a place. In the order of the primary key, as a scan
# of it gives them: lookups keep that order among equals.
_NAME_ROWS = (
    f"SELECT n.kind, n.ref, n.plain, n.src, n.country, {_PLACE_COLUMNS} FROM names n"
    " LEFT JOIN places p ON n.kind = 0 AND p.geonameid = n.ref"
    " LEFT JOIN admin1 a ON a.country = p.country AND a.code = p.admin1"
    " WHERE n.key = ? ORDER BY n.kind, n.ref, n.plain"
)


class Gazetteer:
    """Read access to a compiled gazetteer file. Open with `Gazetteer.open()`, which builds it on first use.

    A lookup is one indexed SQLite query; the fuzzy fallback keeps one country's names in memory at a time.
    The object can be pickled (it reopens its file), so it can travel to Dask workers.
    """

    def __init__(self, path: str | Path, *, rules: NameRules | None = None) -> None:
        self.path = Path(path)
        self.rules = rules or load_name_rules()
        self._conn: sqlite3.Connection | None = None
        self._fuzzy_cache: dict[str, FuzzyList] = {}
        # News repeats its names: lookups, fuzzy scans (about a millisecond each) and key checks are remembered.
        self._cached_lookup = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._lookup)
        self._cached_fuzzy = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._fuzzy)
        self._cached_key = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self.rules.key)
        self._cached_place_key = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._has_place_key)
        # one query per key, whatever kinds, country or limit each lookup of it asks for
        self._cached_rows = lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._rows)
        self._countries: dict[str, tuple[int, str, int | None]] = {}
        self._entries: dict[tuple[int, int], GazEntry | None] = {}
        self._admin1_ids: dict[tuple[str, str], int | None] = {}
        self._key_filter: tuple[array[int], bytes, array[int]] | None = None
        self._connect()

    @classmethod
    def open(cls, path: str | Path | None = None, *, settings: Settings | None = None, build: bool = True) -> Gazetteer:
        """Open the compiled gazetteer, building (or rebuilding) it first when missing or out of date.

        Args:
            path: The SQLite file; default `default_gazetteer_path(settings)`.
            settings: Where `gazetteer_path` comes from when `path` is not given.
            build: Build when missing or outdated; when False, open whatever is there.

        Returns:
            The opened gazetteer.

        Raises:
            DataFileError: A data file of `data/gazetteer/` is malformed, or the file cannot be built or read.
        """
        target = Path(path).expanduser() if path else default_gazetteer_path(settings)
        if build and file_version(target) != gazetteer_version():
            build_gazetteer(target)
        return cls(target)

    def _connect(self) -> None:
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            self._countries = {
                iso: (gid, name, isonum)
                for gid, iso, name, isonum in conn.execute("SELECT geonameid, iso, name, isonum FROM countries")
            }
            self._key_filter = read_key_filter(conn)
        except sqlite3.Error as e:
            raise DataFileError(Errors.E051.format(path=self.path, reason=e)) from e
        self._conn = conn
        self.version = rows.get("version", "")

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "rules": self.rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], rules=state["rules"])  # type: ignore[misc]

    def reopen(self) -> None:
        """Forget cached entries and reconnect (after the file changed)."""
        self.close()
        self._entries.clear()
        self._admin1_ids.clear()
        self._fuzzy_cache.clear()
        for cached in (self._cached_lookup, self._cached_fuzzy, self._cached_place_key, self._cached_rows):
            cached.cache_clear()
        self._connect()

    def close(self) -> None:
        """Close the file."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._connect()
        assert self._conn is not None  # for mypy: _connect sets it or raises
        return self._conn

    # -- lookups ------------------------------------------------------------------------------------------

    def key(self, text: str) -> str:
        """The matching key of a name (see `names.yaml`)."""
        return self._cached_key(text)

    def has_key(self, key: str) -> bool:
        """Whether any entry has this matching key (fast; for scanning text)."""
        if self._known_key(key) == UNKNOWN_KEY:
            return False
        return self.conn.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    def has_place_key(self, key: str) -> bool:
        """Whether a place, area or country (not a demonym such as "Syrian") has this matching key."""
        return self._cached_place_key(key)

    def _has_place_key(self, key: str) -> bool:
        if self._known_key(key) != PLACE_KEY:
            return False
        row = self.conn.execute("SELECT 1 FROM names WHERE key = ? AND src != ? LIMIT 1", (key, SRC_DEMONYM))
        return row.fetchone() is not None

    def _known_key(self, key: str) -> int:
        """What the file's key filter says of a key: `UNKNOWN_KEY` (no name has it), `DEMONYM_KEY` (only
        demonyms have it) or `PLACE_KEY` (some place, area or country may: two keys may share a hash, so SQLite
        has the last word). Scanning text asks for a few capitalised words at a time, most of them no name at all:
        the filter answers those without a query. `PLACE_KEY` too when the file has no filter."""
        if self._key_filter is None:
            return PLACE_KEY
        hashes, flags, buckets = self._key_filter
        hashed = key_hash(key)
        # The hashes are sorted; their top 16 bits pick a bucket of about ten, searched in place.
        top = hashed >> 48
        i = bisect.bisect_left(hashes, hashed, buckets[top], buckets[top + 1])
        if i == buckets[top + 1] or hashes[i] != hashed:
            return UNKNOWN_KEY
        return PLACE_KEY if flags[i] else DEMONYM_KEY

    def numeric_iso(self, country: str) -> str | None:
        """The numeric ISO 3166 code of a country (as ACLED's `iso` column), e.g. "760" for SY."""
        known = self._countries.get(country.upper())
        return str(known[2]) if known and known[2] is not None else None

    def lookup(
        self,
        name: str,
        *,
        country: str | None = None,
        limit: int = 20,
        fuzzy: bool = True,
        fuzzy_cutoff: float = 88.0,
        kinds: Sequence[Kind] = ALL_KINDS,
        adjectives: bool = False,
    ) -> list[GazEntry]:
        """Entries that a name may mean, best first.

        Exact names (after `plain_name`) and aliases rank before matching keys (spelling variants), and those
        before fuzzy matches; within a tier, by prior (feature class, population).

        Args:
            name: The name as written ("Ma'arrat al-Nu'man", "Idleb", "Hama province" is not split here).
            country: Only entries of this country (ISO alpha-2 code or country name).
            limit: At most this many entries.
            fuzzy: When nothing matches, try rapidfuzz over the country's names (or major places when no
                country is given), keeping scores at or above `fuzzy_cutoff`.
            fuzzy_cutoff: The least rapidfuzz ratio (0-100) for a fuzzy match.
            kinds: Which kinds of entries to return.
            adjectives: Also match demonyms ("Syrian" -> Syria).

        Returns:
            The entries, each with `match` and `score` (1 exact or alias, 0.85 spelling key, ratio/100*0.7 fuzzy).

        Raises:
            InputError: `country` is not a known country.
        """
        iso = self.country_code(country) if country else None
        return list(self._cached_lookup(name, iso, limit, fuzzy, fuzzy_cutoff, tuple(kinds), adjectives))

    def _lookup(
        self,
        name: str,
        iso: str | None,
        limit: int,
        fuzzy: bool,
        fuzzy_cutoff: float,
        kinds: Sequence[Kind],
        adjectives: bool,
    ) -> list[GazEntry]:
        plain = plain_name(name)
        key = self.rules.key_from_plain(plain)
        if not key:
            return []
        wanted = {KIND_CODE[k] for k in kinds}
        best: dict[tuple[int, int], tuple[Match, float, str]] = {}
        for kind, ref, row_plain, src, row_country in self._cached_rows(key):
            if kind not in wanted or (iso and row_country != iso) or (src == SRC_DEMONYM and not adjectives):
                continue
            match: Match = "alias" if src else ("exact" if row_plain == plain else "key")
            quality = _MATCH_QUALITY[match]
            if (kind, ref) not in best or best[(kind, ref)][1] < quality:
                best[(kind, ref)] = (match, quality, row_plain)
        if not best and fuzzy and len(key) >= 4:
            for (kind, ref), score, matched in self._cached_fuzzy(key, iso, fuzzy_cutoff):
                if kind in wanted:
                    best.setdefault((kind, ref), ("fuzzy", score / 100 * 0.7, matched))
        tiers: defaultdict[float, list[tuple[int, int, Match, str]]] = defaultdict(list)
        for (kind, ref), (match, quality, matched) in best.items():
            tiers[quality].append((kind, ref, match, matched))
        entries: list[GazEntry] = []
        # Tier by tier (exact, key, fuzzy), best first: a common name's lower tiers need no entries built.
        for quality in sorted(tiers, reverse=True):
            found = ((self._entry(kind, ref), match, matched) for kind, ref, match, matched in tiers[quality])
            tier = [matched_as(e, matched, match, quality) for e, match, matched in found if e is not None]
            entries.extend(sorted(tier, key=lambda e: e.prior, reverse=True))
            if len(entries) >= limit:
                break
        return entries[:limit]

    def _rows(self, key: str) -> list[tuple[int, int, str, int, str]]:
        if self._known_key(key) == UNKNOWN_KEY:
            return []
        # The names' places come in the same query: most entries a lookup builds are places, one query each.
        rows = self.conn.execute(_NAME_ROWS, (key,)).fetchall()
        for row in rows:
            if row[0] == 0 and row[5] is not None and (0, row[1]) not in self._entries:
                self._remember(0, row[1], self._place_entry(row[5:]))
        return [row[:5] for row in rows]

    def _fuzzy(self, key: str, iso: str | None, cutoff: float) -> list[tuple[tuple[int, int], float, str]]:
        names = self._fuzzy_candidates(iso or "")
        if names.letters is not None and key.isascii() and cutoff > 0:
            # fuzz.ratio is 100 * (1 - d / (n + m)) for the insertions and deletions d that turn one key into the
            # other. d is at least the difference of the lengths, and at least the number of letters one key has
            # and the other lacks: keys whose bound already passes what `cutoff` allows cannot match, and scoring
            # only the others (a few in a thousand), in their stored order, finds the same matches in the same order.
            n = len(key)
            allowed = (names.lengths + n) * (1.0 - cutoff / 100.0) + 1e-6
            bound = numpy.maximum(numpy.abs(names.lengths - n), numpy.bitwise_count(names.letters ^ letter_set(key)))
            chosen = numpy.flatnonzero(bound <= allowed)
        else:
            chosen = numpy.arange(names.size)
        text = names.text
        starts, lengths = names.starts[chosen].tolist(), names.lengths[chosen].tolist()
        keys = [text[start : start + length] for start, length in zip(starts, lengths, strict=True)]
        hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10)
        indices, refs = chosen.tolist(), names.refs
        return [((refs[2 * indices[i]], refs[2 * indices[i] + 1]), float(score), matched) for matched, score, i in hits]

    def _fuzzy_candidates(self, iso: str) -> FuzzyList:
        """A country's name keys for fuzzy matching (see `FuzzyList`)."""
        cached = self._fuzzy_cache.get(iso)
        if cached is not None:
            self._fuzzy_cache[iso] = self._fuzzy_cache.pop(iso)  # most recently used last
            return cached
        row = self.conn.execute("SELECT keys, refs FROM fuzzy_lists WHERE country = ?", (iso,)).fetchone()
        result = unpack_fuzzy_list(row[0], row[1]) if row else unpack_fuzzy_list("", b"")
        cached_names = sum(names.size for names in self._fuzzy_cache.values())
        while self._fuzzy_cache and cached_names + result.size > FUZZY_CACHE_NAMES:  # bounded memory
            cached_names -= self._fuzzy_cache.pop(next(iter(self._fuzzy_cache))).size
        self._fuzzy_cache[iso] = result
        return result

    def region(self, name: str) -> GazEntry | None:
        """A macro-region or physical feature of `regions.csv` by name or alias ("Middle East"), or None."""
        hits = self.lookup(name, kinds=("region",), limit=1, fuzzy=False)
        return hits[0] if hits else None

    def get(self, geonameid: int) -> GazEntry | None:
        """The place or country with this GeoNames id, or None."""
        for kind in (0, 2, 4):
            entry = self._entry(kind, geonameid)
            if entry is not None:
                return entry
        return None

    def admin1_by_code(self, country: str, code: str) -> GazEntry | None:
        """The admin1 area of a country by its GeoNames admin1 code ("SY", "12"), or None."""
        iso = self.country_code(country)
        # Every resolved place asks for its area: the few thousand areas' ids are remembered.
        if (iso, code) not in self._admin1_ids:
            row = self.conn.execute("SELECT id FROM admin1 WHERE country = ? AND code = ?", (iso, code)).fetchone()
            self._admin1_ids[(iso, code)] = row[0] if row else None
        return self._entry(1, self._admin1_ids[(iso, code)])

    def admin1_area(self, name: str, country: str | None = None) -> GazEntry | None:
        """The admin1 area a name means ("Hama", "Rural Damascus", "Idleb Governorate"), or None.

        Args:
            name: The area's name, with or without a level word (province, governorate ...).
            country: The country (ISO code or name); without it, the best area of any country.

        Returns:
            The best admin1 entry, or None.
        """
        for candidate in (name, self.rules.strip_admin_words(plain_name(name))):
            if candidate:
                hits = self.lookup(candidate, country=country, kinds=("admin1",), limit=5)
                # An area of that very name before one whose name holds it with a level word: "Mexico" is the
                # State of Mexico, not Mexico City (indexed as "Mexico" too, without its "city").
                plain = plain_name(candidate)
                named = [h for h in hits if plain_name(h.name) == plain]
                if named or hits:
                    return (named or hits)[0]
        return None

    def admin1_of(self, entry: GazEntry) -> GazEntry | None:
        """The admin1 area a place lies in, or None."""
        if entry.kind in ("country", "continent", "region") or not entry.admin1_code:
            return None
        return entry if entry.kind == "admin1" else self.admin1_by_code(entry.country, entry.admin1_code)

    def country(self, name: str) -> GazEntry | None:
        """A country by ISO alpha-2 code or name, or None."""
        code = name.upper() if len(name) == 2 else None
        if code and code in self._countries:
            return self._entry(2, self._countries[code][0])
        hits = self.lookup(name, kinds=("country",), limit=1, fuzzy=False)
        return hits[0] if hits else None

    def country_code(self, name: str) -> str:
        """The ISO alpha-2 code of a country given by code or name.

        Raises:
            InputError: Not a known country.
        """
        if len(name) == 2 and name.upper() in self._countries:
            return name.upper()
        entry = self.country(name)
        if entry is None:
            raise InputError(Errors.E052.format(country=name))
        return entry.country

    def seat(self, entry: GazEntry) -> GazEntry | None:
        """The main town of an area: an admin1 area's capital, a country's capital; a place is its own seat."""
        if entry.kind == "place":
            return entry
        return self._entry(0, entry.seat) if entry.seat is not None else None

    def places_in(self, country: str, admin1_code: str | None = None) -> list[GazEntry]:
        """All places of a country (or one of its admin1 areas), most populous first."""
        iso = self.country_code(country)
        sql = "SELECT geonameid FROM places WHERE country = ?"
        args: tuple[str, ...] = (iso,)
        if admin1_code is not None:
            sql += " AND admin1 = ?"
            args = (iso, admin1_code)
        rows = self.conn.execute(sql + " ORDER BY population DESC", args).fetchall()
        return [e for (gid,) in rows if (e := self._entry(0, gid)) is not None]

    def famous_names(self, min_population: int = 100_000) -> list[str]:
        """The names of every country and admin1 area and of the places of at least `min_population` people."""
        areas = "SELECT name FROM countries UNION SELECT name FROM admin1"
        rows = self.conn.execute(f"{areas} UNION SELECT name FROM places WHERE population >= ?", (min_population,))
        return [name for (name,) in rows]

    def stats(self) -> dict[str, int]:
        """Counts of places, names, admin1 areas and countries, and the file size in bytes."""
        counts = {
            table: int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("places", "names", "admin1", "admin2", "countries")
        }
        counts["size_bytes"] = self.path.stat().st_size
        return counts

    def _entry(self, kind: int, ref: int | None) -> GazEntry | None:
        if ref is None:
            return None
        # Entries are immutable while the file is open read-only, so repeated lookups skip SQLite.
        cached = self._entries.get((kind, ref), _MISSING)
        if cached is _MISSING:
            cached = self._remember(kind, ref, self._load_entry(kind, ref))
        return cached  # type: ignore[return-value]

    def _remember(self, kind: int, ref: int, entry: GazEntry | None) -> GazEntry | None:
        """Keep a built entry (all are forgotten at once when `ENTRY_CACHE_SIZE` is reached)."""
        if len(self._entries) >= ENTRY_CACHE_SIZE:
            self._entries.clear()
        self._entries[(kind, ref)] = entry
        return entry

    def _load_entry(self, kind: int, ref: int) -> GazEntry | None:
        conn = self.conn
        if kind == 0:
            row = conn.execute(
                f"SELECT {_PLACE_COLUMNS} FROM places p LEFT JOIN admin1 a ON a.country = p.country"
                " AND a.code = p.admin1 WHERE p.geonameid = ?",
                (ref,),
            ).fetchone()
            return None if row is None else self._place_entry(row)
        if kind == 1:
            row = conn.execute(
                "SELECT country, code, name, latitude, longitude, population, seat, geonameid FROM admin1 WHERE id = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            cc, code, name, lat, lon, pop, seat, gid = row
            return GazEntry(gid, name, lat, lon, cc, self._country_name(cc), code, name or None,
                            feature_code="ADM1", population=pop, kind="admin1", seat=seat, ref_id=ref)  # fmt: skip
        if kind == 3:
            row = conn.execute(
                "SELECT d.country, d.admin1, d.name, d.latitude, d.longitude, d.population, d.seat, a.name,"
                " d.geonameid FROM admin2 d LEFT JOIN admin1 a ON a.country = d.country AND a.code = d.admin1"
                " WHERE d.id = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            cc, a1code, name, lat, lon, pop, seat, a1name, gid = row
            return GazEntry(gid, name, lat, lon, cc, self._country_name(cc), a1code, a1name, name,
                            feature_code="ADM2", population=pop, kind="admin2", seat=seat, ref_id=ref)  # fmt: skip
        if kind == 4:
            row = conn.execute(
                "SELECT geonameid, code, name, latitude, longitude, population FROM continents WHERE geonameid = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            gid, code, name, lat, lon, pop = row
            return GazEntry(gid, name, lat, lon, "", "", "", None, feature_code="CONT", population=pop,
                            kind="continent")  # fmt: skip
        if kind == 5:
            row = conn.execute(
                "SELECT name, latitude, longitude, fcode, countries FROM regions WHERE id = ?", (ref,)
            ).fetchone()
            if row is None:
                return None
            name, lat, lon, fcode, codes = row
            countries = tuple(c for c in codes.split("|") if c)
            # A region within one country belongs to it ("Niger Delta"); one across borders to none.
            cc = countries[0] if len(countries) == 1 else ""
            return GazEntry(None, name, lat, lon, cc, self._country_name(cc) if cc else "", "", None,
                            feature_code=fcode, kind="region", ref_id=ref, countries=countries)  # fmt: skip
        row = conn.execute(
            "SELECT geonameid, iso, name, latitude, longitude, population, capital FROM countries WHERE geonameid = ?",
            (ref,),
        ).fetchone()
        if row is None:
            return None
        gid, iso, name, lat, lon, pop, capital = row
        return GazEntry(gid, name, lat, lon, iso, name, "", None, feature_code="PCLI", population=pop,
                        kind="country", seat=capital)  # fmt: skip

    def _place_entry(self, row: Sequence[Any]) -> GazEntry:
        """A place from its row: geonameid, name, latitude, longitude, country, admin1 code and name, admin2,
        admin3, feature code, population."""
        gid, name, lat, lon, cc, a1code, a1name, a2, a3, fcode, pop = row
        return GazEntry(gid, name, lat, lon, cc, self._country_name(cc), a1code, a1name or None, a2, a3,
                        fcode, pop, "place")  # fmt: skip

    def _country_name(self, iso: str) -> str:
        known = self._countries.get(iso)
        return known[1] if known else iso
