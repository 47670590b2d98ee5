"""Generated documents read back as they would arrive: receipts through real OCR, invoices
through a PDF's text layer; deterministic and cached."""

from __future__ import annotations

import random

import pytest

from classifier.examples import SYNTHETIC_SOURCE, Example
from classifier.rendering import as_received, invoice_pdf, plain, scanned_receipt
from extractors.text import read_text

SLIP = "SUNRISE MART\nDATE:\t12/03/2024 14:02\nCASHIER:\tAMINAH\nMILK 1L\t2 X 3.50\t7.00\nTOTAL\tRM7.00\nCASH\tRM10.00\nCHANGE\tRM3.00\nTHANK YOU"
BILL = "ACME LTD\n\nInvoice No:\tINV-2041\nDue date:\t2026-04-30\nBill to:\tNorthwind Traders\n\nTotal due:\t1,250.00 EUR"


def test_a_receipt_is_scanned_and_read_back_by_the_product_ocr(settings):
    text = read_text(scanned_receipt(SLIP, random.Random(2)), settings, "image/png").text
    assert text != plain(SLIP)
    printed = set(plain(SLIP).split())
    # Real OCR of a faded, tilted slip: most words come back, not necessarily all.
    assert len(printed & set(text.split())) >= 0.6 * len(printed), text


@pytest.mark.parametrize("by_column", [True, False])
def test_an_invoice_pdf_keeps_cells_apart_and_labels_before_values_when_written_by_column(settings, by_column):
    lines = read_text(invoice_pdf(BILL, random.Random(1), by_column), settings, "application/pdf").text.split("\n")
    lines = [line.strip() for line in lines if line.strip()]
    assert "INV-2041" in lines and "Invoice No:" in lines  # a label and its value are separate cells
    label, value, next_label = lines.index("Invoice No:"), lines.index("INV-2041"), lines.index("Due date:")
    assert label < next_label and (next_label < value) == by_column, lines


def test_only_generated_documents_change_the_same_way_every_time_and_are_cached(settings):
    examples = [
        Example(SLIP, {"doc_type": "receipt"}, f"{SYNTHETIC_SOURCE}receipt"),
        Example(BILL, {"doc_type": "invoice"}, f"{SYNTHETIC_SOURCE}invoice"),
        Example("Subject:\tVPN down", {"doc_type": "ticket"}, f"{SYNTHETIC_SOURCE}ticket:IT Support"),
        Example("A real\tdocument", {"doc_type": "other"}, "labels.csv#1"),
    ]
    first = as_received(examples, settings)
    cached = sorted((settings.data_dir / "cache" / "generated-text").glob("*.txt"))
    assert len(cached) == 3
    assert as_received(examples, settings) == first
    assert first[2].text == "Subject:  VPN down" and first[3] == examples[3]
    assert [ex.labels for ex in first] == [ex.labels for ex in examples]
