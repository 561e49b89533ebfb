"""What conflict data teaches the geocoder: the places ACLED codes events at (`acled_places.csv`) and the conflict
priors of countries and admin1 areas (`conflict_prior.csv`, `conflict_admin1.csv`)."""

import csv
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..errors import DataFileError, Errors
from .gazetteer import DATA_DIR, GazEntry, Gazetteer, plain_name


@dataclass(frozen=True)
class LearnedPlace:
    """A place of `acled_places.csv`: a name ACLED codes events at, with its admin1 code, admin2 and point, and the
    gazetteer place it is (`geonameid`), if any."""

    name: str
    country: str
    admin1_code: str
    admin2: str
    latitude: float
    longitude: float
    geonameid: int | None
    seen: int


_LEARNED_COLUMNS = ("country", "name", "admin1", "admin2", "latitude", "longitude", "geonameid", "seen")


@cache
def load_learned_places(path: str = "") -> tuple[LearnedPlace, ...]:
    """Load `acled_places.csv`: the places of ACLED's training rows (`benchmarks/geo_learn_acled_places.py`).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/acled_places.csv` (absent: no places).

    Returns:
        The places, in file order.

    Raises:
        DataFileError: A line is malformed (the message names it).
    """
    file = Path(path) if path else DATA_DIR / "acled_places.csv"
    if not file.exists():
        return ()
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    reader = csv.reader(lines)
    header = next(reader, [])
    if tuple(header) != _LEARNED_COLUMNS:
        raise DataFileError(Errors.E012.format(path=file, reason="give the columns " + ",".join(_LEARNED_COLUMNS)))
    places = []
    for number, row in enumerate(reader, 2):
        try:
            cc, name, admin1, admin2, lat, lon, geonameid, seen = row
            place = LearnedPlace(name=name.strip(), country=cc.strip().upper(), admin1_code=admin1.strip(),
                                 admin2=admin2.strip(), latitude=float(lat), longitude=float(lon),
                                 geonameid=int(geonameid) if geonameid.strip() else None, seen=int(seen))  # fmt: skip
        except ValueError as e:
            reason = f"give {len(_LEARNED_COLUMNS)} fields ({e})"
            error = Errors.E011.format(path=file, entry=f"line {number}", field="row", reason=reason)
            raise DataFileError(error) from e
        if len(place.country) != 2 or not place.name or not place.admin1_code or place.seen < 1 or not (
                -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180):  # fmt: skip
            raise DataFileError(Errors.E011.format(path=file, entry=f"line {number}", field="row",
                                                   reason="give a country code, a name, an admin1 code, a point in "
                                                          "range and a count of 1 or more"))  # fmt: skip
        places.append(place)
    return tuple(places)


@lru_cache(maxsize=8)
def learned_index(gazetteer: Gazetteer, path: str = "") -> dict[str, tuple[tuple[LearnedPlace, str], ...]]:
    """The learned places of a file, each with its plain name, by the gazetteer's matching key of their names
    (built once per gazetteer and file)."""
    index: defaultdict[str, list[tuple[LearnedPlace, str]]] = defaultdict(list)
    for place in load_learned_places(path):
        key = gazetteer.key(place.name)
        if key:
            index[key].append((place, plain_name(place.name)))
    return {key: tuple(places) for key, places in index.items()}


@lru_cache(maxsize=8192)
def _learned_entry(gazetteer: Gazetteer, place: LearnedPlace, *, exact: bool) -> GazEntry:
    """A learned place as a gazetteer entry, matched by its exact name or a spelling variant: the gazetteer's own
    place when it is one (in ACLED's admin1 area), else a place of its own without a GeoNames id."""
    match: dict[str, Any] = {"match": "exact" if exact else "key", "score": 1.0 if exact else 0.85}
    base = gazetteer.get(place.geonameid) if place.geonameid is not None else None
    if base is not None and base.kind == "place":
        area = gazetteer.admin1_by_code(place.country, place.admin1_code)
        return replace(base, admin1_code=place.admin1_code, admin1=area.name if area else base.admin1, **match)
    area = gazetteer.admin1_by_code(place.country, place.admin1_code)
    country = gazetteer.country(place.country)
    return GazEntry(geonameid=None, name=place.name, latitude=place.latitude, longitude=place.longitude,
                    country=place.country, country_name=country.name if country else "",
                    admin1_code=place.admin1_code, admin1=area.name if area else None, admin2=place.admin2 or None,
                    matched=plain_name(place.name), **match)  # fmt: skip


