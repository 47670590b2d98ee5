"""The extraction memory: labelled and corrected documents, and where their values stand.

Back-office mail repeats itself: a vendor's invoices, a station's ad invoices, a shop's
receipts share one layout. From each remembered document (a labelled example, or a
document a reviewer corrected) the memory learns *anchors*: for each field, the label
text and position that point at the value in that layout:

* ``right``    the value follows a label on the same printed row ("Contract #  4263696"),
               in the label's column segment or the next one;
* ``below``    the value stands under a label, in the label's column ("Gross Amount" over
               "$1,250.00"), a few rows down;
* ``constant`` the value itself, for the fields that name the sender (the schema's
               ``sender_fields``: a shop's name and address, the currency), which a layout
               repeats: taken when it is printed in the new document.

A new document is compared with the remembered ones by the words its layout prints
(``similarity``: digit-free words weighted by rarity over the memory, so boilerplate every
invoice has counts little and a template's own labels much). For the most similar ones
over the threshold, each field's anchors are followed in the new document's layout text,
the value found there is parsed like a model's answer and checked like one
(``cascade.check_extraction``). The cascade then treats the memory as tier 0: when every
required field passes, no model runs.

Pure data and functions: the memory is JSON (``memory.json`` in its version folder), never
a pickle; saving and loading live at the bottom.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from extractors.fields.checks import SourceText, ground
from extractors.fields.normalize import compact, fold, parse_amount, parse_date
from schemas.registry import DocTypeSchema, schema_for
from schemas.types import FieldKind

MEMORY_FORMAT = 1
"""Bump when the JSON's shape or the anchor rules change (a memory of another format is relearned)."""

AnchorHow = Literal["right", "below", "constant"]

_READ_KINDS = {
    FieldKind.TEXT: ("right", "below", "constant"),
    FieldKind.EMAIL: ("right", "below"),
    FieldKind.JURISDICTION: ("right", "below"),
    FieldKind.DURATION: ("right", "below"),
    FieldKind.DATE: ("right", "below"),
    FieldKind.AMOUNT: ("right", "below"),
    FieldKind.CURRENCY: ("constant",),
}
"""How each kind of field can be read from a layout. Lists, line items, choices and
written summaries are left to the model; only a sender's fields are ever constant."""

_COLUMN_GAP = re.compile(r"\s{2,}")
"""The layout text keeps columns apart by two spaces or more; one space joins words."""
_MAX_ROWS_DOWN = 3
_MAX_OCCURRENCES = 3
"""A value printed more often than this is learned from its first occurrences only."""
_MAX_VALUE_TOKENS = 5
_LABEL_MATCH = 0.85
"""Share of characters two labels must have in common (SequenceMatcher ratio) to be one label
read twice: OCR drops or confuses a letter or two."""


# --- the layout, as rows of column segments -------------------------------------------


@dataclass(frozen=True, eq=False)
class Segment:
    row: int
    start: int
    end: int
    text: str

    @cached_property
    def key(self) -> str:
        """The text as labels are compared: letters and digits only, case-folded."""
        return compact(self.text)

    def overlap(self, other: Segment) -> int:
        return min(self.end, other.end) - max(self.start, other.start)


def segments(layout: str) -> list[list[Segment]]:
    """Per printed row, its column segments (text between gaps of two spaces or more)."""
    rows = []
    for number, line in enumerate(layout.split("\n")):
        row, position = [], 0
        for part in _COLUMN_GAP.split(line):
            start = line.index(part, position) if part else position
            position = start + len(part)
            if part.strip():
                row.append(Segment(number, start, position, part.strip()))
        rows.append(row)
    return rows


def _tokens(text: str) -> list[str]:
    return text.split()


