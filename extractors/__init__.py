"""Reading text: bytes of an incoming file to page texts (PyMuPDF, Tesseract, e-mail);
field extraction by a language model is the subpackage ``extractors.fields``.

``read_text`` (module ``extractors.text``) is the entry point and says which backend reads
which media type.
"""

from docpipe.stages import Attachment, ExtractedText, PageText
from extractors.text import read_text, sniff_media_type

__all__ = ["Attachment", "ExtractedText", "PageText", "read_text", "sniff_media_type"]
