"""What every text backend's result goes through before it is stored.

The contract of a backend (content bytes in, ``docpipe.stages.ExtractedText`` out) is in
the core, beside the other stages' results.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from docpipe.stages import ExtractedText

def _without_nul(value: Any) -> tuple[Any, int]:
    """``value`` (strings inside lists and dicts too) without NUL characters, and how many went."""
    if isinstance(value, str):
        return value.replace("\x00", ""), value.count("\x00")
    if isinstance(value, list):
        items = [_without_nul(item) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    if isinstance(value, dict):
        cleaned: dict[Any, Any] = {}
        total = 0
        for key, item in value.items():
            (clean_key, in_key), (clean_item, in_item) = _without_nul(key), _without_nul(item)
            cleaned[clean_key] = clean_item
            total += in_key + in_item
        return cleaned, total
    return value, 0


def storable(extracted: ExtractedText) -> ExtractedText:
    """``extracted`` without the characters Postgres cannot store in text or JSON (NUL:
    UTF-16 text, PDF text layers, encoded mail headers carry them), with a warning saying
    how many were removed; an extraction without any is returned as it is."""
    pages = [_without_nul(page.text) for page in extracted.pages]
    layouts = [_without_nul(page.layout) for page in extracted.pages]
    metadata, in_metadata = _without_nul(extracted.metadata)
    names = [_without_nul(attachment.filename) for attachment in extracted.attachments]
    removed = sum(count for _, count in pages) + in_metadata + sum(count for _, count in names)
    removed += sum(count for _, count in layouts)
    if not removed:
        return extracted
    warning = f"removed {removed} NUL character(s), which the database cannot store"
    return ExtractedText(
        media_type=extracted.media_type,
        pages=[
            replace(page, text=text, layout=layout)
            for page, (text, _), (layout, _) in zip(extracted.pages, pages, layouts)
        ],
        attachments=[replace(attachment, filename=name) for attachment, (name, _) in zip(extracted.attachments, names)],
        metadata={**metadata, "warnings": [*metadata.get("warnings", []), warning]},
    )
