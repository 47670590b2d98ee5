"""Evaluate field extraction on a labelled dataset: per-field exact match and F1, docs/min.

Datasets are recognised by their layout (``corpora.published``); each maps its labels to
our schema fields and says how to compare them. Comparison is after normalisation: text by
letters and digits only (case, spacing, punctuation aside), dates as calendar dates,
amounts as numbers, governing law without "the laws of the State of", terms as number +
unit, parties as a set of names.

Per field: *EM* is the share of documents where prediction and label agree (both empty
counts as agreement, so decoy fields without a label reward a null); *P*/*R*/*F1* follow
SROIE/Kleister: a prediction is correct when it equals the label, precision is over the
non-empty predictions and recall over the non-empty labels (for party lists: per name).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from corpora.published import DATASETS, Dataset, DatasetDocument, recognise
from docpipe.errors import ConfigurationError, ModelCrashedError
from docpipe.settings import DocpipeSettings
from docpipe.stages import MEMORY_TIER, tier_name
from extractors.fields.normalize import (
    compact,
    normalize_currency,
    normalize_jurisdiction,
    parse_amount,
    parse_date,
    parse_duration,
)

# --- comparison -------------------------------------------------------------------------


_DEFINES_PARTIES = re.compile(r"\bpart(?:y|ies)\b", re.I)
_CLAUSE_HEAD = re.compile(r"\b(?:collectively|individually|referred|shall|and|or)\b", re.I)
_ALIAS = re.compile(r"\([^)]*\)|\"[^\"]*\"|“[^”]*”")


def _party(name: str) -> str:
    """A party name without its defined-term alias: 'Acme Inc. ("Acme")' and 'Acme Inc.
    "Acme"' -> 'acmeinc'. CUAD also marks the clause that defines "the Parties" together
    ('Transporter and Shipper shall collectively be referred to herein as the "Parties"',
    'Company and Consultant (individually, a "Party"'): no name (''), while a name followed
    by that clause ('mPhase Technologies Inc. ("mPhase")("a Party" and collectively, "the
    Parties")') is the name."""
    head = re.split(r"[(\"“]", name, maxsplit=1)[0]
    if _DEFINES_PARTIES.search(name) and (not head.strip() or _CLAUSE_HEAD.search(head)):
        return ""
    name = re.sub(r"[\"“”'‘’]", " ", _ALIAS.sub(" ", name))
    name = re.sub(r"\b(the\s+)?(company|parties|party)\b\s*$", " ", name, flags=re.I)
    return compact(name)


def _cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(Decimal("0.01"))


NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    "text": lambda value: compact(str(value)) or None,
    "date": lambda value: value if isinstance(value, date) else parse_date(str(value), "MDY"),
    "date_dmy": lambda value: value if isinstance(value, date) else parse_date(str(value), "DMY"),
    "amount": lambda value: _cents(parse_amount(str(value))),
    "currency": lambda value: normalize_currency(str(value)),
    "jurisdiction": lambda value: compact(normalize_jurisdiction(str(value)) or "") or None,
    "duration": lambda value: parse_duration(str(value).replace("_", " ")),
    "parties": lambda values: {name for value in values if (name := _party(value))},
}


@dataclass
class FieldScore:
    documents: int = 0
    agreements: int = 0
    predicted: int = 0
    labelled: int = 0
    correct: int = 0

    def add(self, prediction: Any, label: Any, how: str) -> None:
        normalize = NORMALIZERS[how]
        if how == "parties":
            predicted, labelled = normalize(prediction or []), normalize(label or [])
            self.documents += 1
            self.agreements += predicted == labelled
            self.predicted += len(predicted)
            self.labelled += len(labelled)
            self.correct += len(predicted & labelled)
            return
        predicted = normalize(prediction) if prediction not in (None, "") else None
        labelled = normalize(label) if label not in (None, "") else None
        self.documents += 1
        self.agreements += predicted == labelled
        self.predicted += predicted is not None
        self.labelled += labelled is not None
        self.correct += predicted is not None and predicted == labelled

    @property
    def exact_match(self) -> float:
        return self.agreements / self.documents if self.documents else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


# --- datasets ---------------------------------------------------------------------------


def labelled_dataset(path: Path) -> tuple[Dataset, Path]:
    """The dataset at ``path`` (its folder or its ``dev/``) with field labels, by layout;
    ``ValueError`` if it is none of them."""
    with_fields = ", ".join(dataset.name for dataset in DATASETS if dataset.fields)
    found = recognise(path) if path.is_dir() else None
    if found is None:
        raise ValueError(f"{path} is not a dataset layout this command knows ({with_fields})")
    if not found[0].fields:
        raise ValueError(f"{path}: {found[0].name} labels no fields (datasets with field labels: {with_fields})")
    return found


