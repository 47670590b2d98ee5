"""Builders of small real documents for tests (PDFs with and without text layer, scans, mail)."""

from __future__ import annotations

import email
import email.policy
import io
from email.message import EmailMessage

import pymupdf
from PIL import Image

INVOICE_TEXT = (
    "INVOICE\nNorthwind Traders Ltd\n12 Harbour Road, Bristol\n"
    "Invoice number: INV-2041\nDate: 2026-03-14\nTotal due: 1,250.00 EUR"
)


def text_pdf(*pages: str) -> bytes:
    """A PDF whose pages carry ``pages`` as a real text layer."""
    document = pymupdf.open()
    for text in pages:
        page = document.new_page(width=595, height=842)
        page.insert_text((72, 90), text, fontsize=14)
    return document.tobytes()


def page_image(text: str, dpi: int = 200) -> Image.Image:
    """``text`` rendered on a white A5-ish page, as a scanner would deliver it."""
    document = pymupdf.open()
    page = document.new_page(width=420, height=300)
    page.insert_text((30, 50), text, fontsize=14)
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


FADED_RECEIPT_ROWS = (
    "SPEED MART S/B",
    "LOT 2811, JALAN ANGSA",
    "41150 KLANG, SELANGOR",
    "Total Sales RM 11.50",
    "CASH RM 52.00",
    "CHANGE RM 40.50",
)


def faded_receipt_png(rows: tuple[str, ...] = FADED_RECEIPT_ROWS, grey: float = 0.7) -> bytes:
    """A till slip as a grey scan: a black stamped number over faded grey print, which
    Tesseract's global threshold splits so that only the number is read."""
    document = pymupdf.open()
    page = document.new_page(width=220, height=260)
    page.insert_text((20, 40), "31705509", fontsize=26, fontname="hebo")
    for number, row in enumerate(rows):
        page.insert_text((20, 90 + 22 * number), row, fontsize=10, fontname="cour", color=(grey, grey, grey))
    return page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("png")


FORM_ROWS = (
    ("Advertiser:", "ACME FOR SENATE"),
    ("Invoice #", "INV-7302924"),
    ("Gross Amount", "$1,250.00"),
)


def form_page(rows: tuple[tuple[str, str], ...] = FORM_ROWS) -> pymupdf.Document:
    """A one-page form whose labels are one column and values another, written column by
    column (as many invoice generators do), so reading order puts all labels before all values."""
    document = pymupdf.open()
    page = document.new_page(width=595, height=300)
    for column, x in ((0, 40), (1, 300)):
        for number, row in enumerate(rows):
            page.insert_text((x, 60 + 28 * number), row[column], fontsize=13)
    return document


def form_pdf(rows: tuple[tuple[str, str], ...] = FORM_ROWS) -> bytes:
    return form_page(rows).tobytes()


def form_scan_png(rows: tuple[tuple[str, str], ...] = FORM_ROWS, dpi: int = 200) -> bytes:
    """The same form as a grey scan (no text layer), for the OCR path."""
    pixmap = form_page(rows)[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return pixmap.tobytes("png")


def vendor_invoice_pdf(number: str, issued: str, total: str, buyer: str, vendor: str = "Harbour Supplies Ltd") -> bytes:
    """One vendor's invoice layout, filled with other values each month: the vendor's header,
    a label and its value in one segment ("Invoice No: ..."), a label and value in two
    columns ("Invoice date"), and values under their labels ("Bill to", "Amount due")."""
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    for point, text, size in (
        ((40, 60), vendor, 18),
        ((40, 82), "12 Harbour Road, Bristol BS1 4XX", 11),
        ((40, 130), f"Invoice No: {number}", 12),
        ((40, 155), "Invoice date", 12),
        ((300, 155), issued, 12),
        ((40, 200), "Bill to", 12),
        ((40, 220), buyer, 12),
        ((40, 280), "Description", 12),
        ((400, 280), "Amount", 12),
        ((40, 300), "Mooring ropes and fenders", 12),
        ((400, 300), total, 12),
        ((400, 360), "Amount due", 12),
        ((400, 380), f"EUR {total}", 12),
        ((40, 420), "Payment within 30 days to IBAN GB29 NWBK 6016 1331 9268 19", 10),
    ):
        page.insert_text(point, text, fontsize=size)
    return document.tobytes()


def scanned_pdf(*pages: str) -> bytes:
    """An image-only PDF (no text layer): each page is a picture of ``pages[i]``."""
    document = pymupdf.open()
    for text in pages:
        buffer = io.BytesIO()
        page_image(text).save(buffer, format="PNG")
        page = document.new_page(width=420, height=300)
        page.insert_image(page.rect, stream=buffer.getvalue())
    return document.tobytes()


def image_bytes(text: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    page_image(text).save(buffer, format=fmt)
    return buffer.getvalue()


def multipage_tiff(*pages: str) -> bytes:
    images = [page_image(text) for text in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return buffer.getvalue()


def blank_png(width: int, height: int) -> bytes:
    """A white page with nothing on it (a scanner's empty sheet, or a 1x1 tracking pixel)."""
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def cyclic_page_tree_pdf() -> bytes:
    """A two-page PDF whose page tree lists itself as its second kid (a loop readers must refuse)."""
    document = pymupdf.open()
    document.new_page()
    document.new_page()
    raw = document.tobytes(garbage=0, no_new_id=True, expand=255)
    cyclic = raw.replace(b"/Kids[4 0 R 6 0 R]", b"/Kids[4 0 R 2 0 R]")
    assert cyclic != raw, "the page tree's layout changed: update the replacement"
    return cyclic


def encrypted_pdf(text: str) -> bytes:
    document = pymupdf.open(stream=text_pdf(text), filetype="pdf")
    return document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


def eml(body: str, attachments: list[tuple[str, bytes, str]] = ()) -> bytes:
    """A mail with ``body`` and (filename, content, mime type) attachments."""
    message = EmailMessage()
    message["From"] = "Accounts <accounts@northwind.example>"
    message["To"] = "invoices@ourcompany.example"
    message["Subject"] = "Invoice INV-2041"
    message["Date"] = "Sat, 14 Mar 2026 09:30:00 +0000"
    message["Message-ID"] = "<inv-2041@northwind.example>"
    message.set_content(body)
    for filename, content, mime in attachments:
        if mime == "message/rfc822":
            inner = email.message_from_bytes(content, policy=email.policy.default)
            message.add_attachment(inner, filename=filename)
            continue
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def mail_with_raw_pdf(pdf: bytes) -> bytes:
    """A mail whose PDF attachment is carried as raw bytes (Content-Transfer-Encoding: binary)."""
    return (
        b"From: ap@vendor.example\r\nTo: invoices@example.com\r\nSubject: Invoice 7\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n"
        b"--B\r\nContent-Type: application/pdf; name=inv.pdf\r\nContent-Transfer-Encoding: binary\r\n"
        b"Content-Disposition: attachment; filename=inv.pdf\r\n\r\n" + pdf + b"\r\n--B--\r\n"
    )


def image_bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (900 Mpx by default)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * 16, 9)  # only a few rows: the header alone is the bomb
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
