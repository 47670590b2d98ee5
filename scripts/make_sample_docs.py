"""Generate the fictional sample documents in ``sample_docs/`` and their ``MANIFEST.csv``.

Every document is drawn from the data structures in this file, and the manifest's ground
truth is read from the same structures, so documents and manifest cannot drift apart.
All companies, people, addresses and numbers are invented; e-mail domains use the
reserved ``.example`` top-level domain.

The output is byte-for-byte reproducible: seeded noise from integer draws only (no
platform-dependent float maths), fixed PDF metadata and no PDF /ID, fixed MIME boundaries
and dates, and fonts taken from PyMuPDF itself (its built-in Nimbus fonts), so the bytes
depend on the pinned pymupdf, pillow and numpy versions and on nothing installed on the host.

Usage: .venv/bin/python scripts/make_sample_docs.py [OUTPUT_DIR]   (default: sample_docs/)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "sample_docs"
DOCUMENTS_DIR = "documents"
MANIFEST_NAME = "MANIFEST.csv"
README_NAME = "README.md"
MANIFEST_COLUMNS = ("file", "doc_type", "urgency", "department", "fields")
PDF_DATE = "D:20240401090000+00'00'"  # fixed so that regenerating gives the same bytes
CENT = Decimal("0.01")

INVOICE_FIELDS = (
    "vendor_name", "vendor_address", "buyer_name", "invoice_number", "invoice_date",
    "due_date", "currency", "subtotal", "tax_amount", "total_amount",
)
CONTRACT_FIELDS = (
    "title", "contract_type", "parties", "effective_date", "expiration_date", "term",
    "renewal_term", "governing_law",
)
TICKET_FIELDS = ("requester_name", "requester_email", "subject", "product", "ticket_type")

# Page sizes in PDF points (1/72 inch).
LETTER = (612.0, 792.0)
A4 = (595.0, 842.0)
A5 = (420.0, 595.0)

BLACK = (0.0, 0.0, 0.0)
GREY = (0.35, 0.35, 0.35)
LIGHT = (0.93, 0.93, 0.93)
WHITE = (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------- helpers


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def us_amount(amount: Decimal) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{money(amount):,.2f}"


def eu_amount(amount: Decimal) -> str:
    """1234.5 -> '1.234,50' (German grouping and decimal comma)."""
    return us_amount(amount).replace(",", "_").replace(".", ",").replace("_", ".")


def long_date(day: date, british: bool = False) -> str:
    """'March 4, 2024', or '4 March 2024' as British documents write it."""
    return f"{day.day} {day:%B} {day.year}" if british else f"{day:%B} {day.day}, {day.year}"


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 12: "twelve", 24: "twenty-four"}


@dataclass(frozen=True)
class Duration:
    """A contract period, written in words in the document and as '2 years' in the manifest."""

    count: int
    unit: str  # singular: "year", "month", "day"

    @property
    def label(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"

    @property
    def words(self) -> str:
        return f"{NUMBER_WORDS[self.count]} ({self.count}) {self.unit}{'' if self.count == 1 else 's'}"


# --------------------------------------------------------------------------- PDF drawing

# PyMuPDF's built-in fonts, embedded (and subset) so that every character, the euro sign
# included, has a Unicode mapping in the text layer.
FONT_CODES = {
    "sans": "helv", "sans-bold": "hebo", "serif": "tiro", "serif-bold": "tibo",
    "serif-italic": "tiit", "mono": "cour", "mono-bold": "cobo",
}
FONTS = {name: pymupdf.Font(code) for name, code in FONT_CODES.items()}
FONT_RESOURCE = {name: "F" + name.replace("-", "") for name in FONT_CODES}


class Page:
    """One PDF page with typed drawing helpers; ``y`` is always a text baseline."""

    def __init__(self, document: pymupdf.Document, size: tuple[float, float]) -> None:
        self.document = document
        self.number = document.page_count
        document.new_page(width=size[0], height=size[1])
        self.width, self.height = size
        self.fonts: set[str] = set()

    @property
    def page(self) -> pymupdf.Page:
        # Loaded on use: PyMuPDF detaches earlier Page objects once further pages are added.
        return self.document[self.number]

    def text(
        self, x: float, y: float, text: str, font: str = "sans", size: float = 10,
        color: tuple[float, float, float] = BLACK, align: str = "left",
    ) -> None:
        width = FONTS[font].text_length(text, fontsize=size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        if font not in self.fonts:  # embed only the fonts a page uses
            self.page.insert_font(fontname=FONT_RESOURCE[font], fontbuffer=FONTS[font].buffer)
            self.fonts.add(font)
        self.page.insert_text((x, y), text, fontname=FONT_RESOURCE[font], fontsize=size, color=color)

    def lines(self, x: float, y: float, lines: Iterable[str], font: str = "sans", size: float = 10,
              leading: float | None = None, color: tuple[float, float, float] = BLACK,
              align: str = "left") -> float:
        """Draws one line per item; returns the baseline after the last one."""
        step = leading or size * 1.3
        for line in lines:
            self.text(x, y, line, font, size, color, align)
            y += step
        return y

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: tuple | None = None,
             stroke: tuple | None = BLACK, width: float = 0.6) -> None:
        self.page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=stroke, fill=fill, width=width)

    def line(self, x0: float, y0: float, x1: float, y1: float, color: tuple = BLACK,
             width: float = 0.6) -> None:
        self.page.draw_line((x0, y0), (x1, y1), color=color, width=width)

    def signature(self, x: float, y: float, seed: int, width: float = 120) -> None:
        """A handwritten-looking scribble: a chain of Bezier strokes from a seeded generator."""
        rng = np.random.default_rng(seed)
        points = [(x, y)]
        for step in range(1, 9):
            px = x + width * step / 8
            py = y + float(rng.integers(-14, 6))
            points.append((px, py))
        shape = self.page.new_shape()
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            lift = float(rng.integers(-16, 16))
            shape.draw_bezier((ax, ay), (ax + 6, ay + lift), (bx - 6, by - lift), (bx, by))
        shape.finish(color=(0.1, 0.15, 0.45), width=1.1, closePath=False)
        shape.commit()


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap measured with the real glyph widths."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and FONTS[font].text_length(candidate, fontsize=size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def pdf_bytes(document: pymupdf.Document, title: str, author: str, subject: str = "") -> bytes:
    """Serialised with fixed metadata and no /ID so that the same input gives the same bytes."""
    document.subset_fonts()
    document.set_metadata({
        "title": title, "author": author, "subject": subject, "keywords": "",
        "creator": "docpipe scripts/make_sample_docs.py", "producer": "PyMuPDF",
        "creationDate": PDF_DATE, "modDate": PDF_DATE,
    })
    return document.tobytes(garbage=4, deflate=True, no_new_id=True)


def render_gray(document: pymupdf.Document, dpi: int) -> list[Image.Image]:
    images = []
    for page in document:
        pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
        images.append(Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples))
    return images


def render_rgb(page: pymupdf.Page, dpi: int) -> Image.Image:
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    return Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)


# --------------------------------------------------------------------------- scan effects
# Only integer draws and + - * / on arrays: their results do not depend on the CPU's
# vector units or the C maths library, which keeps the output bytes reproducible.


def integer_noise(rng: np.random.Generator, shape: tuple[int, ...], spread: int) -> np.ndarray:
    """Roughly Gaussian noise (sum of four uniform draws), standard deviation ~ spread."""
    total = np.zeros(shape, dtype=np.int32)
    for _ in range(4):
        total += rng.integers(-spread, spread + 1, size=shape, dtype=np.int32)
    return total.astype(np.float32) * np.float32(0.866)


def linear_ramp(height: int, width: int, top_left: float, bottom_right: float) -> np.ndarray:
    ys = np.arange(height, dtype=np.float32)[:, None] / np.float32(max(height - 1, 1))
    xs = np.arange(width, dtype=np.float32)[None, :] / np.float32(max(width - 1, 1))
    share = (ys + xs) * np.float32(0.5)
    return np.float32(top_left) + (np.float32(bottom_right - top_left)) * share


def scan(image: Image.Image, seed: int, angle: float, paper: tuple[float, float] = (226, 214),
         ink: float = 0.92, blur: float = 0.7, noise: int = 7, speckles: int = 0) -> Image.Image:
    """A flatbed/ADF scan of a printed page: tinted paper, skew, soft focus, sensor noise."""
    rng = np.random.default_rng(seed)
    page = np.asarray(image, dtype=np.float32)
    height, width = page.shape
    paper_tone = linear_ramp(height, width, *paper)
    # Ink darkness scales with the paper tone; toner never reaches pure black.
    darkness = (np.float32(255) - page) / np.float32(255) * np.float32(ink)
    scanned = paper_tone * (np.float32(1) - darkness)
    if speckles:
        ys = rng.integers(0, height, size=speckles)
        xs = rng.integers(0, width, size=speckles)
        scanned[ys, xs] = rng.integers(40, 140, size=speckles).astype(np.float32)
    tilted = Image.fromarray(np.clip(scanned, 0, 255).astype(np.uint8), "L").rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=int(paper[1]) - 30
    )
    if blur:
        tilted = tilted.filter(ImageFilter.GaussianBlur(blur))
    noisy = np.asarray(tilted, dtype=np.float32) + integer_noise(rng, (height, width), noise)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")


def binarize(image: Image.Image, threshold: int = 150) -> Image.Image:
    """A 1-bit office scan (the mode fax and ADF scanners save as CCITT Group 4 TIFF)."""
    return image.point(lambda value: 255 if value > threshold else 0).convert("1", dither=Image.Dither.NONE)


def perspective_coefficients(
    source: Sequence[tuple[float, float]], target: Sequence[tuple[float, float]]
) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping ``target`` corners back to ``source`` corners.

    Solved with plain-Python Gaussian elimination: exactly reproducible floats.
    """
    rows: list[list[float]] = []
    for (sx, sy), (tx, ty) in zip(source, target, strict=True):
        rows.append([tx, ty, 1, 0, 0, 0, -sx * tx, -sx * ty, sx])
        rows.append([0, 0, 0, tx, ty, 1, -sy * tx, -sy * ty, sy])
    size = 8
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def photograph(document_image: Image.Image, seed: int) -> Image.Image:
    """A phone photo of a page lying on a desk: perspective, uneven light, shadow, noise."""
    rng = np.random.default_rng(seed)
    doc_w, doc_h = document_image.size
    out_w, out_h = int(doc_w * 1.12), int(doc_h * 1.08)
    # Desk: warm wood tone with horizontal grain bands.
    grain = np.repeat(rng.integers(-10, 11, size=(out_h, 1)), out_w, axis=1).astype(np.float32)
    desk = np.stack([138 + grain, 104 + grain * 0.8, 72 + grain * 0.6], axis=-1)
    corners = [
        (out_w * 0.07, out_h * 0.045), (out_w * 0.935, out_h * 0.03),
        (out_w * 0.955, out_h * 0.965), (out_w * 0.05, out_h * 0.95),
    ]
    shadow_corners = [(x + out_w * 0.012, y + out_h * 0.012) for x, y in corners]
    source = [(0, 0), (doc_w, 0), (doc_w, doc_h), (0, doc_h)]
    mask = Image.new("L", document_image.size, 255)

    def warp(image: Image.Image, target: list[tuple[float, float]]) -> Image.Image:
        coefficients = perspective_coefficients(source, target)
        return image.transform((out_w, out_h), Image.Transform.PERSPECTIVE, coefficients,
                               Image.Resampling.BICUBIC)

    shadow = np.asarray(warp(mask, shadow_corners).filter(ImageFilter.GaussianBlur(12)),
                        dtype=np.float32) / np.float32(255)
    desk = desk * (np.float32(1) - np.float32(0.45) * shadow)[..., None]
    paper = np.asarray(warp(document_image, corners), dtype=np.float32)
    paper_mask = np.asarray(warp(mask, corners), dtype=np.float32)[..., None] / np.float32(255)
    scene = paper * paper_mask + desk * (np.float32(1) - paper_mask)
    # Light from the top left, falling off towards the bottom right corner.
    light = linear_ramp(out_h, out_w, 1.04, 0.80)[..., None]
    warm = np.array([1.0, 0.97, 0.90], dtype=np.float32)
    scene = scene * light * warm
    scene = scene + integer_noise(rng, scene.shape, 4)
    photo = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8), "RGB")
    return photo.filter(ImageFilter.GaussianBlur(0.8))


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=image.info.get("dpi", (200, 200)))
    return buffer.getvalue()


