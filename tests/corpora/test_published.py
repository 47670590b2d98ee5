"""The one registry of published datasets: recognised by layout or by name, documents as they lie."""

from __future__ import annotations

import csv
import json
import lzma
from pathlib import Path

import pytest

from corpora.published import DATASETS, recognise, resolve
from docpipe.errors import ConfigurationError

BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def test_datasets_are_recognised_by_layout(tmp_path):
    sroie = tmp_path / "sroie" / "dev"
    (sroie / "key").mkdir(parents=True)
    (sroie / "img").mkdir()
    (sroie / "box").mkdir()
    (sroie / "key" / "X51.json").write_text('{"company": "SAM SAM TRADING CO", "total": "14.10"}')
    (sroie / "img" / "X51.jpg").write_bytes(b"\xff\xd8\xff")
    (sroie / "box" / "X51.csv").write_text("1,2,3,4,5,6,7,8,SAM SAM TRADING CO\n1,2,3,4,5,6,7,8,TOTAL 14.10, CASH\n")
    kleister = tmp_path / "kleister"
    kleister.mkdir()
    (kleister / "in-header.tsv").write_text("filename\tkeys\ttext_djvu\ttext_tesseract\ttext_textract\ttext_best\n")
    with lzma.open(kleister / "in.tsv.xz", "wt") as stream:
        stream.write("a.pdf\tparty\t\t\t\tThis NDA\\nbetween A and B\n")
    (kleister / "expected.tsv").write_text("party=Alpha_Corp party=Beta_LLC term=3_years\n")
    (kleister / "documents").mkdir()
    (kleister / "documents" / "a.pdf").write_bytes(b"%PDF-1.4")
    invoice2data = tmp_path / "i2d"
    invoice2data.mkdir()
    (invoice2data / "x.json").write_text('[{"issuer": "OYO", "amount": 1939.0}]')
    (invoice2data / "x.txt").write_text("OYO receipt")

    dataset, root = recognise(tmp_path / "sroie")
    assert (dataset.name, root) == ("sroie", sroie)
    [receipt] = list(dataset.documents(root))
    assert receipt.labels == {"doc_type": "receipt"} and receipt.field_labels["total"] == "14.10"
    assert receipt.transcript() == "SAM SAM TRADING CO\nTOTAL 14.10, CASH"  # commas in the text kept
    assert not dataset.transcript_as_read  # the classifier OCRs the scan as an incoming one
    assert recognise(invoice2data)[0].name == "invoice2data"
    dataset, root = recognise(kleister)
    assert dataset.name == "kleister-nda"
    [document] = list(dataset.documents(root))
    assert document.field_labels == {"party": ["Alpha Corp", "Beta LLC"], "term": "3 years"}
    assert document.labels == {"doc_type": "contract"}
    assert document.transcript() == "This NDA\nbetween A and B" and document.content() == b"%PDF-1.4"
    [invoice] = list(BY_NAME["invoice2data"].documents(invoice2data))
    assert invoice.field_labels["issuer"] == "OYO" and invoice.content() == b"OYO receipt"
    assert recognise(tmp_path / "sroie" / "dev" / "key") is None
    assert recognise(tmp_path / "missing") is None


def test_fcc_invoices_need_their_own_labels_not_any_labels_csv(tmp_path):
    fcc = tmp_path / "fcc"
    fcc.mkdir()
    (fcc / "a.json").write_text(json.dumps({"contract_num": "4263696", "advertiser": "Mike Miles"}))
    (fcc / "a.pdf").write_bytes(b"%PDF-1.4")
    (fcc / "labels.csv").write_text("file_id,contract_num,advertiser,gross_amount\na,4263696,Mike Miles,$180.00\n")
    assert recognise(fcc)[0].name == "fcc-invoices"
    # An organisation's folder in the documented format (labels.csv beside its files) is no FCC set.
    (fcc / "labels.csv").write_text("path,doc_type\na.pdf,invoice\n")
    assert recognise(fcc) is None


def test_cuad_rows_find_their_files_where_a_name_ends_in_a_space(tmp_path):
    root = tmp_path / "cuad"
    (root / "full_contract_pdf" / "Part_I").mkdir(parents=True)
    (root / "full_contract_txt").mkdir()
    (root / "full_contract_pdf" / "Part_I" / "ACME - Supply Agreement .pdf").write_bytes(b"%PDF-1.4")
    (root / "full_contract_txt" / "ACME - Supply Agreement.txt").write_text("SUPPLY AGREEMENT between ACME and Beta")
    with (root / "master_clauses.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Filename", "Parties-Answer", "Effective Date-Answer", "Agreement Date-Answer",
                         "Expiration Date-Answer", "Governing Law-Answer"])
        writer.writerow(["ACME - Supply Agreement .pdf", "ACME; Beta", "", "1/2/2020", "Perpetual", "Delaware"])
    dataset, found = recognise(root)
    [contract] = list(dataset.documents(found))
    assert contract.doc_id == "ACME - Supply Agreement " and contract.content() == b"%PDF-1.4"
    assert contract.transcript() == "SUPPLY AGREEMENT between ACME and Beta"
    assert contract.field_labels["Parties"] == ["ACME", "Beta"] and contract.field_labels["Effective Date"] == "1/2/2020"


def write_bueck_csv(path: Path) -> Path:
    """One ticket in the Bueck layout, with the agent's answer no ticket arrives with."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["subject", "body", "answer", "type", "queue", "priority"])
        writer.writerow(["Printer down", "Line one\\nLine two", "SECRET AGENT REPLY", "Incident", "IT Support", "high"])
    return path


def test_ticket_csvs_are_text_only_and_never_read_the_answer(tmp_path):
    dataset, root = resolve(str(write_bueck_csv(tmp_path / "tickets.csv")))
    assert dataset.name == "bueck" and not dataset.fields
    [ticket] = list(dataset.documents(root))
    assert ticket.content is None and ticket.transcript() == "Subject: Printer down\n\nLine one\nLine two"
    assert ticket.labels == {"doc_type": "ticket", "department": "IT Support", "urgency": "high"}
    assert "SECRET" not in ticket.transcript()


def test_a_dataset_named_on_the_command_line(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert recognise(tmp_path) is None  # a folder of PDFs says nothing of their type
    dataset, root = resolve(f"invoices:{tmp_path}")
    assert dataset.name == "invoices" and root == tmp_path.resolve()
    assert [document.doc_id for document in dataset.documents(root)] == ["a"]
    with pytest.raises(ConfigurationError, match="not found"):
        resolve(f"sroie:{tmp_path / 'missing'}")
    assert resolve(str(tmp_path)) is None
