"""Labelled-data format, published datasets as examples, generated documents and the train/validation split."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest

from classifier.data import load_dataset, normalise_labels, resolve_spec, split
from classifier.examples import HEAD_CHARS, TAIL_CHARS, Example, reading_window
from classifier.synthetic import KINDS, generate
from classifier.taxonomy import Taxonomy
from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from tests import documents
from tests.corpora.test_published import write_bueck_csv


@pytest.fixture
def offline_settings(tmp_path) -> DocpipeSettings:
    return DocpipeSettings(data_dir=tmp_path / "data")


def test_documented_csv_reads_text_and_document_paths(tmp_path, offline_settings):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "invoice.pdf").write_bytes(documents.text_pdf(documents.INVOICE_TEXT))
    with (tmp_path / "labels.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "path", "doc_type", "urgency", "department"])
        writer.writerow(["Please reset my VPN password", "", "ticket", "high", "IT Support"])
        writer.writerow(["", "docs/invoice.pdf", "invoice", "", "Finance"])
    examples = load_dataset(str(tmp_path / "labels.csv"), offline_settings)
    assert [ex.labels for ex in examples] == [
        {"doc_type": "ticket", "urgency": "high", "department": "IT Support"},
        {"doc_type": "invoice", "department": "Finance"},  # empty urgency: unlabelled, not ""
    ]
    assert "INV-2041" in examples[1].text  # extracted from the PDF's text layer
    # The extracted text is cached by content hash, so OCR'd datasets are read once.
    assert list((offline_settings.data_dir / "cache" / "classifier-text").glob("*.txt"))


def test_documented_jsonl_and_a_folder_with_labels_csv(tmp_path, offline_settings):
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"text": "Supply agreement", "doc_type": "contract"}) + "\n\n")
    assert load_dataset(str(jsonl), offline_settings)[0].labels == {"doc_type": "contract"}
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "labels.csv").write_text("text,doc_type\nhello,other\n")
    dataset, path = resolve_spec(str(folder))
    assert dataset is None and path == folder.resolve()  # the documented format, no published dataset
    assert resolve_spec(f"labelled:{jsonl}") == (None, jsonl.resolve())


def test_a_row_without_text_or_path_is_a_configuration_error(tmp_path, offline_settings):
    (tmp_path / "bad.csv").write_text("doc_type\ninvoice\n")
    with pytest.raises(ConfigurationError, match="neither `text` nor `path`"):
        load_dataset(str(tmp_path / "bad.csv"), offline_settings)


def test_a_ticket_dataset_is_read_as_its_text_with_its_labels(tmp_path, offline_settings):
    path = write_bueck_csv(tmp_path / "tickets.csv")
    dataset, _ = resolve_spec(str(path))
    assert dataset is not None and dataset.name == "bueck"
    (example,) = load_dataset(str(path), offline_settings)
    assert example.text == "Subject: Printer down\n\nLine one\nLine two"
    assert example.labels == {"doc_type": "ticket", "department": "IT Support", "urgency": "high"}
    assert example.source == "bueck/tickets.csv#1"


def test_unrecognisable_dataset_asks_for_a_dataset_name(tmp_path):
    (tmp_path / "a.pdf").write_bytes(documents.text_pdf("x"))
    with pytest.raises(ConfigurationError, match="NAME:PATH") as raised:
        resolve_spec(str(tmp_path))
    assert "invoices" in str(raised.value) and "labelled" in str(raised.value)  # what it could be named
    with pytest.raises(ConfigurationError, match="not found"):
        resolve_spec("invoices:/nonexistent/folder")
    with pytest.raises(ConfigurationError, match="not found"):
        resolve_spec("labelled:/nonexistent/labels.csv")


def test_a_named_folder_of_invoice_pdfs_is_read_as_incoming_and_a_bad_file_skipped(tmp_path, offline_settings):
    (tmp_path / "a.pdf").write_bytes(documents.text_pdf(documents.INVOICE_TEXT))
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 truncated")
    [example] = load_dataset(f"invoices:{tmp_path}", offline_settings)
    assert example.labels == {"doc_type": "invoice"} and "INV-2041" in example.text
    assert example.source == "invoices/a"


def test_labels_outside_the_taxonomy_fall_back_or_are_dropped():
    taxonomy = Taxonomy.load()
    examples = [
        Example("a", {"doc_type": "memo", "department": "Marketing", "urgency": "high"}),
        Example("b", {"department": "Marketing"}),
    ]
    kept, dropped = normalise_labels(examples, taxonomy)
    assert [ex.labels for ex in kept] == [{"doc_type": "other", "urgency": "high"}]
    assert dropped == {"department": 2}


def test_generated_documents_are_labelled_in_the_taxonomy_and_reproducible():
    taxonomy = Taxonomy.load()
    first = generate(taxonomy, per_label=20, seed=7)
    assert [ex.text for ex in first] == [ex.text for ex in generate(taxonomy, per_label=20, seed=7)]
    assert first != generate(taxonomy, per_label=20, seed=8)
    for target in taxonomy.targets:
        assert {ex.labels[target.name] for ex in first} <= set(target.labels)
    counts = Counter(ex.labels["doc_type"] for ex in first) + Counter(ex.labels["department"] for ex in first)
    for label in (*taxonomy.target("doc_type").labels, *taxonomy.target("department").labels):
        assert counts[label] >= 20, label
    # The pair a model confuses gets more examples (EXTRA_SHARE).
    assert counts["receipt"] >= 30 and counts["invoice"] >= 30
    # Urgency cues are written into the text: high-urgency tickets say why.
    high = [ex.text for ex in first if ex.labels.get("urgency") == "high" and ex.labels["doc_type"] == "ticket"]
    assert high and all(
        any(
            cue in text.lower()
            for cue in ("urgent", "critical", "immediate", "down", "blocked", "deadline", "breach", "data", "priority")
        )
        for text in high
    )


def test_generated_receipts_and_invoices_carry_the_cues_that_tell_them_apart():
    """A receipt is paid at a till (cash and change, or a card) and is never due; an invoice
    asks to be paid (a number, terms or a due date) and gives no change."""
    generated = generate(Taxonomy.load(), per_label=40, seed=5)
    receipts = [ex.text.lower() for ex in generated if ex.labels["doc_type"] == "receipt"]
    invoices = [ex.text.lower() for ex in generated if ex.labels["doc_type"] == "invoice"]
    paid = re.compile(r"\b(cash|change|card|visa|mastercard|tender|paid amount)\b")
    asks = re.compile(r"due|terms|number|nummer|n°|no[.:]|#|fattura n|betalen|paiement|payable|remit|pay")
    assert receipts and all(paid.search(text) and "due date" not in text for text in receipts)
    assert invoices and all(asks.search(text) and not re.search(r"\bchange\b", text) for text in invoices)
    # Receipts arrive in several forms: till slips of several countries and short slips.
    assert any("sdn bhd" in text for text in receipts) and any(len(text.split("\n")) < 10 for text in receipts)


def test_generated_documents_only_fill_labels_real_data_lacks():
    taxonomy = Taxonomy.load()
    # Three real IT Support tickets, fewer than per_label: still no generated ones beside them.
    real = [Example(f"ticket {i}", {"doc_type": "ticket", "department": "IT Support"}) for i in range(3)]
    generated = generate(taxonomy, per_label=10, seed=1, existing=real)
    departments = Counter(ex.labels["department"] for ex in generated)
    assert departments["IT Support"] == 0
    assert departments["Human Resources"] == 10  # a queue with no real tickets gets its generated ones
    assert Counter(ex.labels["doc_type"] for ex in generated)["invoice"] >= 10
    assert generate(taxonomy, per_label=10, seed=1, existing=[]) == generate(taxonomy, per_label=10, seed=1)


def test_kinds_whose_labels_a_taxonomy_lacks_are_not_generated(tmp_path):
    text = Taxonomy.load().to_toml().replace('"receipt", ', "")
    (tmp_path / "t.toml").write_text(text)
    taxonomy = Taxonomy.load(tmp_path / "t.toml")
    assert "receipt" not in {ex.labels["doc_type"] for ex in generate(taxonomy, per_label=5, seed=1)}
    assert {kind.doc_type for kind in KINDS} >= {"invoice", "receipt", "contract", "ticket", "other"}


def test_split_is_seeded_stratified_and_disjoint():
    examples = [Example(f"{label} {i}", {"department": label}) for label in ("A", "B", "C") for i in range(10)]
    examples.append(Example("rare 1", {"department": "D"}))
    examples.append(Example("rare 2", {"department": "D"}))
    train, validation = split(examples, 0.2, seed=3)
    assert len(train) + len(validation) == len(examples)
    assert not {ex.text for ex in train} & {ex.text for ex in validation}
    assert Counter(ex.labels["department"] for ex in validation) == {"A": 2, "B": 2, "C": 2, "D": 1}
    assert [ex.text for ex in split(examples, 0.2, seed=3)[1]] == [ex.text for ex in validation]


def test_the_reading_window_is_a_long_documents_head_and_tail():
    short = "Please reset my VPN password. " * 100
    assert reading_window(short) == short
    text = "INVOICE " + "middle page " * 5000 + " FINAL NOTICE"
    window = reading_window(text)
    assert len(window) == HEAD_CHARS + TAIL_CHARS + 1
    assert window.startswith("INVOICE middle") and window.endswith("middle page  FINAL NOTICE")