def png_bytes(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=False, compress_level=9)
    return buffer.getvalue()


def image_pdf(images: Sequence[Image.Image], dpi: int, title: str) -> bytes:
    """An image-only PDF (what a scanner's 'scan to PDF' writes): JPEG pages, no text layer."""
    document = pymupdf.open()
    for image in images:
        width, height = image.width * 72 / dpi, image.height * 72 / dpi
        page = document.new_page(width=width, height=height)
        page.insert_image(page.rect, stream=jpeg_bytes(image, quality=70))
    return pdf_bytes(document, title=title, author="", subject="Scanned document")


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Party:
    name: str
    address: tuple[str, ...]

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address)


@dataclass(frozen=True)
class LineItem:
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = "ea"

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Invoice:
    number: str
    vendor: Party
    buyer: Party
    issued: date
    due: date | None
    currency: str
    tax_rate: Decimal  # 0.0725 for 7.25 %
    items: tuple[LineItem, ...]
    vendor_contact: tuple[str, ...] = ()
    po_number: str | None = None
    terms: str = ""

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return money(self.subtotal * self.tax_rate)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    @property
    def tax_percent(self) -> str:
        return f"{(self.tax_rate * 100).normalize():f}%"

    def fields(self) -> dict:
        return {
            "vendor_name": self.vendor.name,
            "vendor_address": self.vendor.one_line_address,
            "buyer_name": self.buyer.name,
            "invoice_number": self.number,
            "invoice_date": self.issued.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": self.currency,
            "subtotal": float(self.subtotal),
            "tax_amount": float(self.tax),
            "total_amount": float(self.total),
        }


@dataclass(frozen=True)
class Receipt:
    store: Party
    number: str
    when: datetime
    currency: str
    items: tuple[tuple[str, Decimal, bool], ...]  # (description, price, taxable)
    tax_rate: Decimal
    tax_included: bool  # European receipts show gross prices with the VAT inside
    payment: str
    cashier: str

    @property
    def gross(self) -> Decimal:
        return sum((price for _, price, _ in self.items), Decimal(0))

    @property
    def tax(self) -> Decimal:
        taxable = sum((price for _, price, taxed in self.items if taxed), Decimal(0))
        if self.tax_included:
            return money(taxable * self.tax_rate / (1 + self.tax_rate))
        return money(taxable * self.tax_rate)

    @property
    def subtotal(self) -> Decimal:
        """Before tax: the net amount when prices include VAT, the item sum when they don't."""
        return self.gross - self.tax if self.tax_included else self.gross

    @property
    def total(self) -> Decimal:
        return self.gross if self.tax_included else self.gross + self.tax

    def fields(self) -> dict:
        return {
            "vendor_name": self.store.name,
            "vendor_address": self.store.one_line_address,
            "buyer_name": None,
            "invoice_number": self.number,
            "invoice_date": self.when.date().isoformat(),
            "due_date": None,
            "currency": self.currency,
            "subtotal": float(self.subtotal),
            "tax_amount": float(self.tax),
            "total_amount": float(self.total),
        }


@dataclass(frozen=True)
class Contract:
    title: str
    contract_type: str
    parties: tuple[Party, ...]
    effective: date
    expiration: date | None
    term: Duration
    renewal: Duration | None
    governing_law: str
    sections: Callable[[Contract], list[tuple[str, list[str]]]]
    recitals: Callable[[Contract], list[str]]
    british: bool = False  # date style of the document

    def day(self, value: date) -> str:
        return long_date(value, self.british)

    def fields(self) -> dict:
        return {
            "title": self.title,
            "contract_type": self.contract_type,
            "parties": [party.name for party in self.parties],
            "effective_date": self.effective.isoformat(),
            "expiration_date": self.expiration.isoformat() if self.expiration else None,
            "term": self.term.label,
            "renewal_term": self.renewal.label if self.renewal else None,
            "governing_law": self.governing_law,
        }


@dataclass(frozen=True)
class Ticket:
    requester_name: str
    requester_email: str
    company: str
    subject: str
    product: str
    ticket_type: str
    body: str

    def fields(self) -> dict:
        return {
            "requester_name": self.requester_name,
            "requester_email": self.requester_email,
            "subject": self.subject,
            "product": self.product,
            "ticket_type": self.ticket_type,
        }


@dataclass(frozen=True)
class SampleDoc:
    """One manifest row; ``content`` is None for a file that lives inside an e-mail."""

    filename: str
    doc_type: str
    urgency: str
    department: str
    fields: dict
    description: str
    content: bytes | None
    attachments: tuple[SampleDoc, ...] = field(default=())


# --------------------------------------------------------------------------- the cast
# The back office that receives all of this: Tallowmere Logistics, a fictional
# third-party logistics company with a US and a German entity and a customer portal
# called ShipTrack.

TALLOWMERE_US = Party("Tallowmere Logistics Inc.", ("880 Larkspur Avenue, Suite 300", "Columbus, OH 43215", "USA"))
TALLOWMERE_DE = Party("Tallowmere Logistics GmbH", ("Hafenkante 18", "28217 Bremen", "Germany"))
TALLOWMERE_UK = Party(
    "Tallowmere Logistics UK Ltd", ("Unit 4, Greyfriars Trade Park", "Coventry CV3 9QT", "United Kingdom")
)


# --------------------------------------------------------------------------- invoices

HARBORLINE_INVOICE = Invoice(
    number="HIS-2024-10387",
    vendor=Party("Harborline Industrial Supply, Inc.", ("4120 Foundry Road", "Dayton, OH 45404", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 3, 4),
    due=date(2024, 4, 3),
    currency="USD",
    tax_rate=Decimal("0.0725"),
    vendor_contact=("Phone (937) 555-0142", "billing@harborline-supply.example"),
    po_number="PO-55102",
    terms="Net 30",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SW-1880", "Stretch wrap film, 18 in x 1500 ft, 80 gauge", "24", "21.40", "roll"),
            ("SW-2050", "Stretch wrap film, 20 in x 5000 ft, machine grade", "6", "64.95", "roll"),
            ("TP-4811", "Packing tape, clear, 48 mm x 100 m", "72", "2.18", "roll"),
            ("TP-4820", "Packing tape, printed FRAGILE, 48 mm x 66 m", "36", "3.05", "roll"),
            ("TD-0210", "Tape dispenser, pistol grip, 2 in", "8", "11.60", "ea"),
            ("CB-1212", "Corrugated box 12 x 12 x 12 in, 32 ECT", "500", "0.94", "ea"),
            ("CB-1814", "Corrugated box 18 x 14 x 12 in, 32 ECT", "400", "1.37", "ea"),
            ("CB-2420", "Corrugated box 24 x 20 x 18 in, 44 ECT", "150", "2.86", "ea"),
            ("VF-0300", "Void fill paper, 15 in x 1200 ft roll", "10", "38.75", "roll"),
            ("AP-1218", "Air pillows 4 x 8 in, 1500 per case", "12", "27.30", "case"),
            ("BW-0612", "Bubble wrap 12 in x 250 ft, perforated", "15", "19.90", "roll"),
            ("PL-4840", "Pallet, heat-treated pine, 48 x 40 in", "60", "9.75", "ea"),
            ("SL-0450", "Shipping labels 4 x 6 in, thermal, 450 per roll", "40", "6.45", "roll"),
            ("SL-0225", "Shipping labels 2.25 x 1.25 in, thermal", "20", "4.10", "roll"),
            ("MK-0100", "Permanent marker, black, chisel tip (12 pk)", "10", "8.20", "pack"),
            ("BC-0500", "Box cutter, retractable, with 5 blades", "25", "3.95", "ea"),
            ("GL-0910", "Work gloves, nitrile coated, size L (12 pairs)", "6", "23.40", "pack"),
            ("SV-0220", "Safety vest, class 2, hi-vis yellow", "30", "7.85", "ea"),
            ("EP-0001", "Ear plugs, foam, 200 pairs per box", "4", "18.60", "box"),
            ("CS-0712", "Corner board 2 x 2 x 36 in", "200", "0.58", "ea"),
            ("ST-0058", "Polyester strapping 5/8 in x 3600 ft", "5", "54.10", "coil"),
            ("SB-0058", "Strapping buckles 5/8 in, 1000 per box", "2", "31.25", "box"),
            ("DB-0400", "Desiccant bags 4 unit, 150 per pail", "3", "42.80", "pail"),
            ("IN-0811", "Packing list envelopes 7 x 5.5 in, 1000 ct", "4", "22.15", "box"),
            ("TR-3020", "Trash liners 55 gal, 100 per case", "5", "29.95", "case"),
            ("AB-0032", "Absorbent pads, universal, 100 per bale", "2", "36.40", "bale"),
            ("FA-0050", "First aid kit refill, 50 person", "2", "47.25", "kit"),
            ("FR-0001", "Freight, LTL delivery to Columbus, OH", "1", "185.00", "ship"),
        )
    ),
)

OSTWALD_INVOICE = Invoice(
    number="RE-2024-0419",
    vendor=Party("Ostwald Kältetechnik GmbH", ("Gießerstraße 27", "04229 Leipzig", "Germany")),
    buyer=TALLOWMERE_DE,
    issued=date(2024, 3, 12),
    due=date(2024, 3, 26),
    currency="EUR",
    tax_rate=Decimal("0.19"),
    vendor_contact=("Tel. +49 341 555 0187", "rechnung@ostwald-kaelte.example", "VAT ID DE 318 204 775"),
    po_number="BRE-24-0087",
    terms="Payable within 14 days without deduction",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("W-110", "Quarterly maintenance, cold store 2 (refrigeration units A-D)", "1", "1480.00", "job"),
            ("W-115", "Leak test of refrigerant circuit, per unit (F-gas regulation)", "4", "165.00", "unit"),
            ("M-2040", "Evaporator fan motor 230 V, replaced in unit C", "1", "612.50", "pc"),
            ("M-0712", "Door gasket 2.1 m, walk-in freezer", "2", "148.90", "pc"),
            ("A-001", "Technician hours (2 technicians)", "7.5", "92.00", "h"),
            ("A-090", "Travel flat rate Leipzig - Bremen", "1", "240.00", "flat"),
        )
    ),
)

