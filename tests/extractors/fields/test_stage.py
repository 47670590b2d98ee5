"""The extract stage against a real database: JSONB row, typed row, views, review."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from db import repository
from db.models import Classification, Document, Extraction, InvoiceExtraction
from db.session import session_scope
from docpipe.stages import ExtractedText, PageText
from extractors.fields.stage import ExtractionStage
from schemas.registry import SCHEMAS

pytestmark = pytest.mark.slow

INVOICE_TEXT = (
    "INVOICE\nNorthwind Traders Ltd\n12 Harbour Road, Bristol\nInvoice number: INV-2041\n"
    "Date: 2026-03-14\nTotal due: 1,250.00 EUR"
)


@pytest.fixture
def stage(settings, model_settings, llamacpp_backend):
    limits = {
        key: getattr(model_settings, key)
        for key in ("extract_model", "extract_max_input_chars", "extract_max_output_tokens")
    }
    return ExtractionStage(
        settings.model_copy(update=limits), backend=llamacpp_backend, second_backend=llamacpp_backend
    )


def _document(settings, body: str, doc_type: str | None) -> int:
    with session_scope(settings.database_url) as session:
        document = repository.claim_document(
            session,
            sha256=hashlib.sha256(body.encode()).hexdigest(),
            source_path=f"/in/{doc_type}.txt",
            filename=f"{doc_type}.txt",
            size_bytes=len(body),
            parent_id=None,
        )
        repository.store_text(
            session, document, ExtractedText("text/plain", [PageText(1, body, "plain")]), "text-test"
        )
        if doc_type is not None:
            session.add(
                Classification(
                    document_id=document.id,
                    model_version="test-classifier",
                    doc_type=doc_type,
                    doc_type_confidence=0.9,
                    urgency="normal",
                    urgency_confidence=0.9,
                    department="finance",
                    department_confidence=0.9,
                    probabilities={},
                )
            )
        return document.id


def _run(settings, stage, document_id: int):
    """The stage on the stored document, its result stored, as the pipeline does."""
    with session_scope(settings.database_url) as session:
        run_id = repository.start_run(session, None, {}, {}).id
        stage_input = repository.stage_input(session, session.get_one(Document, document_id))
    result = stage.run(stage_input)
    with session_scope(settings.database_url) as session:
        repository.store_result(session, document_id, run_id, stage.version, result)
    return result


def test_invoice_is_stored_as_jsonb_and_typed_row_and_upserted(settings, stage):
    document_id = _document(settings, INVOICE_TEXT, "invoice")
    _run(settings, stage, document_id)
    _run(settings, stage, document_id)  # same version again: one row, replaced
    with session_scope(settings.database_url) as session:
        rows = session.scalars(select(Extraction).where(Extraction.document_id == document_id)).all()
        assert len(rows) == 1
        extraction = rows[0]
        assert extraction.schema_name == "invoice" and extraction.model_version == stage.version
        assert set(extraction.fields) == set(SCHEMAS["invoice"].record.model_fields)  # JSONB sorts keys
        assert set(extraction.field_confidences) == set(extraction.fields)
        assert all(0 <= value <= 1 for value in extraction.field_confidences.values())
        typed = session.scalars(select(InvoiceExtraction).where(InvoiceExtraction.document_id == document_id)).all()
        assert len(typed) == 1 and typed[0].doc_type == "invoice"
        shown = session.execute(
            text("SELECT fields, extractor_version FROM document_results WHERE document_id = :id"), {"id": document_id}
        ).one()
        assert shown.fields == extraction.fields and shown.extractor_version == stage.version
        view = session.execute(text("SELECT * FROM invoices WHERE document_id = :id"), {"id": document_id}).one()
        assert view.doc_type == "invoice" and view.extractor_version == stage.version
        assert view.total_amount is None or isinstance(view.total_amount, Decimal)
        assert view.invoice_date is None or isinstance(view.invoice_date, date)
    assert stage.version.startswith("llamacpp:b179c9523d0e+llamacpp:b179c9523d0e(contract@2):")


def test_other_documents_get_an_empty_extraction(settings, stage):
    document_id = _document(settings, "Minutes of the canteen committee meeting.", "other")
    result = _run(settings, stage, document_id)
    assert not result.needs_review
    with session_scope(settings.database_url) as session:
        extraction = session.scalars(select(Extraction).where(Extraction.document_id == document_id)).one()
        assert (extraction.schema_name, extraction.fields) == ("none", {})
        assert session.scalar(select(func.count()).select_from(text("invoices")).where(text(f"document_id = {document_id}"))) == 0


def test_unclassified_document_goes_to_review(settings, stage):
    document_id = _document(settings, "A page nobody classified.", None)
    result = _run(settings, stage, document_id)
    assert result.needs_review and "classification" in result.reason


def test_invoice_without_any_amount_goes_to_review_with_the_reason(settings, stage):
    document_id = _document(settings, "Dear team, thank you for the lovely lunch. Best wishes, Kim", "invoice")
    result = _run(settings, stage, document_id)
    assert result.needs_review
    assert "total_amount" in result.reason  # missing, or not in the text (there are no digits)
    with session_scope(settings.database_url) as session:
        extraction = session.scalars(select(Extraction).where(Extraction.document_id == document_id)).one()
        assert extraction.fields["total_amount"] is None or "total_amount" in extraction.issues


def test_typed_views_have_typed_columns(migrated_database):
    from sqlalchemy import create_engine

    engine = create_engine(migrated_database)
    try:
        with engine.connect() as connection:
            types = dict(
                connection.execute(
                    text(
                        "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                        "WHERE table_name IN ('invoices', 'invoice_line_items', 'contracts', 'tickets')"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert types["invoices.invoice_date"] == "date" and types["invoices.total_amount"] == "numeric"
    assert types["invoices.document_id"] == "bigint" and types["invoice_line_items.amount"] == "numeric"
    assert types["contracts.parties"] == "ARRAY" and types["contracts.effective_date"] == "date"
    assert types["tickets.ticket_type"] == "character varying"


TILL_RECEIPT = (
    "SUNRISE MART\n12 JALAN AMPANG, KUALA LUMPUR\nDATE 12/03/2024 14:02\nCASHIER: AMINAH\n"
    "MILK 1L 2 X 3.50 7.00\nTOTAL RM7.00\nCASH RM10.00\nCHANGE RM3.00\nTHANK YOU, PLEASE COME AGAIN"
)


def test_a_till_receipt_classified_as_an_invoice_goes_to_review_with_its_type_in_doubt(settings, stage):
    document_id = _document(settings, TILL_RECEIPT, "invoice")
    result = _run(settings, stage, document_id)
    # The slip has no number: whatever the model answers is not found in the text.
    assert result.fields.record.invoice_number is None or "invoice_number not found in the text" in result.reason
    assert result.needs_review
    assert result.reason.startswith("doc_type invoice in doubt: no invoice number, and it reads as a till receipt (")
    with session_scope(settings.database_url) as session:
        extraction = session.scalars(select(Extraction).where(Extraction.document_id == document_id)).one()
        assert any("doc_type invoice in doubt" in issue for issue in extraction.issues["document"])
