"""Which worker processed each file of a run (several may work on one run).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "run_documents",
        sa.Column(
            "worker",
            sa.Text(),
            nullable=True,
            comment="host:pid of the process that last worked on the file in this run",
        ),
    )


def downgrade() -> None:
    op.drop_column("run_documents", "worker")