def _read_kind(kind: FieldKind, tokens: list[str], first: int) -> tuple[str, int] | None:
    """The value of ``kind`` starting at token ``first``: (text, tokens used)."""
    if kind in (FieldKind.DATE, FieldKind.AMOUNT):
        parse = parse_date if kind is FieldKind.DATE else parse_amount
        for count in range(1, min(_MAX_VALUE_TOKENS, len(tokens) - first) + 1):
            candidate = " ".join(tokens[first : first + count])
            if parse(candidate) is not None:
                return candidate, count
        return None
    rest = tokens[first:]
    return (" ".join(rest), len(rest)) if rest else None


def _value_span(kind: FieldKind, value: Any, tokens: list[str]) -> tuple[int, int] | None:
    """Where ``value`` stands among ``tokens``: (first token, count), or None."""
    for first in range(len(tokens)):
        for count in range(1, min(len(tokens) - first, 12 if kind is FieldKind.TEXT else _MAX_VALUE_TOKENS) + 1):
            candidate = " ".join(tokens[first : first + count])
            if kind is FieldKind.DATE:
                if parse_date(candidate, "DMY") == value or parse_date(candidate, "MDY") == value:
                    return first, count
            elif kind is FieldKind.AMOUNT:
                parsed = parse_amount(candidate)
                if parsed is not None and abs(parsed) == abs(value):
                    return first, count
            elif compact(candidate) == compact(str(value)):
                return first, count
    return None


def _is_label(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _same_key(a: str, b: str) -> bool:
    """Two labels' compact forms are one label (OCR may have changed a letter or two)."""
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) < 4:
        return False
    matcher = SequenceMatcher(None, a, b)
    # The quick upper bounds first: most segments are nothing like the label.
    return matcher.real_quick_ratio() >= _LABEL_MATCH and matcher.quick_ratio() >= _LABEL_MATCH and matcher.ratio() >= _LABEL_MATCH


# --- anchors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    field: str
    how: AnchorHow
    label: str
    """The label's text (``constant``: the value itself)."""
    occurrence: int = 0
    """Which occurrence of the label in the document, counted from the top."""
    rows_down: int = 0
    """``below``: rows from the label's row to the value's."""
    within: bool = False
    """``right``: the value is in the label's own segment ("Invoice No: 123")."""
    token: int = 0
    """Where the value starts among the tokens after the label (or of its segment)."""


def _carries(label: str, within: bool, segment: Segment) -> bool:
    """Whether ``segment`` carries ``label``: begins with it (``within``) or is it."""
    key = compact(label)
    return segment.key.startswith(key) if within else _same_key(key, segment.key)


def _label_occurrence(rows: list[list[Segment]], label: str, within: bool, segment: Segment) -> int:
    """How many segments before ``segment`` (reading order) carry the same label."""
    count = 0
    for row in rows:
        for other in row:
            if other == segment:
                return count
            count += _carries(label, within, other)
    return count


def learn_anchors(entry: DocTypeSchema, layout: str, values: dict[str, Any]) -> list[Anchor]:
    """The anchors of one remembered document: per field whose value it has, where that
    value stands in ``layout`` (its text as laid out; plain text works, with fewer columns)."""
    rows = segments(layout)
    source = SourceText(layout)
    anchors: list[Anchor] = []
    for name, kind in entry.schema.kinds.items():
        value = values.get(name)
        hows = _READ_KINDS.get(kind, ())
        if value in (None, "", []) or not hows:
            continue
        found = 0
        for row in rows:
            for position, segment in enumerate(row):
                if found >= _MAX_OCCURRENCES:
                    break
                tokens = _tokens(segment.text)
                span = _value_span(kind, value, tokens) if "right" in hows else None
                if span is None:
                    continue
                found += 1
                first, _count = span
                if first > 0 and _is_label(" ".join(tokens[:first])):
                    label = " ".join(tokens[:first])
                    occurrence = _label_occurrence(rows, label, True, segment)
                    anchors.append(Anchor(name, "right", label, occurrence, within=True))
                elif first == 0 and position > 0 and _is_label(row[position - 1].text):
                    label_segment = row[position - 1]
                    occurrence = _label_occurrence(rows, label_segment.text, False, label_segment)
                    anchors.append(Anchor(name, "right", label_segment.text, occurrence))
                else:
                    above = _label_above(rows, segment)
                    if above is not None:
                        label_segment, rows_down = above
                        occurrence = _label_occurrence(rows, label_segment.text, False, label_segment)
                        anchors.append(
                            Anchor(name, "below", label_segment.text, occurrence, rows_down=rows_down, token=first)
                        )
        if "constant" in hows and name in entry.schema.sender_fields and ground(kind, value, source) != "absent":
            anchors.append(Anchor(name, "constant", str(value)))
    return anchors


