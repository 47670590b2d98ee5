"""Text extraction: bytes of an incoming file to page texts (PyMuPDF, Tesseract, e-mail).

``extract_text`` is the entry point; ``registry`` says which backend reads which type.
"""

from extractors.base import Attachment, ExtractedText, PageText
from extractors.registry import extract_text, sniff_media_type

__all__ = ["Attachment", "ExtractedText", "PageText", "extract_text", "sniff_media_type"]
