"""Drawing the sample PDFs: page sizes, colours, PyMuPDF's built-in fonts, a page with a
cursor, word wrap, and rendering pages to images."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pymupdf
from PIL import Image


PDF_DATE = "D:20240401090000+00'00'"  # fixed so that regenerating gives the same bytes


# Page sizes in PDF points (1/72 inch).
LETTER = (612.0, 792.0)
A4 = (595.0, 842.0)
A5 = (420.0, 595.0)

BLACK = (0.0, 0.0, 0.0)
GREY = (0.35, 0.35, 0.35)
LIGHT = (0.93, 0.93, 0.93)
WHITE = (1.0, 1.0, 1.0)


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
