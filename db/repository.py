"""The writes and reads the pipeline makes; each takes an open session, the caller commits.

The one writer of results: the pipeline stores here what the stages return (stages
themselves never touch the database), and so does the review.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.models import (
    Classification,
    ContractExtraction,
    Document,
    Extraction,
    InvoiceExtraction,
    InvoiceExtractionLine,
    Page,
    ProcessingRun,
    RunDocument,
    TicketExtraction,
)
from docpipe.stages import TARGETS, ExtractedText, Fields, Labels, StageInput, StageResult
from docpipe.statuses import DocumentStatus, FileStatus, RunStatus


def now() -> datetime:
    return datetime.now(UTC)


def start_run(
    session: Session, flow_run_id: str | None, stage_versions: dict[str, str], settings: dict[str, Any]
) -> ProcessingRun:
    run = ProcessingRun(
        flow_run_id=flow_run_id,
        status=RunStatus.RUNNING,
        stage_versions=stage_versions,
        settings=settings,
        files_total=0,
        files_processed=0,
        files_failed=0,
        files_needs_review=0,
    )
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, counts: dict[str, int], status: RunStatus = RunStatus.COMPLETED) -> None:
    run = session.get_one(ProcessingRun, run_id)
    run.status = status
    run.files_total = counts.get("total", 0)
    run.files_processed = counts.get(FileStatus.PROCESSED, 0)
    run.files_failed = counts.get(FileStatus.FAILED, 0)
    run.files_needs_review = counts.get(FileStatus.NEEDS_REVIEW, 0)
    run.finished_at = now()


def document_by_sha256(session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


def claim_document(
    session: Session,
    *,
    sha256: str,
    source_path: str,
    filename: str,
    size_bytes: int,
    parent_id: int | None,
    source_path_bytes: bytes | None = None,
) -> Document:
    """The document with this content, created as ``pending`` if it is new.

    An upsert, so two workers meeting the same content at once still make one row.
    """
    session.execute(
        insert(Document)
        .values(
            sha256=sha256,
            source_path=source_path,
            source_path_bytes=source_path_bytes,
            filename=filename,
            size_bytes=size_bytes,
            parent_id=parent_id,
            status=DocumentStatus.PENDING,
            source_metadata={},
            stage_versions={},
        )
        .on_conflict_do_nothing(index_elements=[Document.sha256])
    )
    document = document_by_sha256(session, sha256)
    assert document is not None
    return document


def store_text(session: Session, document: Document, extracted: ExtractedText, text_version: str) -> None:
    """Replace the document's text and pages with a fresh extraction."""
    session.execute(delete(Page).where(Page.document_id == document.id))
    document.media_type = extracted.media_type
    document.page_count = len(extracted.pages)
    document.text = extracted.text
    document.layout_text = extracted.layout_text
    document.source_metadata = extracted.metadata
    document.stage_versions = {"text": text_version}
    document.status = DocumentStatus.PROCESSED
    document.error = None
    document.processed_at = now()
    session.add_all(
        Page(
            document_id=document.id,
            page_number=page.number,
            text=page.text,
            text_source=page.source,
            ocr_confidence=page.ocr_confidence,
            width=page.width,
            height=page.height,
        )
        for page in extracted.pages
    )


def mark_failed(session: Session, document: Document, reason: str, media_type: str | None = None) -> None:
    session.execute(delete(Page).where(Page.document_id == document.id))
    document.status = DocumentStatus.FAILED
    document.error = reason
    document.media_type = media_type
    document.page_count = None
    document.text = None
    document.layout_text = None
    document.stage_versions = {}
    document.processed_at = now()


def mark_stage_failed(session: Session, document: Document, reason: str) -> None:
    """Failed in a later stage for a reason other than its content: text, pages and the
    results of the stages before are kept (the next run takes the document up again)."""
    document.status = DocumentStatus.FAILED
    document.error = f"{document.error}; {reason}" if document.error else reason
    document.processed_at = now()


def record_run_document(session: Session, run_id: int, **values: Any) -> RunDocument:
    row = RunDocument(run_id=run_id, **values)
    session.add(row)
    return row


def update_run_document(session: Session, run_id: int, source_path: str, **values: Any) -> None:
    """Change the run's row for this input (status after a later stage, where it was moved)."""
    session.execute(
        update(RunDocument).where(RunDocument.run_id == run_id, RunDocument.source_path == source_path).values(**values)
    )


