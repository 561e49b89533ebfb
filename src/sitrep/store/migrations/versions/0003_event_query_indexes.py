"""Events by date range and box from one index: (event_date, latitude, longitude) replaces the date index and the
(latitude, longitude) one (benchmarks/bench_query.py has the measurements).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_date_place", "events", ["event_date", "latitude", "longitude"])
    op.drop_index("ix_events_date", table_name="events")
    op.drop_index("ix_events_lat_lon", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_lat_lon", "events", ["latitude", "longitude"])
    op.create_index("ix_events_date", "events", ["event_date"])
    op.drop_index("ix_events_date_place", table_name="events")