# --- running ----------------------------------------------------------------------------


@dataclass
class Evaluation:
    dataset: Dataset
    scores: dict[str, FieldScore]
    """The cascade's values (the first tier's alone with DOCPIPE_EXTRACT_CASCADE=false)."""
    first_tier_scores: dict[str, FieldScore]
    """The first tier's values, as if the cascade stopped there (documents it read)."""
    documents: list[dict[str, Any]] = field(default_factory=list)
    text_seconds: list[float] = field(default_factory=list)
    extract_seconds: list[float] = field(default_factory=list)
    tier_seconds: dict[int, list[float]] = field(default_factory=dict)
    """Per tier, the seconds of each reading it made."""
    last_tiers: list[int] = field(default_factory=list)
    """Per document, the last tier that read it."""
    needs_review: int = 0
    worked_examples: int = 0
    """Documents the models read after a remembered document of their layout."""

    def table(self) -> str:
        lines = [f"{'label -> field':<36} {'docs':>5} {'EM':>6} {'P':>6} {'R':>6} {'F1':>6} {'tier1 EM':>8} {'tier1 F1':>8}"]
        for labelled in self.dataset.fields:
            score, first = self.scores[labelled.label], self.first_tier_scores[labelled.label]
            first_columns = f"{first.exact_match:>8.3f} {first.f1:>8.3f}" if first.documents else f"{'-':>8} {'-':>8}"
            lines.append(
                f"{labelled.label + ' -> ' + labelled.field:<36} {score.documents:>5} "
                f"{score.exact_match:>6.3f} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f} {first_columns}"
            )
        count = len(self.extract_seconds)
        if count:
            extract_total, text_total = sum(self.extract_seconds), sum(self.text_seconds)
            lines.append(
                f"{count} docs; extraction median {statistics.median(self.extract_seconds):.1f} s/doc, "
                f"{60 * count / extract_total:.2f} docs/min; with text extraction "
                f"{60 * count / (extract_total + text_total):.2f} docs/min; "
                f"{self.needs_review}/{count} would go to review"
            )
            for tier, seconds in sorted(self.tier_seconds.items()):
                last = self.last_tiers.count(tier)
                lines.append(
                    f"{tier_name(tier)}: read {len(seconds)} docs, median {statistics.median(seconds):.1f} s; "
                    f"last tier of {last}/{count} docs"
                )
            if self.worked_examples:
                lines.append(f"worked example: the models read {self.worked_examples}/{count} docs after one of their layout")
        return "\n".join(lines)


def labelled_fields(dataset: Dataset, document: DatasetDocument) -> dict[str, Any]:
    """The document's labels as values of our schema's fields (dates and amounts parsed,
    names as printed): what the extraction memory learns from a labelled document. A label
    that does not parse as its type ("Perpetual" as an expiry date) is no value."""
    values: dict[str, Any] = {}
    for labelled in dataset.fields:
        label = document.field_labels.get(labelled.label)
        if label in (None, "", []):
            continue
        value = NORMALIZERS[labelled.how](label) if labelled.how in _TYPED else label
        if value is not None:
            values[labelled.field] = value
    return values


_TYPED = frozenset({"date", "date_dmy", "amount", "currency"})


