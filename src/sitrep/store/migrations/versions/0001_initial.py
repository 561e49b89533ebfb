"""The first schema: documents and their copies, reports, events, event sources, control periods.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("input_id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("ingested_at", TZ, nullable=False),
    )
    op.create_table(
        "document_copies",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_date", sa.Date),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("sub_event_type", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_reports_document", "reports", ["document_id"])
    op.create_index("ix_reports_date", "reports", ["event_date"])
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_date", sa.Date),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("sub_event_type", sa.Text, nullable=False),
        sa.Column("actor1", sa.Text),
        sa.Column("actor2", sa.Text),
        sa.Column("country", sa.Text),
        sa.Column("admin1", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("fatalities", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("first_seen", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_date", "events", ["event_date"])
    op.create_index("ix_events_updated", "events", ["updated_at"])
    op.create_index("ix_events_lat_lon", "events", ["latitude", "longitude"])
    op.create_table(
        "event_sources",
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.report_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("outlet", sa.Text),
        sa.Column("attributed_to", sa.JSON, nullable=False),
    )
    op.create_table(
        "control_periods",
        sa.Column("period_id", sa.String(64), primary_key=True),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("geonameid", sa.Integer),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_control_place", "control_periods", ["place"])


def downgrade() -> None:
    for table in ("control_periods", "event_sources", "events", "reports", "document_copies", "documents"):
        op.drop_table(table)