PINECREST_INVOICE = Invoice(
    number="PJS-7781",
    vendor=Party("Pinecrest Janitorial Services LLC", ("2290 Old Mill Road", "Hilliard, OH 43026", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 1, 15),
    due=date(2024, 2, 14),
    currency="USD",
    tax_rate=Decimal("0.0575"),
    vendor_contact=("(614) 555-0199", "office@pinecrest-clean.example"),
    terms="Net 30",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("JAN-01", "Nightly office cleaning, January 2024", "1", "2150.00", "month"),
            ("JAN-02", "Warehouse floor scrub, aisles 1-14", "2", "375.00", "visit"),
            ("JAN-03", "Restroom supplies restock", "1", "218.40", "lot"),
            ("JAN-04", "Exterior window cleaning, front office", "1", "260.00", "visit"),
        )
    ),
)

BLUEGILL_INVOICE = Invoice(
    number="BPS-0932",
    vendor=Party("Bluegill Print & Sign Co.", ("77 Canal Street", "Columbus, OH 43215", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 2, 20),
    due=date(2024, 3, 6),
    currency="USD",
    tax_rate=Decimal("0.0750"),
    vendor_contact=("(614) 555-0123", "hello@bluegill-sign.example"),
    terms="Due in 15 days",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SG-24", "Aluminum dock door signs 24 x 18 in", "12", "38.00", "ea"),
            ("FL-10", "Floor marking decals, aisle numbers", "40", "4.25", "ea"),
            ("BN-36", "Vinyl banner 3 x 6 ft, 'Now Hiring'", "2", "89.00", "ea"),
            ("DS-01", "Design and proof", "1", "75.00", "job"),
        )
    ),
)

SKELMORE_INVOICE = Invoice(
    number="SKP-24-00871",
    vendor=Party("Skelmore Packaging Ltd",
                 ("Bay 12, Fenwick Industrial Estate", "Leicester LE4 7RJ", "United Kingdom")),
    buyer=TALLOWMERE_UK,
    issued=date(2024, 3, 14),
    due=date(2024, 4, 13),
    currency="GBP",
    tax_rate=Decimal("0.20"),
    vendor_contact=("Tel 0116 496 0321", "accounts@skelmore-packaging.example", "VAT Reg. GB 471 2205 93"),
    po_number="CV-PO-3318",
    terms="30 days from invoice date",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SK-DW-450", "Double-wall cartons 450 x 350 x 300 mm", "1200", "1.12", "ea"),
            ("SK-SW-300", "Single-wall cartons 300 x 220 x 150 mm", "2500", "0.41", "ea"),
            ("SK-PT-48", "Paper tape 48 mm x 50 m, water-activated", "96", "3.20", "roll"),
            ("SK-DEL", "Delivery, tail-lift vehicle", "1", "65.00", "ea"),
        )
    ),
)


def invoice_classic(invoice: Invoice, accent: tuple[float, float, float], symbol: str) -> bytes:
    """Layout A: US-style letterhead, Bill To / Ship To boxes, a line-item table that runs
    over as many pages as it needs, totals on the last page."""
    document = pymupdf.open()
    left, right = 48.0, LETTER[0] - 48
    columns = (left + 4, left + 74, right - 150, right - 84, right - 4)
    row_height = 17.0

    def table_header(page: Page, top: float) -> float:
        page.rect(left, top, right, top + 20, fill=accent, stroke=None)
        for x, label, align in zip(columns, ("Item", "Description", "Qty", "Unit price", "Amount"),
                                   ("left", "left", "right", "right", "right"), strict=True):
            page.text(x, top + 14, label, "sans-bold", 9, WHITE, align)
        return top + 20

    drawn_pages: list[Page] = []

    def new_page(first: bool) -> tuple[Page, float]:
        page = Page(document, LETTER)
        drawn_pages.append(page)
        page.rect(0, 0, LETTER[0], 10, fill=accent, stroke=None)
        if first:
            page.text(left, 62, invoice.vendor.name, "sans-bold", 17, accent)
            page.lines(left, 80, (*invoice.vendor.address, *invoice.vendor_contact), "sans", 9, 12)
            page.text(right, 66, "INVOICE", "sans-bold", 26, BLACK, "right")
            info = [("Invoice No.", invoice.number), ("Invoice Date", f"{invoice.issued:%b %d, %Y}"),
                    ("Due Date", f"{invoice.due:%b %d, %Y}" if invoice.due else "On receipt"),
                    ("PO Number", invoice.po_number or "-"), ("Terms", invoice.terms)]
            y = 92
            for label, value in info:
                page.text(right - 110, y, label, "sans-bold", 9, GREY, "right")
                page.text(right, y, value, "sans", 10, BLACK, "right")
                y += 14
            for x, heading in ((left, "BILL TO"), (left + 262, "SHIP TO")):
                page.rect(x, 180, x + 250, 256, stroke=(0.7, 0.7, 0.7))
                page.text(x + 8, 195, heading, "sans-bold", 8, accent)
                page.lines(x + 8, 211, (invoice.buyer.name, *invoice.buyer.address), "sans", 10, 13)
            return page, table_header(page, 276)
        page.text(left, 44, f"{invoice.vendor.name}  |  Invoice {invoice.number} (continued)", "sans-bold", 10)
        return page, table_header(page, 60)

    page, y = new_page(first=True)
    for index, item in enumerate(invoice.items):
        if y + row_height > LETTER[1] - 80:
            page, y = new_page(first=False)
        if index % 2:
            page.rect(left, y, right, y + row_height, fill=LIGHT, stroke=None)
        baseline = y + 12
        page.text(columns[0], baseline, item.code, "sans", 9)
        page.text(columns[1], baseline, item.description, "sans", 9)
        page.text(columns[2], baseline, f"{item.quantity.normalize():f} {item.unit}", "sans", 9, align="right")
        page.text(columns[3], baseline, us_amount(item.unit_price), "sans", 9, align="right")
        page.text(columns[4], baseline, us_amount(item.amount), "sans", 9, align="right")
        y += row_height
    page.line(left, y, right, y, accent, 1)
    if y + 150 > LETTER[1] - 60:
        page, y = new_page(first=False)
    y += 24
    totals = [("Subtotal", f"{symbol}{us_amount(invoice.subtotal)}"),
              (f"{'VAT' if invoice.currency == 'GBP' else 'Sales tax'} ({invoice.tax_percent})",
               f"{symbol}{us_amount(invoice.tax)}")]
    for label, value in totals:
        page.text(right - 110, y, label, "sans", 10, align="right")
        page.text(right, y, value, "sans", 10, align="right")
        y += 16
    page.rect(right - 250, y - 4, right, y + 20, fill=accent, stroke=None)
    page.text(right - 110, y + 12, f"TOTAL DUE ({invoice.currency})", "sans-bold", 11, WHITE, "right")
    page.text(right - 4, y + 12, f"{symbol}{us_amount(invoice.total)}", "sans-bold", 11, WHITE, "right")
    y += 56
    page.text(left, y, "Payment instructions", "sans-bold", 10)
    pay_by = long_date(invoice.due, british=invoice.currency == "GBP") if invoice.due else "return"
    payment_lines = wrap(
        f"Please pay by {pay_by} ({invoice.terms}) and quote "
        f"invoice number {invoice.number} on your remittance. Remit to {invoice.vendor.name}, "
        f"{invoice.vendor.one_line_address}. Questions about this invoice: {invoice.vendor_contact[1]}.",
        "sans", 9, right - left)
    page.lines(left, y + 15, payment_lines, "sans", 9, 12)
    page.text(left, y + 30 + 12 * len(payment_lines), "Thank you for your business!", "sans-bold", 10, accent)

    for number, drawn in enumerate(drawn_pages, start=1):
        drawn.text(LETTER[0] / 2, LETTER[1] - 30, f"Page {number} of {len(drawn_pages)}", "sans", 8, GREY,
                   "center")
    return pdf_bytes(document, title=f"Invoice {invoice.number}", author=invoice.vendor.name)


def invoice_din(invoice: Invoice) -> bytes:
    """Layout B: German business letter (DIN 5008): address window, info block, VAT footer,
    European number and date formats."""
    document = pymupdf.open()
    page = Page(document, A4)
    left, right = 70.0, A4[0] - 56
    page.text(right, 58, invoice.vendor.name, "sans-bold", 15, (0.05, 0.3, 0.55), "right")
    page.lines(right, 74, ("Kälte- und Klimaanlagen · Wartung · Service", *invoice.vendor.address),
               "sans", 8.5, 11, GREY, "right")
    sender = f"{invoice.vendor.name} · {invoice.vendor.address[0]} · {invoice.vendor.address[1]}"
    page.text(left, 140, sender, "sans", 7, GREY)
    page.line(left, 143, left + FONTS["sans"].text_length(sender, fontsize=7), 143, GREY, 0.4)
    page.lines(left, 162, (invoice.buyer.name, "Accounts Payable", *invoice.buyer.address), "sans", 10.5, 14)
    info = [("Invoice no.", invoice.number), ("Invoice date", f"{invoice.issued:%d.%m.%Y}"),
            ("Customer no.", "K-20931"), ("Your order", invoice.po_number or "-"),
            ("Service date", "05.03.2024 - 06.03.2024")]
    y = 160
    for label, value in info:
        page.text(360, y, label, "sans", 9, GREY)
        page.text(right, y, value, "sans", 9.5, BLACK, "right")
        y += 14
    page.text(left, 270, f"Invoice {invoice.number}", "sans-bold", 14)
    intro = wrap("Dear Sir or Madam, for the maintenance work carried out at your Bremen cold store "
                 "we invoice the following services:", "sans", 10, right - left)
    y = page.lines(left, 292, intro, "sans", 10, 13) + 8
    columns = (left, left + 30, left + 82, right - 140, right - 72, right)
    page.line(left, y, right, y, BLACK, 0.8)
    for x, label, align in zip(columns, ("Pos.", "Art. no.", "Description", "Qty", "Unit price", "Total"),
                               ("left", "left", "left", "right", "right", "right"), strict=True):
        page.text(x, y + 13, label, "sans-bold", 8.5, BLACK, align)
    y += 18
    page.line(left, y, right, y, BLACK, 0.4)
    for position, item in enumerate(invoice.items, start=1):
        description = wrap(item.description, "sans", 8.5, columns[3] - columns[2] - 60)
        page.text(columns[0], y + 13, str(position), "sans", 8.5)
        page.text(columns[1], y + 13, item.code, "sans", 8.5)
        page.lines(columns[2], y + 13, description, "sans", 8.5, 11)
        quantity = f"{item.quantity.normalize():f}".replace(".", ",")
        page.text(columns[3], y + 13, f"{quantity} {item.unit}", "sans", 8.5, align="right")
        page.text(columns[4], y + 13, f"{eu_amount(item.unit_price)} €", "sans", 8.5, align="right")
        page.text(columns[5], y + 13, f"{eu_amount(item.amount)} €", "sans", 8.5, align="right")
        y += 8 + 11 * len(description)
    page.line(left, y + 4, right, y + 4, BLACK, 0.4)
    y += 22
    for label, value, font in (("Net amount", invoice.subtotal, "sans"),
                               (f"VAT {invoice.tax_percent}", invoice.tax, "sans"),
                               ("Total amount", invoice.total, "sans-bold")):
        page.text(right - 110, y, label, font, 10, align="right")
        page.text(right, y, f"{eu_amount(value)} €", font, 10, align="right")
        y += 16
    page.line(right - 200, y - 11, right, y - 11, BLACK, 0.4)
    assert invoice.due is not None
    terms = wrap(f"{invoice.terms} by {invoice.due:%d.%m.%Y}. Please state the invoice number "
                 f"{invoice.number} as the payment reference. The date of supply corresponds to the "
                 "service date. Thank you for your order.", "sans", 10, right - left)
    y = page.lines(left, y + 24, terms, "sans", 10, 13)
    page.text(left, y + 16, "Kind regards,", "sans", 10)
    page.text(left, y + 30, "Ostwald Kältetechnik GmbH – Accounting", "sans", 10)
    footer_top = A4[1] - 70
    page.line(left, footer_top, right, footer_top, GREY, 0.4)
    footer = (
        (left, (invoice.vendor.name, *invoice.vendor.address[:2])),
        (left + 160, ("Managing director: Henrike Ostwald", "Register court Leipzig HRB 41187",
                      invoice.vendor_contact[2])),
        (left + 330, ("Bank: Nordsachsen Handelsbank", "IBAN DE00 8605 0000 0012 3456 78",
                      "BIC NSHBDE00XXX")),
    )
    for x, lines in footer:
        page.lines(x, footer_top + 14, lines, "sans", 7, 9.5, GREY)
    return pdf_bytes(document, title=f"Invoice {invoice.number}", author=invoice.vendor.name)


