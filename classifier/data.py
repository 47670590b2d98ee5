"""Labelled examples: the documented file format, adapters for known datasets, splitting.

The format an organisation writes its own labelled documents in (docs/classifier.md):

* **CSV** with a header row, or **JSONL** (one JSON object per line), with
  - ``text``: the document text, or ``path`` (alias ``file``): a document file, relative
    to the CSV/JSONL file's folder, whose text is extracted as the pipeline would (OCR
    included);
  - any of ``doc_type``, ``urgency``, ``department``: the labels. An empty or missing
    label leaves that target unlabelled for the example (it still trains the others).

Adapters read the published datasets under ``/work/shared/data`` as they are (their
SOURCE.md describes them); ``describe_adapters()`` lists them. A dataset is named on the
command line as ``ADAPTER:PATH``, or as a plain ``PATH`` when its layout identifies it.
The datasets are licensed separately (some non-commercially): they are read where they
lie and never copied into the repository.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import lzma
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.examples import Example
from classifier.taxonomy import Taxonomy
from docpipe.stages import TARGETS
from docpipe.errors import ConfigurationError, InputError
from docpipe.settings import DocpipeSettings

log = logging.getLogger(__name__)

csv.field_size_limit(64 * 1024 * 1024)


def fingerprint(examples: Iterable[Example]) -> str:
    """Hash of texts and labels, to check that two runs used the same rows."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.text, sorted(example.labels.items())]).encode())
    return digest.hexdigest()[:16]


# --- document text --------------------------------------------------------------------------


def document_text(path: Path, settings: DocpipeSettings) -> str:
    """Text of a document file as the pipeline extracts it; cached by content hash.

    The cache (under the data directory) spares re-running OCR on every training run.
    """
    from extractors.text import read_text
    from extractors.sniff import sniff_media_type

    content = path.read_bytes()
    cache = settings.data_dir / "cache" / "classifier-text" / f"{hashlib.sha256(content).hexdigest()}.txt"
    if cache.exists():
        return cache.read_text(encoding="utf-8")
    text = read_text(content, settings, sniff_media_type(content, path.name)).text
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(text, encoding="utf-8")
    return text


def _unescape(text: str) -> str:
    """Datasets that store line breaks as literal ``\\n`` sequences (Bueck, Kleister)."""
    return text.replace("\\r", "").replace("\\n", "\n").replace("\\f", "\f").replace("\\t", "\t")


def ticket_text(subject: str, body: str) -> str:
    """A ticket as the pipeline sees a mailed-in one: subject line, blank line, body."""
    subject = subject.strip()
    body = _unescape(body).strip()
    return f"Subject: {subject}\n\n{body}" if subject else body


# --- the documented format ------------------------------------------------------------------


def _labelled_rows(path: Path) -> Iterator[dict]:
    if path.suffix.lower() == ".jsonl":
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ConfigurationError(f"{path}:{number}: not a JSON object: {exc}") from exc
    else:
        with path.open(encoding="utf-8", newline="") as stream:
            yield from csv.DictReader(stream)


def load_labelled_file(path: Path, settings: DocpipeSettings) -> list[Example]:
    """Examples from a CSV/JSONL file in the documented format."""
    examples = []
    for number, row in enumerate(_labelled_rows(path), 1):
        labels = {target: str(row[target]).strip() for target in TARGETS if row.get(target)}
        if row.get("text") is not None and str(row["text"]).strip():
            text = str(row["text"])
        else:
            relative = row.get("path") or row.get("file")
            if not relative:
                raise ConfigurationError(f"{path}: row {number} has neither `text` nor `path`")
            document = (path.parent / relative).resolve()
            try:
                text = document_text(document, settings)
            except (OSError, InputError) as exc:
                log.warning("%s: row %d: skipped, cannot read %s: %s", path, number, document, exc)
                continue
        examples.append(Example(text=text, labels=labels, source=f"{path.name}#{number}"))
    return examples


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return next(csv.reader(stream), [])


# --- adapters for published datasets ---------------------------------------------------------


def _csv_in(path: Path) -> Path:
    """The CSV named, or the only CSV in the folder (or its dev/ folder)."""
    if path.is_file():
        return path
    found = sorted(path.glob("*.csv")) or sorted(path.glob("dev/*.csv"))
    if len(found) != 1:
        raise ConfigurationError(f"{path}: expected one CSV file, found {[p.name for p in found]}")
    return found[0]