def with_learned(
    name: str,
    candidates: list[GazEntry],
    learned: Sequence[tuple[LearnedPlace, str]],
    gazetteer: Gazetteer,
    seen: dict[tuple[str, float | None, float | None], int],
) -> list[GazEntry]:
    """The candidates with the learned places of the name: a gazetteer place that is one of them takes ACLED's
    admin1 area (GeoNames puts Thika in Nairobi); the others join as places of their own. `seen` gets the events
    of each, by (country, latitude, longitude)."""
    out = list(candidates)
    plain = plain_name(name)
    for place, place_plain in learned:
        entry = _learned_entry(gazetteer, place, exact=place_plain == plain)
        index = next((i for i, c in enumerate(out) if c.kind == "place" and c.geonameid is not None
                      and c.geonameid == entry.geonameid), None)  # fmt: skip
        if index is None:
            out.append(entry)
        elif out[index].admin1_code != entry.admin1_code:
            out[index] = replace(out[index], admin1_code=entry.admin1_code, admin1=entry.admin1)
        spot = (entry.country, entry.latitude, entry.longitude)
        seen[spot] = seen.get(spot, 0) + place.seen
    return out


@cache
def load_admin1_prior(path: str = "") -> dict[tuple[str, str], float]:
    """Load `conflict_admin1.csv`: conflict events per admin1 area, scaled to 0-1 within each country as
    log(1 + events) / log(1 + the country's most).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/conflict_admin1.csv` (absent: no prior).

    Returns:
        (ISO alpha-2 code, admin1 code) to prior.

    Raises:
        DataFileError: A line is malformed.
    """
    counts = _event_counts(Path(path) if path else DATA_DIR / "conflict_admin1.csv", keys=("an admin1 code",))
    most: defaultdict[str, int] = defaultdict(int)
    for (country, _), n in counts.items():
        most[country] = max(most[country], n)
    return {
        (area[0], area[1]): math.log10(1 + n) / (math.log10(1 + most[area[0]]) or 1.0) for area, n in counts.items()
    }


def _event_counts(file: Path, *, keys: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The counts of a conflict-prior CSV (a header, then an ISO alpha-2 code, the `keys` columns and a count a
    line; `#` lines are comments), by (country, *keys); no file gives none.

    Raises:
        DataFileError: A line is malformed (the message names it).
    """
    if not file.exists():
        return {}
    counts: dict[tuple[str, ...], int] = {}
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    for number, line in enumerate(lines[1:], 2):
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 2 + len(keys) or len(parts[0]) != 2 or not all(parts[1:-1]) or not parts[-1].isdigit():
            reason = "give " + ", ".join(("an ISO alpha-2 code", *keys)) + " and a count"
            raise DataFileError(Errors.E011.format(path=file, entry=f"line {number}", field="events", reason=reason))
        counts[(parts[0].upper(), *parts[1:-1])] = int(parts[-1])
    return counts


@cache
def load_conflict_prior(path: str = "") -> dict[str, float]:
    """Load `conflict_prior.csv`: conflict events per country, scaled to 0-1 as log(1 + events) / log(1 + most).

    Args:
        path: The CSV file; empty for the packaged `data/gazetteer/conflict_prior.csv` (absent: no prior).

    Returns:
        ISO alpha-2 code to prior.

    Raises:
        DataFileError: A line is malformed.
    """
    counts = _event_counts(Path(path) if path else DATA_DIR / "conflict_prior.csv")
    top = math.log10(1 + max(counts.values(), default=0)) or 1.0
    return {country: math.log10(1 + n) / top for (country,), n in counts.items()}