def invoice_typed(invoice: Invoice, stamp: str | None, size: tuple[float, float] = LETTER,
                  body: float = 11) -> pymupdf.Document:
    """Layout C: a plain small-business invoice in a typewriter-like serif, for scans and
    photos; ``stamp`` adds a rubber stamp (PAST DUE, PAID)."""
    document = pymupdf.open()
    page = Page(document, size)
    left, right = 60.0, size[0] - 60
    page.text(size[0] / 2, 70, invoice.vendor.name.upper(), "serif-bold", body + 7, align="center")
    page.lines(size[0] / 2, 90, (invoice.vendor.one_line_address, "  ·  ".join(invoice.vendor_contact)),
               "serif", body - 1, body + 3, align="center")
    page.line(left, 118, right, 118, BLACK, 1.2)
    page.text(left, 148, "INVOICE", "serif-bold", body + 5)
    y = 176
    for label, value in (("Invoice #:", invoice.number), ("Date:", f"{invoice.issued:%m/%d/%Y}"),
                         ("Due date:", f"{invoice.due:%m/%d/%Y}" if invoice.due else "-"),
                         ("Terms:", invoice.terms)):
        page.text(left, y, label, "serif-bold", body)
        page.text(left + 80, y, value, "serif", body)
        y += body + 5
    page.text(size[0] / 2 + 20, 176, "Bill to:", "serif-bold", body)
    page.lines(size[0] / 2 + 20, 176 + body + 5, (invoice.buyer.name, *invoice.buyer.address), "serif", body,
               body + 5)
    y += 24
    columns = (left, right - 0.42 * (right - left), right - 0.2 * (right - left), right)
    page.line(left, y - body - 4, right, y - body - 4)
    for x, label, align in zip(columns, ("Description", "Qty", "Rate", "Amount"),
                               ("left", "right", "right", "right"), strict=True):
        page.text(x, y, label, "serif-bold", body, align=align)
    page.line(left, y + 6, right, y + 6)
    y += body + 14
    for item in invoice.items:
        for number, text in enumerate(wrap(item.description, "serif", body, columns[1] - columns[0] - 40)):
            page.text(left, y, text, "serif", body)
            if number == 0:
                page.text(columns[1], y, f"{item.quantity.normalize():f}", "serif", body, align="right")
                page.text(columns[2], y, us_amount(item.unit_price), "serif", body, align="right")
                page.text(columns[3], y, us_amount(item.amount), "serif", body, align="right")
            y += body + 6
    page.line(left, y - body + 2, right, y - body + 2)
    y += 10
    for label, value, font in (("Subtotal", invoice.subtotal, "serif"),
                               (f"Sales tax {invoice.tax_percent}", invoice.tax, "serif"),
                               ("TOTAL DUE", invoice.total, "serif-bold")):
        page.text(columns[2], y, label, font, body + 1, align="right")
        page.text(columns[3], y, f"${us_amount(value)}", font, body + 1, align="right")
        y += body + 8
    y += 16
    note = wrap(f"Please make checks payable to {invoice.vendor.name} and reference invoice "
                f"{invoice.number} with your payment.", "serif-italic", body - 1, right - left)
    y = page.lines(left, y, note, "serif-italic", body - 1, body + 3)
    if stamp:
        red = (0.75, 0.1, 0.1)
        x0, y0 = size[0] / 2 - 75, y + 20
        page.rect(x0, y0, x0 + 150, y0 + 44, stroke=red, width=2.5)
        page.text(x0 + 75, y0 + 31, stamp, "sans-bold", 22, red, "center")
    return document


# --------------------------------------------------------------------------- receipts

GREENBASKET_RECEIPT = Receipt(
    store=Party("Greenbasket Market", ("1587 Alder Street", "Fernhill, WA 98072")),
    number="0412-03-58817",
    when=datetime(2024, 3, 9, 14, 32),
    currency="USD",
    items=(
        ("BANANAS ORG 2.31 LB", Decimal("1.59"), False),
        ("WHOLE MILK 1 GAL", Decimal("4.29"), False),
        ("SOURDOUGH LOAF", Decimal("5.49"), False),
        ("CHEDDAR SHARP 8 OZ", Decimal("3.99"), False),
        ("PAPER TOWELS 6 ROLL", Decimal("9.99"), True),
        ("DISH SOAP 24 OZ", Decimal("3.79"), True),
        ("COFFEE BEANS 12 OZ", Decimal("11.49"), False),
        ("AA BATTERIES 8 PK", Decimal("8.99"), True),
    ),
    tax_rate=Decimal("0.101"),
    tax_included=False,
    payment="VISA ************4471",
    cashier="JORDAN",
)

WRENFIELD_RECEIPT = Receipt(
    store=Party("Wrenfield Hardware", ("14 Market Row", "Kenilworth CV8 1AB")),
    number="R-2207-0931",
    when=datetime(2024, 3, 21, 10, 5),
    currency="GBP",
    items=(
        ("WOOD SCREWS 4X40 200PK", Decimal("6.49"), True),
        ("WALL PLUGS BROWN 100PK", Decimal("2.99"), True),
        ("MASKING TAPE 25MM", Decimal("3.25"), True),
        ("CABLE TIES 300MM 100PK", Decimal("4.80"), True),
        ("WORK GLOVES SIZE 9", Decimal("5.87"), True),
    ),
    tax_rate=Decimal("0.20"),
    tax_included=True,
    payment="CONTACTLESS MASTERCARD **** 0927",
    cashier="SAM",
)


def receipt_page(receipt: Receipt) -> pymupdf.Document:
    """A thermal till receipt, 80 mm wide, in the monospace font such printers use."""
    width = 226.0
    symbol = "$" if receipt.currency == "USD" else "£"
    columns = 32
    lines: list[str] = []

    def row(label: str, value: str) -> str:
        return f"{label}{value.rjust(columns - len(label))}"

    lines += ["", receipt.store.name.upper().center(columns)]
    lines += [line.center(columns) for line in receipt.store.address]
    phone = "TEL (425) 555-0164" if receipt.currency == "USD" else "TEL 01926 555 018"
    lines += [phone.center(columns)]
    if receipt.tax_included:
        lines += ["VAT NO. GB 882 4410 27".center(columns)]
    lines += ["-" * columns]
    day = f"{receipt.when:%m/%d/%Y}" if receipt.currency == "USD" else f"{receipt.when:%d/%m/%Y}"
    lines += [row(f"DATE {day}", f"TIME {receipt.when:%H:%M}"), f"RECEIPT {receipt.number}",
              row(f"CASHIER {receipt.cashier}", "TILL 03"), "-" * columns]
    for description, price, taxed in receipt.items:
        flag = " T" if taxed and not receipt.tax_included else ""
        lines.append(row(description[: columns - 10], f"{price:.2f}{flag}"))
    lines.append("-" * columns)
    if receipt.tax_included:
        lines += [row("NET", f"{receipt.subtotal:.2f}"),
                  row(f"VAT {receipt.tax_rate * 100:.0f}%", f"{receipt.tax:.2f}")]
    else:
        lines += [row("SUBTOTAL", f"{receipt.subtotal:.2f}"),
                  row(f"TAX {receipt.tax_rate * 100:.1f}%", f"{receipt.tax:.2f}")]
    lines += ["", row("TOTAL", f"{symbol}{receipt.total:.2f}"), ""]
    lines += [receipt.payment, row("AMOUNT", f"{symbol}{receipt.total:.2f}"), "APPROVED  AUTH 08813C", ""]
    lines += [f"ITEMS SOLD {len(receipt.items)}", "-" * columns]
    lines += [line.center(columns) for line in (
        ("THANK YOU FOR SHOPPING", "WITH US!", "RETURNS WITHIN 30 DAYS", "WITH RECEIPT")
        if receipt.currency == "USD" else
        ("THANK YOU FOR YOUR CUSTOM", "KEEP YOUR RECEIPT", "FOR RETURNS AND EXCHANGES"))]
    size, leading = 10.5, 13.5
    height = 30 + leading * (len(lines) + 1)
    document = pymupdf.open()
    page = Page(document, (width, height))
    y = 24.0
    for line in lines:
        bold = line.startswith(("TOTAL", receipt.store.name.upper().center(columns)))
        page.text(10, y, line, "mono-bold", size + (0.5 if bold else 0))
        y += leading
    return document


def thermal_scan(image: Image.Image, seed: int, angle: float, noise: int) -> Image.Image:
    """A till receipt on a scanner bed: faded thermal print, darker bed around the paper."""
    rng = np.random.default_rng(seed)
    receipt = np.asarray(image, dtype=np.float32)
    height, width = receipt.shape
    # Thermal print fades unevenly along the roll: a slow ramp of ink strength.
    fade = linear_ramp(height, 1, 0.95, 0.72)
    darkness = (np.float32(255) - receipt) / np.float32(255) * fade
    paper = np.float32(243) - np.float32(12) * linear_ramp(height, width, 0.0, 1.0)
    printed = paper * (np.float32(1) - darkness)
    margin_x, margin_y = 60, 50
    bed = np.full((height + 2 * margin_y, width + 2 * margin_x), 196, dtype=np.float32)
    bed[margin_y:margin_y + height, margin_x:margin_x + width] = printed
    tilted = Image.fromarray(np.clip(bed, 0, 255).astype(np.uint8), "L").rotate(
        angle, resample=Image.Resampling.BICUBIC, fillcolor=196)
    tilted = tilted.filter(ImageFilter.GaussianBlur(0.6))
    noisy = np.asarray(tilted, dtype=np.float32) + integer_noise(rng, (tilted.height, tilted.width), noise)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")