def load_bueck(path: Path, _settings: DocpipeSettings) -> list[Example]:
    """Bueck helpdesk tickets: subject+body; ``queue`` -> department, ``priority`` -> urgency.

    The ``answer`` column (the agent's reply) is never read: it is not available when a
    ticket arrives.
    """
    file = _csv_in(path)
    examples = []
    with file.open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream), 1):
            labels = {"doc_type": "ticket", "department": row["queue"], "urgency": row["priority"]}
            examples.append(
                Example(ticket_text(row["subject"] or "", row["body"] or ""), labels, f"{file.name}#{number}")
            )
    return examples


def load_endava(path: Path, _settings: DocpipeSettings) -> list[Example]:
    """Endava IT tickets (pre-processed text): doc_type ticket only; its codes map to nothing of ours."""
    file = _csv_in(path)
    with file.open(encoding="utf-8", newline="") as stream:
        return [
            Example(ticket_text(row["title"], row["body"]), {"doc_type": "ticket"}, f"{file.name}#{number}")
            for number, row in enumerate(csv.DictReader(stream), 1)
        ]


def _base(path: Path) -> Path:
    return path / "dev" if (path / "dev").is_dir() else path


def load_sroie(path: Path, settings: DocpipeSettings) -> list[Example]:
    """SROIE receipt scans (OCR'd like incoming scans): doc_type receipt."""
    images = sorted((_base(path) / "img").glob("*.jpg"))
    return [Example(document_text(image, settings), {"doc_type": "receipt"}, f"sroie/{image.name}") for image in images]


def load_invoice_pdfs(path: Path, settings: DocpipeSettings) -> list[Example]:
    """A folder of invoice PDFs (FCC ad invoices, invoice2data): doc_type invoice."""
    examples = []
    for pdf in sorted(_base(path).glob("*.pdf")):
        try:
            examples.append(Example(document_text(pdf, settings), {"doc_type": "invoice"}, f"invoices/{pdf.name}"))
        except InputError as exc:
            log.warning("%s skipped: %s", pdf, exc)
    return examples


def load_cuad(path: Path, _settings: DocpipeSettings) -> list[Example]:
    """CUAD commercial contracts (CUAD's own text extraction): doc_type contract."""
    files = sorted((_base(path) / "full_contract_txt").glob("*.txt"))
    return [
        Example(file.read_text(encoding="utf-8", errors="replace"), {"doc_type": "contract"}, f"cuad/{file.name}")
        for file in files
    ]


