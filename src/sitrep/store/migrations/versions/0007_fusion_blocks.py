"""Fusion by block: each report's block (admin1 or country, and family of types), and the queue of what waits for
fusion by date and block, so that an API ingest fuses and clears only the blocks of its own document while a big
ingest's reports of the same days wait for their own run.

And an index on when each document was stored: every document written looks up the signatures stored since the
writer last looked, which without it scanned every document (quadratic in a big ingest).

Existing reports get their block from their stored data; dates already queued are queued whole (block "").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sitrep.fuse.clusters import fusion_block

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_ingested", "documents", ["ingested_at"])
    op.add_column("reports", sa.Column("fusion_block", sa.Text))
    conn = op.get_bind()
    table = sa.table(
        "reports",
        sa.column("report_id", sa.String),
        sa.column("event_type", sa.Text),
        sa.column("sub_event_type", sa.Text),
        sa.column("data", sa.JSON),
        sa.column("fusion_block", sa.Text),
    )
    rows = conn.execute(sa.select(table.c.report_id, table.c.event_type, table.c.sub_event_type, table.c.data))
    blocks = [
        {
            "key": row.report_id,
            "block": fusion_block(
                admin1=row.data.get("admin1"),
                country=row.data.get("country"),
                event_type=row.event_type,
                sub_event_type=row.sub_event_type,
            ),
        }
        for row in rows
    ]
    if blocks:
        conn.execute(
            table.update().where(table.c.report_id == sa.bindparam("key")).values(fusion_block=sa.bindparam("block")),
            blocks,
        )
    op.create_index("ix_reports_date_block", "reports", ["event_date", "fusion_block"])
    dates = [row[0] for row in conn.execute(sa.text("SELECT event_date FROM pending_fusion"))]
    op.drop_table("pending_fusion")
    queue = op.create_table(
        "pending_fusion",
        sa.Column("event_date", sa.Date, primary_key=True),
        sa.Column("block", sa.Text, primary_key=True),
    )
    if dates:
        op.bulk_insert(queue, [{"event_date": date, "block": ""} for date in dates])


def downgrade() -> None:
    op.drop_index("ix_documents_ingested", table_name="documents")
    conn = op.get_bind()
    dates = sorted({row[0] for row in conn.execute(sa.text("SELECT event_date FROM pending_fusion"))})
    op.drop_table("pending_fusion")
    queue = op.create_table("pending_fusion", sa.Column("event_date", sa.Date, primary_key=True))
    if dates:
        op.bulk_insert(queue, [{"event_date": date} for date in dates])
    op.drop_index("ix_reports_date_block", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("fusion_block")
