"""The extraction cascade: the first model, a second for what fails the checks, then review."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select, text

from db.models import Extraction
from db.session import session_scope
from docpipe.errors import ConfigurationError
from pipeline.files import FileOutcome
from pipeline.summary import summarize
from extractors.fields.cascade import CascadeOutcome, ExtractionCascade, TierAttempt, check_extraction, merge
from extractors.fields.extract import parse_draft
from extractors.fields.model_files import resolve_model
from extractors.fields.model_process import SupervisedBackend
from extractors.fields.stage import ExtractionStage
from schemas.registry import schema_for
from tests.extractors.fields.test_stage import INVOICE_TEXT, _document, _run

INVOICE = schema_for("invoice")
LUNCH_NOTE = "Dear team, thank you for the lovely lunch. Best wishes, Kim"
"""No amount, no number, no date: every tier leaves the invoice's required fields missing."""


def _attempt(tier: int, draft: dict, text: str = INVOICE_TEXT) -> TierAttempt:
    """A tier's reading from the values it wrote, parsed and checked as the cascade does."""
    return TierAttempt(tier, check_extraction(parse_draft(INVOICE.schema, draft, text), INVOICE.required, text))


def test_the_merge_keeps_what_passed_and_prefers_the_later_tiers_passing_values():
    first = merge(
        INVOICE,
        CascadeOutcome([]),
        _attempt(1, {"vendor_name": "Northwind Traders Ltd", "invoice_number": "Invoice", "invoice_date": "2026-03-14",
                     "total_amount": "1,250.00", "currency": "EUR"}),
        INVOICE_TEXT,
        None,
    )
    assert first.review_reasons and any(reason.startswith("invoice_number") for reason in first.review_reasons)
    assert set(first.field_tiers.values()) == {1}

    second = merge(
        INVOICE,
        first,
        _attempt(2, {"vendor_name": None, "invoice_number": "INV-2041", "invoice_date": "2026-03-15",
                     "total_amount": "1,250.00", "currency": "EUR"}),
        INVOICE_TEXT,
        None,
    )
    record = second.record.model_dump()
    # Tier 2 found no vendor and a date not printed: tier 1's values, which passed, stay.
    assert (record["vendor_name"], second.field_tiers["vendor_name"]) == ("Northwind Traders Ltd", 1)
    assert (str(record["invoice_date"]), second.field_tiers["invoice_date"]) == ("2026-03-14", 1)
    # Where tier 2 passed, its value counts: the number tier 1 read as a label, and the total both read.
    assert (record["invoice_number"], second.field_tiers["invoice_number"]) == ("INV-2041", 2)
    assert second.field_tiers["total_amount"] == 2
    assert second.review_reasons == [] and second.tier == 2 and [a.tier for a in second.attempts] == [1, 2]


def test_where_no_tier_passes_the_value_with_fewer_problems_stands():
    # Tier 1's due date is printed, wrong only against the invoice date; tier 2's is not in the text.
    text = INVOICE_TEXT + "\nDue date: 2026-03-01"
    first = merge(INVOICE, CascadeOutcome([]), _attempt(1, {"due_date": "2026-03-01", "invoice_date": "2026-03-14"}, text),
                  text, None)
    second = merge(INVOICE, first, _attempt(2, {"due_date": "2026-02-01", "invoice_date": None}, text), text, None)
    assert first.report.fields["due_date"].rule_broken
    assert (str(second.record.due_date), second.field_tiers["due_date"]) == ("2026-03-01", 1)
    # Tier 2 read no invoice date: the row of its label gives the one tier 1 read.
    assert str(second.record.invoice_date) == "2026-03-14"
    assert "invoice date 2026-03-14 read from the row of its label" in " ".join(second.report.fields["invoice_date"].issues)


def test_the_largest_printed_total_takes_the_place_of_a_smaller_or_missing_one_and_says_so():
    """The small models read the amount after an agency's commission; the total row says what is owed."""
    text = INVOICE_TEXT + "\nAgency commission: 187.50\nNet total: 1,062.50"
    passing = {"vendor_name": "Northwind Traders Ltd", "invoice_number": "INV-2041", "invoice_date": "2026-03-14",
               "currency": "EUR"}
    for read, said in (("1,062.50", "1062.50"), (None, "none")):
        outcome = merge(INVOICE, CascadeOutcome([]), _attempt(1, {**passing, "total_amount": read}, text), text, None)
        assert str(outcome.record.total_amount) == "1250.00" and outcome.settled and outcome.review_reasons == []
        note = f"total 1250.00 read from the total rows printed (the model read {said})"
        assert outcome.report.issues["total_amount"] == [note] and outcome.readings == {"total_amount": note}
        assert outcome.report.confidences["total_amount"] >= 0.9
    # Kept through a later tier's merge that takes other fields.
    first = merge(INVOICE, CascadeOutcome([]), _attempt(1, {**passing, "invoice_number": "Invoice"}, text), text, None)
    second = merge(INVOICE, first, _attempt(2, {"invoice_number": "INV-2041"}, text), text, None)
    assert second.field_tiers["total_amount"] == 2 and second.readings["total_amount"].startswith("total 1250.00 read")
    # The sum rule still compares the total put in place with what the document prints.
    summed = INVOICE_TEXT + "\nSubtotal: 1,000.00\nVAT: 100.00"
    mismatch = merge(
        INVOICE, CascadeOutcome([]),
        _attempt(1, {**passing, "total_amount": "1,100.00", "subtotal": "1,000.00", "tax_amount": "100.00"}, summed),
        summed, None,
    )
    assert str(mismatch.record.total_amount) == "1250.00"
    assert any(reason.startswith("total_amount: total 1250.00 is not subtotal 1000.00") for reason in mismatch.review_reasons)
    # With no total row printed the model's value stands, checked as before.
    unlabelled = INVOICE_TEXT.replace("Total due", "Amount")
    kept = merge(INVOICE, CascadeOutcome([]), _attempt(1, {**passing, "total_amount": "1,250.00"}, unlabelled),
                 unlabelled, None)
    assert str(kept.record.total_amount) == "1250.00" and kept.readings == {}


