"""Plain-text backend.

Takes: bytes sniffed as text. Returns: one page per form-feed-separated section, source
``plain``. Available: always. UTF-8 (with or without BOM) and BOM-marked UTF-16 are read
as such; UTF-8 with a few stray bytes is read as UTF-8 with those replaced; other bytes are
read as Windows-1252 only when the result is plausibly prose (the common case for files
exported by older Windows software). The encoding is recorded, and a warning whenever the
text may not read as written; anything else is rejected as not text.
"""

from __future__ import annotations

from dataclasses import dataclass

from docpipe.errors import CorruptFileError
from docpipe.stages import ExtractedText, PageText
from extractors.sniff import TEXT

_MIN_PRINTABLE_SHARE = 0.9


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    warning: str | None = None
    """Set when the text may not read as its author wrote it (replaced bytes, a guessed encoding)."""


_MAX_STRAY_SHARE = 0.1
"""UTF-8 with valid multi-byte characters and at most one invalid sequence per ten of them (or a
single one) is UTF-8 with a few damaged bytes, not another encoding: read it as UTF-8, the
damaged bytes replaced. (Read whole as Windows-1252, every accented letter became mojibake.)"""


def decode_text(content: bytes) -> DecodedText:
    """The text of ``content``: BOM-marked UTF-16, else strict UTF-8, else UTF-8 with a few
    stray bytes replaced, else Windows-1252 when that reads as prose; raises
    ``CorruptFileError`` when the bytes are not text."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return DecodedText(content.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise CorruptFileError(f"text file marked UTF-16 but undecodable: {exc.reason}") from exc
    try:
        return DecodedText(content.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        lenient = content.decode("utf-8-sig", "replace")
        stray = lenient.count("\ufffd")
        multibyte = sum(1 for ch in lenient if ord(ch) > 127) - stray
        if multibyte and stray <= max(1, multibyte * _MAX_STRAY_SHARE):
            return DecodedText(
                lenient, "utf-8", f"{stray} byte sequence(s) not valid UTF-8, replaced with \ufffd"
            )
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
        if text and printable / len(text) >= _MIN_PRINTABLE_SHARE and _mostly_words(text):
            return DecodedText(text, "cp1252", "not valid UTF-8: read as Windows-1252")
        raise CorruptFileError(
            f"not a readable text file: invalid UTF-8 at byte {utf8_error.start} "
            "and not plausible Windows-1252 text"
        ) from utf8_error


def _mostly_words(text: str) -> bool:
    ordinary = sum(1 for ch in text if ch.isascii() and (ch.isalnum() or ch.isspace() or ch in ".,;:-/()'\"$%&@#"))
    return ordinary / len(text) >= 0.8


def read_plain_text(content: bytes) -> ExtractedText:
    decoded = decode_text(content)
    text = decoded.text.replace("\r\n", "\n")
    sections = text.split("\f") if "\f" in text else [text]
    pages = [
        PageText(number=i, text=section.strip("\n"), source="plain")
        for i, section in enumerate(sections, start=1)
    ]
    metadata: dict[str, object] = {"encoding": decoded.encoding}
    if decoded.warning:
        metadata["warnings"] = [decoded.warning]
    return ExtractedText(media_type=TEXT, pages=pages, metadata=metadata)
