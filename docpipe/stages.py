"""The contract of the stages that run on a document after its text is extracted.

A stage (classification, field extraction, ...) is a function of the document: it gets
the document's text and metadata and the results of the stages before it
(``StageInput``), and returns its own result (``StageResult``): labels with
probabilities, or fields with confidences and issues, and whether a person should look.
It neither reads nor writes the database: the pipeline (pipeline.files) builds its
input and stores its result through ``db.repository``, the one writer. A stage is
skipped for a document that already carries the stage's current version, so a new model
version reprocesses old documents without duplicating them. The registry of stages is
``pipeline.stage_registry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel


# --- the text stage: what a text backend returns for a file (extractors.text) ----------

TextSource = Literal["text_layer", "ocr", "plain"]


@dataclass(frozen=True)
class PageText:
    number: int
    """1-based page number."""
    text: str
    source: TextSource
    ocr_confidence: float | None = None
    """Mean Tesseract word confidence (0-100) when the page was OCR'd."""
    width: float | None = None
    height: float | None = None
    layout: str | None = None
    """The page as laid out (extractors.layout: each printed row on one line, columns kept
    apart by spacing); None where the text has no positions (plain text, mail bodies)."""


@dataclass(frozen=True)
class Attachment:
    """A file carried inside another (an e-mail attachment); processed as its own document."""

    filename: str
    content: bytes


@dataclass
class ExtractedText:
    media_type: str
    pages: list[PageText]
    attachments: list[Attachment] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        # A form feed between pages keeps page boundaries recoverable from the full text.
        return "\n\f\n".join(page.text for page in self.pages)

    @property
    def layout_text(self) -> str | None:
        """The pages as laid out (a page without positions as its text); None when no page
        has positions."""
        if all(page.layout is None for page in self.pages):
            return None
        return "\n\f\n".join(page.text if page.layout is None else page.layout for page in self.pages)

    @property
    def ocr_used(self) -> bool:
        return any(page.source == "ocr" for page in self.pages)


# --- the stages after it ---------------------------------------------------------------

TARGETS = ("doc_type", "urgency", "department")
"""What a document is classified on: the label and ``_confidence`` columns of
``classifications`` and ``document_results`` (a taxonomy names the labels of each)."""


@dataclass(frozen=True)
class Labels:
    """What a classifier said of a document: per target its label, the label's probability
    and the whole distribution."""

    labels: dict[str, str]
    confidences: dict[str, float]
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)

    def low_confidence(self, threshold: float) -> dict[str, float]:
        """Targets whose top probability is under ``threshold``, with that probability."""
        return {target: p for target, p in self.confidences.items() if p < threshold}


MEMORY_TIER = 0
"""The cascade tier of values the extraction memory read (models are tiers 1 and 2)."""


def tier_name(tier: int) -> str:
    return "tier 0 (memory)" if tier == MEMORY_TIER else f"tier {tier}"


@dataclass(frozen=True)
class Fields:
    """What a field extractor filled: the schema's record with a confidence per field and
    the grounding and rule issues; ``record`` None when nothing could be extracted."""

    schema_name: str
    doc_type: str | None = None
    record: BaseModel | None = None
    confidences: dict[str, float] = field(default_factory=dict)
    issues: dict[str, list[str]] = field(default_factory=dict)
    field_tiers: dict[str, int] = field(default_factory=dict)
    """Which tier of the cascade produced each field (0: the memory, 1: the first model,
    2: the second)."""
    tier: int | None = None
    """The last tier that read the document; None when none read it."""


@dataclass(frozen=True)
class StageInput:
    """A stored document as a stage sees it."""

    document_id: int
    text: str
    media_type: str | None = None
    layout_text: str | None = None
    """``text`` as laid out on its pages (``ExtractedText.layout_text``); None when the
    document's text has no positions."""
    metadata: dict[str, Any] = field(default_factory=dict)
    labels: Labels | None = None
    """The document's current classification (the latest one: a person's after a review)."""


@dataclass(frozen=True)
class StageResult:
    needs_review: bool = False
    reason: str | None = None
    """Why a person should look at the document (shown in the review queue)."""
    labels: Labels | None = None
    fields: Fields | None = None


class DocumentStage(Protocol):
    name: str
    """Key in ``documents.stage_versions`` and in stage timings."""

    @property
    def version(self) -> str:
        """Version of the model/code producing this stage's results (recorded with them)."""
        ...

    @property
    def runtime(self) -> str:
        """What the stage's model runs on (library, CPU kernels): logged when a run starts."""
        ...

    def run(self, document: StageInput) -> StageResult:
        """This stage's result for ``document``.

        Raise ``InputError`` when the document cannot be handled by this stage (it is then
        marked failed with the message), ``ModelCrashedError`` when the stage's model process
        died on it (marked failed, earlier stages' results kept); other exceptions count as
        transient and retry.
        """
        ...
