"""What scanning, photographing and saving do to a page: seeded noise from integer draws
(no platform-dependent float maths), skew, perspective, binarising, and the image encoders."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

from samples.layout import pdf_bytes


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


def tiff_bytes(pages: Sequence[Image.Image], dpi: int) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=list(pages[1:]), compression="group4",
                  dpi=(dpi, dpi))
    return buffer.getvalue()
