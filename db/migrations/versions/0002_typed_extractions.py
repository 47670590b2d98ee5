"""Typed extraction tables and the views invoices, invoice_line_items, contracts, tickets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The latest extraction of each document: the same one document_results shows.
_LATEST = """
    SELECT DISTINCT ON (document_id) id, document_id, model_version, created_at
    FROM extractions
    ORDER BY document_id, created_at DESC, id DESC
"""

# Contracts for downstream systems (docs/database.md): one row per document of the type,
# typed columns, joinable on document_id. Add columns only at the end; never rename.
VIEWS = {
    "invoices": f"""
CREATE VIEW invoices AS
SELECT
    e.document_id,
    t.doc_type,
    t.vendor_name,
    t.vendor_address,
    t.buyer_name,
    t.invoice_number,
    t.invoice_date,
    t.due_date,
    t.currency,
    t.subtotal,
    t.tax_amount,
    t.total_amount,
    d.status,
    e.model_version AS extractor_version,
    e.created_at AS extracted_at
FROM ({_LATEST}) e
JOIN invoice_extractions t ON t.extraction_id = e.id
JOIN documents d ON d.id = e.document_id
""",
    "invoice_line_items": f"""
CREATE VIEW invoice_line_items AS
SELECT
    e.document_id,
    t.line_number,
    t.description,
    t.quantity,
    t.unit_price,
    t.amount
FROM ({_LATEST}) e
JOIN invoice_extraction_lines t ON t.extraction_id = e.id
""",
    "contracts": f"""
CREATE VIEW contracts AS
SELECT
    e.document_id,
    t.title,
    t.contract_type,
    t.parties,
    t.effective_date,
    t.expiration_date,
    t.term,
    t.renewal_term,
    t.governing_law,
    d.status,
    e.model_version AS extractor_version,
    e.created_at AS extracted_at
FROM ({_LATEST}) e
JOIN contract_extractions t ON t.extraction_id = e.id
JOIN documents d ON d.id = e.document_id
""",
    "tickets": f"""
CREATE VIEW tickets AS
SELECT
    e.document_id,
    t.requester_name,
    t.requester_email,
    t.subject,
    t.product,
    t.ticket_type,
    t.summary,
    d.status,
    e.model_version AS extractor_version,
    e.created_at AS extracted_at
FROM ({_LATEST}) e
JOIN ticket_extractions t ON t.extraction_id = e.id
JOIN documents d ON d.id = e.document_id
""",
}


def _keys() -> list[sa.Column]:
    return [
        sa.Column(
            "extraction_id",
            sa.BigInteger,
            sa.ForeignKey("extractions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "document_id",
            sa.BigInteger,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "invoice_extractions",
        *_keys(),
        sa.Column("doc_type", sa.String(100), nullable=False, comment="invoice or receipt"),
        sa.Column("vendor_name", sa.Text),
        sa.Column("vendor_address", sa.Text),
        sa.Column("buyer_name", sa.Text),
        sa.Column("invoice_number", sa.Text),
        sa.Column("invoice_date", sa.Date),
        sa.Column("due_date", sa.Date),
        sa.Column("currency", sa.String(3), comment="ISO 4217"),
        sa.Column("subtotal", sa.Numeric),
        sa.Column("tax_amount", sa.Numeric),
        sa.Column("total_amount", sa.Numeric),
    )
    op.create_table(
        "invoice_extraction_lines",
        sa.Column(
            "extraction_id",
            sa.BigInteger,
            sa.ForeignKey("extractions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("line_number", sa.Integer, primary_key=True, comment="1-based, in document order"),
        sa.Column(
            "document_id",
            sa.BigInteger,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("description", sa.Text),
        sa.Column("quantity", sa.Numeric),
        sa.Column("unit_price", sa.Numeric),
        sa.Column("amount", sa.Numeric),
    )
    op.create_table(
        "contract_extractions",
        *_keys(),
        sa.Column("title", sa.Text),
        sa.Column("contract_type", sa.Text),
        sa.Column("parties", ARRAY(sa.Text), nullable=False, comment="Names as written"),
        sa.Column("effective_date", sa.Date),
        sa.Column("expiration_date", sa.Date),
        sa.Column("term", sa.Text, comment="As stated, e.g. '2 years'"),
        sa.Column("renewal_term", sa.Text),
        sa.Column("governing_law", sa.Text, comment="State or country"),
    )
    op.create_table(
        "ticket_extractions",
        *_keys(),
        sa.Column("requester_name", sa.Text),
        sa.Column("requester_email", sa.Text),
        sa.Column("subject", sa.Text),
        sa.Column("product", sa.Text),
        sa.Column("ticket_type", sa.String(20), comment="Incident, Request, Problem or Change"),
        sa.Column("summary", sa.Text),
    )
    for table in ("invoice_extractions", "invoice_extraction_lines", "contract_extractions", "ticket_extractions"):
        op.create_index(f"ix_{table}_document_id", table, ["document_id"])
    for ddl in VIEWS.values():
        op.execute(ddl)


def downgrade() -> None:
    for view in ("tickets", "contracts", "invoice_line_items", "invoices"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("ticket_extractions", "contract_extractions", "invoice_extraction_lines", "invoice_extractions"):
        op.drop_table(table)