# --------------------------------------------------------------------------- contracts

VANTORRA = Party("Vantorra Robotics, Inc.", ("2150 Meridian Parkway", "Durham, NC 27713", "USA"))
HALDEN = Party("Halden Bridge IT Services Ltd", ("3 Calder Yard", "Leeds LS10 1PQ", "United Kingdom"))
CORBEL = Party("Corbel Forklift Rentals LLC", ("6600 Industrial Parkway", "Grove City, OH 43123", "USA"))


def nda_recitals(contract: Contract) -> list[str]:
    one, two = contract.parties
    return [
        f"This {contract.title} (the \"Agreement\") is entered into as of {contract.day(contract.effective)} "
        f"(the \"Effective Date\") by and between {one.name}, a Delaware corporation with its principal "
        f"office at {one.one_line_address} (\"Tallowmere\"), and {two.name}, a North Carolina corporation "
        f"with its principal office at {two.one_line_address} (\"Vantorra\"). Tallowmere and Vantorra are "
        "each referred to as a \"Party\" and together as the \"Parties\".",
        "WHEREAS, the Parties wish to evaluate a possible collaboration under which Vantorra would deploy "
        "autonomous mobile robots for order picking in Tallowmere's Columbus fulfilment centre (the "
        "\"Purpose\"); and WHEREAS, in the course of that evaluation each Party may disclose to the other "
        "information that it considers confidential;",
        "NOW, THEREFORE, in consideration of the mutual covenants set out below, the Parties agree as follows:",
    ]


def nda_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Definition of Confidential Information", [
            "\"Confidential Information\" means any non-public information disclosed by one Party (the "
            "\"Disclosing Party\") to the other Party (the \"Receiving Party\"), whether orally, visually, "
            "in writing or in electronic form, that is designated as confidential or that a reasonable "
            "person would understand to be confidential given its nature and the circumstances of "
            "disclosure. Confidential Information includes, without limitation, warehouse layouts, order "
            "volumes, throughput and labour data, customer lists, pricing, software, source code, robot "
            "navigation maps, technical specifications, product roadmaps and business plans.",
            "Confidential Information does not include information that the Receiving Party can show by "
            "written records (a) is or becomes generally available to the public through no fault of the "
            "Receiving Party; (b) was lawfully known to the Receiving Party before disclosure without a "
            "duty of confidentiality; (c) is lawfully received from a third party who is free to disclose "
            "it; or (d) is independently developed by the Receiving Party without use of or reference to "
            "the Disclosing Party's Confidential Information.",
        ]),
        ("2. Obligations of the Receiving Party", [
            "The Receiving Party shall (a) use the Confidential Information solely for the Purpose; (b) not "
            "disclose the Confidential Information to any third party except to its employees, officers, "
            "professional advisers and subcontractors who need to know it for the Purpose and who are bound "
            "by written obligations of confidentiality no less protective than those in this Agreement; and "
            "(c) protect the Confidential Information using at least the same degree of care it uses to "
            "protect its own confidential information of similar importance, and in no event less than "
            "reasonable care.",
            "The Receiving Party shall promptly notify the Disclosing Party in writing upon becoming aware of "
            "any unauthorised use or disclosure of Confidential Information and shall cooperate with the "
            "Disclosing Party to regain possession of the Confidential Information and to prevent further "
            "unauthorised use or disclosure.",
        ]),
        ("3. Compelled Disclosure", [
            "If the Receiving Party is required by law, regulation or order of a court or governmental "
            "authority to disclose any Confidential Information, it shall, to the extent legally permitted, "
            "give the Disclosing Party prompt written notice so that the Disclosing Party may seek a "
            "protective order or other remedy, and shall disclose only that portion of the Confidential "
            "Information that it is legally required to disclose.",
        ]),
        ("4. Site Visits and Data", [
            "Any visit by one Party's personnel to the other Party's premises shall be subject to the host "
            "Party's safety, security and data protection rules. Vantorra shall not record video or capture "
            "mapping data in Tallowmere's facilities except as agreed in writing for the Purpose, and any such "
            "recordings and maps are Confidential Information of Tallowmere. Neither Party shall disclose "
            "personal data to the other under this Agreement unless the Parties have first agreed appropriate "
            "data processing terms.",
        ]),
        ("5. Term and Renewal", [
            f"This Agreement commences on the Effective Date and remains in force for an initial term of "
            f"{contract.term.words}, expiring on {contract.day(contract.expiration)}, unless terminated earlier "
            f"in accordance with this Section. Thereafter this Agreement shall automatically renew for "
            f"successive periods of {contract.renewal.words} each, unless either Party gives the other written "
            f"notice of non-renewal at least thirty (30) days before the end of the then-current term.",
            "Either Party may terminate this Agreement at any time on thirty (30) days' written notice. The "
            "obligations in Sections 1 to 4 shall survive expiration or termination for a period of three (3) "
            "years, and with respect to trade secrets for as long as the information remains a trade secret "
            "under applicable law.",
        ]),
        ("6. Return or Destruction", [
            "Upon the Disclosing Party's written request, and in any event upon expiration or termination of "
            "this Agreement, the Receiving Party shall promptly return or destroy all Confidential Information "
            "in its possession, including all copies, notes and extracts, and shall certify such destruction "
            "in writing, except that the Receiving Party may retain copies in automatic electronic back-ups "
            "and as required by law, subject to continuing confidentiality.",
        ]),
        ("7. No Licence; No Warranty", [
            "All Confidential Information remains the property of the Disclosing Party. Nothing in this "
            "Agreement grants the Receiving Party any licence or right under any patent, copyright, trade "
            "secret or other intellectual property right, except the limited right to use the Confidential "
            "Information for the Purpose. CONFIDENTIAL INFORMATION IS PROVIDED \"AS IS\" WITHOUT WARRANTY OF "
            "ANY KIND. Nothing in this Agreement obliges either Party to enter into any further agreement.",
        ]),
        ("8. Remedies", [
            "The Receiving Party acknowledges that unauthorised use or disclosure of Confidential Information "
            "may cause the Disclosing Party irreparable harm for which damages would not be an adequate "
            "remedy. Accordingly, the Disclosing Party shall be entitled to seek injunctive relief in "
            "addition to any other remedies available at law or in equity, without the necessity of posting "
            "a bond.",
        ]),
        ("9. Governing Law and Jurisdiction", [
            f"This Agreement shall be governed by and construed in accordance with the laws of the "
            f"{contract.governing_law}, without regard to its conflict of laws principles. Each Party submits "
            "to the exclusive jurisdiction of the state and federal courts located in New Castle County, "
            "Delaware, for any action arising out of or relating to this Agreement.",
        ]),
        ("10. Miscellaneous", [
            "This Agreement constitutes the entire agreement between the Parties regarding its subject matter "
            "and supersedes all prior discussions. It may be amended only in a writing signed by both Parties. "
            "Neither Party may assign this Agreement without the other Party's prior written consent, except "
            "to a successor to all or substantially all of its business. If any provision is held "
            "unenforceable, the remaining provisions remain in full force. This Agreement may be executed in "
            "counterparts, including by electronic signature, each of which is an original.",
            "Notices shall be in writing and delivered to the addresses stated above, to the attention of the "
            "General Counsel of Tallowmere and the Chief Executive Officer of Vantorra respectively.",
        ]),
    ]


def msa_recitals(contract: Contract) -> list[str]:
    client, provider = contract.parties
    return [
        f"THIS AGREEMENT is dated {contract.day(contract.effective)} (the \"Effective Date\") and is made "
        f"BETWEEN (1) {client.name}, a company incorporated in England and Wales with company number "
        f"14820377, whose registered office is at {client.one_line_address} (the \"Client\"); and (2) "
        f"{provider.name}, a company incorporated in England and Wales with company number 09917364, whose "
        f"registered office is at {provider.one_line_address} (the \"Provider\").",
        "BACKGROUND: The Client operates warehouses in Coventry and Daventry and wishes to outsource the "
        "support of its end-user IT, network and warehouse handheld devices. The Provider has agreed to "
        "provide those services on the terms of this agreement.",
    ]


def msa_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Services", [
            "The Provider shall provide the managed IT services described in Schedule 1 (the \"Services\"), "
            "including a service desk available 07:00 to 22:00 UK time on business days, on-site support at "
            "the Client's warehouses within four (4) business hours for priority 1 incidents, management of "
            "the Client's network switches and wireless access points, and repair or replacement of handheld "
            "barcode scanners and label printers.",
            "The Provider shall meet the service levels in Schedule 2. If the Provider fails to meet a "
            "service level in any month, the Client shall be entitled to the service credits set out in "
            "Schedule 2, which shall be deducted from the next invoice. Service credits are a price adjustment "
            "and not an exclusive remedy.",
        ]),
        ("2. Charges and Payment", [
            "In consideration of the Services the Client shall pay the Provider a monthly fee of GBP 7,450.00 "
            "plus VAT, invoiced monthly in advance, together with any additional charges agreed in writing "
            "through the change control procedure. The Client shall pay each undisputed invoice within thirty "
            "(30) days of receipt. The Provider may increase the monthly fee once in each contract year, on "
            "ninety (90) days' notice, by no more than the annual change in the UK Consumer Prices Index.",
        ]),
        ("3. Term and Renewal", [
            f"This agreement commences on the Effective Date and, unless terminated earlier in accordance with "
            f"clause 8, continues for an initial term of {contract.term.words} ending on "
            f"{contract.day(contract.expiration)} (the \"Initial Term\"). At the end of the Initial Term this "
            f"agreement shall automatically renew for successive renewal periods of {contract.renewal.words} "
            "each (each a \"Renewal Term\") unless either party gives the other not less than ninety (90) days' "
            "written notice of non-renewal before the end of the Initial Term or the then-current Renewal Term.",
        ]),
        ("4. Client Responsibilities", [
            "The Client shall provide the Provider with reasonable access to its premises, systems and "
            "personnel, nominate a contract manager, and ensure that its own staff follow the Provider's "
            "reasonable instructions for logging incidents through the service desk portal.",
        ]),
        ("5. Data Protection", [
            "Each party shall comply with the UK GDPR and the Data Protection Act 2018. To the extent that the "
            "Provider processes personal data on behalf of the Client, it does so as processor under the data "
            "processing terms in Schedule 3 and only on the Client's documented instructions.",
        ]),
        ("6. Confidentiality", [
            "Each party shall keep confidential all information of the other party obtained under or in "
            "connection with this agreement and shall not use it except to perform its obligations or "
            "exercise its rights under this agreement. This clause survives termination for five (5) years.",
        ]),
        ("7. Limitation of Liability", [
            "Nothing in this agreement limits liability for death or personal injury caused by negligence, "
            "for fraud or fraudulent misrepresentation, or for any other liability that cannot be limited by "
            "law. Subject to that, each party's total liability in each contract year shall not exceed one "
            "hundred and fifty per cent (150%) of the charges paid or payable in that contract year, and "
            "neither party shall be liable for loss of profits, loss of business or indirect loss.",
        ]),
        ("8. Termination", [
            "Either party may terminate this agreement with immediate effect by written notice if the other "
            "party commits a material breach which is not remedied within thirty (30) days of notice, or "
            "becomes insolvent. On termination the Provider shall provide reasonable exit assistance for up to "
            "three (3) months at its then-current rates and return all Client data.",
        ]),
        ("9. Governing Law and Jurisdiction", [
            f"This agreement and any dispute or claim (including non-contractual disputes or claims) arising "
            f"out of or in connection with it shall be governed by and construed in accordance with the law of "
            f"{contract.governing_law}. The courts of England and Wales shall have exclusive jurisdiction.",
        ]),
        ("10. General", [
            "This agreement, with its schedules, is the entire agreement between the parties. No variation is "
            "effective unless in writing and signed by both parties. A person who is not a party has no right "
            "under the Contracts (Rights of Third Parties) Act 1999 to enforce any term of this agreement.",
        ]),
    ]


