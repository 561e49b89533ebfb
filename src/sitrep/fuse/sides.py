"""Which side each actor name is on, for fusion and the control timeline: members of a coalition and units of a
force are one side; a loose name ("rebels") fits any armed side.

Also the ACLED sub-type names that fusion and control both rank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..models import Report
from ..read.actor_data import STATE_KINDS, actor_key
from ..read.actor_registry import ActorRegistry, load_actors
from ..taxonomy import change_of_hands_sub_types

VOCABULARY_FILE = data_path("control.yaml")

ARMED_CLASH = "Armed clash"
# Two of ACLED's territorial sub-types, by their codebook names: the winner is read differently in each.
NON_STATE_TAKEOVER = "Non-state actor overtakes territory"
GOVERNMENT_REGAINS = "Government regains territory"


# ---- actors: which side each name is on ------------------------------------------------------------------------


def load_fusion_vocabulary(path: str | Path | None = None) -> list[str]:
    """The loose actor names (they fit any armed actor) from the `fusion` section of `data/control.yaml`.

    Raises:
        DataFileError: The file or the section is malformed.
    """
    file = Path(path) if path else VOCABULARY_FILE
    data = read_vocabulary(file)
    section = data.get("fusion")
    if not isinstance(section, dict):
        raise DataFileError(Errors.E011.format(path=file, entry="fusion", field="fusion", reason="a mapping expected"))
    return string_list(file, section, "loose_actors", entry="fusion")


def read_vocabulary(file: Path) -> dict[str, Any]:
    """The YAML mapping in a vocabulary file.

    Raises:
        DataFileError: Unreadable, not YAML, or not a mapping.
    """
    return read_yaml_mapping(file)


def string_list(file: Path, section: dict[str, Any], field: str, *, entry: str) -> list[str]:
    """A non-empty list of non-blank strings from a vocabulary section.

    Raises:
        DataFileError: Missing, empty, or holding something other than strings.
    """
    value = section.get(field)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(
            Errors.E011.format(path=file, entry=entry, field=field, reason="a non-empty list of strings expected")
        )
    return [v.strip() for v in value]


# ACLED: when one sentence reports a takeover and another only fighting at the same place and day, the
# takeover is the outcome and names the event; a battle absorbs the strikes inside it.
TERRITORIAL_SUB_TYPES = change_of_hands_sub_types()
SUB_TYPE_PRIORITY = {name: 3 for name in TERRITORIAL_SUB_TYPES} | {ARMED_CLASH: 2}


@dataclass(frozen=True)
class Side:
    """The side an actor fights on: `key` is its coalition or top parent (`*` for a loose name), `kind` its sort."""

    key: str
    kind: str

    @property
    def civilian(self) -> bool:
        return self.kind == "civilians"


class Sides:
    """Maps ACLED actor names to sides: members of a coalition and units of a force are one side."""

    def __init__(self, registry: ActorRegistry, *, loose: Iterable[str]) -> None:
        self.registry = registry
        self.loose = {actor_key(name) for name in loose}
        self.generic_kind = {actor_key(g.template): g.kind for g in registry.generic.values()}
        self.coalition: dict[str, str] = {}
        for name, entry in registry.entries.items():
            for member in entry.members:
                self.coalition.setdefault(member, name)
        self._cache: dict[str, Side] = {}

    def side(self, name: str | None) -> Side | None:
        """The side of an actor name; `None` for no actor."""
        if not name:
            return None
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._side(name)
        return found

    def _side(self, name: str) -> Side:
        key = actor_key(name)
        canonical = self.registry.canonical_name(name)
        entry = self.registry.entries.get(canonical) if canonical else None
        kind = entry.kind if entry else self.generic_kind.get(key, "unknown")
        if kind == "civilians":
            return Side("civilians", kind)
        if key in self.loose:
            return Side("*", kind)
        if entry is None or canonical is None:
            return Side(key, kind)
        seen = {canonical}
        while entry.parent and entry.parent in self.registry.entries and entry.parent not in seen:
            canonical = entry.parent
            seen.add(canonical)
            entry = self.registry.entries[canonical]
        if entry.kind in STATE_KINDS and entry.country:
            return Side(f"state:{entry.country[0]}", kind)
        while canonical in self.coalition and self.coalition[canonical] not in seen:
            canonical = self.coalition[canonical]  # a faction of the SNA, which is part of a wider operation
            seen.add(canonical)
        return Side(canonical, kind)

    def members(self, name: str) -> list[str]:
        """The member groups of a coalition (empty for a single group)."""
        canonical = self.registry.canonical_name(name)
        entry = self.registry.entries.get(canonical) if canonical else None
        return list(entry.members) if entry else []

    def coalition_of(self, name: str) -> str | None:
        """The coalition a group belongs to, if any."""
        canonical = self.registry.canonical_name(name)
        return self.coalition.get(canonical) if canonical else None

    def fits(self, a: str | None, b: str | None) -> bool:
        """Whether two actor slots can name the same participant."""
        sa, sb = self.side(a), self.side(b)
        if sa is None or sb is None or sa.key == sb.key:
            return True
        if sa.key == "*" or sb.key == "*":
            return not (sa.civilian or sb.civilian)
        return False

    def specific(self, name: str | None) -> bool:
        """A named actor, not a loose description."""
        found = self.side(name)
        return found is not None and found.key != "*"

    def compatible(self, a: Report, b: Report) -> bool:
        """Whether two reports' actors can be the same pair, in either order (actor1/actor2 swapped is the same
        battle)."""
        straight = self.fits(a.actor1, b.actor1) and self.fits(a.actor2, b.actor2)
        return straight or (self.fits(a.actor1, b.actor2) and self.fits(a.actor2, b.actor1))


@lru_cache(maxsize=1)
def default_sides() -> Sides:
    """The packaged actor registry and loose names, loaded once."""
    return Sides(load_actors(), loose=load_fusion_vocabulary())