def _label_above(rows: list[list[Segment]], value: Segment) -> tuple[Segment, int] | None:
    """The nearest segment over ``value``'s column, up to a few rows up, that reads as a label."""
    for rows_down in range(1, _MAX_ROWS_DOWN + 1):
        if value.row - rows_down < 0:
            return None
        over = [s for s in rows[value.row - rows_down] if s.overlap(value) > 0]
        if over:
            best = max(over, key=lambda s: s.overlap(value))
            return (best, rows_down) if _is_label(best.text) and not any(ch.isdigit() for ch in best.text) else None
    return None


def _find_label(rows: list[list[Segment]], anchor: Anchor) -> Iterator[Segment]:
    """Segments of a new layout carrying ``anchor``'s label, its remembered occurrence first."""
    matches = [segment for row in rows for segment in row if _carries(anchor.label, anchor.within, segment)]
    if anchor.occurrence < len(matches):
        yield matches[anchor.occurrence]
    yield from (segment for number, segment in enumerate(matches) if number != anchor.occurrence)


def follow(anchor: Anchor, kind: FieldKind, rows: list[list[Segment]], text: str) -> str | None:
    """The value ``anchor`` points at in a new document (as printed), or None."""
    if anchor.how == "constant":
        return anchor.label if ground(kind, anchor.label, SourceText(text)) != "absent" else None
    for label in _find_label(rows, anchor):
        if anchor.how == "right":
            row = rows[label.row]
            if anchor.within:
                tokens = _tokens(label.text)
                skip = _prefix_tokens(tokens, anchor.label)
                read = _read_kind(kind, tokens, skip) if skip is not None else None
            else:
                after = [s for s in row if s.start >= label.end]
                read = _read_kind(kind, _tokens(after[0].text), 0) if after else None
        else:
            read = None
            for rows_down in range(anchor.rows_down, anchor.rows_down + 2):
                if label.row + rows_down >= len(rows):
                    break
                under = [s for s in rows[label.row + rows_down] if s.overlap(label) > 0]
                if under:
                    best = max(under, key=lambda s: s.overlap(label))
                    read = _read_kind(kind, _tokens(best.text), anchor.token)
                    break
        if read is not None:
            return read[0]
    return None


def _prefix_tokens(tokens: list[str], label: str) -> int | None:
    """How many of ``tokens`` spell ``label`` (ignoring punctuation), or None."""
    wanted = compact(label)
    for count in range(1, len(tokens) + 1):
        spelled = compact(" ".join(tokens[:count]))
        if spelled == wanted:
            return count
        if len(spelled) > len(wanted):
            return None
    return None


# --- the memory -------------------------------------------------------------------------