def lease_recitals(contract: Contract) -> list[str]:
    lessor, lessee = contract.parties
    return [
        f"This {contract.title} (\"Lease\") is made effective {contract.day(contract.effective)} (the "
        f"\"Effective Date\") between {lessor.name}, an Ohio limited liability company, "
        f"{lessor.one_line_address} (\"Lessor\"), and {lessee.name}, {lessee.one_line_address} (\"Lessee\").",
    ]


def lease_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Equipment", [
            "Lessor leases to Lessee, and Lessee leases from Lessor, four (4) electric counterbalance "
            "forklifts, model CF-30E, serial numbers CF30-11842 to CF30-11845, each with charger (the "
            "\"Equipment\"), for use at Lessee's warehouse at 880 Larkspur Avenue, Columbus, Ohio.",
        ]),
        ("2. Term", [
            f"The term of this Lease is {contract.term.words}, beginning on the Effective Date and ending on "
            f"{contract.day(contract.expiration)}. Unless either party gives sixty (60) days' written notice "
            "before "
            f"the end of the term, this Lease renews for successive periods of {contract.renewal.words} each "
            "on the same terms.",
        ]),
        ("3. Rent", [
            "Lessee shall pay monthly rent of USD 2,760.00 (USD 690.00 per unit), in advance on the first day "
            "of each month. Late payments bear a charge of 1.5% per month.",
        ]),
        ("4. Maintenance", [
            "Lessor shall perform planned maintenance every 250 operating hours and repair defects not caused "
            "by misuse, within two (2) business days of notice. Lessee shall keep the batteries charged and "
            "watered as instructed and allow only trained, certified operators to use the Equipment.",
        ]),
        ("5. Insurance and Risk", [
            "Lessee bears the risk of loss or damage to the Equipment while in its possession and shall insure "
            "it for its full replacement value, naming Lessor as loss payee.",
        ]),
        ("6. Return", [
            "At the end of the Lease, Lessee shall make the Equipment available for collection in the same "
            "condition as delivered, ordinary wear and tear excepted.",
        ]),
        ("7. Governing Law", [
            f"This Lease is governed by the laws of the {contract.governing_law}.",
        ]),
    ]


NDA = Contract(
    title="Mutual Non-Disclosure Agreement",
    contract_type="Non-Disclosure Agreement",
    parties=(TALLOWMERE_US, VANTORRA),
    effective=date(2024, 3, 1),
    expiration=date(2026, 2, 28),
    term=Duration(2, "year"),
    renewal=Duration(1, "year"),
    governing_law="State of Delaware",
    sections=nda_sections,
    recitals=nda_recitals,
)

MSA = Contract(
    title="Managed IT Services Agreement",
    contract_type="Services Agreement",
    parties=(TALLOWMERE_UK, HALDEN),
    effective=date(2024, 4, 1),
    expiration=date(2027, 3, 31),
    term=Duration(3, "year"),
    renewal=Duration(12, "month"),
    governing_law="England and Wales",
    sections=msa_sections,
    recitals=msa_recitals,
    british=True,
)

LEASE = Contract(
    title="Equipment Lease Agreement",
    contract_type="Lease Agreement",
    parties=(CORBEL, TALLOWMERE_US),
    effective=date(2024, 2, 15),
    expiration=date(2026, 2, 14),
    term=Duration(24, "month"),
    renewal=Duration(1, "month"),
    governing_law="State of Ohio",
    sections=lease_sections,
    recitals=lease_recitals,
)


def contract_document(contract: Contract, size: tuple[float, float], body: float, seed: int,
                      header: str) -> pymupdf.Document:
    """Title, recitals and numbered clauses flowing over pages, then a signature block."""
    document = pymupdf.open()
    left, right, bottom = 72.0, size[0] - 72, size[1] - 72
    leading = body * 1.38
    page = Page(document, size)
    drawn_pages = [page]
    page.text(size[0] / 2, 96, contract.title.upper(), "serif-bold", body + 6, align="center")
    y = 132.0

    def ensure(space: float) -> None:
        nonlocal page, y
        if y + space > bottom:
            page = Page(document, size)
            drawn_pages.append(page)
            y = 84.0

    def paragraph(text: str, font: str = "serif") -> None:
        nonlocal y
        for line in wrap(text, font, body, right - left):
            ensure(leading)
            page.text(left, y, line, font, body)
            y += leading
        y += body * 0.6

    for text in contract.recitals(contract):
        paragraph(text)
    for heading, paragraphs in contract.sections(contract):
        ensure(leading * 3)
        y += body * 0.4
        page.text(left, y, heading, "serif-bold", body)
        y += leading
        for text in paragraphs:
            paragraph(text)
    ensure(150)
    y += 10
    paragraph("IN WITNESS WHEREOF, the parties have executed this agreement as of the Effective Date.")
    y += 10
    signatories = {
        "Tallowmere Logistics Inc.": ("Miriam Okafor-Lindt", "General Counsel"),
        "Tallowmere Logistics UK Ltd": ("Graham Pellow", "Director"),
        VANTORRA.name: ("Dev Anand Castellano", "Chief Executive Officer"),
        HALDEN.name: ("Rhiannon Keble", "Managing Director"),
        CORBEL.name: ("Walt Brubeck", "Member"),
    }
    for index, party in enumerate(contract.parties):
        x = left + index * (right - left) / 2
        name, role = signatories[party.name]
        page.text(x, y, party.name, "serif-bold", body)
        page.signature(x + 6, y + 34, seed + index)
        page.line(x, y + 42, x + 200, y + 42)
        page.lines(x, y + 56, (f"Name: {name}", f"Title: {role}", f"Date: {contract.day(contract.effective)}"),
                   "serif", body - 1, body + 3)
    for number, drawn in enumerate(drawn_pages, start=1):
        drawn.text(left, size[1] - 40, f"{header} – Page {number} of {len(drawn_pages)}", "serif", 8, GREY)
    return document


# --------------------------------------------------------------------------- tickets


OUTAGE_TICKET = Ticket(
    requester_name="Odalys Brennan",
    requester_email="o.brennan@fernleaf-outdoor.example",
    company="Fernleaf Outdoor Co.",
    subject="ShipTrack API returning 503 - no labels printing since 07:40",
    product="ShipTrack API",
    ticket_type="Incident",
    body="""Hi,

Since about 07:40 UTC this morning every call our warehouse system makes to the ShipTrack
API (POST /v2/shipments and GET /v2/labels) fails with "503 Service Unavailable". The
status page still shows all systems operational.

Impact: none of our outbound orders can get a shipping label, so nothing is leaving the
building. We have roughly 1,900 orders queued for today's 15:00 carrier cut-off and two
packing lines are standing idle. Retries with backoff have not helped.

Request IDs from the last failures:
  req_9f1c27ab3e  07:41:12Z
  req_a04d81c6f2  08:02:55Z
  req_c7710e93bd  08:15:03Z

Please treat this as critical and call me on +1 614 555 0188 as soon as someone is
looking at it.

Odalys Brennan
Warehouse Systems Lead, Fernleaf Outdoor Co.""",
)

BILLING_TICKET = Ticket(
    requester_name="Tomasz Wierzbicki",
    requester_email="accounts@harrow-and-pike.example",
    company="Harrow & Pike Homewares",
    subject="Storage fees on February invoice doubled - please explain",
    product="Warehousing and storage",
    ticket_type="Request",
    body="""Hello,

Our February invoice TL-INV-24-02117 shows pallet storage of 412 pallet-weeks at
$4.80, i.e. $1,977.60. In January we were charged for about 200 pallet-weeks and our
stock level has not changed much (around 50 pallets on hand).

Could you please send us the storage report behind this figure and, if the
quantity is wrong, a credit note? We would like to pay the correct amount before the
due date of 15 March.

Also, our billing contact has changed: please send future invoices to
accounts@harrow-and-pike.example instead of Jenna's address.

Kind regards,
Tomasz Wierzbicki
Finance, Harrow & Pike Homewares""",
)

RETURNS_TICKET = Ticket(
    requester_name="Beatrix Lomond",
    requester_email="beatrix.lomond@mailbox.example",
    company="(private customer)",
    subject="Return of wrong-size daypack, order FO-118264",
    product="Kestrel 40L Daypack",
    ticket_type="Request",
    body="""Hi there,

I ordered a Kestrel 40L Daypack in size M/L (order FO-118264, delivered on 6 March)
but the one in the parcel is size S/M. The tag is still attached and it has not been
used.

Could you send me a return label, or exchange it for the M/L if you have it in stock?
No rush - I don't need it before April.

Thanks,
Beatrix Lomond
22 Heather Close, Hilliard, OH 43026""",
)

LOGIN_TICKET = Ticket(
    requester_name="Kwame Asante-Ruiz",
    requester_email="kwame.asante@brightwell-pharmacy.example",
    company="Brightwell Pharmacy Supplies",
    subject="Cannot log in to ShipTrack portal after password reset - 2FA code not arriving",
    product="ShipTrack Portal",
    ticket_type="Problem",
    body="""Hello ShipTrack support,

Since I reset my password yesterday afternoon I can no longer sign in to the ShipTrack
customer portal. The new password is accepted, but the two-factor code that should
arrive by text message never comes (I waited 10 minutes and tried "resend" three
times). My phone number on the account ends in 0147.

Two colleagues on the same account (Brightwell Pharmacy Supplies, account BW-20418)
can still log in, so it seems to be only my user.

I need access to approve tomorrow's inbound delivery appointments, so I would be
grateful for help today if possible. I can also switch to an authenticator app if
that is easier.

Best regards,
Kwame Asante-Ruiz
Operations Coordinator
Brightwell Pharmacy Supplies""",
)


