"""Generated documents as the pipeline receives them, read back by the product's own text step.

The classifier labels text as the text step extracts it: Tesseract's reading of a
crumpled thermal slip, a PDF's text layer with a column of labels before the column of
their values. Trained on the generator's clean lines instead, the default model called 9 of
30 SROIE receipt scans invoices (docs/classifier.md). So, before training:

* most generated **receipts** are printed on a narrow till roll, "scanned" (faded thermal
  ink, skew, blur, sensor noise) and OCR'd by ``extractors.text.read_text``, exactly as
  an incoming scan is; the rest stay text, as e-mailed e-receipts arrive;
* most generated **invoices** are laid out on a PDF page (label and value in columns,
  table columns apart, half of them written column by column as many invoicing systems
  do) and read back from the PDF's text layer;
* every other document (and the rest of the above) keeps its text, cells apart by spaces.

Every choice is drawn from a hash of the document's text, so a training set renders the
same every time (a model's baseline is rebuilt from the same rows); results are cached
under the data directory by that hash, which spares OCR on every training run.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from io import BytesIO

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

from classifier.examples import SYNTHETIC_SOURCE, Example
from docpipe.settings import DocpipeSettings
from extractors.text import read_text

RENDERING_VERSION = "1"
"""Changes whenever a rendering changes: part of the cache key."""

SCANNED_RECEIPTS = 0.75
"""Share of generated receipts that arrive as scans (the rest: e-receipts as text)."""
PDF_INVOICES = 0.75
"""Share of generated invoices that arrive as PDFs with a text layer (the rest: mail text)."""

CELL_GAP = "  "
"""What a tab (the generator's gap between cells) becomes in plain text."""


def plain(text: str) -> str:
    return text.replace("\t", CELL_GAP)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


# --- receipts: a till roll, scanned --------------------------------------------------------

_ROLL_FONT = "cour"


def till_roll(text: str, rng: random.Random) -> Image.Image:
    """The receipt printed on a 58 or 80 mm roll in a monospaced font: the first cell of a
    line at the left edge, the last at the right (amounts line up), a middle one centred."""
    lines = text.split("\n")
    width = rng.choice([165.0, 227.0])
    size = rng.choice([7.5, 8.0]) if width < 200 else rng.choice([8.0, 8.5, 9.0])
    leading = size * rng.uniform(1.25, 1.5)
    margin = 8.0
    document = pymupdf.open()
    page = document.new_page(width=width, height=2 * margin + leading * (len(lines) + 1))
    for number, line in enumerate(lines, 1):
        y = margin + leading * number
        cells = line.split("\t")
        centred = len(cells) == 1 and (line.isupper() and len(line) < 40) and rng.random() < 0.7
        for index, cell in enumerate(cells):
            length = pymupdf.get_text_length(cell, fontname=_ROLL_FONT, fontsize=size)
            if centred:
                x = (width - length) / 2
            elif index == 0:
                x = margin
            elif index == len(cells) - 1:
                x = width - margin - length
            else:
                x = margin + (width - 2 * margin) * index / len(cells)
            page.insert_text((max(margin / 2, x), y), cell, fontname=_ROLL_FONT, fontsize=size)
    pixmap = page.get_pixmap(dpi=rng.choice([200, 240, 300]), colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


def thermal_scan(image: Image.Image, rng: random.Random) -> Image.Image:
    """What a scanner or a phone makes of a till slip: faded, uneven thermal ink on greyish
    paper, a slight skew, soft focus, sensor noise."""
    noise = np.random.default_rng(rng.getrandbits(32))
    page = np.asarray(image, dtype=np.float32)
    darkness = (255 - page) / 255 * rng.uniform(0.65, 0.95)
    fade = np.linspace(rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0), page.shape[0], dtype=np.float32)[:, None]
    paper = rng.uniform(200, 245)
    scanned = paper * (1 - darkness * fade)
    tilted = Image.fromarray(np.clip(scanned, 0, 255).astype(np.uint8), "L").rotate(
        rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=int(paper)
    )
    soft = tilted.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.1)))
    noisy = np.asarray(soft, dtype=np.float32) + noise.normal(0, rng.uniform(4, 14), (soft.height, soft.width))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")


