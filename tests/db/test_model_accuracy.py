"""The views review_outcomes and model_accuracy: what reviews say of each model version."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from db import health
from db.models import Classification, Document, Extraction
from db.session import session_scope
from docpipe.health import AUDIT_REASON
from pipeline.review import apply_review


def reviewable(settings, classifier: str, extractor: str, reason: str = AUDIT_REASON, doc_type: str = "invoice") -> int:
    """A document waiting for review with the results of these model versions."""
    with session_scope(settings.database_url) as session:
        document = Document(
            sha256=uuid.uuid4().hex * 2, source_path="/inbox/a.pdf", filename="a.pdf", size_bytes=1,
            text="INVOICE 17 Northwind total 10.00 EUR", status="needs_review", error=reason,
            source_metadata={}, stage_versions={},
        )
        session.add(document)
        session.flush()
        session.add(
            Classification(
                document_id=document.id, model_version=classifier, doc_type=doc_type, doc_type_confidence=0.97,
                urgency="low", urgency_confidence=0.81, department="Finance", department_confidence=0.66,
                probabilities={},
            )
        )
        session.add(
            Extraction(
                document_id=document.id, model_version=extractor, schema_name="invoice",
                fields={"vendor_name": "Northwind", "invoice_number": "17", "total_amount": 10.0, "buyer_name": None},
                field_confidences={"vendor_name": 0.9, "invoice_number": 0.8, "total_amount": 0.95}, issues={},
            )
        )
        return document.id


def review(settings, document_id: int, **changes) -> None:
    answer = {
        "reviewer": "Dana", "decision": "accept", "doc_type": "invoice", "urgency": "low", "department": "Finance",
        "fields": {"vendor_name": "Northwind", "invoice_number": "17", "total_amount": 10.0, "buyer_name": ""},
        "note": "",
    }
    fields = changes.pop("fields", {})
    answer.update(changes)
    answer["fields"] = {**answer["fields"], **fields}
    with session_scope(settings.database_url) as session:
        apply_review(session, document_id, answer)


def accuracy(settings, version: str) -> dict[tuple[str, str], dict]:
    with session_scope(settings.database_url) as session:
        return {(row["target"], row["sample"]): row for row in health.model_accuracy(session, model_version=version)}


def test_a_review_that_changes_a_label_lowers_that_versions_live_accuracy(own_settings):
    settings = own_settings
    version = f"clf-{uuid.uuid4().hex[:8]}"
    review(settings, reviewable(settings, version, "x1"))
    before = accuracy(settings, version)
    assert before[("doc_type", "audit")]["n"] == 1 and before[("doc_type", "audit")]["accuracy"] == 1.0

    review(settings, reviewable(settings, version, "x1"), doc_type="receipt")
    after = accuracy(settings, version)[("doc_type", "audit")]
    assert after["n"] == 2 and after["correct"] == 1 and after["accuracy"] == 0.5
    # 95% Wilson interval of 1 in 2.
    assert after["accuracy_low"] == pytest.approx(0.0945, abs=1e-3)
    assert after["accuracy_high"] == pytest.approx(0.9055, abs=1e-3)
    assert accuracy(settings, version)[("urgency", "audit")]["accuracy"] == 1.0  # only what changed is lower


def test_audit_samples_and_flagged_reviews_are_counted_apart(own_settings):
    settings = own_settings
    version = f"clf-{uuid.uuid4().hex[:8]}"
    review(settings, reviewable(settings, version, "x1"))
    review(settings, reviewable(settings, version, "x1", reason="classify: low confidence"), department="Legal")
    rows = accuracy(settings, version)
    assert rows[("department", "audit")]["accuracy"] == 1.0
    assert rows[("department", "flagged")]["accuracy"] == 0.0
    with session_scope(settings.database_url) as session:
        weeks = health.model_accuracy(session, period="week", model_version=version)
    assert {row["period_start"].weekday() for row in weeks} == {0}  # weeks start on Monday
    assert sum(row["n"] for row in weeks if row["target"] == "department") == 2


def test_fields_count_per_version_with_null_and_empty_alike(own_settings):
    settings = own_settings
    extractor = f"x-{uuid.uuid4().hex[:8]}"
    review(settings, reviewable(settings, "m1", extractor), fields={"invoice_number": "17A"})
    rows = accuracy(settings, extractor)
    assert rows[("invoice_number", "audit")]["accuracy"] == 0.0
    assert rows[("vendor_name", "audit")]["accuracy"] == 1.0
    assert rows[("buyer_name", "audit")]["accuracy"] == 1.0  # null before, "" after: left as it was
    with session_scope(settings.database_url) as session:
        stated = session.execute(
            text("SELECT confidence FROM review_outcomes WHERE model_version = :v AND target = 'invoice_number'"),
            {"v": extractor},
        ).scalar_one()
    assert stated == 0.8


def test_a_corrected_type_leaves_the_old_schemas_fields_out_and_a_rejection_counts_nothing(own_settings):
    settings = own_settings
    classifier, extractor = f"clf-{uuid.uuid4().hex[:8]}", f"x-{uuid.uuid4().hex[:8]}"
    review(settings, reviewable(settings, classifier, extractor), doc_type="contract", fields={})
    review(settings, reviewable(settings, classifier, extractor), decision="reject")
    assert accuracy(settings, extractor) == {}
    rows = accuracy(settings, classifier)
    assert rows[("doc_type", "audit")]["n"] == 1 and rows[("doc_type", "audit")]["accuracy"] == 0.0


def test_results_a_reviewer_entered_are_no_models_results(own_settings):
    settings = own_settings
    version = f"clf-{uuid.uuid4().hex[:8]}"
    document_id = reviewable(settings, version, "x1")
    review(settings, document_id)
    with session_scope(settings.database_url) as session:
        session.get_one(Document, document_id).status = "needs_review"  # a second look
    review(settings, document_id, urgency="high")
    # The second review saw the first one's results (versions review-N), not the model's.
    assert accuracy(settings, version)[("urgency", "audit")]["n"] == 1
