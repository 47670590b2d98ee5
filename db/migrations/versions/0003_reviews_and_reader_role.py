"""Human reviews, the review_labels view, and the read-only role for downstream systems.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

READER_ROLE = "docpipe_reader"
# The documented contract (docs/database.md): what downstream systems may read.
READABLE_VIEWS = ("document_results", "invoices", "invoice_line_items", "contracts", "tickets")

# Corrected labels, as training examples for the next `docpipe train`.
REVIEW_LABELS_VIEW = """
CREATE VIEW review_labels AS
SELECT DISTINCT ON (r.document_id)
    r.document_id,
    d.text,
    r.labels_after ->> 'doc_type' AS doc_type,
    r.labels_after ->> 'urgency' AS urgency,
    r.labels_after ->> 'department' AS department,
    r.reviewer,
    r.reviewed_at
FROM reviews r
JOIN documents d ON d.id = r.document_id
WHERE r.decision = 'accept' AND d.text IS NOT NULL
ORDER BY r.document_id, r.reviewed_at DESC, r.id DESC
"""


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "document_id",
            sa.BigInteger,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, comment="Why the pipeline asked for review"),
        *(sa.Column(name, JSONB, nullable=False) for name in ("labels_before", "labels_after", "fields_before", "fields_after")),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("decision IN ('accept', 'reject')", name="decision_known"),
    )
    op.create_index("ix_reviews_document_id", "reviews", ["document_id"])
    op.execute(REVIEW_LABELS_VIEW)

    # Roles belong to the whole cluster: create it once, grant it in every docpipe database.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
                CREATE ROLE {READER_ROLE} NOLOGIN;
            END IF;
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO {READER_ROLE}', current_database());
        END
        $$
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {READER_ROLE}")
    op.execute(f"GRANT SELECT ON {', '.join(READABLE_VIEWS)} TO {READER_ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE SELECT ON {', '.join(READABLE_VIEWS)} FROM {READER_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {READER_ROLE}")
    op.execute(
        f"""
        DO $$
        BEGIN
            EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM {READER_ROLE}', current_database());
            DROP ROLE {READER_ROLE};
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL;  -- another docpipe database on this cluster still grants it
        END
        $$
        """
    )
    op.execute("DROP VIEW IF EXISTS review_labels")
    op.drop_table("reviews")