def scanned_receipt(text: str, rng: random.Random) -> bytes:
    image = thermal_scan(till_roll(text, rng), rng)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- invoices: a PDF page with a text layer ------------------------------------------------

_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = 595.0, 842.0, 50.0


def _blocks(text: str) -> list[list[list[str]]]:
    """Paragraphs, each a list of lines, each a list of cells."""
    return [[line.split("\t") for line in block.split("\n")] for block in text.split("\n\n")]


def invoice_pdf(text: str, rng: random.Random, by_column: bool | None = None) -> bytes:
    """The invoice on A4 pages: cells in columns (a label and its value, a table's
    columns). ``by_column`` (drawn when None): many invoicing systems write a block's labels
    first and then its values, and a text layer reads back in that order."""
    by_column = rng.random() < 0.5 if by_column is None else by_column
    font = rng.choice(["helv", "tiro", "cour"])
    size = rng.choice([8.5, 9.0, 10.0])
    leading = size * 1.45
    value_x = rng.choice([150.0, 190.0, 230.0])
    document = pymupdf.open()
    page = document.new_page(width=_PAGE_WIDTH, height=_PAGE_HEIGHT)
    y = _MARGIN
    for block in _blocks(text):
        if y + leading * len(block) > _PAGE_HEIGHT - _MARGIN:
            page = document.new_page(width=_PAGE_WIDTH, height=_PAGE_HEIGHT)
            y = _MARGIN
        width = max(len(cells) for cells in block)
        columns = [_MARGIN] if width == 1 else [_MARGIN, value_x] if width == 2 else [
            _MARGIN + (_PAGE_WIDTH - 2 * _MARGIN) * (0.45 + 0.55 * i / (width - 1)) if i else _MARGIN
            for i in range(width)
        ]
        placed = [
            (column, y + leading * (row + 1), cell)
            for row, cells in enumerate(block)
            for column, cell in enumerate(cells)
        ]
        if by_column:
            placed.sort(key=lambda item: item[0])
        for column, baseline, cell in placed:
            x = columns[min(column, len(columns) - 1)]
            if width > 2 and column == width - 1:  # amounts right-aligned
                x = _PAGE_WIDTH - _MARGIN - pymupdf.get_text_length(cell, fontname=font, fontsize=size)
            page.insert_text((x, baseline), cell, fontname=font, fontsize=size)
        y += leading * (len(block) + 1)
    return document.tobytes(garbage=3, deflate=True)


# --- the training rows ---------------------------------------------------------------------


def _kind(example: Example) -> str:
    return example.source.removeprefix(SYNTHETIC_SOURCE)


def _arrival(example: Example, rng: random.Random) -> tuple[bytes, str] | None:
    """The file a generated document arrives as, or None when it arrives as text."""
    kind = _kind(example)
    if kind == "receipt" and rng.random() < SCANNED_RECEIPTS:
        return scanned_receipt(example.text, rng), "image/png"
    if kind == "invoice" and rng.random() < PDF_INVOICES:
        return invoice_pdf(example.text, rng), "application/pdf"
    return None


def as_received(examples: Sequence[Example], settings: DocpipeSettings) -> list[Example]:
    """``examples`` with each generated one's text as the pipeline would read it on arrival."""
    cache = settings.data_dir / "cache" / "generated-text"

    def received(example: Example) -> Example:
        if not example.source.startswith(SYNTHETIC_SOURCE):
            return example
        key = hashlib.sha256(f"{RENDERING_VERSION}\0{example.source}\0{example.text}".encode()).hexdigest()
        cached = cache / f"{key}.txt"
        if cached.exists():
            return replace(example, text=cached.read_text(encoding="utf-8"))
        arrival = _arrival(example, random.Random(_seed(example.text)))
        text = plain(example.text) if arrival is None else read_text(arrival[0], settings, arrival[1]).text
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(text, encoding="utf-8")
        return replace(example, text=text)

    # Tesseract runs as a child process per page: threads keep the configured number busy.
    with ThreadPoolExecutor(max_workers=max(1, settings.ocr_workers)) as pool:
        return list(pool.map(received, examples))