def evaluate(
    path: Path,
    settings: DocpipeSettings,
    limit: int | None = None,
    dataset_text: bool = False,
    progress: Callable[[str], None] = lambda _line: None,
    memory_folds: int | None = None,
    memory_only: bool = False,
) -> Evaluation:
    """Extract every (or the first ``limit``) labelled document of the dataset at ``path``
    through the configured cascade, scoring the first tier alone and the whole cascade.

    Cold (the default) the cascade reads no memory: the trained one may hold these very
    documents. With ``memory_folds`` K it is warm by cross-validation: document i is in
    fold i mod K and is read with a memory of the other folds' documents only;
    ``memory_only`` leaves the models out (what the memory reads alone, in seconds)."""
    from extractors import read_text
    from extractors.fields.cascade import CascadeOutcome, ExtractionCascade, TierAttempt, merge, recall_attempt
    from extractors.fields.memory import build_memory, remember
    from schemas.registry import schema_for

    dataset, root = labelled_dataset(path)
    entry = schema_for(dataset.doc_type)
    assert entry is not None
    if memory_only and not memory_folds:
        raise ConfigurationError("the memory alone is measured by cross-validation: give the number of folds")
    cascade = None if memory_only else ExtractionCascade.from_settings(settings)
    if cascade is not None:
        cascade.memory = None
        progress(f"tiers: {', '.join(f'{tier.label} on {tier.runtime}' for tier in cascade.tiers)}")

    def memory_alone(memory: Any, text: str, layout_text: str | None) -> CascadeOutcome:
        recall = memory.recall(entry, text, layout_text) if memory is not None else None
        if recall is None:
            return CascadeOutcome([TierAttempt(0, failure="no remembered document is laid out like it")])
        return merge(entry, CascadeOutcome([]), recall_attempt(recall, entry, text, layout_text), text, layout_text)

    evaluation = Evaluation(
        dataset,
        {labelled.label: FieldScore() for labelled in dataset.fields},
        {labelled.label: FieldScore() for labelled in dataset.fields},
    )
    documents = list(dataset.documents(root))[:limit]
    texts: list[tuple[str, str | None]] = []
    for document in documents:
        started = time.perf_counter()
        if dataset_text and document.transcript is not None:
            texts.append((document.transcript(), None))
        else:
            assert document.content is not None
            read = read_text(document.content(), settings)
            texts.append((read.text, read.layout_text))
        evaluation.text_seconds.append(time.perf_counter() - started)
    remembered = []
    if memory_folds and memory_folds < 2:
        raise ConfigurationError("cross-validation needs two folds or more")
    if memory_folds and not entry.schema.repeated_layouts:
        progress(f"{dataset.doc_type}: the memory does not read this schema (no repeated layouts): warm is cold")
    elif memory_folds:
        remembered = [
            remember(f"{dataset.name}:{document.doc_id}", dataset.doc_type, layout or text, labelled_fields(dataset, document))
            for document, (text, layout) in zip(documents, texts, strict=True)
        ]
    memories = {
        fold: build_memory(
            [item for index, item in enumerate(remembered) if index % memory_folds != fold],
            settings.extract_memory_min_similarity,
        )
        for fold in range(memory_folds if remembered else 0)
    }
    for number, (document, (text, layout_text)) in enumerate(zip(documents, texts, strict=True)):
        memory = memories.get(number % memory_folds) if memory_folds else None
        started = time.perf_counter()
        try:
            if cascade is None:
                outcome = memory_alone(memory, text, layout_text)
            else:
                cascade.memory = memory
                outcome = cascade.extract(entry, text, layout_text)
        except ModelCrashedError as exc:
            values: dict[str, Any] = {}
            first: dict[str, Any] | None = {}
            reasons, tiers, timings, example = [str(exc)], {}, {}, None
        else:
            # The memory "reads" a document only where it knows the layout.
            timings = {a.tier: a.seconds for a in outcome.attempts if a.tier != MEMORY_TIER or a.checked is not None}
            values = outcome.record.model_dump() if outcome.record is not None else {}
            reasons, tiers = outcome.review_reasons, outcome.field_tiers
            first_attempt = next((attempt for attempt in outcome.attempts if attempt.tier == 1), None)
            first = None
            if first_attempt is not None:
                first = first_attempt.checked.record.model_dump() if first_attempt.checked else {}
            evaluation.last_tiers.append(outcome.tier)
            example = next((a.note for a in outcome.attempts if a.tier != MEMORY_TIER and a.note), None)
            evaluation.worked_examples += example is not None
        for tier, seconds in timings.items():
            evaluation.tier_seconds.setdefault(tier, []).append(seconds)
        review = bool(reasons)
        evaluation.extract_seconds.append(time.perf_counter() - started)
        evaluation.needs_review += review
        for labelled in dataset.fields:
            label = document.field_labels.get(labelled.label)
            evaluation.scores[labelled.label].add(values.get(labelled.field), label, labelled.how)
            if first is not None:
                evaluation.first_tier_scores[labelled.label].add(first.get(labelled.field), label, labelled.how)
        row = {
            "doc_id": document.doc_id,
            "seconds": round(evaluation.extract_seconds[-1], 2),
            "tier_seconds": {str(tier): round(seconds, 2) for tier, seconds in timings.items()},
            "review_reasons": reasons,
            "memory": next((a.note for a in outcome.attempts if a.tier == MEMORY_TIER and a.note), None) if timings else None,
            "worked_example": example,
            **{
                labelled.label: {
                    "label": document.field_labels.get(labelled.label),
                    "predicted": values.get(labelled.field),
                    "tier": tiers.get(labelled.field),
                    **({"first_tier": first.get(labelled.field)} if first is not None else {}),
                }
                for labelled in dataset.fields
            },
        }
        evaluation.documents.append(row)
        progress(json.dumps(row, default=str))
    return evaluation
