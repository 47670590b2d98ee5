"""Which text of a document goes to the model.

Prompt tokens are most of the cost on CPU (a 0.5B model evaluates ~100-300 tokens/s on two
cores), and contracts run to dozens of pages while the fields sit in a few places. So:

1. the text is tidied without losing content: runs of spaces, dot leaders and rules
   (``.....``, ``_____``) and blank lines are squeezed, page breaks become blank lines;
   text as laid out on the page (``keep_spacing``) keeps its runs of spaces, which place
   a value beside its label and a cell under its column (extractors.layout), and leaders
   become spaces of their width;
2. if it fits ``max_chars``, all of it goes (a run of spaces counts as one character: the
   model's tokenizer reads it as one token);
3. otherwise the start of the document goes (title, parties, dates and the invoice header
   live there; ``head_share`` of the budget), then the passages that mention the schema's
   focus terms (parties, dates, term, governing law; totals, tax, due date), best scoring
   first, until the budget is spent. Kept passages are put back in document order and
   ``[...]`` marks each gap, so the model knows text was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.types import ExtractionSchema

GAP = "[...]"
_PASSAGE_CHARS = 600
"""Long paragraphs are split into passages of about this many characters (at sentence ends)."""


@dataclass(frozen=True)
class ModelContext:
    text: str
    source_chars: int
    """Characters of the tidied document; more than ``len(text)`` when it was cut."""

    @property
    def shortened(self) -> bool:
        return len(self.text) < self.source_chars


_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_LEADER = re.compile(r"([._\-=*~·•])\1{3,}")


def tidy(text: str, keep_spacing: bool = False) -> str:
    """The same content in fewer tokens: squeezed leaders and blank lines, and squeezed
    spaces unless ``keep_spacing`` (then only trailing spaces go)."""
    text = text.replace("\f", "\n\n")
    if keep_spacing:
        text = _LEADER.sub(lambda leader: " " * len(leader.group()), text)
        lines = [line.rstrip() for line in text.replace("\t", " ").splitlines()]
        tidied = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", tidied).strip("\n")
    text = _LEADER.sub(" ", text)
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.splitlines()]
    tidied = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidied).strip()


def _visible_length(text: str) -> int:
    """Characters with each run of spaces counted once."""
    return len(_SPACE_RUN.sub(" ", text))


def _passages(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of ``text``'s passages: paragraphs, long ones split at sentence ends."""
    spans: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        start, end = paragraph.span()
        while end - start > _PASSAGE_CHARS:
            window = text[start : start + _PASSAGE_CHARS]
            cut = max(window.rfind(". "), window.rfind("\n"))
            cut = cut + 1 if cut > _PASSAGE_CHARS // 3 else _PASSAGE_CHARS
            spans.append((start, start + cut))
            start += cut
        spans.append((start, end))
    return spans


def _score(passage: str, terms: tuple[str, ...]) -> float:
    folded = passage.casefold()
    hits = sum(1 for term in terms if re.search(rf"\b{re.escape(term)}", folded))
    # Passages with dates or amounts carry the values most fields need.
    has_value = bool(re.search(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}|\b(19|20)\d{2}\b|\d[\d,]*\.\d{2}\b", passage))
    return (hits + 0.5 * has_value) / (1 + len(passage) / _PASSAGE_CHARS)


def select_context(
    text: str, schema: ExtractionSchema, max_chars: int, head_share: float = 0.4, keep_spacing: bool = False
) -> ModelContext:
    """The text to send for ``schema``: all of it when it fits ``max_chars``, else a digest."""
    tidied = tidy(text, keep_spacing)
    visible = _visible_length(tidied)
    if visible <= max_chars:
        return ModelContext(tidied, len(tidied))
    # The budget in characters of this text, whose spacing costs little to the model.
    max_chars = max_chars * len(tidied) // max(1, visible)
    head_budget = int(max_chars * head_share)
    head_end = tidied.rfind("\n", 0, head_budget)
    head_end = head_end if head_end > head_budget // 2 else head_budget
    chosen = [(0, head_end)]
    budget = max_chars - head_end
    scored = [
        (_score(tidied[start:end], schema.focus_terms), start, end)
        for start, end in _passages(tidied)
        if start >= head_end
    ]
    for score, start, end in sorted(scored, key=lambda item: item[0], reverse=True):
        cost = end - start + len(GAP) + 2
        if score > 0 and cost <= budget:
            chosen.append((start, end))
            budget -= cost
    parts: list[str] = []
    previous_end = 0
    for start, end in sorted(chosen):
        if tidied[previous_end:start].strip():
            parts.append(GAP)
        parts.append(tidied[start:end].strip())
        previous_end = end
    if tidied[previous_end:].strip():
        parts.append(GAP)
    return ModelContext("\n".join(parts), len(tidied))
