"""The text of each document as laid out on its pages, which field extraction reads.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents",
        sa.Column(
            "layout_text",
            sa.Text(),
            nullable=True,
            comment="The text as laid out on the pages (each printed row on one line, columns kept "
            "apart by spaces), which field extraction reads; null when the text has no positions "
            "(plain text, mail)",
        ),
    )


def downgrade() -> None:
    op.drop_column("documents", "layout_text")
