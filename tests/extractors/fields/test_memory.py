"""The extraction memory: anchors learned from a remembered document, followed in a new one."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from docpipe.stages import Labels, StageInput
from extractors import read_text
from extractors.fields.cascade import ExtractionCascade, recall_attempt, worked_example
from extractors.fields.extract import messages_for
from extractors.fields.context import select_context
from extractors.fields.memory import (
    ExtractionMemory,
    build_memory,
    load_memory,
    remember,
    save_memory,
    segments,
    template_words,
)
from extractors.fields.memory_examples import from_file
from extractors.fields.stage import ExtractionStage
from schemas.registry import schema_for
from tests.documents import text_pdf, vendor_invoice_pdf

INVOICE = schema_for("invoice")
MARCH = {"vendor_name": "Harbour Supplies Ltd", "invoice_number": "HS-1001", "invoice_date": "2026-03-14",
         "buyer_name": "Northwind Traders", "total_amount": 1250.0, "currency": "EUR"}


def _layout(number: str, issued: str, total: str, buyer: str) -> str:
    read = read_text(vendor_invoice_pdf(number, issued, total, buyer), DocpipeSettings())
    return read.layout_text


@pytest.fixture(scope="module")
def march() -> str:
    return _layout("HS-1001", "14 March 2026", "1,250.00", "Northwind Traders")


@pytest.fixture(scope="module")
def april() -> tuple[str, str]:
    read = read_text(vendor_invoice_pdf("HS-1187", "9 April 2026", "3,480.50", "Contoso Marine"), DocpipeSettings())
    return read.text, read.layout_text


def test_anchors_say_where_each_value_stands(march):
    remembered = remember("march", "invoice", march, MARCH)
    where = {(a.field, a.how, a.label) for a in remembered.anchors}
    assert ("invoice_number", "right", "Invoice No:") in where  # in the label's own segment
    assert ("invoice_date", "right", "Invoice date") in where  # in the next column
    assert ("buyer_name", "below", "Bill to") in where
    assert ("total_amount", "below", "Amount due") in where
    assert ("vendor_name", "constant", "Harbour Supplies Ltd") in where
    assert not any(a.field == "total_amount" and a.how == "constant" for a in remembered.anchors)


def test_the_next_invoice_of_the_layout_is_read_where_the_first_had_its_values(march, april):
    text, layout = april
    memory = build_memory([remember("march", "invoice", march, MARCH)])
    attempt = recall_attempt(memory.recall(INVOICE, text, layout), INVOICE, text, layout)
    record = attempt.checked.record
    assert (record.vendor_name, record.invoice_number, record.invoice_date, record.buyer_name, record.total_amount,
            record.currency) == ("Harbour Supplies Ltd", "HS-1187", date(2026, 4, 9), "Contoso Marine",
                                 Decimal("3480.50"), "EUR")
    assert attempt.checked.report.review_reasons == []
    assert attempt.tier == 0 and "laid out like march" in attempt.note


def test_a_document_of_another_layout_is_not_read_by_the_memory(march):
    memory = build_memory([remember("march", "invoice", march, MARCH)])
    other = "ACME Corp\nRechnung 77\nGesamtbetrag 99,00 EUR\nVielen Dank für Ihren Einkauf"
    assert memory.nearest("invoice", other) == []
    assert memory.recall(INVOICE, other, None) is None
    assert memory.nearest("contract", march) == []  # nor a document of another schema


def test_similarity_weighs_a_templates_own_words_over_common_ones(march, april):
    other_vendor = "Invoice\nInvoice date 2026-04-01\nTotal amount due 80.00\nBill to Contoso"
    memory = build_memory([remember("march", "invoice", march, MARCH), remember("other", "invoice", other_vendor, {})])

    same, different = memory.similarity(template_words(april[1]), 0), memory.similarity(template_words(april[1]), 1)
    assert same > 0.7 and different < 0.3, (same, different)


def test_a_remembered_place_holding_a_failing_value_is_dropped(march):
    # The remembered vendor's place holds a label word in this document: the checks refuse it.
    memory = build_memory([remember("march", "invoice", march, MARCH)])
    text = march.replace("Invoice No: HS-1001", "Invoice No: Invoice")
    attempt = recall_attempt(memory.recall(INVOICE, text, text), INVOICE, text, text)
    assert attempt.checked.record.invoice_number is None
    assert "invoice_number" not in attempt.note


def test_the_worked_example_shows_the_remembered_values_as_printed(march, april):
    memory = build_memory([remember("march", "invoice", march, MARCH)])
    example = worked_example(memory.recall(INVOICE, *april), INVOICE)
    # As the layout prints them (a model copies values as printed), not as stored.
    assert example.name == "march" and example.text == march
    assert example.answer["invoice_date"] == "14 March 2026" and example.answer["total_amount"] == "1,250.00"
    assert example.answer["invoice_number"] == "HS-1001" and "line_items" not in example.answer
    schema = INVOICE.schema
    chat = messages_for(schema, select_context(april[1], schema, 5000), select_context(march, schema, 1000), example.answer)
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "user"]
    assert "HS-1001" in chat[1]["content"] and json.loads(chat[2]["content"]) == example.answer
    assert "HS-1187" in chat[3]["content"]
    # A remembered document with none of the draft's fields is no example.
    bare = build_memory([remember("bare", "invoice", march, {"line_items": []})])
    assert worked_example(bare.recall(INVOICE, *april), INVOICE) is None


def test_segments_split_columns_not_words():
    rows = segments("Invoice date      14 March 2026\n\nBill to")
    assert [s.text for s in rows[0]] == ["Invoice date", "14 March 2026"]
    assert rows[0][1].start == 18 and rows[1] == [] and rows[2][0].text == "Bill to"


def test_the_memory_is_saved_as_json_versioned_and_current(march, tmp_path):
    settings = DocpipeSettings(data_dir=tmp_path)
    assert load_memory(settings) is None  # none trained yet
    memory = build_memory([remember("march", "invoice", march, MARCH)])
    folder = save_memory(settings, memory)
    data = json.loads((folder / "memory.json").read_text())
    assert data["format"] == 1 and data["documents"][0]["fields"]["invoice_date"] == "2026-03-14"
    loaded = load_memory(settings)
    assert loaded.version == memory.version == folder.name and loaded.documents[0].anchors == memory.documents[0].anchors
    # The same documents learned again are the same memory: same version, nothing re-read.
    assert save_memory(settings, build_memory([remember("march", "invoice", march, MARCH)])) == folder
    assert load_memory(settings.model_copy(update={"extract_memory": "none"})) is None
    assert load_memory(settings.model_copy(update={"extract_memory": str(folder)})).version == memory.version
    with pytest.raises(ConfigurationError, match="no extraction memory"):
        load_memory(settings.model_copy(update={"extract_memory": "mem-missing"}))
    with pytest.raises(ConfigurationError, match="format"):
        ExtractionMemory.from_json({**data, "format": 0})


def test_labelled_files_give_documents_and_one_line_per_unusable_row(tmp_path, march):
    (tmp_path / "march.pdf").write_bytes(vendor_invoice_pdf("HS-1001", "14 March 2026", "1,250.00", "Northwind Traders"))
    lines = [
        json.dumps({"doc_type": "invoice", "path": "march.pdf", "fields": MARCH}),
        json.dumps({"doc_type": "receipt", "text": "SHOP\nTOTAL 4.20", "fields": {"vendor_name": "SHOP", "total_amount": "4.20"}}),
        "{not json",
        json.dumps({"doc_type": "memo", "text": "x", "fields": {"a": 1}}),
        json.dumps({"doc_type": "invoice", "path": "missing.pdf", "fields": MARCH}),
        json.dumps({"doc_type": "invoice", "text": "x", "fields": {}}),
        json.dumps({"doc_type": "contract", "text": "This NDA is governed by the laws of Ohio.", "fields": {"governing_law": "Ohio"}}),
    ]
    (tmp_path / "labelled.jsonl").write_text("\n".join(lines) + "\n")
    gathered = from_file(tmp_path / "labelled.jsonl", DocpipeSettings(data_dir=tmp_path))
    assert [d.key for d in gathered.documents] == ["labelled.jsonl:1", "labelled.jsonl:2"]
    assert gathered.documents[0].layout == march
    assert [line.split(":")[1] for line in gathered.skipped] == ["3", "4", "5", "6", "7"]
    assert "their values stand in prose" in gathered.skipped[4]
    assert all("\n" not in line for line in gathered.skipped)
    assert "not JSON" in gathered.skipped[0] and "doc_type must be one of" in gathered.skipped[1]

    (tmp_path / "labelled.csv").write_text("doc_type,text,vendor_name,total_amount\nreceipt,SHOP TOTAL 4.20,SHOP,4.20\n")
    assert from_file(tmp_path / "labelled.csv", DocpipeSettings()).documents[0].fields == {"vendor_name": "SHOP", "total_amount": 4.2}


@pytest.mark.slow
def test_with_a_memory_the_cascade_answers_a_known_layout_without_a_model(march, april, model_settings, llamacpp_backend, tmp_path):
    settings = model_settings.model_copy(update={"data_dir": tmp_path})
    save_memory(settings, build_memory([remember("march", "invoice", march, MARCH)]))
    stage = ExtractionStage(settings, llamacpp_backend, llamacpp_backend)
    assert stage.version.startswith("mem-")
    text, layout = april
    labels = Labels({"doc_type": "invoice", "urgency": "low", "department": "Finance"}, {})
    result = stage.run(StageInput(1, text, "application/pdf", layout, labels=labels))
    assert not result.needs_review
    assert (result.fields.record.invoice_number, result.fields.tier) == ("HS-1187", 0)
    assert {result.fields.field_tiers[name] for name in INVOICE.required} == {0}
    assert "laid out like march" in result.fields.issues["document"][0]

    # A document of another layout still goes to the models.
    cascade = ExtractionCascade.from_settings(settings, llamacpp_backend, llamacpp_backend)
    pdf = read_text(text_pdf("INVOICE\nNorthwind Traders Ltd\nInvoice number: INV-2041\nTotal due: 1,250.00 EUR"), settings)
    outcome = cascade.extract(INVOICE, pdf.text, pdf.layout_text)
    assert [attempt.tier for attempt in outcome.attempts][0] == 1


@pytest.mark.slow
def test_a_known_layout_the_memory_cannot_answer_is_read_after_its_worked_example(march, april, model_settings, llamacpp_backend):
    # The remembered invoice's labels lack its vendor, a required field that no rule reads
    # from an invoice's rows: the memory reads the rest, and the model reads the document
    # after the remembered one, answered.
    known = {name: value for name, value in MARCH.items() if name != "vendor_name"}
    memory = build_memory([remember("march", "invoice", march, known)])
    text, layout = april
    cascade = ExtractionCascade.from_settings(model_settings, llamacpp_backend, llamacpp_backend)
    cascade.memory, cascade.worked_examples = memory, True  # DOCPIPE_EXTRACT_MEMORY_EXAMPLES
    outcome = cascade.extract(INVOICE, text, layout)
    model = outcome.attempts[1]
    assert [a.tier for a in outcome.attempts][:2] == [0, 1]
    assert "shown march as a worked example" in model.note
    with_example = model.generation.prompt_tokens
    # What the model copied from the example is not in this document: grounding drops it, and
    # the memory's readings of this document stand.
    record = outcome.record
    assert (record.invoice_number, record.total_amount) == ("HS-1187", Decimal("3480.50"))
    assert record.invoice_date in (None, date(2026, 4, 9))
    # The same document read without the example: a shorter prompt, no note.
    cascade.worked_examples = False
    alone = cascade.extract(INVOICE, text, layout).attempts[1]
    assert alone.note is None and alone.generation.prompt_tokens < with_example - 50
