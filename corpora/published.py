"""Published labelled datasets, read where they lie: one registry for training and evaluation.

A dataset is recognised by its layout, or named on a command line as ``NAME:PATH``
(``describe()`` lists them). It yields its documents as they are: the file's bytes (a
scan, a PDF) and/or the dataset's own transcription, the labels of the classifier's
targets, and the dataset's field labels beside the schema fields they are compared with.
Reading text (OCR included), training and scoring are left to the callers
(``classifier.data``, ``extractors.fields.evaluate`` and the extraction memory), so this
module imports nothing of the project but the core's errors.

The datasets are licensed separately (some non-commercially: Bueck is CC BY-NC 4.0):
they are read where they lie and never copied into the repository.
"""

from __future__ import annotations

import csv
import json
import lzma
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docpipe.errors import ConfigurationError

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class LabelledField:
    label: str
    """Name in the dataset."""
    field: str
    """Our schema field it is compared with."""
    how: str
    """How the two are compared (a key of ``extractors.fields.evaluate.NORMALIZERS``)."""


@dataclass
class DatasetDocument:
    doc_id: str
    labels: dict[str, str]
    """The classifier's targets the document is labelled with (``doc_type`` at least)."""
    field_labels: dict[str, Any] = field(default_factory=dict)
    """The dataset's field labels, by the dataset's own names (``Dataset.fields``)."""
    content: Callable[[], bytes] | None = None
    """The document file's bytes; None where the dataset holds text only (tickets)."""
    filename: str | None = None
    transcript: Callable[[], str] | None = None
    """The dataset's own transcription, where it ships one."""


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    doc_type: str
    fields: tuple[LabelledField, ...]
    """Field labels scored by ``docpipe eval extract`` and learnt by the extraction memory;
    empty where the dataset labels no fields."""
    recognise: Callable[[Path], bool]
    """Whether a path given without ``NAME:`` has this dataset's layout."""
    documents: Callable[[Path], Iterator[DatasetDocument]]
    transcript_as_read: bool = True
    """The transcription is what the product's text step reads from the file (born-digital
    text), so training may take it instead of reading the file; False where it is cleaner
    than any OCR of the file (SROIE's checked boxes): then the file is read as incoming."""


def dataset_root(path: Path) -> Path:
    """A dataset folder's ``dev/`` split where it has one; the path itself otherwise."""
    return path / "dev" if (path / "dev").is_dir() else path


def _unescape(text: str) -> str:
    """Datasets that store line breaks as literal ``\\n`` sequences (Bueck, Kleister)."""
    return text.replace("\\r", "").replace("\\n", "\n").replace("\\f", "\f").replace("\\t", "\t")


def ticket_text(subject: str, body: str) -> str:
    """A ticket as the pipeline sees a mailed-in one: subject line, blank line, body."""
    subject = subject.strip()
    body = _unescape(body).strip()
    return f"Subject: {subject}\n\n{body}" if subject else body


def _file(path: Path) -> tuple[Callable[[], bytes], str]:
    return path.read_bytes, path.name


# --- receipts and invoices ----------------------------------------------------------------


def _sroie(root: Path) -> Iterator[DatasetDocument]:
    for key in sorted((root / "key").glob("*.json")):
        boxes = root / "box" / f"{key.stem}.csv"

        def transcript(boxes: Path = boxes) -> str:
            rows = boxes.read_text(errors="replace").splitlines()
            return "\n".join(row.split(",", 8)[8] for row in rows if row.count(",") >= 8)

        content, name = _file(root / "img" / f"{key.stem}.jpg")
        yield DatasetDocument(
            key.stem, {"doc_type": "receipt"}, json.loads(key.read_text()), content, name,
            transcript if boxes.is_file() else None,
        )


def _json_labelled(root: Path) -> Iterator[DatasetDocument]:
    """FCC invoices and invoice2data: <name>.json labels beside <name>.pdf (or .txt)."""
    for labels_path in sorted(root.glob("*.json")):
        labels = json.loads(labels_path.read_text())
        labels = labels[0] if isinstance(labels, list) else labels
        for suffix in (".pdf", ".txt"):
            document = labels_path.with_suffix(suffix)
            if document.is_file():
                yield DatasetDocument(labels_path.stem, {"doc_type": "invoice"}, labels, *_file(document))
                break


def _invoice_pdfs(root: Path) -> Iterator[DatasetDocument]:
    for pdf in sorted(root.glob("*.pdf")):
        yield DatasetDocument(pdf.stem, {"doc_type": "invoice"}, {}, *_file(pdf))


