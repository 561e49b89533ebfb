"""The tables, on one `MetaData`. Alembic migrations in `migrations/` create and change them.

Each row keeps its whole model as JSON in `data` (so new fields need no migration), and copies into columns
the fields that queries filter or sort on.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("input_id", Text),
    Column("url", Text),
    Column("outlet", Text),
    Column("title", Text),
    Column("published", Date),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("minhash", LargeBinary),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

document_copies = Table(
    "document_copies",
    metadata,
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("url", Text),
    Column("outlet", Text),
    Column("kind", String(16), nullable=False),  # exact | near
    Column("similarity", Float, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("event_date", Date),
    Column("event_type", Text, nullable=False),
    Column("sub_event_type", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_reports_document", "document_id"),
    Index("ix_reports_date", "event_date"),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_date", Date),
    Column("event_type", Text, nullable=False),
    Column("sub_event_type", Text, nullable=False),
    Column("actor1", Text),
    Column("actor2", Text),
    Column("country", Text),
    Column("admin1", Text),
    Column("location", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("fatalities", Integer, nullable=False, default=0),
    Column("n_sources", Integer, nullable=False, default=0),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_events_date", "event_date"),
    Index("ix_events_updated", "updated_at"),
    Index("ix_events_lat_lon", "latitude", "longitude"),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", String(64), ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", String(64), ForeignKey("reports.report_id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("outlet", Text),
    Column("attributed_to", JSON, nullable=False),
)

control_periods = Table(
    "control_periods",
    metadata,
    Column("period_id", String(64), primary_key=True),
    Column("place", Text, nullable=False),
    Column("geonameid", Integer),
    Column("actor", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("data", JSON, nullable=False),
    Index("ix_control_place", "place"),
)
