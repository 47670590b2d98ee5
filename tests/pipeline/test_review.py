"""Review answers become the document's current results, with who and when."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from sqlalchemy import text

from db.models import Classification, Document, Extraction, Review
from db.session import session_scope
from pipeline.review import apply_review, describe, label_choices, load_case, review_form


def stored_document(settings, tmp_path, doc_type="invoice", fields=None) -> int:
    """A document as the pipeline leaves one it is unsure of."""
    with session_scope(settings.database_url) as session:
        document = Document(
            sha256=hashlib.sha256(str(tmp_path).encode()).hexdigest(),
            source_path=str(tmp_path / "scan.pdf"),
            filename="scan.pdf",
            size_bytes=10,
            text="INVOICE Northwind Traders total 1,250.00 EUR",
            status="needs_review",
            error="classify: doc_type confidence 0.41 under 0.5",
            source_metadata={},
            stage_versions={},
        )
        session.add(document)
        session.flush()
        session.add(
            Classification(
                document_id=document.id, model_version="m1", doc_type=doc_type, doc_type_confidence=0.41,
                urgency="low", urgency_confidence=0.9, department="Procurement", department_confidence=0.7,
                probabilities={},
            )
        )
        session.add(
            Extraction(
                document_id=document.id, model_version="x1", schema_name="invoice",
                fields=fields or {"vendor_name": "Northwind Tradrs", "total_amount": 1250.0, "currency": "EUR"},
                field_confidences={}, issues={},
            )
        )
        return document.id


def answer(**overrides):
    return {
        "reviewer": "Dana", "decision": "accept", "doc_type": "invoice", "urgency": "medium",
        "department": "Finance", "fields": {"vendor_name": "Northwind Traders", "total_amount": 1250.0, "currency": "EUR"},
        "note": "fixed vendor name", **overrides,
    }


def test_form_is_prefilled_with_what_the_models_said(settings, tmp_path):
    document_id = stored_document(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        case = load_case(session, document_id)
    form = review_form(case, label_choices(settings))
    filled = form(reviewer="Dana")
    assert (filled.doc_type, filled.department, filled.fields.vendor_name) == ("invoice", "Procurement", "Northwind Tradrs")
    assert set(form.model_json_schema()["properties"]["department"].get("enum", [])) >= {"Finance", "Legal"}
    assert "doc_type confidence 0.41" in describe(case)


def test_accepted_corrections_become_current_results_and_training_labels(settings, tmp_path):
    document_id = stored_document(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        review = apply_review(session, document_id, answer())
        review_id = review.id
    with session_scope(settings.database_url) as session:
        row = session.execute(
            text("SELECT status, department, urgency, fields ->> 'vendor_name', error FROM document_results WHERE document_id = :id"),
            {"id": document_id},
        ).one()
        assert tuple(row) == ("reviewed", "Finance", "medium", "Northwind Traders", None)
        stored = session.get_one(Review, review_id)
        assert (stored.reviewer, stored.labels_before["department"], stored.labels_after["department"]) == ("Dana", "Procurement", "Finance")
        assert stored.fields_before["vendor_name"] == "Northwind Tradrs" and stored.reviewed_at is not None
        label = session.execute(text("SELECT doc_type, department FROM review_labels WHERE document_id = :id"), {"id": document_id}).one()
        assert tuple(label) == ("invoice", "Finance")


def test_rejection_fails_the_document_with_who_and_why(settings, tmp_path):
    document_id = stored_document(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        apply_review(session, document_id, answer(decision="reject", note="not our invoice"))
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, document_id)
        assert (document.status, document.error) == ("failed", "rejected in review by Dana: not our invoice")
        assert session.execute(text("SELECT count(*) FROM review_labels WHERE document_id = :id"), {"id": document_id}).scalar() == 0


def test_corrected_fields_reach_the_typed_views(settings, tmp_path):
    document_id = stored_document(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        apply_review(session, document_id, answer(fields={"vendor_name": "Northwind Traders", "total_amount": "1250.00", "due_date": "2026-04-13"}))
    with session_scope(settings.database_url) as session:
        row = session.execute(
            text("SELECT vendor_name, total_amount, due_date::text, status FROM invoices WHERE document_id = :id"),
            {"id": document_id},
        ).one()
    assert tuple(row) == ("Northwind Traders", Decimal("1250.00"), "2026-04-13", "reviewed")


def test_accepted_reviews_become_training_examples(settings, tmp_path):
    from classifier.data import review_examples
    from db.reviews import corrected_labels

    document_id = stored_document(settings, tmp_path)
    with session_scope(settings.database_url) as session:
        apply_review(session, document_id, answer(department="Legal"))
    examples = {example.source: example for example in review_examples(corrected_labels(settings.database_url))}
    example = examples[f"review:document-{document_id}"]
    assert example.labels == {"doc_type": "invoice", "urgency": "medium", "department": "Legal"}
    assert "Northwind" in example.text


def test_training_without_a_migrated_or_reachable_database_gets_no_corrections_and_says_why(
    empty_database, tmp_path, caplog
):
    from db.reviews import corrected_labels

    assert corrected_labels(empty_database) == []
    assert "database not migrated (`docpipe db upgrade`)" in caplog.text
    assert corrected_labels("postgresql+psycopg://docpipe@127.0.0.1:9/docpipe") == []
    assert "database not reachable (OperationalError)" in caplog.text
