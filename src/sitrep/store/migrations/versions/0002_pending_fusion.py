"""Dates waiting to be fused: what an interrupted ingest left to do.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("pending_fusion", sa.Column("event_date", sa.Date, primary_key=True))


def downgrade() -> None:
    op.drop_table("pending_fusion")
