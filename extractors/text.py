"""Which backend reads which media type: the explicit list of text backends.

Each backend module documents its contract (what it takes, what it returns, when it is
available). Adding a format means adding a backend module and a line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docpipe.errors import UnsupportedTypeError
from docpipe.settings import DocpipeSettings
from extractors import sniff
from docpipe.stages import ExtractedText
from extractors.base import storable
from extractors.email import read_email
from extractors.image import read_image
from extractors.ocr import tesseract_available
from extractors.pdf import read_pdf
from extractors.plaintext import read_plain_text
from extractors.sniff import sniff_media_type

# Bump when a change to any backend alters the text it produces: documents stored with
# an older version are re-extracted on their next run.
TEXT_STAGE_VERSION = "text-2"
"""text-2: pages carry their layout (extractors.layout), stored as ``documents.layout_text``."""


def text_version(settings: DocpipeSettings, ocr_used: bool) -> str:
    """The version a document's text is stored with: the backends' code, and for text read
    by OCR the settings it was read with, so that a document met again after the operator
    changed them (languages, resolution, page segmentation, preprocessing, the second
    reading of faded print, the lines' second reading) is read again."""
    if not ocr_used:
        return TEXT_STAGE_VERSION
    return (
        f"{TEXT_STAGE_VERSION}+ocr:{settings.ocr_languages}/{settings.ocr_dpi}dpi/psm{settings.ocr_psm}"
        f"/{settings.ocr_preprocess}/faded{settings.ocr_faded_retry_words}"
        f"{'/reread' if settings.ocr_second_reading else ''}"
    )


@dataclass(frozen=True)
class TextBackend:
    name: str
    media_types: tuple[str, ...]
    extract: Callable[[bytes, DocpipeSettings, str], ExtractedText]
    available: Callable[[], bool]


def _always() -> bool:
    return True


BACKENDS: tuple[TextBackend, ...] = (
    TextBackend("pymupdf", (sniff.PDF,), lambda data, s, _t: read_pdf(data, s), _always),
    TextBackend("tesseract-image", (sniff.PNG, sniff.JPEG, sniff.TIFF), read_image, tesseract_available),
    TextBackend("email", (sniff.EML,), lambda data, _s, _t: read_email(data), _always),
    TextBackend("plaintext", (sniff.TEXT,), lambda data, _s, _t: read_plain_text(data), _always),
)
_BY_MEDIA_TYPE = {media_type: backend for backend in BACKENDS for media_type in backend.media_types}


def backend_for(media_type: str) -> TextBackend:
    try:
        return _BY_MEDIA_TYPE[media_type]
    except KeyError:
        raise UnsupportedTypeError(f"no text backend for {media_type}") from None


def read_text(content: bytes, settings: DocpipeSettings, media_type: str | None = None) -> ExtractedText:
    """Text of ``content``; raises an ``InputError`` subclass when the file is bad."""
    media_type = media_type or sniff_media_type(content)
    return storable(backend_for(media_type).extract(content, settings, media_type))
