"""Which tier of the extraction cascade produced each field; document_results shows it.

Also appends ``source_path_bytes`` to document_results, which docs/database.md promised
since 0004 but the view did not carry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

READER_ROLE = "docpipe_reader"

# document_results as 0001 created it; columns are only appended (docs/database.md).
COLUMNS_0001 = """
    d.id AS document_id,
    d.source_path,
    d.sha256,
    d.status,
    d.error,
    c.doc_type,
    c.doc_type_confidence,
    c.urgency,
    c.urgency_confidence,
    c.department,
    c.department_confidence,
    e.fields,
    d.processed_at,
    d.media_type,
    d.page_count,
    d.parent_id AS parent_document_id,
    c.model_version AS classifier_version,
    e.model_version AS extractor_version"""

COLUMNS_0008 = (
    COLUMNS_0001
    + """,
    d.source_path_bytes,
    e.tier AS extraction_tier,
    e.field_tiers AS extraction_field_tiers"""
)

VIEW = """
CREATE OR REPLACE VIEW document_results AS
SELECT {columns}
FROM documents d
LEFT JOIN LATERAL (
    SELECT * FROM classifications
    WHERE classifications.document_id = d.id
    ORDER BY created_at DESC, id DESC
    LIMIT 1
) c ON true
LEFT JOIN LATERAL (
    SELECT * FROM extractions
    WHERE extractions.document_id = d.id
    ORDER BY created_at DESC, id DESC
    LIMIT 1
) e ON true
"""


def upgrade() -> None:
    op.add_column(
        "extractions",
        sa.Column(
            "field_tiers",
            JSONB,
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
            comment="Per field, the cascade tier whose model produced the value (1: first model, 2: second)",
        ),
    )
    op.add_column(
        "extractions",
        sa.Column(
            "tier",
            sa.SmallInteger,
            nullable=True,
            comment="The last cascade tier that read the document; null when no model read it",
        ),
    )
    op.execute(VIEW.format(columns=COLUMNS_0008))


def downgrade() -> None:
    # A view cannot lose columns in place: drop it, create 0001's, grant it again.
    # The columns go first: the view's SELECT * would take them in again.
    op.execute("DROP VIEW document_results")
    op.drop_column("extractions", "tier")
    op.drop_column("extractions", "field_tiers")
    op.execute(VIEW.format(columns=COLUMNS_0001))
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN "
        f"GRANT SELECT ON document_results TO {READER_ROLE}; END IF; END $$"
    )
