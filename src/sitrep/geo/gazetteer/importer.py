"""`sitrep gazetteer add`: a GeoNames country dump or a CSV of places loaded into a compiled gazetteer."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

from ...errors import DataFileError, Errors, InputError
from .index import write_fuzzy_lists, write_key_filter
from .names import plain_name
from .query import Gazetteer
from .schema import ADDED_ID_BASE

# -- adding places -----------------------------------------------------------------------------------------

_GEONAMES_COLUMNS = 19
_CSV_REQUIRED = ("name", "latitude", "longitude", "country")

logger = logging.getLogger(__name__)


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
