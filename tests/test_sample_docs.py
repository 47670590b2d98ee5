"""The sample inbox in sample_docs/: manifest, file types, reproducibility, OCR-ability.

The files come from scripts/make_sample_docs.py; these tests hold the committed copies to
what the generator promises: the manifest describes exactly the files that are there, every
file is the type its name says, regenerating gives the same bytes, text-layer PDFs carry the
ground truth as text, and scanned images are readable by the real Tesseract.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageSequence

from extractors.email import read_email
from extractors.sniff import EML, JPEG, PDF, PNG, TEXT, TIFF, sniff_media_type

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = REPO_ROOT / "sample_docs"
DOCUMENTS = SAMPLE_DOCS / "documents"
GENERATOR = REPO_ROOT / "scripts" / "make_sample_docs.py"

MEDIA_TYPE_BY_SUFFIX = {
    ".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".tif": TIFF, ".tiff": TIFF,
    ".eml": EML, ".txt": TEXT,
}
FIELDS_BY_TYPE = {
    "invoice": {"vendor_name", "vendor_address", "buyer_name", "invoice_number", "invoice_date",
                "due_date", "currency", "subtotal", "tax_amount", "total_amount"},
    "contract": {"title", "contract_type", "parties", "effective_date", "expiration_date", "term",
                 "renewal_term", "governing_law"},
    "ticket": {"requester_name", "requester_email", "subject", "product", "ticket_type"},
    "other": set(),
}
FIELDS_BY_TYPE["receipt"] = FIELDS_BY_TYPE["invoice"]
DEPARTMENTS = {
    "Finance", "Legal", "Procurement", "Technical Support", "Product Support", "Customer Service",
    "IT Support", "Billing and Payments", "Returns and Exchanges", "Human Resources",
    "Service Outages and Maintenance", "Sales and Pre-Sales", "General Inquiry",
}


def manifest() -> list[dict]:
    with (SAMPLE_DOCS / "MANIFEST.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["fields"] = json.loads(row["fields"])
    return rows


def document_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def content_of(name: str) -> bytes:
    """A file's bytes; ``mail.eml#attachment`` is read out of the mail by the real e-mail backend."""
    if "#" not in name:
        return (DOCUMENTS / name).read_bytes()
    mail, attachment = name.split("#", 1)
    extracted = read_email((DOCUMENTS / mail).read_bytes())
    return next(a.content for a in extracted.attachments if a.filename == attachment)


def test_manifest_lists_exactly_the_files_present_and_the_mail_attachments() -> None:
    names = [row["file"] for row in manifest()]
    assert len(names) == len(set(names)), "duplicate manifest rows"
    assert {n for n in names if "#" not in n} == document_files(DOCUMENTS)

    listed_attachments = {n for n in names if "#" in n}
    actual_attachments = {
        f"{mail}#{attachment.filename}"
        for mail in document_files(DOCUMENTS) if mail.endswith(".eml")
        for attachment in read_email((DOCUMENTS / mail).read_bytes()).attachments
    }
    assert listed_attachments == actual_attachments
    assert actual_attachments, "the supplier mail must carry attachments"


def test_manifest_rows_use_the_schema_and_consistent_values() -> None:
    rows = manifest()
    assert {row["doc_type"] for row in rows} == set(FIELDS_BY_TYPE)
    for row in rows:
        name, fields = row["file"], row["fields"]
        assert row["urgency"] in {"low", "medium", "high"}, name
        assert row["department"] in DEPARTMENTS, name
        assert set(fields) == FIELDS_BY_TYPE[row["doc_type"]], name
        for key in ("invoice_date", "due_date", "effective_date", "expiration_date"):
            if fields.get(key) is not None:
                date.fromisoformat(fields[key])
        if row["doc_type"] in ("invoice", "receipt"):
            assert len(fields["currency"]) == 3 and fields["currency"].isupper(), name
            parts = [fields[k] for k in ("subtotal", "tax_amount", "total_amount")]
            if None not in parts:
                subtotal, tax, total = (Decimal(str(v)) for v in parts)
                assert subtotal + tax == total, name
        if row["doc_type"] == "contract":
            assert len(fields["parties"]) >= 2, name


@pytest.mark.parametrize("name", [row["file"] for row in manifest()])
def test_sniffed_type_matches_the_extension(name: str) -> None:
    suffix = Path(name.split("#")[-1]).suffix.lower()
    assert sniff_media_type(content_of(name), name) == MEDIA_TYPE_BY_SUFFIX[suffix]


def test_samples_stay_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLE_DOCS.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024


def test_regenerating_reproduces_the_same_bytes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), str(tmp_path)], check=True, capture_output=True)

    def digests(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")
        }

    assert digests(tmp_path) == digests(SAMPLE_DOCS)


def pdf_text(content: bytes) -> str:
    with pymupdf.open(stream=content, filetype="pdf") as document:
        return "\n".join(page.get_text() for page in document)


def test_text_layer_pdfs_state_their_ground_truth_and_the_scan_has_none() -> None:
    checked = 0
    for row in manifest():
        if not row["file"].endswith(".pdf"):
            continue
        text = " ".join(pdf_text(content_of(row["file"])).split())
        fields = row["fields"]
        if "scanned" in row["file"]:
            assert text == "", "the scanned invoice must be image-only"
            continue
        expected = [fields.get("invoice_number"), fields.get("vendor_name"), fields.get("title")]
        expected += fields.get("parties", [])
        for value in filter(None, expected):
            assert value.lower() in text.lower(), f"{row['file']}: {value!r} not in the text layer"
        if fields.get("total_amount") is not None:
            total = f"{Decimal(str(fields['total_amount'])):,.2f}"
            european = total.replace(",", "_").replace(".", ",").replace("_", ".")
            assert total in text or european in text, row["file"]
        checked += 1
    assert checked >= 4


def images_of(name: str) -> list[Image.Image]:
    content = content_of(name)
    if name.endswith(".pdf"):
        with pymupdf.open(stream=content, filetype="pdf") as document:
            return [
                Image.open(BytesIO(document.extract_image(page.get_images()[0][0])["image"])).convert("L")
                for page in document
            ]
    with Image.open(BytesIO(content)) as image:
        return [frame.convert("L") for frame in ImageSequence.Iterator(image)]


def _scanned_rows() -> list[dict]:
    return [
        row for row in manifest()
        if Path(row["file"].split("#")[-1]).suffix in {".png", ".jpg", ".tif"} or "scanned" in row["file"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize("row", _scanned_rows(), ids=lambda row: row["file"])
def test_scanned_images_are_readable_by_tesseract(row: dict) -> None:
    import pytesseract

    text = "\n".join(pytesseract.image_to_string(image, config="--psm 4") for image in images_of(row["file"]))
    flat = " ".join(text.split()).lower()
    fields = row["fields"]
    if row["doc_type"] in ("invoice", "receipt"):
        day = date.fromisoformat(fields["invoice_date"])
        assert fields["vendor_name"].lower() in flat
        assert f"{Decimal(str(fields['total_amount'])):,.2f}" in flat
        assert any(f"{day:{form}}" in flat for form in ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d"))
    elif row["doc_type"] == "contract":
        for value in (*fields["parties"], fields["governing_law"]):
            assert value.lower() in flat
    else:  # the delivery note: its number and the supplier
        assert "dn-5567" in flat and "skelmore packaging" in flat