@pytest.fixture
def stage_settings(settings, model_settings):
    limits = {
        key: getattr(model_settings, key)
        for key in ("extract_model", "extract_second_model", "extract_max_input_chars", "extract_max_output_tokens")
    }
    return settings.model_copy(update=limits)


@pytest.mark.slow
def test_a_document_failing_the_first_tiers_checks_is_read_by_the_second_and_records_it(
    settings, stage_settings, llamacpp_backend
):
    stage = ExtractionStage(stage_settings, backend=llamacpp_backend, second_backend=llamacpp_backend)
    document_id = _document(settings, LUNCH_NOTE + " (two tiers)", "invoice")
    result = _run(settings, stage, document_id)
    assert result.needs_review and "total_amount" in result.reason
    fields = result.fields
    assert fields.tier == 2 and set(fields.field_tiers) == set(INVOICE.schema.kinds)
    assert set(fields.field_tiers.values()) <= {1, 2}
    assert fields.issues["document"][0].startswith("read again by tier 2: tier 1 left ")
    assert "total_amount" in fields.issues["document"][0]
    with session_scope(settings.database_url) as session:
        extraction = session.scalars(select(Extraction).where(Extraction.document_id == document_id)).one()
        assert extraction.tier == 2 and extraction.field_tiers == fields.field_tiers
        shown = session.execute(
            text("SELECT extraction_tier, extraction_field_tiers FROM document_results WHERE document_id = :id"),
            {"id": document_id},
        ).one()
        assert (shown.extraction_tier, shown.extraction_field_tiers) == (2, fields.field_tiers)
        outcome = FileOutcome("/in/invoice.txt", "invoice.txt", "needs_review", document_id=document_id)
        summary = summarize(session, extraction.run_id, [outcome], 1.0)
    assert summary.tier_counts() == {2: 1} and summary.headline().endswith("; extraction tier 2: 1")
    assert summary.as_dict()["extraction_tiers"] == {"2": 1}


@pytest.mark.slow
def test_the_cascade_off_reads_with_the_first_model_alone(settings, stage_settings, llamacpp_backend):
    stage = ExtractionStage(stage_settings.model_copy(update={"extract_cascade": False}), backend=llamacpp_backend)
    assert len(stage.cascade.tiers) == 1 and "+" not in stage.version
    result = _run(settings, stage, _document(settings, LUNCH_NOTE + " (one tier)", "invoice"))
    assert result.needs_review and result.fields.tier == 1
    assert set(result.fields.field_tiers.values()) == {1}
    assert not any(note.startswith("read again") for note in result.fields.issues.get("document", []))


CONTRACT_TEXT = (
    "MUTUAL NON-DISCLOSURE AGREEMENT\nThis Agreement is made on 1 March 2026 between Acme Robotics Ltd "
    "and Borealis Data GmbH. It is governed by the laws of England and Wales."
)


@pytest.mark.slow
def test_contracts_start_at_the_second_tier_by_default(stage_settings, llamacpp_backend):
    cascade = ExtractionCascade.from_settings(stage_settings, llamacpp_backend, llamacpp_backend)
    assert [tier.number for tier in cascade.tiers_for("contract")] == [2]
    assert [tier.number for tier in cascade.tiers_for("invoice")] == [1, 2]
    outcome = cascade.extract(schema_for("contract"), CONTRACT_TEXT)
    assert [attempt.tier for attempt in outcome.attempts] == [2]
    assert set(outcome.field_tiers.values()) == {2}


@pytest.mark.slow
def test_an_unknown_schema_for_the_second_tier_is_a_configuration_error(stage_settings, llamacpp_backend):
    with pytest.raises(ConfigurationError, match="DOCPIPE_EXTRACT_SECOND_TIER_FIRST names no schema: invoices"):
        ExtractionCascade.from_settings(
            stage_settings.model_copy(update={"extract_second_tier_first": ["invoices"]}), llamacpp_backend
        )


@pytest.mark.slow
def test_a_second_tier_that_crashes_leaves_the_first_tiers_values_for_review(model_settings, llamacpp_backend):
    second = SupervisedBackend(model_settings, resolve_model(model_settings))
    try:
        cascade = ExtractionCascade.from_settings(model_settings, llamacpp_backend, second)
        os.kill(second.pid, signal.SIGKILL)
        outcome = cascade.extract(INVOICE, LUNCH_NOTE)
    finally:
        second.close()
    assert [attempt.tier for attempt in outcome.attempts] == [1, 2]
    assert outcome.attempts[1].failure.startswith("tier 2 (smollm2-135m): model process died")
    assert outcome.record is not None and set(outcome.field_tiers.values()) == {1}
    assert outcome.review_reasons  # the first tier's, still to be reviewed
