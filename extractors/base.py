"""The contract every text backend fulfils: content bytes in, ``ExtractedText`` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
    def ocr_used(self) -> bool:
        return any(page.source == "ocr" for page in self.pages)
