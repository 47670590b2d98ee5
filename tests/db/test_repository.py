"""db.repository, the one writer: documents, text, stage results, the stage input."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from db import repository
from db.models import Classification, Document, Extraction, InvoiceExtraction, Page
from db.session import session_scope
from docpipe.stages import ExtractedText, Fields, Labels, PageText, StageResult
from docpipe.statuses import DocumentStatus
from schemas.registry import NO_SCHEMA, SCHEMAS


def claimed(session, sha256: str) -> Document:
    return repository.claim_document(
        session, sha256=sha256, source_path="/inbox/a.txt", filename="a.txt", size_bytes=3, parent_id=None
    )


def test_claiming_the_same_content_twice_gives_one_document(settings):
    sha256 = uuid.uuid4().hex * 2
    with session_scope(settings.database_url) as session:
        first = claimed(session, sha256).id
    with session_scope(settings.database_url) as session:
        assert claimed(session, sha256).id == first
        assert session.get_one(Document, first).status == DocumentStatus.PENDING
        assert len(session.scalars(select(Document).where(Document.sha256 == sha256)).all()) == 1


def test_text_replaces_pages_and_a_failure_clears_them_but_a_stage_failure_keeps_them(settings):
    with session_scope(settings.database_url) as session:
        document = claimed(session, uuid.uuid4().hex * 2)
        repository.store_text(session, document, ExtractedText("text/plain", [PageText(1, "one", "plain")]), "t1")
        repository.store_text(
            session, document, ExtractedText("text/plain", [PageText(1, "uno", "plain"), PageText(2, "dos", "plain")]), "t2"
        )
        session.flush()
        pages = session.scalars(select(Page.text).where(Page.document_id == document.id).order_by(Page.page_number)).all()
        assert pages == ["uno", "dos"] and document.status == DocumentStatus.PROCESSED
        assert document.stage_versions == {"text": "t2"}

        repository.mark_stage_failed(session, document, "extract: model process died")
        assert document.status == DocumentStatus.FAILED and document.text and document.page_count == 2
        repository.mark_failed(session, document, "corrupt")
        session.flush()
        assert document.text is None and document.stage_versions == {}
        assert session.scalars(select(Page).where(Page.document_id == document.id)).all() == []


def test_stage_results_are_stored_and_come_back_as_the_next_stages_input(settings):
    labels = Labels({"doc_type": "invoice", "urgency": "low", "department": "Finance"}, {"doc_type": 0.9, "urgency": 0.8, "department": 0.7})
    record = SCHEMAS["invoice"].record(vendor_name="Northwind", invoice_number="17")
    with session_scope(settings.database_url) as session:
        document = claimed(session, uuid.uuid4().hex * 2)
        repository.store_text(session, document, ExtractedText("text/plain", [PageText(1, "INVOICE 17", "plain")]), "t1")
        assert repository.stage_input(session, document).labels is None
        repository.store_result(session, document.id, None, "clf-1", StageResult(labels=labels))
        seen = repository.stage_input(session, document)
        assert seen.text == "INVOICE 17" and seen.labels == labels and seen.document_id == document.id

        fields = Fields("invoice", "invoice", record, {"vendor_name": 0.9}, {"total_amount": ["missing"]})
        repository.store_result(session, document.id, None, "x-1", StageResult(needs_review=True, reason="r", fields=fields))
        extraction = session.scalars(select(Extraction).where(Extraction.document_id == document.id)).one()
        assert extraction.fields["vendor_name"] == "Northwind" and extraction.issues == {"total_amount": ["missing"]}
        typed = session.scalars(select(InvoiceExtraction).where(InvoiceExtraction.document_id == document.id)).one()
        assert (typed.doc_type, typed.invoice_number) == ("invoice", "17")

        # Another type later (no schema): the empty extraction replaces the typed row of that version.
        repository.store_result(session, document.id, None, "x-1", StageResult(fields=Fields(NO_SCHEMA)))
        session.flush()
        assert session.scalars(select(InvoiceExtraction).where(InvoiceExtraction.document_id == document.id)).all() == []
        assert session.scalars(select(Classification).where(Classification.document_id == document.id)).one().model_version == "clf-1"


def test_documents_behind_are_those_with_another_stage_version(settings):
    with session_scope(settings.database_url) as session:
        behind, current, reviewed = (claimed(session, uuid.uuid4().hex * 2) for _ in range(3))
        for document in (behind, current, reviewed):
            repository.store_text(session, document, ExtractedText("text/plain", [PageText(1, "x", "plain")]), "t1")
        current.stage_versions = {"text": "t1", "classify": "clf-2"}
        reviewed.status = DocumentStatus.REVIEWED
        session.flush()
        found = {d.id for d in repository.documents_behind(session, {"classify": "clf-2"})}
        assert behind.id in found and current.id not in found and reviewed.id not in found