@dataclass
class Remembered:
    """One labelled or corrected document."""

    key: str
    """Where it came from: ``<dataset>:<id>``, ``<file>:<line>``, ``review:<document id>``."""
    doc_type: str
    layout: str
    """Its text as laid out (the reading-order text where it had no positions)."""
    fields: dict[str, Any]
    """The true values, as stored (JSON: ISO dates, amounts as numbers)."""
    anchors: list[Anchor] = field(default_factory=list)

    @property
    def schema_name(self) -> str:
        entry = schema_for(self.doc_type)
        assert entry is not None
        return entry.schema.name

    def printed_fields(self, entry: DocTypeSchema) -> dict[str, str]:
        """Its true values as its layout prints them ("14/03/2026", "$1,250.00"), for a
        model's worked example: a model copies values as printed, so the example's answer
        must show that, not the stored ISO date or number. A value not found on one row is
        given as stored; lists and line items are left out."""
        rows = segments(self.layout)
        known = {name: self.fields[name] for name in entry.schema.draft.model_fields if name in self.fields}
        record = entry.schema.record.model_validate(known)
        printed: dict[str, str] = {}
        for name, stored in known.items():
            kind, value = entry.schema.kinds[name], getattr(record, name)
            if value in (None, "", []) or isinstance(value, list | dict):
                continue
            printed[name] = str(stored)
            for segment in (segment for row in rows for segment in row):
                tokens = _tokens(segment.text)
                span = _value_span(kind, value, tokens)
                if span is not None:
                    printed[name] = " ".join(tokens[span[0] : span[0] + span[1]])
                    break
        return printed


def template_words(text: str) -> frozenset[str]:
    """The words a layout prints that are not values: letters only, two or more."""
    return frozenset(word for word in re.findall(r"[^\W\d_]{2,}", fold(text)))


@dataclass
class Recall:
    """What the memory read from a new document."""

    candidates: dict[str, list[tuple[str, AnchorHow]]]
    """Per field, the values (as printed) its anchors found, the most similar document's
    first, each with how it was found."""
    document: Remembered
    """The most similar remembered document (the worked example when the anchors fall short)."""
    similarity: float


class ExtractionMemory:
    def __init__(self, documents: list[Remembered], version: str, min_similarity: float = 0.2) -> None:
        self.documents = documents
        self.version = version
        self.min_similarity = min_similarity
        self._words = [template_words(document.layout) for document in documents]
        frequency = Counter(word for words in self._words for word in words)
        count = len(documents)
        # Smoothed inverse document frequency: a word every remembered layout prints weighs
        # little, a template's own labels and boilerplate weigh much.
        self._weight = {word: math.log((count + 1) / (seen + 1)) + 1 for word, seen in frequency.items()}
        self._unseen_weight = math.log(count + 1) + 1

    def similarity(self, words: frozenset[str], index: int) -> float:
        """Weighted Jaccard of two layouts' words (1: the same words, 0: none shared)."""
        other = self._words[index]
        weight = lambda word: self._weight.get(word, self._unseen_weight)  # noqa: E731
        union = sum(weight(word) for word in words | other)
        return sum(weight(word) for word in words & other) / union if union else 0.0

    def nearest(self, schema_name: str, text: str, limit: int = 3) -> list[tuple[float, Remembered]]:
        """The remembered documents of ``schema_name`` most like ``text``, over the threshold."""
        words = template_words(text)
        scored = [
            (self.similarity(words, index), document)
            for index, document in enumerate(self.documents)
            if document.schema_name == schema_name
        ]
        scored = [pair for pair in scored if pair[0] >= self.min_similarity]
        return sorted(scored, key=lambda pair: -pair[0])[:limit]

    def recall(self, entry: DocTypeSchema, text: str, layout_text: str | None) -> Recall | None:
        """Values for ``entry``'s fields read where the most similar remembered documents'
        anchors point; None when no remembered document is like this one (or documents of
        the schema have no repeated layouts)."""
        if not entry.schema.repeated_layouts:
            return None
        layout = layout_text or text
        nearest = self.nearest(entry.schema.name, layout)
        if not nearest:
            return None
        rows = segments(layout)
        candidates: dict[str, list[tuple[str, AnchorHow]]] = {}
        for _similarity, document in nearest:
            for anchor in document.anchors:
                kind = entry.schema.kinds.get(anchor.field)
                if kind is None:
                    continue
                value = follow(anchor, kind, rows, text)
                found = candidates.setdefault(anchor.field, [])
                if value is not None and all(value != seen for seen, _how in found):
                    found.append((value, anchor.how))
        similarity, best = nearest[0]
        return Recall({name: found for name, found in candidates.items() if found}, best, round(similarity, 3))

    # --- JSON -----------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        return {
            "format": MEMORY_FORMAT,
            "version": self.version,
            "documents": [
                {**asdict(document), "anchors": [asdict(anchor) for anchor in document.anchors]}
                for document in self.documents
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], min_similarity: float = 0.2) -> ExtractionMemory:
        if data.get("format") != MEMORY_FORMAT:
            raise ConfigurationError(
                f"extraction memory {data.get('version')} has format {data.get('format')}, this version reads "
                f"{MEMORY_FORMAT}: run `docpipe train extract` again"
            )
        documents = [
            Remembered(
                item["key"], item["doc_type"], item["layout"], item["fields"],
                [Anchor(**anchor) for anchor in item["anchors"]],
            )
            for item in data["documents"]
        ]
        return cls(documents, data["version"], min_similarity)


