"""E-mail backend (RFC 5322 / .eml).

Takes: bytes sniffed as an e-mail. Returns: one ``plain`` page with the main headers and
the body (the text/plain part, or the HTML part reduced to text), and every attached
file as an ``Attachment``, which the pipeline processes as a document of its own linked
to the mail. Inline parts (signature logos, embedded images) are not documents; their
names are listed in the metadata so nothing disappears unseen. Available: always.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from html.parser import HTMLParser

from docpipe.errors import CorruptFileError
from docpipe.stages import Attachment, ExtractedText, PageText
from extractors.plaintext import decode_text
from extractors.sniff import EML

_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")


class _HtmlText(HTMLParser):
    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "head"):
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n\s*(\n\s*)+", "\n\n", text).strip()


def _part_text(part: EmailMessage) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):  # unknown or lying charset
        text = decode_text(part.get_payload(decode=True) or b"").text
    return html_to_text(text) if part.get_content_type() == "text/html" else text.strip()


def _attachment_bytes(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        message = inner[0] if isinstance(inner, list) else inner
        return message.as_bytes()
    return part.get_payload(decode=True) or b""


def _leaf_parts(message: EmailMessage) -> Iterator[EmailMessage]:
    """Non-multipart parts in order; an attached mail is one part (its own parts are its own)."""
    for part in message.iter_parts():
        if part.get_content_type() != "message/rfc822" and part.is_multipart():
            yield from _leaf_parts(part)
        else:
            yield part


def read_email(content: bytes) -> ExtractedText:
    try:
        message = email.message_from_bytes(content, policy=email.policy.default)
    except (ValueError, TypeError, IndexError) as exc:
        raise CorruptFileError(f"damaged e-mail ({exc})") from exc
    assert isinstance(message, EmailMessage)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _part_text(body_part) if body_part is not None else ""

    attachments: list[Attachment] = []
    skipped_inline: list[str] = []
    for index, part in enumerate(_leaf_parts(message), start=1):
        if part is body_part:
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if disposition == "attachment" or (filename and disposition != "inline"):
            name = filename or f"attachment-{index}.{part.get_content_subtype()}"
            attachments.append(Attachment(filename=name, content=_attachment_bytes(part)))
        elif disposition == "inline" and part.get_content_maintype() != "text":
            skipped_inline.append(filename or part.get_content_type())

    headers = [f"{name}: {message[name]}" for name in _SHOWN_HEADERS if message[name]]
    text = "\n".join(headers) + ("\n\n" + body if body else "")
    metadata = {name.lower(): str(message[name]) for name in (*_SHOWN_HEADERS, "Message-ID") if message[name]}
    metadata["attachments"] = [attachment.filename for attachment in attachments]
    if skipped_inline:
        metadata["inline_parts_not_processed"] = skipped_inline
    return ExtractedText(
        media_type=EML,
        pages=[PageText(number=1, text=text, source="plain")],
        attachments=attachments,
        metadata=metadata,
    )
