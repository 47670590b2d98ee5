"""Documents, pages, runs, classifications, extractions and the document_results view.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)

# The contract for downstream systems (docs/database.md): one row per document with
# its latest classification and extraction. Add columns only at the end; never rename.
DOCUMENT_RESULTS_VIEW = """
CREATE VIEW document_results AS
SELECT
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
    e.model_version AS extractor_version
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


def _json(name: str, comment: str | None = None) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, comment=comment)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "source_path", sa.Text, nullable=False, comment="Path the content was first seen at"
        ),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(100)),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("page_count", sa.Integer),
        sa.Column("text", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text, comment="Why it failed or needs review"),
        sa.Column(
            "parent_id",
            sa.BigInteger,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            comment="The e-mail this document was attached to",
        ),
        _json("source_metadata"),
        _json("stage_versions", "Version of each stage that produced the current results"),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("processed_at", TIMESTAMP),
        sa.CheckConstraint(
            "status IN ('pending', 'processed', 'failed', 'needs_review', 'reviewed')",
            name="status_known",
        ),
    )
    op.create_index("ix_documents_parent_id", "documents", ["parent_id"])

    op.create_table(
        "pages",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "document_id",
            sa.BigInteger,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("page_number", sa.Integer, nullable=False, comment="1-based"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_source", sa.String(20), nullable=False),
        sa.Column(
            "ocr_confidence",
            sa.Float,
            comment="Mean Tesseract word confidence, 0-100; null when not OCR'd",
        ),
        sa.Column("width", sa.Float, comment="Points (PDF) or pixels (image)"),
        sa.Column("height", sa.Float),
        sa.UniqueConstraint("document_id", "page_number"),
        sa.CheckConstraint(
            "text_source IN ('text_layer', 'ocr', 'plain')", name="text_source_known"
        ),
    )

    op.create_table(
        "processing_runs",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("flow_run_id", sa.String(36)),
        sa.Column("status", sa.String(20), nullable=False),
        _json("stage_versions"),
        _json("settings"),
        sa.Column("files_total", sa.Integer, nullable=False),
        sa.Column("files_processed", sa.Integer, nullable=False),
        sa.Column("files_failed", sa.Integer, nullable=False),
        sa.Column("files_needs_review", sa.Integer, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", TIMESTAMP),
        sa.CheckConstraint("status IN ('running', 'completed', 'crashed')", name="status_known"),
    )
    op.create_index("ix_processing_runs_flow_run_id", "processing_runs", ["flow_run_id"])

    op.create_table(
        "run_documents",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "run_id",
            sa.BigInteger,
            sa.ForeignKey("processing_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "document_id", sa.BigInteger, sa.ForeignKey("documents.id", ondelete="SET NULL")
        ),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("is_attachment", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column(
            "reused", sa.Boolean, nullable=False, comment="Already up to date from an earlier run"
        ),
        sa.Column("ocr_used", sa.Boolean, nullable=False),
        sa.Column("page_count", sa.Integer),
        _json("stage_seconds"),
        sa.Column(
            "archived_path", sa.Text, comment="Where the file was moved after processing, if it was"
        ),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_run_documents_run_id", "run_documents", ["run_id"])
    op.create_index("ix_run_documents_document_id", "run_documents", ["document_id"])

    def results_table(name: str, *columns: sa.Column) -> None:
        op.create_table(
            name,
            sa.Column("id", sa.BigInteger, primary_key=True),
            sa.Column(
                "document_id",
                sa.BigInteger,
                sa.ForeignKey("documents.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column(
                "run_id", sa.BigInteger, sa.ForeignKey("processing_runs.id", ondelete="SET NULL")
            ),
            sa.Column("model_version", sa.String(200), nullable=False),
            *columns,
            sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
            sa.UniqueConstraint("document_id", "model_version"),
        )

    results_table(
        "classifications",
        *(
            column
            for target in ("doc_type", "urgency", "department")
            for column in (
                sa.Column(target, sa.String(100), nullable=False),
                sa.Column(f"{target}_confidence", sa.Float, nullable=False),
            )
        ),
        _json("probabilities", "Full distribution per target: {target: {label: p}}"),
    )
    results_table(
        "extractions",
        sa.Column("schema_name", sa.String(50), nullable=False),
        _json("fields"),
        _json("field_confidences"),
        _json("issues", "Grounding and rule problems per field"),
    )

    op.execute(DOCUMENT_RESULTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS document_results")
    for table in (
        "extractions",
        "classifications",
        "run_documents",
        "processing_runs",
        "pages",
        "documents",
    ):
        op.drop_table(table)
