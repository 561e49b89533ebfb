"""Every figure a document states (displaced, killed, injured …), with its claimant, whether or not an event holds it.

A displacement figure from a humanitarian office is rarely part of an event ("OCHA said 280,000 people had fled"),
so until now it was read and dropped; the situation report lists these beside the events' own figures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_figures",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("figure_date", sa.Date),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_document_figures_kind_date", "document_figures", ["kind", "figure_date"])


def downgrade() -> None:
    op.drop_index("ix_document_figures_kind_date", table_name="document_figures")
    op.drop_table("document_figures")
