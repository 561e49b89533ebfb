"""The data model: plain pydantic objects that flow from stage to stage (see DESIGN.md, "The data model")."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Modality = Literal["reported", "claimed", "denied", "planned", "historical"]
ControlStatus = Literal["assessed", "claimed", "contested"]

# ACLED's export columns, in ACLED's order (DESIGN.md, "The data model").
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip


class RawDocument(BaseModel):
    """What a source yields before any cleaning: bytes or text, and whatever metadata came with them."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="Where it came from: a file path, a URL, or 'path:line' for JSON Lines.")
    input_id: str | None = Field(default=None, description="The id the input gave it, if any.")
    content: bytes = b""
    media_type: Literal["html", "text", "unknown"] = "unknown"
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    error: str | None = Field(default=None, description="Why the source could not be read; content is then empty.")


class Document(BaseModel):
    """One article's main text and metadata. `id` is the hash of its normalised text."""

    id: str
    source: str
    input_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    language: str | None = None
    text: str
    ingested_at: dt.datetime | None = None


class Evidence(BaseModel):
    """A character span of a document's text that supports a field."""

    text: str
    start: int
    end: int
    field: str | None = None
    """The field the span states ("event_date"); `None` for a report's sentences, which support all of them."""


class Figure(BaseModel):
    """A number the text states (killed, displaced, distance_km ...), with what it is about and who says it."""

    kind: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    place: str | None = None
    date: dt.date | None = None
    claimant: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Place(BaseModel):
    """A resolved place mention: a gazetteer entry, or a free-text name with null coordinates."""

    name: str
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    iso: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    geo_precision: int | None = None
    start: int | None = None
    end: int | None = None


PLACE_FIELDS = ("iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                "geo_precision", "geonameid")  # fmt: skip
"""The fields of `EventFields` that say where: taken together from one report when reports become one event."""


class EventFields(BaseModel):
    """The ACLED fields shared by a report (one sentence's claim) and an event (fused from reports)."""

    event_date: dt.date | None = None
    time_precision: int | None = None
    disorder_type: str | None = None
    event_type: str
    sub_event_type: str
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: int | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: int | None = None
    interaction: int | None = None
    civilian_targeting: str | None = None
    iso: str | None = None
    region: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    geonameid: int | None = None
    notes: str | None = None
    fatalities: int = 0
    fatalities_low: int = 0
    fatalities_high: int = 0
    attributed_to: list[str] = Field(default_factory=list)
    modality: Modality = "reported"
    confidence: float = 0.5
    evidence: list[Evidence] = Field(default_factory=list)


class Report(EventFields):
    """One claim from one sentence of one document."""

    report_id: str
    document_id: str
    sentence_start: int
    sentence_end: int
    sentence: str
    figures: list[Figure] = Field(default_factory=list)
    # Deaths told without a number ("killing women and children"): `fatalities` is ACLED's fill (3, or 10 for a
    # significant attack), which a number another report gives for the same event replaces.
    fatalities_unknown: bool = False


class Source(BaseModel):
    """Where one report of an event came from: the outlet that published it and whom it quotes."""

    document_id: str
    outlet: str | None = None
    url: str | None = None
    attributed_to: list[str] = Field(default_factory=list)


class Event(EventFields):
    """An event fused from one or more reports, with all its sources and figures."""

    event_id: str
    event_id_cnty: str | None = None
    source: str | None = None
    source_scale: str | None = None
    tags: str | None = None
    report_ids: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    n_sources: int = 0
    figures: list[Figure] = Field(default_factory=list)
    first_seen: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted: bool = False

    @property
    def year(self) -> int | None:
        return self.event_date.year if self.event_date else None


class ExtractResult(BaseModel):
    """One line of `sitrep extract --format jsonl`: the events and figures of one input document."""

    input_id: str | None = None
    events: list[Event] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)


class BaselineHolding(BaseModel):
    """A known holder of a settlement from a day on (a line of `sitrep control load BASELINE.csv`): the timeline
    starts from it, so that later reports change what was known rather than a blank map."""

    place: str
    actor: str
    date: dt.date
    geonameid: int | None = None
    admin1: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: str = Field("baseline", description="Where the holding comes from (the baseline file's name).")

    @property
    def place_key(self) -> str:
        """The settlement: its gazetteer id, else its name (as control keys an event's place)."""
        return f"g{self.geonameid}" if self.geonameid is not None else f"n:{self.place.casefold()}"


class ControlPeriod(BaseModel):
    """Who holds a settlement from one date to another, how sure we are, and the events that say so."""

    place: str
    geonameid: int | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    actor: str
    status: ControlStatus
    valid_from: dt.date
    valid_to: dt.date | None = None
    event_ids: list[str] = Field(default_factory=list)
    reported_actor: str | None = Field(
        None,
        description='The loose name the reports give the holder ("rebels") when `actor` is the named side '
        "fighting in the same offensive nearby.",
    )
    assessed_by: list[str] = Field(
        default_factory=list,
        description="The independent sources (monitors, wires, the losing side) that make the period assessed; "
        "empty for a claimed period. A period from a baseline lists the baseline.",
    )
    claimed_by: list[str] = Field(
        default_factory=list, description="The winner's own voices that report the change (its statements, media)."
    )