def ticket_text(ticket: Ticket, number: str, submitted: str, channel: str, priority: str) -> bytes:
    """A ticket as the helpdesk exports it to text: a title line, a field block, the message."""
    title = f"SUPPORT TICKET {number}"
    fields = [
        ("Submitted", submitted), ("Channel", channel), ("Requester", ticket.requester_name),
        ("Email", ticket.requester_email), ("Company", ticket.company), ("Product", ticket.product),
        ("Customer priority", priority), ("Subject", ticket.subject),
    ]
    lines = [title, "=" * len(title)]
    lines += [f"{label + ':':<19}{value}" for label, value in fields]
    lines += ["", "Message:", "", ticket.body, ""]
    return "\n".join(lines).encode("utf-8")


def support_mail(ticket: Ticket, when: datetime) -> bytes:
    """The ticket as a customer's e-mail: multipart/alternative, plain text and HTML."""
    message = EmailMessage()
    message["Return-Path"] = f"<{ticket.requester_email}>"
    message["Received"] = ("from mail.brightwell-pharmacy.example (mail.brightwell-pharmacy.example "
                           "[192.0.2.41]) by mx1.tallowmere.example with ESMTPS id 4TvX2k1Qz9; "
                           f"{format_datetime(when + timedelta(seconds=4))}")
    message["From"] = f"{ticket.requester_name} <{ticket.requester_email}>"
    message["To"] = "ShipTrack Support <support@tallowmere.example>"
    message["Subject"] = ticket.subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = "<CAF8x2Qm7wPz0r1d@mail.brightwell-pharmacy.example>"
    message["X-Mailer"] = "Microsoft Outlook 16.0"
    message.set_content(ticket.body + "\n")
    paragraphs = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in ticket.body.split("\n\n"))
    message.add_alternative(f"<html><body style=\"font-family:Calibri,sans-serif\">{paragraphs}</body></html>\n",
                            subtype="html")
    return mail_bytes(message)


def mail_bytes(message: EmailMessage) -> bytes:
    """Serialised with fixed MIME boundaries (the library would draw random ones)."""
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{4471 + index}_1093022.1710407852000")
    return message.as_bytes()


# --------------------------------------------------------------------------- other documents


def memo_pdf() -> bytes:
    """An internal HR memo: routine, no amounts or parties - the classifier's 'other'."""
    document = pymupdf.open()
    page = Page(document, LETTER)
    left, right = 72.0, LETTER[0] - 72
    page.text(left, 84, "Tallowmere Logistics", "sans-bold", 16, (0.2, 0.35, 0.3))
    page.text(right, 84, "INTERNAL MEMO", "sans-bold", 12, GREY, "right")
    page.line(left, 94, right, 94, (0.2, 0.35, 0.3), 1.5)
    y = 124
    for label, value in (("To:", "All Columbus staff"), ("From:", "Lena Marchetti, People & Culture"),
                         ("Date:", "March 18, 2024"), ("Re:", "Spring schedule, parking and open enrollment")):
        page.text(left, y, label, "sans-bold", 10.5)
        page.text(left + 50, y, value, "sans", 10.5)
        y += 16
    y += 14
    text = [
        "Hello everyone,",
        "Spring is finally here, and with it a few changes to keep in mind over the coming weeks.",
        "Shift schedule. From Monday, April 8, the early shift in the fulfilment centre starts at 6:00 am "
        "instead of 5:30 am, and the late shift ends at 10:30 pm. Team leads will post the updated rotas on "
        "the break-room boards by March 29. Office hours are unchanged.",
        "Parking. The north lot will be resurfaced between April 15 and April 19. During that week please "
        "use the overflow lot on Kestrel Drive; a shuttle will run every 15 minutes between 5:30 am and "
        "11:00 pm. Visitor spaces at the front entrance remain available.",
        "Open enrollment. Benefits open enrollment runs from April 1 to April 26. You will receive an e-mail "
        "with a link to the benefits portal; if you make no choices, your current elections carry over. Two "
        "drop-in information sessions take place in the training room on April 4 at 1:00 pm and April 10 at "
        "7:00 am.",
        "Community day. Our volunteer day with the Larkspur Community Pantry is on Saturday, April 27. "
        "Sign-up sheets are at reception.",
        "Thank you all for a strong first quarter. If you have questions about any of this, stop by the "
        "People & Culture office or reply to this memo.",
        "Lena",
    ]
    for paragraph in text:
        y = page.lines(left, y, wrap(paragraph, "sans", 10.5, right - left), "sans", 10.5, 14.5) + 7
    return pdf_bytes(document, title="Internal memo: spring schedule, parking and open enrollment",
                     author="Tallowmere Logistics People & Culture")


NEWSLETTER = """THE TALLOWMERE DISPATCH
Staff newsletter - March 2024 edition

IN THIS ISSUE
  1. Welcome to our new colleagues
  2. Bremen cold store turns one
  3. Safety corner: lifting the right way
  4. Photo competition winners
  5. Dates for your diary

1. WELCOME TO OUR NEW COLLEAGUES
Please give a warm welcome to the eleven people who joined us in February, including
Ines Varga (inventory control, Columbus), Callum Rhee (transport planning, Coventry)
and Sunniva Brandt (customer success, Bremen). You will find short introductions from
all of them on the intranet.

2. BREMEN COLD STORE TURNS ONE
Our temperature-controlled warehouse in Bremen celebrated its first anniversary. In its
first year the team handled more than 48,000 pallet movements without a single
temperature excursion. Congratulations to site manager Jörg Hollenbeck and his crew!

3. SAFETY CORNER: LIFTING THE RIGHT WAY
Most back injuries in warehouses come from lifting boxes that are lighter than people
expect to be dangerous. Bend your knees, keep the load close to your body, and ask for a
second pair of hands for anything over 23 kg (50 lb). Refresher videos are on the
training portal.

4. PHOTO COMPETITION WINNERS
The theme was "a day in the dock". First prize goes to Amara Osei for her sunrise shot
of door 14; runners-up are Piet Lammers and Yuki Hartmann. The winning photos will hang
in the Columbus canteen.

5. DATES FOR YOUR DIARY
  - April 4   Open enrollment information session (Columbus)
  - April 20  Coventry five-a-side football tournament
  - April 27  Volunteer day at the Larkspur Community Pantry

Have a story for the next edition? Write to dispatch@tallowmere.example.
"""


def delivery_note(invoice: Invoice) -> Image.Image:
    """The supplier's delivery note, signed on receipt at the dock and scanned."""
    document = pymupdf.open()
    page = Page(document, A5)
    left, right = 32.0, A5[0] - 32
    page.text(left, 46, invoice.vendor.name, "sans-bold", 13)
    page.lines(left, 60, invoice.vendor.address, "sans", 8, 10)
    page.text(right, 48, "DELIVERY NOTE", "sans-bold", 13, align="right")
    y = 100
    for label, value in (("Delivery note:", "DN-5567"), ("Date:", f"{invoice.issued:%d/%m/%Y}"),
                         ("Your order:", invoice.po_number or "-"), ("Invoice:", invoice.number)):
        page.text(left, y, label, "sans-bold", 9)
        page.text(left + 80, y, value, "sans", 9)
        y += 13
    page.text(230, 100, "Deliver to:", "sans-bold", 9)
    page.lines(230, 113, (invoice.buyer.name, *invoice.buyer.address), "sans", 9, 12)
    y += 14
    page.line(left, y, right, y)
    page.text(left, y + 12, "Code", "sans-bold", 9)
    page.text(left + 70, y + 12, "Description", "sans-bold", 9)
    page.text(right, y + 12, "Qty", "sans-bold", 9, align="right")
    y += 18
    page.line(left, y, right, y)
    for item in invoice.items[:-1]:  # the delivery charge is not a delivered good
        y += 14
        page.text(left, y, item.code, "sans", 9)
        page.text(left + 70, y, item.description[:44], "sans", 9)
        page.text(right, y, f"{item.quantity.normalize():f}", "sans", 9, align="right")
    y += 10
    page.line(left, y, right, y)
    page.text(left, y + 16, "Pallets: 3    Gross weight: 612 kg", "sans", 9)
    page.text(left, y + 44, "Received in good condition:", "sans-bold", 9)
    page.signature(left + 140, y + 44, seed=77, width=90)
    page.line(left + 135, y + 50, right, y + 50)
    page.text(left + 135, y + 62, "Signature / name: D. Maclaren    Date: 15/03/2024", "sans", 8)
    image = render_gray(document, dpi=200)[0]
    # Saved as PNG: no sensor noise (the scanner's noise filter), or the file would be megabytes.
    return scan(image, seed=31, angle=-0.8, paper=(232, 222), blur=0.5, noise=0, speckles=150)


# --------------------------------------------------------------------------- assembly


def supplier_mail(invoice: Invoice, invoice_pdf: bytes, note_png: bytes, note_name: str) -> bytes:
    when = datetime(2024, 3, 14, 9, 17, 32, tzinfo=timezone.utc)
    body = (
        "Dear Accounts Payable team,\n\n"
        f"please find attached invoice {invoice.number} dated {long_date(invoice.issued, british=True)} for "
        f"your order {invoice.po_number}, amounting to GBP {us_amount(invoice.total)} including VAT, payable by "
        f"{long_date(invoice.due, british=True) if invoice.due else 'return'}.\n\n"
        "The signed delivery note for the consignment (3 pallets, delivered 15 March) is attached as well.\n\n"
        "Kind regards,\n\n"
        "Priya Dunmore\nCredit Control\n"
        f"{invoice.vendor.name}\n{invoice.vendor.one_line_address}\n{invoice.vendor_contact[0]}\n"
    )
    message = EmailMessage()
    message["Return-Path"] = "<accounts@skelmore-packaging.example>"
    message["Received"] = ("from smtp.skelmore-packaging.example "
                           "(smtp.skelmore-packaging.example [198.51.100.23]) "
                           "by mx1.tallowmere.example with ESMTPS id 4Tw0Lr6hJ2; "
                           f"{format_datetime(when + timedelta(seconds=3))}")
    message["From"] = "Skelmore Packaging Accounts <accounts@skelmore-packaging.example>"
    message["To"] = "Accounts Payable <ap@tallowmere.example>"
    message["Subject"] = f"Invoice {invoice.number} from {invoice.vendor.name}"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = "<20240314091732.4f1c8e@smtp.skelmore-packaging.example>"
    message["X-Mailer"] = "Sage 200 Mailer 2.4"
    message.set_content(body)
    html_body = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in body.strip().split("\n\n"))
    message.add_alternative(f"<html><body>{html_body}</body></html>\n", subtype="html")
    message.add_attachment(invoice_pdf, maintype="application", subtype="pdf", filename=f"{invoice.number}.pdf")
    message.add_attachment(note_png, maintype="image", subtype="png", filename=note_name)
    return mail_bytes(message)


