"""Plain-text backend.

Takes: bytes sniffed as text. Returns: one page per form-feed-separated section, source
``plain``. Available: always. UTF-8 (with or without BOM) and BOM-marked UTF-16 are read
as such; other bytes are read as Windows-1252 only when the result is plausibly prose
(the common case for files exported by older Windows software) and the encoding is
recorded; anything else is rejected as not text.
"""

from __future__ import annotations

from docpipe.errors import CorruptFileError
from extractors.base import ExtractedText, PageText
from extractors.sniff import TEXT

_MIN_PRINTABLE_SHARE = 0.9


def decode_text(content: bytes) -> tuple[str, str]:
    """``(text, encoding)``; raises ``CorruptFileError`` when the bytes are not text."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise CorruptFileError(f"text file marked UTF-16 but undecodable: {exc.reason}") from exc
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
        if text and printable / len(text) >= _MIN_PRINTABLE_SHARE and _mostly_words(text):
            return text, "cp1252"
        raise CorruptFileError(
            f"not a readable text file: invalid UTF-8 at byte {utf8_error.start} "
            "and not plausible Windows-1252 text"
        ) from utf8_error


def _mostly_words(text: str) -> bool:
    ordinary = sum(1 for ch in text if ch.isascii() and (ch.isalnum() or ch.isspace() or ch in ".,;:-/()'\"$%&@#"))
    return ordinary / len(text) >= 0.8


def extract_plain_text(content: bytes) -> ExtractedText:
    text, encoding = decode_text(content)
    text = text.replace("\r\n", "\n")
    sections = text.split("\f") if "\f" in text else [text]
    pages = [
        PageText(number=i, text=section.strip("\n"), source="plain")
        for i, section in enumerate(sections, start=1)
    ]
    return ExtractedText(media_type=TEXT, pages=pages, metadata={"encoding": encoding})
