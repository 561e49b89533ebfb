"""Exports: events as ACLED CSV (ACLED's columns in ACLED's order), CSV, GeoJSON, JSON and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ..errors import Errors, InputError
from ..models import ACLED_COLUMNS, Event
from ..taxonomy import disorder_type

FILE_FORMATS = ("acled-csv", "csv", "geojson", "json", "jsonl")


def check_format(fmt: str, allowed: Sequence[str]) -> None:
    """Raise `InputError` for a format not in `allowed`."""
    if fmt not in allowed:
        raise InputError(Errors.E001.format(fmt=fmt, allowed=", ".join(allowed)))


def render(events: Sequence[Event], fmt: str) -> str:
    """Events in one of `FILE_FORMATS`."""
    check_format(fmt, FILE_FORMATS)
    if fmt in ("acled-csv", "csv"):
        return to_acled_csv(events) if fmt == "acled-csv" else to_csv(events)
    if fmt == "geojson":
        return json.dumps(to_geojson(events), ensure_ascii=False) + "\n"
    if fmt == "json":
        return json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False, indent=2) + "\n"
    return "".join(e.model_dump_json() + "\n" for e in events)


def acled_row(event: Event) -> dict[str, Any]:
    """An event as ACLED's columns."""
    row: dict[str, Any] = {column: getattr(event, column, None) for column in ACLED_COLUMNS}
    row["event_id_cnty"] = event.event_id_cnty or event.event_id
    row["event_date"] = event.event_date.isoformat() if event.event_date else None
    row["year"] = event.year
    row["disorder_type"] = event.disorder_type or _disorder_type(event)
    row["source"] = "; ".join(sorted({s.outlet for s in event.sources if s.outlet})) or None
    row["timestamp"] = int(event.updated_at.timestamp()) if event.updated_at else None
    row["inter1"] = event.inter1 if event.inter1 is not None else 0
    row["inter2"] = event.inter2 if event.inter2 is not None else 0
    return row


def _disorder_type(event: Event) -> str | None:
    """The taxonomy's disorder type of an event stored without one; none for a type and sub-type that do not match."""
    if not event.event_type or not event.sub_event_type:
        return None
    try:
        return disorder_type(event.event_type, event.sub_event_type)
    except InputError:
        return None


def to_acled_csv(events: Sequence[Event]) -> str:
    """ACLED's export layout: its columns, its order, empty cells for unknowns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ACLED_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow({k: ("" if v is None else v) for k, v in acled_row(event).items()})
    return buffer.getvalue()


def to_csv(events: Sequence[Event]) -> str:
    """ACLED's columns plus Sitrep's own (event id, sources, confidence)."""
    extra = ("event_id", "n_sources", "attributed_to", "modality", "confidence", "fatalities_low", "fatalities_high")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*ACLED_COLUMNS, *extra], lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = acled_row(event)
        row.update(
            event_id=event.event_id,
            n_sources=event.n_sources,
            attributed_to="; ".join(event.attributed_to),
            modality=event.modality,
            confidence=event.confidence,
            fatalities_low=event.fatalities_low,
            fatalities_high=event.fatalities_high,
        )
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


def to_geojson(events: Sequence[Event]) -> dict[str, Any]:
    """A FeatureCollection of the events that have coordinates; properties are the event's fields."""
    features = []
    for event in events:
        if event.latitude is None or event.longitude is None:
            continue
        properties = event.model_dump(mode="json", exclude={"latitude", "longitude"})
        features.append(
            {
                "type": "Feature",
                "id": event.event_id,
                "geometry": {"type": "Point", "coordinates": [event.longitude, event.latitude]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