def load_kleister(path: Path, _settings: DocpipeSettings) -> list[Example]:
    """Kleister NDAs (column ``text_best`` of in.tsv.xz): doc_type contract."""
    base = _base(path)
    columns = (base / "in-header.tsv").read_text(encoding="utf-8").strip().split("\t")
    text_column = columns.index("text_best")
    examples = []
    with lzma.open(base / "in.tsv.xz", "rt", encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            cells = line.rstrip("\n").split("\t")
            examples.append(Example(_unescape(cells[text_column]), {"doc_type": "contract"}, f"kleister#{number}"))
    return examples


def load_documented(path: Path, settings: DocpipeSettings) -> list[Example]:
    """A CSV/JSONL file in the documented format, or a folder holding ``labels.csv``/``labels.jsonl``."""
    if path.is_dir():
        for candidate in (path / "labels.csv", path / "labels.jsonl", path / "dev" / "labels.csv"):
            if candidate.is_file():
                return load_labelled_file(candidate, settings)
        raise ConfigurationError(f"{path}: no labels.csv or labels.jsonl in this folder")
    return load_labelled_file(path, settings)


def _csv_with(path: Path, columns: set[str]) -> bool:
    try:
        return columns <= set(_header(_csv_in(path)))
    except (ConfigurationError, OSError, UnicodeDecodeError):
        return False


@dataclass(frozen=True)
class Adapter:
    name: str
    description: str
    load: Callable[[Path, DocpipeSettings], list[Example]]
    detect: Callable[[Path], bool]
    """Whether a path given without ``NAME:`` has this adapter's layout."""


ADAPTERS: tuple[Adapter, ...] = (
    Adapter(
        "bueck",
        "Bueck helpdesk tickets CSV (subject, body, queue, priority): ticket + department + urgency",
        load_bueck,
        lambda p: _csv_with(p, {"subject", "body", "queue", "priority"}),
    ),
    Adapter(
        "endava",
        "Endava IT tickets CSV (title, body, ticket_type): doc_type ticket",
        load_endava,
        lambda p: _csv_with(p, {"title", "body", "ticket_type"}),
    ),
    Adapter(
        "sroie",
        "SROIE receipts folder (img/*.jpg, OCR'd): doc_type receipt",
        load_sroie,
        lambda p: (_base(p) / "img").is_dir() and (_base(p) / "key").is_dir(),
    ),
    Adapter(
        "cuad",
        "CUAD contracts folder (full_contract_txt/*.txt): doc_type contract",
        load_cuad,
        lambda p: (_base(p) / "full_contract_txt").is_dir(),
    ),
    Adapter(
        "kleister",
        "Kleister NDA folder (in.tsv.xz + in-header.tsv): doc_type contract",
        load_kleister,
        lambda p: (_base(p) / "in.tsv.xz").is_file(),
    ),
    Adapter(
        "invoices",
        "folder of invoice PDFs (FCC ad invoices, invoice2data): doc_type invoice",
        load_invoice_pdfs,
        lambda _p: False,  # a folder of PDFs says nothing about their type: name it
    ),
    Adapter(
        "labelled",
        "the documented CSV/JSONL format (text or path + labels), or a folder with labels.csv",
        load_documented,
        lambda p: (
            p.suffix.lower() in (".csv", ".jsonl")
            or (p / "labels.csv").is_file()
            or (p / "dev" / "labels.csv").is_file()
            or (p / "labels.jsonl").is_file()
        ),
    ),
)
_BY_NAME = {adapter.name: adapter for adapter in ADAPTERS}


def describe_adapters() -> str:
    return "\n".join(f"  {adapter.name:<10} {adapter.description}" for adapter in ADAPTERS)


def resolve_spec(spec: str) -> tuple[Adapter, Path]:
    """The adapter and path of a ``[ADAPTER:]PATH`` dataset argument."""
    name, sep, rest = spec.partition(":")
    if sep and name in _BY_NAME:
        adapter, path = _BY_NAME[name], Path(rest)
    else:
        path = Path(spec)
        adapter = next((a for a in ADAPTERS if path.exists() and a.detect(path)), None)  # type: ignore[assignment]
        if adapter is None:
            raise ConfigurationError(
                f"cannot tell the format of {spec}: name it as ADAPTER:PATH, one of\n{describe_adapters()}"
            )
    if not path.exists():
        raise ConfigurationError(f"dataset not found: {path}")
    return adapter, path.resolve()


def load_dataset(spec: str, settings: DocpipeSettings) -> list[Example]:
    adapter, path = resolve_spec(spec)
    examples = adapter.load(path, settings)
    if not examples:
        raise ConfigurationError(f"dataset {spec} ({adapter.name}) has no examples")
    return examples


def normalise_labels(examples: Iterable[Example], taxonomy: Taxonomy) -> tuple[list[Example], dict[str, int]]:
    """Examples with labels mapped onto the taxonomy; counts of labels dropped per target.

    A label the taxonomy does not know becomes the target's fallback, or is dropped (the
    example is then unlabelled for that target). An example left with no label is dropped.
    """
    kept, dropped = [], defaultdict(int)
    for example in examples:
        labels = {}
        for target in taxonomy.targets:
            raw = example.labels.get(target.name)
            if raw is None:
                continue
            label = target.normalise(raw)
            if label is None:
                dropped[target.name] += 1
            else:
                labels[target.name] = label
        if labels:
            kept.append(Example(example.text, labels, example.source))
    return kept, dict(dropped)


# --- corrections from people ----------------------------------------------------------------


def review_examples(rows: Iterable[Mapping[str, Any]]) -> list[Example]:
    """Reviewed labels (rows of ``db.reviews.corrected_labels``) as training examples."""
    examples = []
    for row in rows:
        labels = {t: row[t] for t in TARGETS if row.get(t)}
        examples.append(Example(text=row["text"], labels=labels, source=f"review:document-{row['document_id']}"))
    return examples


# --- splitting ------------------------------------------------------------------------------


def split(examples: list[Example], validation_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Seeded split, stratified by each example's first known label among department, doc_type, urgency.

    Every group of at least two examples puts at least one in each part, so rare labels
    are both learned and checked.
    """
    groups: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        key = next(
            (f"{t}={example.labels[t]}" for t in ("department", "doc_type", "urgency") if t in example.labels), ""
        )
        groups[key].append(example)
    rng = random.Random(seed)
    train, validation = [], []
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        count = round(len(members) * validation_fraction)
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        else:
            count = 0
        validation.extend(members[:count])
        train.extend(members[count:])
    rng.shuffle(train)
    rng.shuffle(validation)
    return train, validation