def _has_json_labelled(root: Path) -> bool:
    return any(labels.with_suffix(suffix).is_file() for labels in root.glob("*.json") for suffix in (".pdf", ".txt"))


# --- contracts ------------------------------------------------------------------------------


def _kleister(root: Path) -> Iterator[DatasetDocument]:
    header = (root / "in-header.tsv").read_text(encoding="utf-8").strip().split("\t")
    with lzma.open(root / "in.tsv.xz", "rt", encoding="utf-8") as stream:
        rows = [dict(zip(header, line.rstrip("\n").split("\t"), strict=False)) for line in stream]
    expected = (root / "expected.tsv").read_text().splitlines()
    for row, gold in zip(rows, expected, strict=True):
        labels: dict[str, Any] = {"party": []}
        for pair in gold.split():
            key, _, value = pair.partition("=")
            value = value.replace("_", " ")
            if key == "party":
                labels["party"].append(value)
            else:
                labels[key] = value
        pdf = root / "documents" / row["filename"]
        best = row.get("text_best", "")
        yield DatasetDocument(
            pdf.stem, {"doc_type": "contract"}, labels, *_file(pdf), transcript=lambda best=best: _unescape(best)
        )


def _cuad(root: Path) -> Iterator[DatasetDocument]:
    pdfs = {path.stem.casefold(): path for path in (root / "full_contract_pdf").rglob("*") if path.is_file()}
    with (root / "master_clauses.csv").open(newline="") as stream:
        for row in csv.DictReader(stream):
            stem = Path(row["Filename"]).stem
            # One contract's name ends in a space in the list and its PDF, not in its text file.
            pdf, txt = pdfs.get(stem.casefold()), root / "full_contract_txt" / f"{stem.strip()}.txt"
            if pdf is None:
                continue
            labels = {
                "Parties": [part.strip() for part in row["Parties-Answer"].split(";") if part.strip()],
                "Effective Date": row["Effective Date-Answer"].strip() or row["Agreement Date-Answer"].strip(),
                # "Perpetual" or a rule ("5 years after ...") is no date: compared as no label.
                "Expiration Date": row["Expiration Date-Answer"].strip(),
                "Governing Law": row["Governing Law-Answer"].strip(),
            }
            yield DatasetDocument(
                stem, {"doc_type": "contract"}, labels, *_file(pdf),
                transcript=(lambda txt=txt: txt.read_text(encoding="utf-8", errors="replace")) if txt.is_file() else None,
            )


# --- tickets --------------------------------------------------------------------------------


def csv_in(path: Path) -> Path:
    """The CSV named, or the only CSV in the folder (or its dev/ folder)."""
    if path.is_file():
        return path
    found = sorted(path.glob("*.csv")) or sorted(path.glob("dev/*.csv"))
    if len(found) != 1:
        raise ConfigurationError(f"{path}: expected one CSV file, found {[p.name for p in found]}")
    return found[0]


def _csv_with(path: Path, columns: set[str]) -> bool:
    try:
        with csv_in(path).open(encoding="utf-8", newline="") as stream:
            return columns <= set(next(csv.reader(stream), []))
    except (ConfigurationError, OSError, UnicodeDecodeError):
        return False


def _tickets(subject: str, labels: Callable[[dict[str, str]], dict[str, str]]) -> Callable[[Path], Iterator[DatasetDocument]]:
    def documents(path: Path) -> Iterator[DatasetDocument]:
        file = csv_in(path)
        with file.open(encoding="utf-8", newline="") as stream:
            for number, row in enumerate(csv.DictReader(stream), 1):
                text = ticket_text(row[subject] or "", row["body"] or "")
                yield DatasetDocument(f"{file.name}#{number}", labels(row), transcript=lambda text=text: text)

    return documents


