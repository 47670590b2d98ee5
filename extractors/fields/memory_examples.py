"""The documents an extraction memory is learned from, as ``Remembered`` documents.

Three sources (docs/extraction.md, the memory):

* a labelled dataset the eval command knows (``corpora.published``), its labels mapped to
  our fields;
* a file an organisation fills: JSONL, one object per line, or CSV, one row per document,
  with ``doc_type``, the document as ``path`` (relative to the file) or ``text``, and the
  true values: a ``fields`` object (JSONL) or one column per field (CSV);
* reviewed documents: rows of ``db.reviews.corrected_fields``, handed in by the flow.

A line that cannot be used is skipped with a one-line reason; the rest still count.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from docpipe.errors import ConfigurationError, InputError
from docpipe.settings import DocpipeSettings
from extractors.fields.evaluate import labelled_dataset, labelled_fields
from extractors.fields.memory import Remembered, remember
from schemas.registry import DOC_TYPE_SCHEMAS


@dataclass
class Gathered:
    documents: list[Remembered] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Per unusable input, ``<where>: <why>``."""

    def add(self, key: str, make: Callable[[], Remembered]) -> None:
        try:
            self.documents.append(make())
        except (InputError, ConfigurationError, ValidationError, ValueError, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.skipped.append(f"{key}: {reason}")


def _read(content: bytes, settings: DocpipeSettings) -> str:
    from extractors import read_text

    read = read_text(content, settings)
    return read.layout_text or read.text


def from_dataset(path: Path, settings: DocpipeSettings, progress: Callable[[str], None] = lambda _l: None) -> Gathered:
    """Every labelled document of the dataset at ``path``, read as the pipeline reads it."""
    dataset, root = labelled_dataset(path)
    gathered = Gathered()
    for document in dataset.documents(root):
        key = f"{dataset.name}:{document.doc_id}"
        content = document.content
        assert content is not None  # every dataset with field labels ships its files
        gathered.add(
            key,
            lambda document=document, key=key, content=content: remember(
                key, dataset.doc_type, _read(content(), settings), labelled_fields(dataset, document)
            ),
        )
        progress(key)
    return gathered


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) per line of a JSONL or CSV file; a row that is no object: its problem."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as stream:
            for number, row in enumerate(csv.DictReader(stream), start=2):
                fields = {name: value for name, value in row.items() if name not in ("doc_type", "path", "text") and value}
                yield number, {"doc_type": row.get("doc_type"), "path": row.get("path"), "text": row.get("text"), "fields": fields}
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON ({exc.msg})"
            continue
        yield number, row if isinstance(row, dict) else "not a JSON object"


def from_file(path: Path, settings: DocpipeSettings) -> Gathered:
    """The documents listed in a JSONL or CSV file (module doc)."""
    gathered = Gathered()
    for number, row in _rows(path):
        key = f"{path.name}:{number}"
        if isinstance(row, str):
            gathered.skipped.append(f"{key}: {row}")
            continue
        gathered.add(key, lambda row=row, key=key: _from_row(key, row, path.parent, settings))
    return gathered


def _from_row(key: str, row: dict[str, Any], folder: Path, settings: DocpipeSettings) -> Remembered:
    doc_type = row.get("doc_type")
    if doc_type not in DOC_TYPE_SCHEMAS:
        raise ValueError(f"doc_type must be one of {', '.join(DOC_TYPE_SCHEMAS)}, not {doc_type!r}")
    fields = row.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise ValueError("no fields: an object of the schema's field names and true values is needed")
    if row.get("path"):
        source = Path(row["path"])
        layout = _read((source if source.is_absolute() else folder / source).read_bytes(), settings)
    elif row.get("text"):
        layout = str(row["text"])
    else:
        raise ValueError("neither path nor text: the memory needs the document itself")
    return remember(key, doc_type, layout, fields)


def from_reviews(rows: Iterable[dict[str, Any]]) -> Gathered:
    """Reviewed documents (``db.reviews.corrected_fields`` rows)."""
    gathered = Gathered()
    for row in rows:
        key = f"review:{row['document_id']}"
        entry = DOC_TYPE_SCHEMAS.get(row["doc_type"])
        if entry is None or not entry.schema.repeated_layouts:
            continue  # no layout to learn (other, contracts, tickets): the models read them
        gathered.add(
            key, lambda row=row, key=key: remember(key, row["doc_type"], row["layout_text"] or row["text"], row["fields"])
        )
    return gathered