def build_documents() -> list[SampleDoc]:
    docs: list[SampleDoc] = []

    def add(filename: str, doc_type: str, urgency: str, department: str, fields: dict,
            description: str, content: bytes, attachments: tuple[SampleDoc, ...] = ()) -> None:
        docs.append(SampleDoc(filename, doc_type, urgency, department, fields, description, content, attachments))

    # Invoices
    add("invoice_harborline_multipage.pdf", "invoice", "medium", "Finance", HARBORLINE_INVOICE.fields(),
        f"Multi-page US supplier invoice (USD, sales tax) with {len(HARBORLINE_INVOICE.items)} line items; "
        "PDF with a text layer.",
        invoice_classic(HARBORLINE_INVOICE, (0.08, 0.30, 0.52), "$"))
    add("invoice_ostwald_eur_vat.pdf", "invoice", "medium", "Finance", OSTWALD_INVOICE.fields(),
        "German maintenance invoice in EUR with 19% VAT, DIN 5008 letter layout, European number "
        "and date formats; PDF with a text layer.",
        invoice_din(OSTWALD_INVOICE))
    scanned = render_gray(invoice_typed(PINECREST_INVOICE, stamp="PAST DUE"), dpi=200)[0]
    add("invoice_pinecrest_scanned.pdf", "invoice", "high", "Finance", PINECREST_INVOICE.fields(),
        "Scanned janitorial invoice stamped PAST DUE: image-only PDF (200 dpi JPEG, skewed about 1.3 degrees, "
        "grey paper, blur, noise), no text layer, so it needs OCR.",
        image_pdf([scan(scanned, seed=11, angle=1.3, speckles=400)], dpi=200,
                  title="Scanned document"))
    photo_page = invoice_typed(BLUEGILL_INVOICE, stamp="PAID", size=(432.0, 612.0), body=11)
    add("invoice_bluegill_photo.jpg", "invoice", "low", "Finance", BLUEGILL_INVOICE.fields(),
        "Phone photo (JPEG) of a paid sign-shop invoice lying on a desk: perspective, uneven light, shadow.",
        jpeg_bytes(photograph(render_rgb(photo_page[0], dpi=220), seed=12), quality=84))

    # Receipts
    add("receipt_greenbasket.png", "receipt", "low", "Finance", GREENBASKET_RECEIPT.fields(),
        "Scanned US grocery till receipt (PNG, 203 dpi thermal print, sales tax on some items).",
        png_bytes(thermal_scan(render_gray(receipt_page(GREENBASKET_RECEIPT), dpi=203)[0], seed=21, angle=-1.1,
                               noise=0), 203))
    wrenfield = thermal_scan(render_gray(receipt_page(WRENFIELD_RECEIPT), dpi=203)[0], seed=22, angle=0.9, noise=3)
    add("receipt_wrenfield.jpg", "receipt", "low", "Finance", WRENFIELD_RECEIPT.fields(),
        "Scanned UK hardware-shop till receipt (JPEG) in GBP with VAT included in the prices.",
        jpeg_bytes(wrenfield, quality=80))

    # Contracts
    add("contract_nda_vantorra.pdf", "contract", "medium", "Legal", NDA.fields(),
        "Mutual non-disclosure agreement (several pages, Delaware law, automatic renewal); PDF with a text layer.",
        pdf_bytes(contract_document(NDA, LETTER, 10.5, seed=41, header="Mutual NDA Tallowmere / Vantorra"),
                  title=NDA.title, author="Tallowmere Logistics Inc. Legal"))
    add("contract_msa_halden.pdf", "contract", "medium", "Legal", MSA.fields(),
        "Managed IT services agreement (English law, three-year initial term, 12-month renewals); "
        "PDF with a text layer.",
        pdf_bytes(contract_document(MSA, A4, 10.5, seed=42, header="Managed IT Services Agreement"),
                  title=MSA.title, author="Halden Bridge IT Services Ltd"))
    lease_pages = render_gray(contract_document(LEASE, LETTER, 12, seed=43, header="Equipment Lease"), dpi=300)
    lease_scans = [binarize(scan(image, seed=44 + index, angle=(-0.7, 0.5)[index % 2], blur=0.8, noise=10,
                                 speckles=1500)) for index, image in enumerate(lease_pages)]
    add("contract_lease_scan.tif", "contract", "low", "Legal", LEASE.fields(),
        f"Signed forklift lease, scanned: {len(lease_scans)}-page bilevel TIFF (300 dpi, CCITT Group 4).",
        tiff_bytes(lease_scans, dpi=300))

    # Tickets
    add("ticket_shiptrack_outage.txt", "ticket", "high", "Service Outages and Maintenance", OUTAGE_TICKET.fields(),
        "Support ticket (text export): customer's label API calls fail with 503, shipping stopped.",
        ticket_text(OUTAGE_TICKET, "#TL-48213", "2024-03-11 08:19 UTC", "Web form", "Urgent"))
    add("ticket_billing_storage_fees.txt", "ticket", "medium", "Billing and Payments", BILLING_TICKET.fields(),
        "Support ticket (text export): merchant questions doubled storage fees and changes billing contact.",
        ticket_text(BILLING_TICKET, "#TL-48107", "2024-03-05 16:02 UTC", "E-mail", "Normal"))
    add("ticket_return_daypack.txt", "ticket", "low", "Returns and Exchanges", RETURNS_TICKET.fields(),
        "Support ticket (text export): shopper wants to return or exchange a wrong-size backpack.",
        ticket_text(RETURNS_TICKET, "#TL-48190", "2024-03-08 19:47 UTC", "Web form", "Low"))
    add("support_request_login.eml", "ticket", "medium", "Technical Support", LOGIN_TICKET.fields(),
        "Customer e-mail (multipart plain + HTML): locked out of the portal, 2FA codes not arriving.",
        support_mail(LOGIN_TICKET, datetime(2024, 3, 19, 8, 4, 51, tzinfo=timezone(timedelta(hours=-4)))))

    # Supplier e-mail with two attachments
    invoice_pdf = invoice_classic(SKELMORE_INVOICE, (0.45, 0.12, 0.16), "£")
    note_name = "delivery_note_DN-5567.png"
    note = png_bytes(delivery_note(SKELMORE_INVOICE), 200)
    mail_name = "supplier_invoice_skelmore.eml"
    mail_fields = {name: None for name in INVOICE_FIELDS} | {
        "vendor_name": SKELMORE_INVOICE.vendor.name,
        "vendor_address": SKELMORE_INVOICE.vendor.one_line_address,
        "invoice_number": SKELMORE_INVOICE.number,
        "invoice_date": SKELMORE_INVOICE.issued.isoformat(),
        "due_date": SKELMORE_INVOICE.due.isoformat() if SKELMORE_INVOICE.due else None,
        "currency": SKELMORE_INVOICE.currency,
        "total_amount": float(SKELMORE_INVOICE.total),
    }
    attachments = (
        SampleDoc(f"{mail_name}#{SKELMORE_INVOICE.number}.pdf", "invoice", "medium", "Finance",
                  SKELMORE_INVOICE.fields(),
                  "Attached UK packaging invoice (GBP, 20% VAT); PDF with a text layer.",
                  None),
        SampleDoc(f"{mail_name}#{note_name}", "other", "low", "Procurement", {},
                  "Attached scanned delivery note, signed on receipt (PNG).", None),
    )
    add(mail_name, "invoice", "medium", "Finance", mail_fields,
        "Supplier e-mail (multipart, realistic headers): 'please find attached invoice', with the invoice "
        "PDF and a scanned delivery note PNG attached. Its own fields are those stated in the mail body.",
        supplier_mail(SKELMORE_INVOICE, invoice_pdf, note, note_name), attachments)

    # Other
    add("memo_spring_schedule.pdf", "other", "low", "Human Resources", {},
        "Internal staff memo (shift times, parking, benefits enrollment); PDF with a text layer.", memo_pdf())
    add("newsletter_march.txt", "other", "low", "General Inquiry", {},
        "Staff newsletter in plain text.", NEWSLETTER.encode("utf-8"))
    return docs


def tiff_bytes(pages: Sequence[Image.Image], dpi: int) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=list(pages[1:]), compression="group4",
                  dpi=(dpi, dpi))
    return buffer.getvalue()


def manifest_rows(docs: Iterable[SampleDoc]) -> list[SampleDoc]:
    rows: list[SampleDoc] = []
    for doc in docs:
        rows.append(doc)
        rows.extend(doc.attachments)
    return rows


def manifest_csv(docs: Sequence[SampleDoc]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in manifest_rows(docs):
        writer.writerow([row.filename, row.doc_type, row.urgency, row.department,
                         json.dumps(row.fields, ensure_ascii=False)])
    return buffer.getvalue().encode("utf-8")


README_INTRO = """# Sample documents

A small, realistic back-office inbox for trying docpipe end to end
(`scripts/process-samples` processes `documents/`). **All content is fictional**: the
companies, people, addresses, amounts and e-mail domains (`.example`) are invented, and no
row of any dataset under `/work/shared` was used. Everything here, this README included, is
generated by `scripts/make_sample_docs.py` and is byte-for-byte reproducible:

    .venv/bin/python scripts/make_sample_docs.py            # rewrites sample_docs/
    .venv/bin/python scripts/make_sample_docs.py /tmp/out   # or any other folder

Do not edit these files by hand; change the generator and rerun it.

The documents are in `documents/`; `MANIFEST.csv` holds their ground truth, one row per file and one per e-mail attachment
(named `<mail>.eml#<attachment>`): `doc_type` (invoice, receipt, contract, ticket, other),
`urgency` (low, medium, high), `department`, and `fields`, a JSON object with the schema's
field names (invoice and receipt: vendor_name ... total_amount; contract: title ...
governing_law; ticket: requester_name ... ticket_type; `{}` for other). Dates are ISO
(YYYY-MM-DD), amounts are numbers in the document's currency (ISO 4217 code in `currency`),
contract periods are written as `2 years` / `12 months`, and a field the document does not
state is `null`. For receipts, `invoice_number` is the receipt number and `subtotal` is the
amount before tax (the net amount where prices include VAT). The supplier e-mail is labelled
an invoice: its body states the invoice number, dates and total, and it is routed to Finance.

| File | Type | What it is |
|---|---|---|
"""


def readme(docs: Sequence[SampleDoc]) -> bytes:
    rows = [f"| `{row.filename}` | {row.doc_type} | {row.description} |" for row in manifest_rows(docs)]
    return (README_INTRO + "\n".join(rows) + "\n").encode("utf-8")


def write_samples(output: Path) -> list[Path]:
    """Writes the sample files into ``output/documents/`` and MANIFEST.csv and README.md into
    ``output`` (kept apart so that processing the documents folder takes documents only)."""
    docs = build_documents()
    (output / DOCUMENTS_DIR).mkdir(parents=True, exist_ok=True)
    files = {f"{DOCUMENTS_DIR}/{doc.filename}": doc.content for doc in docs if doc.content is not None}
    files[MANIFEST_NAME] = manifest_csv(docs)
    files[README_NAME] = readme(docs)
    written = []
    for name, content in files.items():
        path = output / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT,
                        help="folder to write into (default: sample_docs/ in the repository)")
    args = parser.parse_args(argv)
    written = write_samples(args.output)
    total = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} files ({total / 1024:.0f} KiB) to {args.output}")
    # Files this generator no longer makes are not deleted (the folder may be anyone's),
    # but they would contradict the manifest, so they are named.
    stale = sorted(p.name for folder in (args.output, args.output / DOCUMENTS_DIR) for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p not in written)
    if stale:
        print(f"warning: not listed in {MANIFEST_NAME}, remove by hand: {', '.join(stale)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
