"""A page's text as it is laid out: lines rebuilt from word boxes, columns kept apart.

Reading order keeps a label and its value apart whenever they sit in different blocks of
the page ("Advertiser:" in the left column, "ACME FOR SENATE" in the right one; "TOTAL"
and "14.10" at both ends of a receipt's row), and a table row becomes one cell per line.
Field extraction reads a page better as it is printed, so here words are put back on
the row they share (by vertical overlap of their boxes) and each word is placed at the
column its left edge falls on, in units of the page's median character width, as
``pdftotext -layout`` does. A wide gap therefore stays a wide gap and a short one a
single space; the left margin the whole page shares is removed.

Takes: word boxes in any unit (PDF points, image pixels). Used by the PDF backend (PyMuPDF
words of the text layer) and by OCR (Tesseract's word boxes, its own rows).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SAME_ROW_OVERLAP = 0.5
"""Two words are on one row when their boxes overlap vertically by this share of the
smaller one's height (a bold value beside a small label still overlaps it mostly)."""
_PARAGRAPH_GAP = 1.6
"""A vertical gap between rows of more than this many median row heights is kept as a
blank line: the model (and the passage selection for long documents) sees the blocks."""
_WORD_GAP = 1.5
"""A gap narrower than this many character widths is the space inside a phrase."""


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def rows_by_position(lines: Iterable[Sequence[Word]]) -> list[list[Word]]:
    """The text engine's lines (words it read as one line, in one block) merged into the
    printed rows they share, by vertical overlap of their boxes; top to bottom, each row
    left to right. Keeping the engine's lines whole keeps a slightly skewed scan's row
    together; merging them rejoins the columns it read as separate blocks."""
    boxes = []
    for line in lines:
        words = [w for w in line if w.text.strip()]
        if words:
            boxes.append((min(w.y0 for w in words), max(w.y1 for w in words), words))
    rows: list[list[Word]] = []
    top = bottom = 0.0
    for line_top, line_bottom, words in sorted(boxes, key=lambda b: ((b[0] + b[1]) / 2, b[2][0].x0)):
        if rows:
            overlap = min(bottom, line_bottom) - max(top, line_top)
            if overlap >= _SAME_ROW_OVERLAP * max(1e-6, min(bottom - top, line_bottom - line_top)):
                # The row keeps its first line's band: grown by each line joined, it would
                # chain the staggered rows of neighbouring columns into one.
                rows[-1].extend(words)
                continue
        rows.append(list(words))
        top, bottom = line_top, line_bottom
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def _own_width(word: Word) -> float:
    """The width of one character of ``word``'s print."""
    return (word.x1 - word.x0) / max(1, len(word.text.strip()))


def _character_width(words: Sequence[Word]) -> float:
    widths = [(w.x1 - w.x0) / len(w.text) for w in words if len(w.text) >= 2 and w.x1 > w.x0]
    return statistics.median(widths) if widths else 1.0


def layout_text(lines: Iterable[Sequence[Word]]) -> str:
    """The page's text with each printed row on one line and proportional spacing;
    ``lines`` are the text engine's lines of words (PyMuPDF's or Tesseract's)."""
    rows = rows_by_position(lines)
    words = [w for row in rows for w in row]
    if not words:
        return ""
    char_width = _character_width(words)
    margin = min(w.x0 for w in words)
    row_height = statistics.median(max(w.height for w in row) for row in rows)
    lines: list[str] = []
    previous_bottom: float | None = None
    for row in rows:
        top = min(w.y0 for w in row)
        if previous_bottom is not None and top - previous_bottom > _PARAGRAPH_GAP * row_height:
            lines.append("")
        previous_bottom = max(w.y1 for w in row)
        line = ""
        previous: Word | None = None
        for word in row:
            column = round((word.x0 - margin) / char_width)
            if previous is None:
                line = " " * column
            elif word.x0 - previous.x1 < _WORD_GAP * max(char_width, _own_width(previous), _own_width(word)):
                # Measured in the larger of the words' own character widths: a headline's
                # wide print keeps its spaces single ("SAM SAM TRADING CO", not spread out).
                line += " "
            else:
                line += " " * max(2, column - len(line))
            line += word.text.strip()
            previous = word
        lines.append(line.rstrip())
    return "\n".join(lines)
