"""PDF backend (PyMuPDF), with OCR for pages that have no usable text layer.

Takes: bytes sniffed as PDF. Returns: one ``PageText`` per page, source ``text_layer``
when the page carries enough real text, otherwise ``ocr`` (rendered at
``ocr_dpi``, recognised by ``extractors.ocr``). Available: always (PyMuPDF is a wheel);
scanned pages also need Tesseract.
"""

from __future__ import annotations

from collections.abc import Iterator

import pymupdf
from PIL import Image

from docpipe.errors import CorruptFileError, EncryptedFileError, FileTooLargeError
from docpipe.settings import DocpipeSettings
from docpipe.stages import ExtractedText, PageText
from extractors.layout import Word, layout_text
from extractors.ocr import ocr_images
from extractors.sniff import PDF

# MuPDF prints repair warnings to stderr; we report damage through our own errors.
pymupdf.TOOLS.mupdf_display_errors(False)

_MAX_UNMAPPED_SHARE = 0.1


PAGE_ERRORS = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)
"""What MuPDF raises for a damaged file (e.g. ``FzErrorFormat: cycle in page tree``)."""


def has_usable_text_layer(text: str, min_chars: int) -> bool:
    """Enough characters, and not mostly glyphs without a Unicode mapping (U+FFFD)."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < min_chars:
        return False
    return visible.count("\ufffd") / len(visible) <= _MAX_UNMAPPED_SHARE


def _open(content: bytes) -> pymupdf.Document:
    try:
        document = pymupdf.open(stream=content, filetype="pdf")
    except (pymupdf.FileDataError, *PAGE_ERRORS) as exc:
        raise CorruptFileError(f"damaged PDF that cannot be opened ({exc})") from exc
    if document.needs_pass and not document.authenticate(""):
        document.close()
        raise EncryptedFileError("password-protected PDF: ask the sender for an unprotected copy")
    return document


def render_dpi(page: pymupdf.Page, dpi: int, max_pixels: int) -> int:
    """``dpi``, lowered when the page is so large that the render would exceed ``max_pixels``."""
    inches = (page.rect.width / 72) * (page.rect.height / 72)
    if inches <= 0:
        return dpi
    fitting = int((max_pixels / inches) ** 0.5)
    return max(36, min(dpi, fitting))


def _render(page: pymupdf.Page, settings: DocpipeSettings) -> Image.Image:
    dpi = render_dpi(page, settings.ocr_dpi, settings.max_image_pixels)
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


def _layout(page: pymupdf.Page) -> str:
    """The text layer as laid out (extractors.layout), from PyMuPDF's words and its lines."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for x0, y0, x1, y1, text, block, line, _number in page.get_text("words"):
        # Words come in the unrotated page's coordinates; the reader sees the page rotated.
        box = pymupdf.Rect(x0, y0, x1, y1) * page.rotation_matrix
        lines.setdefault((block, line), []).append(Word(text, box.x0, box.y0, box.x1, box.y1))
    return layout_text(lines.values())


def read_pdf(content: bytes, settings: DocpipeSettings) -> ExtractedText:
    with _open(content) as document:
        if document.page_count == 0:
            raise CorruptFileError("PDF without readable pages (truncated or damaged)")
        if document.page_count > settings.max_pages:
            raise FileTooLargeError(
                f"PDF has {document.page_count} pages; the limit is {settings.max_pages}"
            )
        try:
            layers = [page.get_text("text") for page in document]
        except PAGE_ERRORS as exc:
            raise CorruptFileError(f"damaged PDF: a page cannot be read ({exc})") from exc
        needs_ocr = [
            number
            for number, text in enumerate(layers)
            if not has_usable_text_layer(text, settings.min_text_layer_chars)
        ]

        def scans() -> Iterator[Image.Image]:
            for number in needs_ocr:
                yield _render(document[number], settings)

        try:
            recognised = dict(zip(needs_ocr, ocr_images(scans(), settings), strict=True))
        except PAGE_ERRORS as exc:
            raise CorruptFileError(f"damaged PDF: a page cannot be rendered ({exc})") from exc
        pages = []
        for number, page in enumerate(document):
            common = {"number": number + 1, "width": page.rect.width, "height": page.rect.height}
            if number in recognised:
                ocr = recognised[number]
                pages.append(
                    PageText(text=ocr.text, source="ocr", ocr_confidence=ocr.confidence, layout=ocr.layout, **common)
                )
            else:
                try:
                    layout = _layout(page)
                except PAGE_ERRORS as exc:
                    raise CorruptFileError(f"damaged PDF: a page cannot be read ({exc})") from exc
                pages.append(PageText(text=layers[number].strip(), source="text_layer", layout=layout, **common))
        metadata = {
            key: value
            for key, value in (document.metadata or {}).items()
            if value and key in ("title", "author", "subject", "creator", "producer")
        }
        if document.is_repaired:
            metadata["warning"] = "PDF structure was damaged and has been repaired"
    return ExtractedText(media_type=PDF, pages=pages, metadata=metadata)
