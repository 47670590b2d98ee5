"""The exact bytes of a source path that is not valid UTF-8; a heartbeat on each run.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents",
        sa.Column(
            "source_path_bytes",
            sa.LargeBinary(),
            nullable=True,
            comment="The path's bytes as the file system gave them, when they are not valid UTF-8 "
            "(source_path then shows them as \\xNN escapes)",
        ),
    )


    op.add_column(
        "processing_runs",
        sa.Column(
            "heartbeat_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
            comment="Last sign of life of the run's process (db.runs); a running row whose beat is "
            "older than DOCPIPE_RUN_STALE_AFTER_S belongs to a killed process",
        ),
    )


def downgrade() -> None:
    op.drop_column("processing_runs", "heartbeat_at")
    op.drop_column("documents", "source_path_bytes")
