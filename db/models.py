"""SQLAlchemy 2.0 models of what docpipe stores.

Tables are internal to docpipe and may change with a migration; downstream systems read
the views created in the migrations (``document_results`` first), whose names and
columns are a contract (docs/database.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from docpipe.statuses import DocumentStatus, RunStatus

DOCUMENT_STATUSES = tuple(status.value for status in DocumentStatus)
PAGE_TEXT_SOURCES = ("text_layer", "ocr", "plain")
RUN_STATUSES = tuple(status.value for status in RunStatus)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB, datetime: DateTime(timezone=True)}


class Document(Base):
    """One distinct content (identity = sha256), wherever and however often it arrived."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint(_one_of("status", DOCUMENT_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_path: Mapped[str] = mapped_column(Text, comment="Path the content was first seen at")
    source_path_bytes: Mapped[bytes | None] = mapped_column(
        LargeBinary,
        comment="The path's bytes as the file system gave them, when they are not valid UTF-8 "
        "(source_path then shows them as \\xNN escapes)",
    )
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    layout_text: Mapped[str | None] = mapped_column(
        Text,
        comment="The text as laid out on the pages (each printed row on one line, columns kept "
        "apart by spaces), which field extraction reads; null when the text has no positions "
        "(plain text, mail)",
    )
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.PENDING)
    error: Mapped[str | None] = mapped_column(Text, comment="Why it failed or needs review")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"),
        index=True,
        comment="The e-mail this document was attached to",
    )
    source_metadata: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stage_versions: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="Version of each stage that produced the current results"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    processed_at: Mapped[datetime | None]

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.page_number"
    )


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("document_id", "page_number"),
        CheckConstraint(_one_of("text_source", PAGE_TEXT_SOURCES), name="text_source_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    page_number: Mapped[int] = mapped_column(Integer, comment="1-based")
    text: Mapped[str] = mapped_column(Text)
    text_source: Mapped[str] = mapped_column(String(20))
    ocr_confidence: Mapped[float | None] = mapped_column(
        Float, comment="Mean Tesseract word confidence, 0-100; null when not OCR'd"
    )
    width: Mapped[float | None] = mapped_column(Float, comment="Points (PDF) or pixels (image)")
    height: Mapped[float | None] = mapped_column(Float)

    document: Mapped[Document] = relationship(back_populates="pages")


class ProcessingRun(Base):
    """One batch: a run of the processing flow over a set of input files."""

    __tablename__ = "processing_runs"
    __table_args__ = (CheckConstraint(_one_of("status", RUN_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    stage_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    files_total: Mapped[int] = mapped_column(Integer, default=0)
    files_processed: Mapped[int] = mapped_column(Integer, default=0)
    files_failed: Mapped[int] = mapped_column(Integer, default=0)
    files_needs_review: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime] = mapped_column(
        server_default=func.now(),
        comment="Last sign of life of the run's process (db.runs); a running row whose beat is "
        "older than DOCPIPE_RUN_STALE_AFTER_S belongs to a killed process",
    )


class RunDocument(Base):
    """What one run did with one input file (or one e-mail attachment)."""

    __tablename__ = "run_documents"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    source_path: Mapped[str] = mapped_column(Text)
    is_attachment: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    reused: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="Already up to date from an earlier run"
    )
    ocr_used: Mapped[bool] = mapped_column(Boolean, default=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    stage_seconds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    archived_path: Mapped[str | None] = mapped_column(
        Text, comment="Where the file was moved after processing, if it was"
    )
    worker: Mapped[str | None] = mapped_column(
        Text, comment="host:pid of the process that last worked on the file in this run"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Classification(Base):
    """Labels a classifier model version gave a document."""

    __tablename__ = "classifications"
    __table_args__ = (UniqueConstraint("document_id", "model_version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="SET NULL")
    )
    model_version: Mapped[str] = mapped_column(String(200))
    doc_type: Mapped[str] = mapped_column(String(100))
    doc_type_confidence: Mapped[float] = mapped_column(Float)
    urgency: Mapped[str] = mapped_column(String(100))
    urgency_confidence: Mapped[float] = mapped_column(Float)
    department: Mapped[str] = mapped_column(String(100))
    department_confidence: Mapped[float] = mapped_column(Float)
    probabilities: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="Full distribution per target: {target: {label: p}}"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Extraction(Base):
    """Fields an extractor model version filled for a document, with their checks."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("document_id", "model_version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="SET NULL")
    )
    model_version: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(50))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_confidences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    issues: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="Grounding and rule problems per field"
    )
    field_tiers: Mapped[dict[str, Any]] = mapped_column(
        default=dict,
        server_default=text("'{}'::jsonb"),
        comment="Per field, the cascade tier whose model produced the value (1: first model, 2: second)",
    )
    tier: Mapped[int | None] = mapped_column(
        SmallInteger, comment="The last cascade tier that read the document; null when no model read it"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- typed extraction results (migration 0002): one row per extraction of that schema.
# Downstream systems read them through the views invoices, invoice_line_items, contracts
# and tickets (latest extraction per document; docs/database.md).


def _extraction_key() -> Mapped[int]:
    return mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"), primary_key=True)


def _document_key() -> Mapped[int]:
    return mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)


class InvoiceExtraction(Base):
    """Fields of schemas.invoice.Invoice (invoices and receipts), typed."""

    __tablename__ = "invoice_extractions"

    extraction_id: Mapped[int] = _extraction_key()
    document_id: Mapped[int] = _document_key()
    doc_type: Mapped[str] = mapped_column(String(100), comment="invoice or receipt")
    vendor_name: Mapped[str | None] = mapped_column(Text)
    vendor_address: Mapped[str | None] = mapped_column(Text)
    buyer_name: Mapped[str | None] = mapped_column(Text)
    invoice_number: Mapped[str | None] = mapped_column(Text)
    invoice_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3), comment="ISO 4217")
    subtotal: Mapped[Decimal | None] = mapped_column(Numeric)
    tax_amount: Mapped[Decimal | None] = mapped_column(Numeric)
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric)


class InvoiceExtractionLine(Base):
    __tablename__ = "invoice_extraction_lines"

    extraction_id: Mapped[int] = _extraction_key()
    line_number: Mapped[int] = mapped_column(Integer, primary_key=True, comment="1-based, in document order")
    document_id: Mapped[int] = _document_key()
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric)
    amount: Mapped[Decimal | None] = mapped_column(Numeric)


class ContractExtraction(Base):
    """Fields of schemas.contract.Contract, typed."""

    __tablename__ = "contract_extractions"

    extraction_id: Mapped[int] = _extraction_key()
    document_id: Mapped[int] = _document_key()
    title: Mapped[str | None] = mapped_column(Text)
    contract_type: Mapped[str | None] = mapped_column(Text)
    parties: Mapped[list[str]] = mapped_column(ARRAY(Text), comment="Names as written")
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date)
    term: Mapped[str | None] = mapped_column(Text, comment="As stated, e.g. '2 years'")
    renewal_term: Mapped[str | None] = mapped_column(Text)
    governing_law: Mapped[str | None] = mapped_column(Text, comment="State or country")


class TicketExtraction(Base):
    """Fields of schemas.ticket.Ticket, typed."""

    __tablename__ = "ticket_extractions"

    extraction_id: Mapped[int] = _extraction_key()
    document_id: Mapped[int] = _document_key()
    requester_name: Mapped[str | None] = mapped_column(Text)
    requester_email: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    ticket_type: Mapped[str | None] = mapped_column(String(20), comment="Incident, Request, Problem or Change")
    summary: Mapped[str | None] = mapped_column(Text)


class Review(Base):
    """A person's answer to a document that needed review: who, when, what changed."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("decision IN ('accept', 'reject')", name="decision_known"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, comment="Why the pipeline asked for review")
    labels_before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    labels_after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fields_before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fields_after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    audit_sample: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="The document was drawn at random from those accepted automatically"
    )
    model_versions: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="Versions of the models whose results the reviewer saw: {stage: version}"
    )
    confidences_before: Mapped[dict[str, Any]] = mapped_column(
        default=dict, comment="The confidences the models stated: {labels: {target: p}, fields: {field: p}}"
    )
    reviewed_at: Mapped[datetime] = mapped_column(server_default=func.now())
