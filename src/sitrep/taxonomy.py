"""ACLED's event taxonomy, read from `data/event_types.yaml`: 6 event types, 25 sub-event types and the disorder type
of each sub-type. Every stage that needs to know what type a sub-type belongs to, or its disorder type, asks here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .datafiles import data_path, read_yaml_mapping
from .errors import DataFileError, Errors, InputError

NO_EVENT = "No event"
# The event types the code reasons about by name (ACLED's codebook spelling).
EXPLOSIONS = "Explosions/Remote violence"
VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
"""The label (event_type and sub_event_type) of text that reports no conflict event."""


@dataclass(frozen=True)
class Taxonomy:
    """ACLED's event types, sub-types and disorder types (from `data/event_types.yaml`)."""

    event_type: dict[str, str]
    disorder: dict[str, str]

    @property
    def sub_event_types(self) -> list[str]:
        return list(self.event_type)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the event taxonomy file.

    Args:
        path: A YAML file mapping event type -> {sub-event type: disorder type}; defaults to the shipped one.

    Returns:
        The taxonomy.

    Raises:
        DataFileError: The file is unreadable or an entry is malformed.
    """
    if path is None:
        return _default_taxonomy()
    return _read_taxonomy(path)


@functools.lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return _read_taxonomy(data_path("event_types.yaml"))


def _read_taxonomy(path: Path) -> Taxonomy:
    data = read_yaml_mapping(path)
    if not isinstance(data, dict) or not data:
        raise DataFileError(Errors.E012.format(path=path, reason="expected a mapping of event types"))
    event_type: dict[str, str] = {}
    disorder: dict[str, str] = {}
    for etype, subs in data.items():
        if not isinstance(subs, dict) or not subs:
            raise DataFileError(Errors.E011.format(path=path, entry=etype, field="sub-types", reason="needs a mapping"))
        for sub, dis in subs.items():
            if not isinstance(dis, str) or not dis:
                raise DataFileError(
                    Errors.E011.format(path=path, entry=sub, field="disorder type", reason="needs a string")
                )
            if sub in event_type:
                raise DataFileError(Errors.E011.format(path=path, entry=sub, field="sub-type", reason="listed twice"))
            event_type[str(sub)] = str(etype)
            disorder[str(sub)] = dis
    return Taxonomy(event_type=event_type, disorder=disorder)


def type_of(sub_event_type: str) -> str:
    """The ACLED event type of a sub-event type.

    Args:
        sub_event_type: An ACLED sub-event type ("Air/drone strike"), or `NO_EVENT`.

    Returns:
        Its event type ("Explosions/Remote violence"); `NO_EVENT` for `NO_EVENT`.

    Raises:
        InputError: Not an ACLED sub-event type.
    """
    if sub_event_type == NO_EVENT:
        return NO_EVENT
    taxonomy = _default_taxonomy()
    if sub_event_type not in taxonomy.event_type:
        raise InputError(Errors.E090.format(value=sub_event_type))
    return taxonomy.event_type[sub_event_type]


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type for an event type and sub-type.

    Args:
        event_type: ACLED event type ("Protests").
        sub_event_type: ACLED sub-event type ("Excessive force against protesters").

    Returns:
        "Political violence", "Demonstrations", "Strategic developments" or "Political violence; Demonstrations".

    Raises:
        InputError: Unknown sub-type, or a sub-type that does not belong to the event type.
    """
    if type_of(sub_event_type) != event_type:
        raise InputError(Errors.E091.format(sub=sub_event_type, type=event_type))
    return _default_taxonomy().disorder[sub_event_type]


def sub_event_types() -> list[str]:
    """All 25 ACLED sub-event types, in taxonomy order."""
    return _default_taxonomy().sub_event_types


@functools.lru_cache(maxsize=8)
def change_of_hands_sub_types(path: Path | None = None) -> tuple[str, ...]:
    """The sub-types in which a place changes hands, in their tie-break order: `territorial_sub_types` of
    `data/control.yaml` but its `base_sub_types`. The one list of territorial sub-types, which reading, fusion,
    control and the report all use.

    Raises:
        DataFileError: The file or the section is malformed, or a name is not an ACLED sub-type.
    """
    file = path or data_path("control.yaml")
    section = read_yaml_mapping(file).get("control")
    lists: dict[str, list[str]] = {}
    for field in ("territorial_sub_types", "base_sub_types"):
        value = section.get(field) if isinstance(section, dict) else None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            reason = "a list of sub-event types expected"
            raise DataFileError(Errors.E011.format(path=file, entry="control", field=field, reason=reason))
        lists[field] = [v.strip() for v in value]
    for name in lists["territorial_sub_types"]:
        if name not in load_taxonomy().event_type:
            raise DataFileError(Errors.E011.format(path=file, entry="control", field="territorial_sub_types",
                                                   reason=f"{name!r} is not an ACLED sub-event type"))  # fmt: skip
    return tuple(s for s in lists["territorial_sub_types"] if s not in lists["base_sub_types"])
