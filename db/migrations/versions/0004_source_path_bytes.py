"""The exact bytes of a source path that is not valid UTF-8.

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


def downgrade() -> None:
    op.drop_column("documents", "source_path_bytes")
