"""Labelled examples: the documented file format, the published datasets, splitting.

The format an organisation writes its own labelled documents in (docs/classifier.md):

* **CSV** with a header row, or **JSONL** (one JSON object per line), with
  - ``text``: the document text, or ``path`` (alias ``file``): a document file, relative
    to the CSV/JSONL file's folder, whose text is extracted as the pipeline would (OCR
    included);
  - any of ``doc_type``, ``urgency``, ``department``: the labels. An empty or missing
    label leaves that target unlabelled for the example (it still trains the others).

The published datasets (``corpora.published``, the registry evaluation reads too) are
named on the command line as ``NAME:PATH``, or as a plain ``PATH`` when their layout
identifies them; ``describe_formats()`` lists them with the documented format.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from classifier.examples import Example
from classifier.taxonomy import Taxonomy
from corpora import published
from corpora.published import Dataset
from docpipe.stages import TARGETS
from docpipe.errors import ConfigurationError, InputError
from docpipe.settings import DocpipeSettings

log = logging.getLogger(__name__)

LABELLED = "labelled"
"""The name of the documented format on the command line (``labelled:PATH``)."""


def fingerprint(examples: Iterable[Example]) -> str:
    """Hash of texts and labels, to check that two runs used the same rows."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.text, sorted(example.labels.items())]).encode())
    return digest.hexdigest()[:16]


# --- document text --------------------------------------------------------------------------


def document_text(content: bytes, filename: str, settings: DocpipeSettings) -> str:
    """Text of a document file as the pipeline extracts it; cached by content hash.

    The cache (under the data directory) spares re-running OCR on every training run.
    """
    from extractors.text import read_text
    from extractors.sniff import sniff_media_type

    cache = settings.data_dir / "cache" / "classifier-text" / f"{hashlib.sha256(content).hexdigest()}.txt"
    if cache.exists():
        return cache.read_text(encoding="utf-8")
    text = read_text(content, settings, sniff_media_type(content, filename)).text
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(text, encoding="utf-8")
    return text


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
                text = document_text(document.read_bytes(), document.name, settings)
            except (OSError, InputError) as exc:
                log.warning("%s: row %d: skipped, cannot read %s: %s", path, number, document, exc)
                continue
        examples.append(Example(text=text, labels=labels, source=f"{path.name}#{number}"))
    return examples


_DOCUMENTED_FILES = ("labels.csv", "labels.jsonl", "dev/labels.csv")


def load_documented(path: Path, settings: DocpipeSettings) -> list[Example]:
    """A CSV/JSONL file in the documented format, or a folder holding ``labels.csv``/``labels.jsonl``."""
    if path.is_dir():
        for name in _DOCUMENTED_FILES:
            if (path / name).is_file():
                return load_labelled_file(path / name, settings)
        raise ConfigurationError(f"{path}: no labels.csv or labels.jsonl in this folder")
    return load_labelled_file(path, settings)


def _is_documented(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".jsonl") or any((path / name).is_file() for name in _DOCUMENTED_FILES)


# --- published datasets ---------------------------------------------------------------------


def dataset_examples(dataset: Dataset, root: Path, settings: DocpipeSettings) -> list[Example]:
    """A published dataset's documents with their labels, as the classifier reads them: the
    dataset's transcription where it reads as the product's text does, else the file read
    as an incoming one (OCR included). A file that cannot be read is skipped with a warning."""
    examples = []
    for document in dataset.documents(root):
        source = f"{dataset.name}/{document.doc_id}"
        if document.transcript is not None and (dataset.transcript_as_read or document.content is None):
            text = document.transcript()
        else:
            assert document.content is not None and document.filename is not None
            try:
                text = document_text(document.content(), document.filename, settings)
            except InputError as exc:
                log.warning("%s skipped: %s", source, exc)
                continue
        examples.append(Example(text, dict(document.labels), source))
    return examples


def describe_formats() -> str:
    documented = "the documented CSV/JSONL format (text or path + labels), or a folder with labels.csv"
    return f"{published.describe()}\n  {LABELLED:<13} {documented}"


def resolve_spec(spec: str) -> tuple[Dataset | None, Path]:
    """The published dataset of a ``[NAME:]PATH`` argument and its folder or file; ``None``
    for a file or folder in the documented format."""
    name, sep, rest = spec.partition(":")
    named_documented = bool(sep) and name == LABELLED
    path = Path(rest if named_documented else spec)
    if not named_documented:
        found = published.resolve(spec)
        if found is not None:
            return found
    if not path.exists():
        raise ConfigurationError(f"dataset not found: {path}")
    if named_documented or _is_documented(path):
        return None, path.resolve()
    raise ConfigurationError(f"cannot tell the format of {spec}: name it as NAME:PATH, one of\n{describe_formats()}")


def load_dataset(spec: str, settings: DocpipeSettings) -> list[Example]:
    dataset, path = resolve_spec(spec)
    examples = load_documented(path, settings) if dataset is None else dataset_examples(dataset, path, settings)
    if not examples:
        raise ConfigurationError(f"dataset {spec} ({dataset.name if dataset else LABELLED}) has no examples")
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
