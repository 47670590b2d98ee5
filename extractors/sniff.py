"""Media type from content, not from the file name: a PDF named .txt is still a PDF.

Hand-written rather than a library's, because the hard cases are the ones a back office
meets and the libraries get them wrong (measured on the cases of tests/extractors/test_sniff.py:
a text starting "BMW", a text quoting "%PDF-1.4", a PDF after a gateway's junk, a mail with a
raw binary PDF attachment, a real BMP, a plain mail): this module 6 of 6, libmagic (`file
--mime-type`) 5 (it calls the text quoting "%PDF-" a PDF), `filetype` 2 (it sees no mail, no
PDF after junk, and calls "BMW..." a BMP).
"""

from __future__ import annotations

import re

from docpipe.errors import UnsupportedTypeError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
EML = "message/rfc822"
TEXT = "text/plain"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
# Recognised only to give a precise reason when they are rejected.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or Office document (docx/xlsx)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (doc/xls/msg)"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF container (WebP, WAV, AVI)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
)
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]?.*$")
_MAIL_HEADERS = {
    b"from", b"to", b"subject", b"date", b"message-id", b"received", b"mime-version",
    b"return-path", b"delivered-to", b"content-type", b"cc", b"reply-to", b"x-mailer",
}


def _looks_like_email(head: bytes) -> bool:
    """An RFC 5322 header block (with at least From/To/Subject-like fields) at the start."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    names: set[bytes] = set()
    for line in lines[:60]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):  # folded continuation of the previous header
            continue
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return len(names & _MAIL_HEADERS) >= 2 and bool(names & {b"from", b"to", b"subject"})


_BMP_INFO_HEADER_SIZES = {12, 40, 52, 56, 64, 108, 124}
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")


def _is_bmp(content: bytes) -> bool:
    """"BM", then the file's size and a known DIB header size (a text starting "BMW" is text)."""
    if len(content) < 18 or not content.startswith(b"BM"):
        return False
    declared = int.from_bytes(content[2:6], "little")
    return int.from_bytes(content[14:18], "little") in _BMP_INFO_HEADER_SIZES and 18 < declared <= len(content) + 1024


def _is_pdf_after_junk(content: bytes) -> bool:
    """A PDF header within the first KB (readers allow junk before it), with a PDF's body:
    numbered objects and an end-of-file marker. Text that merely mentions "%PDF-" has neither."""
    return (
        _PDF_HEADER.search(content[:1024]) is not None
        and re.search(rb"\d+ \d+ obj\b", content[:65536]) is not None
        and b"%%EOF" in content[-2048:]
    )


def sniff_media_type(content: bytes, filename: str = "") -> str:
    """The media type of ``content``; raises ``UnsupportedTypeError`` with a reason.

    In this order: signatures at the start (PDF, PNG, JPEG, TIFF; then types refused with a
    precise reason), a mail's header block (before a PDF header further in: a mail carries
    its attachments raw), a PDF header after leading junk, text.
    """
    if not content:
        raise UnsupportedTypeError("empty file (0 bytes)")
    if content.startswith(b"%PDF-"):
        return PDF
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    for magic, description in _KNOWN_UNSUPPORTED:
        if content.startswith(magic):
            raise UnsupportedTypeError(f"unsupported file type: {description}")
    if _is_bmp(content):
        raise UnsupportedTypeError("unsupported file type: a BMP image")
    if _looks_like_email(content[:16384].lstrip()):
        return EML
    if _is_pdf_after_junk(content):
        return PDF
    if _is_probably_text(content[:65536]):
        return TEXT
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    hint = f" (named .{suffix})" if suffix else ""
    raise UnsupportedTypeError(f"unsupported file type: binary content not recognised{hint}")


def _is_probably_text(sample: bytes) -> bool:
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 100
