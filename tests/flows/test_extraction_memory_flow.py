"""Review feeds the extraction memory: a corrected invoice, retrained, reads the vendor's next one."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest

from prefect.flow_runs import resume_flow_run

from db.models import Classification, Document, Extraction
from db.session import session_scope
from cli.main import main
from docpipe.stages import Labels, StageInput
from extractors import read_text
from extractors.fields.memory import load_memory
from extractors.fields.stage import ExtractionStage
from flows.review import review_documents
from flows.train_extraction import train_extraction_memory
from tests.documents import vendor_invoice_pdf
from tests.pipeline.test_review import answer
from tests.flows.test_review_flow import paused_flow_run_id

CORRECTED = {"vendor_name": "Harbour Supplies Ltd", "invoice_number": "HS-1001", "invoice_date": "2026-03-14",
             "buyer_name": "Northwind Traders", "total_amount": 1250.0, "currency": "EUR"}


def _invoice_for_review(settings) -> int:
    """The vendor's March invoice as the pipeline left it: the model misread its number and total."""
    read = read_text(vendor_invoice_pdf("HS-1001", "14 March 2026", "1,250.00", "Northwind Traders"), settings)
    with session_scope(settings.database_url) as session:
        document = Document(
            sha256=hashlib.sha256(read.text.encode()).hexdigest(), source_path="/inbox/march.pdf", filename="march.pdf",
            size_bytes=1000, text=read.text, layout_text=read.layout_text, status="needs_review",
            error="extract: invoice_number 'Invoice' is a label", source_metadata={}, stage_versions={},
        )
        session.add(document)
        session.flush()
        session.add(
            Classification(
                document_id=document.id, model_version="m1", doc_type="invoice", doc_type_confidence=0.9,
                urgency="low", urgency_confidence=0.9, department="Finance", department_confidence=0.9, probabilities={},
            )
        )
        session.add(
            Extraction(
                document_id=document.id, model_version="x1", schema_name="invoice",
                fields={**CORRECTED, "invoice_number": "Invoice", "total_amount": 30.0}, field_confidences={}, issues={},
            )
        )
        return document.id


@pytest.mark.slow
def test_a_reviewed_invoice_teaches_the_memory_to_read_the_vendors_next_one(prefect_harness, own_settings):
    settings = own_settings
    document_id = _invoice_for_review(settings)
    thread = threading.Thread(target=lambda: review_documents(document_ids=[document_id], wait_hours=0.05), daemon=True)
    thread.start()
    resume_flow_run(
        paused_flow_run_id(),
        run_input=answer(reviewer="Sam", department="Finance", urgency="low", fields=CORRECTED, note="number and total"),
    )
    thread.join(timeout=120)

    summary = train_extraction_memory()
    assert (summary["documents"], summary["sources"]) == (1, {"reviewed documents": 1})
    memory = load_memory(settings)
    assert memory.version == summary["version"] and memory.documents[0].key == f"review:{document_id}"

    april = read_text(vendor_invoice_pdf("HS-1187", "9 April 2026", "3,480.50", "Contoso Marine"), settings)
    stage = ExtractionStage(settings.model_copy(update={"extract_model": "smollm2-135m", "extract_cascade": False}))
    labels = Labels({"doc_type": "invoice", "urgency": "low", "department": "Finance"}, {})
    result = stage.run(StageInput(2, april.text, "application/pdf", april.layout_text, labels=labels))
    record = result.fields.record
    assert (record.invoice_number, str(record.total_amount), record.buyer_name) == ("HS-1187", "3480.50", "Contoso Marine")
    assert result.fields.tier == 0 and not result.needs_review
    assert summary["version"] in stage.version


def test_train_extract_command_reads_labelled_files_and_says_what_it_skipped(prefect_harness, own_settings, tmp_path, capsys):
    (tmp_path / "march.pdf").write_bytes(vendor_invoice_pdf("HS-1001", "14 March 2026", "1,250.00", "Northwind Traders"))
    (tmp_path / "labelled.jsonl").write_text(
        json.dumps({"doc_type": "invoice", "path": "march.pdf", "fields": CORRECTED}) + "\n{broken\n"
    )
    assert main(["train", "extract", "--examples", str(tmp_path / "labelled.jsonl"), "--no-reviews", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["documents"] == 1 and summary["skipped"] == ["labelled.jsonl:2: not JSON (Expecting property name enclosed in double quotes)"]
    assert load_memory(own_settings).version == summary["version"]

    (tmp_path / "empty.jsonl").write_text("{broken\n")
    assert main(["train", "extract", "--examples", str(tmp_path / "empty.jsonl"), "--no-reviews"]) == 2
    assert "no labelled or reviewed documents to learn from (1 skipped: empty.jsonl:1: not JSON" in capsys.readouterr().err
