"""The writes and reads the pipeline makes; each takes an open session, the caller commits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.models import Classification, Document, Extraction, Page, ProcessingRun, RunDocument
from extractors.base import ExtractedText


def now() -> datetime:
    return datetime.now(UTC)


def start_run(
    session: Session, flow_run_id: str | None, stage_versions: dict[str, str], settings: dict[str, Any]
) -> ProcessingRun:
    run = ProcessingRun(
        flow_run_id=flow_run_id,
        status="running",
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


def finish_run(session: Session, run_id: int, counts: dict[str, int], status: str = "completed") -> None:
    run = session.get_one(ProcessingRun, run_id)
    run.status = status
    run.files_total = counts.get("total", 0)
    run.files_processed = counts.get("processed", 0)
    run.files_failed = counts.get("failed", 0)
    run.files_needs_review = counts.get("needs_review", 0)
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
            status="pending",
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
    document.source_metadata = extracted.metadata
    document.stage_versions = {"text": text_version}
    document.status = "processed"
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
    document.status = "failed"
    document.error = reason
    document.media_type = media_type
    document.page_count = None
    document.text = None
    document.stage_versions = {}
    document.processed_at = now()


def mark_stage_failed(session: Session, document: Document, reason: str) -> None:
    """Failed in a later stage for a reason other than its content: text, pages and the
    results of the stages before are kept (the next run takes the document up again)."""
    document.status = "failed"
    document.error = f"{document.error}; {reason}" if document.error else reason
    document.processed_at = now()


def record_run_document(session: Session, run_id: int, **values: Any) -> RunDocument:
    row = RunDocument(run_id=run_id, **values)
    session.add(row)
    return row


def set_archived_path(session: Session, run_id: int, source_path: str, archived_path: str) -> None:
    session.execute(
        update(RunDocument)
        .where(RunDocument.run_id == run_id, RunDocument.source_path == source_path)
        .values(archived_path=archived_path)
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
        .where(Document.status.in_(("processed", "needs_review")), behind)
        .order_by(Document.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def latest(session: Session, model: type[Classification] | type[Extraction], document_id: int):
    """A document's most recent classification or extraction (what document_results shows)."""
    return session.scalars(
        select(model).where(model.document_id == document_id).order_by(model.created_at.desc(), model.id.desc()).limit(1)
    ).first()