# --- the registry ---------------------------------------------------------------------------

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "sroie",
        "SROIE receipts folder (img/*.jpg, key/*.json; OCR'd as incoming): receipt; company, address, date, total",
        "receipt",
        (
            LabelledField("company", "vendor_name", "text"),
            LabelledField("address", "vendor_address", "text"),
            LabelledField("date", "invoice_date", "date_dmy"),
            LabelledField("total", "total_amount", "amount"),
        ),
        lambda root: (root / "key").is_dir() and (root / "img").is_dir(),
        _sroie,
        transcript_as_read=False,
    ),
    Dataset(
        "fcc-invoices",
        "FCC political-ad invoices (<id>.pdf beside <id>.json, labels.csv): invoice; contract number, advertiser, gross amount",
        "invoice",
        (
            LabelledField("contract_num", "invoice_number", "text"),
            LabelledField("advertiser", "buyer_name", "text"),
            LabelledField("gross_amount", "total_amount", "amount"),
        ),
        lambda root: _has_json_labelled(root) and _csv_with(root / "labels.csv", {"contract_num", "advertiser"}),
        _json_labelled,
    ),
    Dataset(
        "invoice2data",
        "invoice2data test invoices (<name>.pdf or .txt beside <name>.json): invoice; issuer, number, date, amount, currency",
        "invoice",
        (
            LabelledField("issuer", "vendor_name", "text"),
            LabelledField("invoice_number", "invoice_number", "text"),
            LabelledField("date", "invoice_date", "date"),
            LabelledField("amount", "total_amount", "amount"),
            LabelledField("currency", "currency", "currency"),
        ),
        lambda root: _has_json_labelled(root) and not (root / "labels.csv").is_file(),
        _json_labelled,
    ),
    Dataset(
        "kleister-nda",
        "Kleister NDA folder (in.tsv.xz, expected.tsv, documents/): contract; parties, effective date, jurisdiction, term",
        "contract",
        (
            LabelledField("party", "parties", "parties"),
            LabelledField("effective_date", "effective_date", "date"),
            LabelledField("jurisdiction", "governing_law", "jurisdiction"),
            LabelledField("term", "term", "duration"),
        ),
        lambda root: (root / "expected.tsv").is_file() and (root / "in.tsv.xz").is_file(),
        _kleister,
    ),
    Dataset(
        "cuad",
        "CUAD contracts folder (master_clauses.csv, full_contract_pdf/, full_contract_txt/): contract; parties, dates, law",
        "contract",
        (
            LabelledField("Parties", "parties", "parties"),
            LabelledField("Effective Date", "effective_date", "date"),
            LabelledField("Expiration Date", "expiration_date", "date"),
            LabelledField("Governing Law", "governing_law", "jurisdiction"),
        ),
        lambda root: (root / "master_clauses.csv").is_file(),
        _cuad,
    ),
    Dataset(
        "bueck",
        "Bueck helpdesk tickets CSV (subject, body, queue, priority): ticket + department + urgency",
        "ticket",
        (),
        lambda path: _csv_with(path, {"subject", "body", "queue", "priority"}),
        # The ``answer`` column (the agent's reply) is never read: no ticket arrives with it.
        _tickets("subject", lambda row: {"doc_type": "ticket", "department": row["queue"], "urgency": row["priority"]}),
    ),
    Dataset(
        "endava",
        "Endava IT tickets CSV (title, body, ticket_type): ticket (its codes map to nothing of ours)",
        "ticket",
        (),
        lambda path: _csv_with(path, {"title", "body", "ticket_type"}),
        _tickets("title", lambda _row: {"doc_type": "ticket"}),
    ),
    Dataset(
        "invoices",
        "a folder of invoice PDFs (FCC ad invoices, invoice2data, your own): invoice",
        "invoice",
        (),
        lambda _path: False,  # a folder of PDFs says nothing about their type: name it
        _invoice_pdfs,
    ),
)
_BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def describe() -> str:
    return "\n".join(f"  {dataset.name:<13} {dataset.description}" for dataset in DATASETS)


def recognise(path: Path) -> tuple[Dataset, Path] | None:
    """The dataset at ``path`` (a folder, its ``dev/`` split, or a CSV file) by its layout."""
    if not path.exists():
        return None
    for dataset in DATASETS:
        root = path if path.is_file() else dataset_root(path)
        if dataset.recognise(root):
            return dataset, root
    return None


def resolve(spec: str) -> tuple[Dataset, Path] | None:
    """The dataset of a ``[NAME:]PATH`` argument; None for a plain path of no known layout.

    ``ConfigurationError`` where the named or recognised path does not exist."""
    name, sep, rest = spec.partition(":")
    if sep and name in _BY_NAME:
        path = Path(rest)
        if not path.exists():
            raise ConfigurationError(f"dataset not found: {path}")
        return _BY_NAME[name], (path if path.is_file() else dataset_root(path)).resolve()
    found = recognise(Path(spec))
    return None if found is None else (found[0], found[1].resolve())