def documents_behind(session: Session, versions: dict[str, str], limit: int | None = None) -> list[Document]:
    """Documents with text whose result of some stage is missing or of another version.

    Failed documents are left to the processing flow (their file must be read again) and
    reviewed ones keep their human verdict.
    """
    if not versions:
        return []
    behind = or_(*(Document.stage_versions[name].astext.is_distinct_from(version) for name, version in versions.items()))
    query = (
        select(Document)
        .where(Document.status.in_((DocumentStatus.PROCESSED, DocumentStatus.NEEDS_REVIEW)), behind)
        .order_by(Document.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def latest(session: Session, model: type[Classification] | type[Extraction], document_id: int):
    """A document's most recent classification or extraction (what document_results shows)."""
    return session.scalars(
        select(model).where(model.document_id == document_id).order_by(model.created_at.desc(), model.id.desc()).limit(1)
    ).first()


def stage_input(session: Session, document: Document) -> StageInput:
    """The document as the stages see it, with its current classification."""
    classification = latest(session, Classification, document.id)
    labels = None
    if classification is not None:
        labels = Labels(
            labels={t: getattr(classification, t) for t in TARGETS},
            confidences={t: getattr(classification, f"{t}_confidence") for t in TARGETS},
            probabilities=dict(classification.probabilities),
        )
    return StageInput(
        document_id=document.id,
        text=document.text or "",
        layout_text=document.layout_text,
        media_type=document.media_type,
        metadata=dict(document.source_metadata),
        labels=labels,
    )


def store_result(session: Session, document_id: int, run_id: int | None, model_version: str, result: StageResult) -> None:
    """What a stage returned for a document, under the stage's version."""
    if result.labels is not None:
        save_classification(session, document_id, run_id, model_version, result.labels)
    if result.fields is not None:
        save_extraction(session, document_id, run_id, model_version, result.fields)


def save_classification(
    session: Session, document_id: int, run_id: int | None, model_version: str, labels: Labels
) -> None:
    """Upsert the classification of (document, model version)."""
    values: dict[str, Any] = {"run_id": run_id, "probabilities": labels.probabilities}
    for target, label in labels.labels.items():
        values[target] = label
        values[f"{target}_confidence"] = labels.confidences[target]
    session.execute(
        insert(Classification)
        .values(document_id=document_id, model_version=model_version, **values)
        # A re-run of a version makes its row the latest again (document_results and latest()
        # sort by created_at): switching back to an older model shows its labels.
        .on_conflict_do_update(
            index_elements=["document_id", "model_version"], set_={**values, "created_at": func.now()}
        )
    )


_TYPED_TABLES = {"invoice": InvoiceExtraction, "contract": ContractExtraction, "ticket": TicketExtraction}


def save_extraction(session: Session, document_id: int, run_id: int | None, model_version: str, fields: Fields) -> int:
    """Upsert the extraction of (document, model version) and replace its typed rows.

    A re-run with the same version overwrites the row and makes it the latest one again.
    Returns the extraction id.
    """
    record = fields.record
    values = {
        "run_id": run_id,
        "schema_name": fields.schema_name,
        "fields": record.model_dump(mode="json") if record is not None else {},
        "field_confidences": fields.confidences,
        "issues": fields.issues,
        "field_tiers": fields.field_tiers,
        "tier": fields.tier,
    }
    extraction_id = session.scalar(
        insert(Extraction)
        .values(document_id=document_id, model_version=model_version, **values)
        .on_conflict_do_update(
            index_elements=[Extraction.document_id, Extraction.model_version],
            set_={**values, "created_at": func.now()},
        )
        .returning(Extraction.id)
    )
    assert extraction_id is not None
    for table in (*_TYPED_TABLES.values(), InvoiceExtractionLine):
        session.execute(delete(table).where(table.extraction_id == extraction_id))
    if record is not None and fields.schema_name in _TYPED_TABLES:
        typed = record.model_dump(exclude={"line_items"})
        if fields.schema_name == "invoice":
            typed["doc_type"] = fields.doc_type
        session.add(_TYPED_TABLES[fields.schema_name](extraction_id=extraction_id, document_id=document_id, **typed))
        for number, line in enumerate(getattr(record, "line_items", []), start=1):
            session.add(
                InvoiceExtractionLine(
                    extraction_id=extraction_id, line_number=number, document_id=document_id, **line.model_dump()
                )
            )
    session.flush()
    return extraction_id
