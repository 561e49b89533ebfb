"""The tables, on one `MetaData`. Alembic migrations in `migrations/` create and change them.

Each row keeps its whole model as JSON in `data` (so new fields need no migration), and copies into columns
the fields that queries filter or sort on.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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
    # The number of the write that stored it (`counters.DOCUMENTS`): each document written looks up what other
    # processes stored after the largest number it saw (`iter_signatures(after=)`), by this index.
    Column("seq", BigInteger),
    Index("ix_documents_ingested", "ingested_at"),
    Index("ix_documents_seq", "seq"),
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
    # The copy's own MinHash: a later text like the copy but not like its original joins the same set of copies.
    Column("minhash", LargeBinary),
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
    # Reports of two blocks never fuse (`fuse.clusters.fusion_block`): a fusion reads and writes block by block.
    Column("fusion_block", Text),
    Index("ix_reports_document", "document_id"),
    Index("ix_reports_date", "event_date"),
    Index("ix_reports_date_block", "event_date", "fusion_block"),
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
    # Date range and box in one index: both backends walk it in date order and test the box on its entries, before
    # reading any row (measured in benchmarks/bench_query.py against a grid-cell column and a (latitude, longitude)
    # index, which SQLite's planner picks for a box without dates and then sorts the whole box).
    Index("ix_events_date_place", "event_date", "latitude", "longitude"),
    Index("ix_events_updated", "updated_at"),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", String(64), ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", String(64), ForeignKey("reports.report_id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("outlet", Text),
    Column("attributed_to", JSON, nullable=False),
    # An API ingest reads the reports already fused into events (`iter_reports(fused_or=)`).
    Index("ix_event_sources_report", "report_id"),
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

# Every figure a document states, with its claimant, in document order: the humanitarian figures ("OCHA said
# 280,000 people had fled") are often in no event, and the situation report sets them side by side.
document_figures = Table(
    "document_figures",
    metadata,
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("figure_date", Date),
    Column("data", JSON, nullable=False),
    Index("ix_document_figures_kind_date", "kind", "figure_date"),
)

# The known holders a timeline starts from (`sitrep control load`), one row a settlement and day.
control_baseline = Table(
    "control_baseline",
    metadata,
    Column("place_key", Text, primary_key=True),
    Column("date", Date, primary_key=True),
    Column("data", JSON, nullable=False),
)

# Dates and blocks whose reports are stored but not yet fused into events. Written in the same transaction as the
# reports and cleared in the one that fuses them, so a run killed in between is finished by the next one. The block
# "" stands for every block of its date.
pending_fusion = Table(
    "pending_fusion",
    metadata,
    Column("event_date", Date, primary_key=True),
    Column("block", Text, primary_key=True),
    # The number of the last document write that queued it (`counters.DOCUMENTS`).
    Column("seq", BigInteger),
)

# What `sitrep watch` knows of each source it polls, so that a restarted watcher resumes where it stopped:
# HTTP validators (or a file's size and mtime), a hash of the last content, the ids of the items already seen
# (a bounded list), and the failure count behind its back-off.
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("source", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(64)),
    Column("seen_ids", JSON, nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_error", Text),
)

# Counters that writers advance inside their write transaction (`counters.py`): taken one writer at a time, their
# values order the writes as they committed.
store_counters = Table(
    "store_counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
