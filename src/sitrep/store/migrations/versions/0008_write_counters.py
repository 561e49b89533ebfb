"""Counters that writers advance in their write transaction, which writers take one at a time: each stored document
gets the next number of `documents` (`documents.seq`), and every change of events or of the control baseline
advances `control_inputs`. Each queued (date, block) keeps the number of the last document write that queued it
(`pending_fusion.seq`), so that an API ingest knows whether the block's queued reports are its own alone; and
`event_sources` is indexed by report, as an API ingest reads the reports already fused into events; and each copy
keeps its MinHash signature (`document_copies.minhash`), so that a chain of near copies (A like B, B like C, A
unlike C) is one set whoever came first, and keeps one document.

A reader that remembers the largest number it saw finds exactly what was stored after it looked, whenever the
writer's transaction committed (the timestamps used before missed a document whose transaction took longer to
commit than their margin); a control rebuild computed outside the write lock knows, by the counter, whether its
inputs changed before it writes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger))
    op.create_index("ix_documents_seq", "documents", ["seq"])
    with op.batch_alter_table("pending_fusion") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger))
    op.create_index("ix_event_sources_report", "event_sources", ["report_id"])
    with op.batch_alter_table("document_copies") as batch:
        batch.add_column(sa.Column("minhash", sa.LargeBinary))


def downgrade() -> None:
    with op.batch_alter_table("document_copies") as batch:
        batch.drop_column("minhash")
    op.drop_index("ix_event_sources_report", table_name="event_sources")
    with op.batch_alter_table("pending_fusion") as batch:
        batch.drop_column("seq")
    op.drop_index("ix_documents_seq", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("seq")
    op.drop_table("store_counters")