def remember(key: str, doc_type: str, layout: str, fields: dict[str, Any]) -> Remembered:
    """A remembered document with its anchors learned; ``fields`` typed by the schema first."""
    entry = schema_for(doc_type)
    if entry is None or not entry.schema.repeated_layouts:
        raise ConfigurationError(
            f"documents of type {doc_type!r} have no layout whose places the memory can learn"
            + ("" if entry is None else " (their values stand in prose: the models read them)")
        )
    known = {name: value for name, value in fields.items() if name in entry.schema.kinds and value not in (None, "", [])}
    record = entry.schema.record.model_validate(known)
    typed = {name: getattr(record, name) for name in known}
    stored = record.model_dump(mode="json", include=set(known))
    return Remembered(key, doc_type, layout, stored, learn_anchors(entry, layout, typed))


def build_memory(documents: Iterable[Remembered], min_similarity: float = 0.2) -> ExtractionMemory:
    """A memory of ``documents``, versioned by what it holds: relearning the same documents
    gives the same version, so the stage version (and what reprocessing re-reads) changes
    only when the memory does."""
    documents = list(documents)
    digest = hashlib.sha256(
        json.dumps([[d.key, d.fields, d.layout] for d in documents], sort_keys=True, default=str).encode()
    ).hexdigest()
    version = f"mem-{digest[:12]}"
    return ExtractionMemory(documents, version, min_similarity)


# --- the store: <data_dir>/models/extraction-memory/<version>/memory.json -----------------

POINTER = "current"


def memory_root(settings: DocpipeSettings) -> Path:
    return settings.data_dir / "models" / "extraction-memory"


def save_memory(settings: DocpipeSettings, memory: ExtractionMemory) -> Path:
    """Write ``memory`` as a new version and make it the one the extract stage reads."""
    root = memory_root(settings)
    staging = root / f".{memory.version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "memory.json").write_text(json.dumps(memory.as_json(), indent=1, default=str), encoding="utf-8")
    final = root / memory.version
    if final.is_dir():  # the same documents learned again: the same memory
        shutil.rmtree(staging)
    else:
        os.replace(staging, final)
    pointer = root / f".{POINTER}.tmp"
    pointer.write_text(memory.version + "\n", encoding="utf-8")
    os.replace(pointer, root / POINTER)
    return final


def load_memory(settings: DocpipeSettings) -> ExtractionMemory | None:
    """The memory DOCPIPE_EXTRACT_MEMORY names ("current": the last trained; "none": none;
    or a version or folder); None when none is trained yet or it is turned off."""
    name = settings.extract_memory
    if name == "none":
        return None
    root = memory_root(settings)
    if name == POINTER:
        pointer = root / POINTER
        if not pointer.is_file():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
    for folder in (Path(name), root / name):
        if (folder / "memory.json").is_file():
            data = json.loads((folder / "memory.json").read_text(encoding="utf-8"))
            return ExtractionMemory.from_json(data, settings.extract_memory_min_similarity)
    raise ConfigurationError(f"no extraction memory {name!r} (neither a folder nor a version under {root})")
