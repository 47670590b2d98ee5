"""Tesseract OCR backend, for pages without a usable text layer.

Takes: PIL images (rendered PDF pages or image files). Returns: text with lines and
paragraphs as Tesseract found them, plus the mean word confidence (0-100).
Available: when the ``tesseract`` binary is on PATH (Debian package ``tesseract-ocr``).

Pages run in parallel, one single-threaded Tesseract process per page: with
``OMP_THREAD_LIMIT=1`` two processes on two cores are about twice as fast as one
multi-threaded process. The limit is given to the Tesseract processes only: set
process-wide, it would also cap torch and llama.cpp (OpenMP) in this process to one thread.
"""

from __future__ import annotations

import os
import shutil
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image, ImageFilter, ImageOps

from docpipe.errors import ConfigurationError, CorruptFileError, TransientError
from docpipe.settings import DocpipeSettings
from extractors.layout import Word, layout_text
from extractors.line_reading import reread_lines



class _TesseractEnvironment(Mapping[str, str]):
    """This process's live environment, with ``OMP_THREAD_LIMIT=1`` unless the operator set one.

    pytesseract starts Tesseract with ``env=pytesseract.pytesseract.environ``; giving it this
    view (instead of a copy) keeps later changes to ``os.environ`` visible to Tesseract.
    """

    def _overlay(self) -> dict[str, str]:
        return {"OMP_THREAD_LIMIT": "1"} if "OMP_THREAD_LIMIT" not in os.environ else {}

    def __getitem__(self, key: str) -> str:
        return self._overlay().get(key) or os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter({**os.environ, **self._overlay()})

    def __len__(self) -> int:
        return len({**os.environ, **self._overlay()})


pytesseract.pytesseract.environ = _TesseractEnvironment()

# Listed in the order they are best applied in (benchmarks/ocr_quality.py combines them so).
PREPROCESS_STEPS = ("grayscale", "downscale", "normalize", "deskew", "upscale", "binarize")
# Tesseract reads best with capital letters ~30 px tall; receipts photographed or scanned
# at low resolution are brought up to this width at least before recognition.
UPSCALE_TARGET_WIDTH = 1800
UPSCALE_MAX_FACTOR = 3.0
# Tesseract's time grows with the pixel count, and 300 dpi is plenty for print: pages wider
# than an A4/letter page at ~350 dpi (600 dpi scans, phone photos) are reduced to ~300 dpi.
DOWNSCALE_MAX_WIDTH = 3000
DOWNSCALE_TARGET_WIDTH = 2500
DESKEW_MAX_DEGREES = 5.0
# Local contrast normalisation: regions whose darkest ink is less than this many grey levels
# below the paper are treated as paper, so smudges and JPEG noise are not blown up into ink.
NORMALIZE_MIN_CONTRAST = 64


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float
    """Mean word confidence 0-100; 0 when no word was recognised (a blank page)."""
    layout: str = ""
    """The page as laid out, from the same word boxes (extractors.layout)."""


def tesseract_available() -> bool:
    return shutil.which(pytesseract.pytesseract.tesseract_cmd) is not None


def parse_preprocess(spec: str) -> list[str]:
    steps = [step.strip() for step in spec.split(",") if step.strip()]
    unknown = [step for step in steps if step not in PREPROCESS_STEPS]
    if unknown:
        raise ConfigurationError(
            f"unknown OCR preprocessing step(s) {unknown}; choose from {list(PREPROCESS_STEPS)}"
        )
    return steps


def preprocess(image: Image.Image, steps: Sequence[str]) -> Image.Image:
    image = ImageOps.exif_transpose(image) if image.mode != "1" else image
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    for step in steps:
        if step == "grayscale":
            image = image.convert("L")
        elif step == "downscale":
            image = _downscale(image)
        elif step == "normalize":
            image = normalize_contrast(image.convert("L"))
        elif step == "upscale":
            image = _upscale(image)
        elif step == "binarize":
            image = _binarize(image.convert("L"))
        elif step == "deskew":
            image = _deskew(image)
    return image


def _upscale(image: Image.Image) -> Image.Image:
    if image.width >= UPSCALE_TARGET_WIDTH:
        return image
    factor = min(UPSCALE_MAX_FACTOR, UPSCALE_TARGET_WIDTH / image.width)
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


def _downscale(image: Image.Image) -> Image.Image:
    if image.width <= DOWNSCALE_MAX_WIDTH:
        return image
    factor = DOWNSCALE_TARGET_WIDTH / image.width
    size = (DOWNSCALE_TARGET_WIDTH, max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def normalize_contrast(gray: Image.Image) -> Image.Image:
    """Stretch each neighbourhood from its darkest ink to its paper: faded thermal or
    dot-matrix print becomes as dark as bold print, and uneven lighting is flattened.

    Tesseract binarises with one global Otsu threshold, which on a receipt with a black
    header and grey body text falls between the two inks and drops the grey text entirely.
    The paper level is a closing (max then min filter) and the ink level a min filter, both
    on a copy reduced to ~400 px so the windows span a few characters whatever the scan size.
    """
    factor = max(1, round(min(gray.size) / 400))
    small = gray.reduce(factor) if factor > 1 else gray
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.MinFilter(5))
    ink = small.filter(ImageFilter.MinFilter(9))
    paper = paper.filter(ImageFilter.BoxBlur(3)).resize(gray.size, Image.Resampling.BILINEAR)
    ink = ink.filter(ImageFilter.BoxBlur(6)).resize(gray.size, Image.Resampling.BILINEAR)
    paper_level = np.asarray(paper, dtype=np.float32)
    span = np.maximum(paper_level - np.asarray(ink, dtype=np.float32), NORMALIZE_MIN_CONTRAST)
    pixels = np.asarray(gray, dtype=np.float32)
    stretched = (pixels - (paper_level - span)) / span * 255
    return Image.fromarray(np.clip(stretched, 0, 255).astype(np.uint8))


def otsu_threshold(gray: np.ndarray) -> int:
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = gray.size
    cumulative_count = np.cumsum(histogram)
    cumulative_sum = np.cumsum(histogram * np.arange(256))
    background = cumulative_count
    foreground = total - cumulative_count
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_bg = cumulative_sum / background
        mean_fg = (cumulative_sum[-1] - cumulative_sum) / foreground
        between = background * foreground * (mean_bg - mean_fg) ** 2
    if np.isnan(between).all() or not np.nanmax(between) > 0:
        return 127  # one grey level (a blank page): no ink to tell from paper; the middle keeps it as it is
    return int(np.nanargmax(between))


def _binarize(gray: Image.Image) -> Image.Image:
    pixels = np.asarray(gray)
    threshold = otsu_threshold(pixels)
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8))


def estimate_skew(gray: Image.Image) -> float:
    """Skew angle in degrees by projection profiles: text rows are sharpest when level."""
    small = gray.convert("L")
    small.thumbnail((800, 800))
    ink = np.asarray(small) < otsu_threshold(np.asarray(small))
    if ink.sum() < 100:
        return 0.0
    best_angle, best_score = 0.0, -1.0
    ink_image = Image.fromarray((ink * 255).astype(np.uint8))
    for angle in np.arange(-DESKEW_MAX_DEGREES, DESKEW_MAX_DEGREES + 0.01, 0.5):
        rotated = np.asarray(ink_image.rotate(float(angle), resample=Image.Resampling.NEAREST))
        profile = rotated.sum(axis=1, dtype=np.float64)
        score = float(np.sum(np.diff(profile) ** 2))
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def _deskew(image: Image.Image) -> Image.Image:
    angle = estimate_skew(image)
    if abs(angle) < 0.25:
        return image
    fill = 255 if image.mode == "L" else (255, 255, 255)
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def ocr_image(image: Image.Image, settings: DocpipeSettings) -> OcrResult:
    """Recognise one page image with the configured preprocessing and segmentation mode;
    a page read with few legible words is read again with its contrast stretched
    (``settings.ocr_faded_retry_words``) and the better reading kept; each line is then
    read a second time by another recognizer (``extractors.line_reading``)."""
    steps = parse_preprocess(settings.ocr_preprocess)
    prepared = preprocess(image, steps)
    data = _recognise(prepared, settings)
    if "normalize" not in steps and _legible_words(data) < settings.ocr_faded_retry_words:
        stretched_image = preprocess(image, _with_normalize(steps))
        stretched = _recognise(stretched_image, settings)
        if _legible_words(stretched) > _legible_words(data):
            prepared, data = stretched_image, stretched
    if settings.ocr_second_reading:
        data = reread_lines(prepared, data)
    return _assemble(data)


LEGIBLE_CONFIDENCE = 60
"""Tesseract's word confidence from which a word counts as read (specks and smudges score
below it)."""


def _legible_words(data: dict[str, list]) -> int:
    return sum(
        1
        for level, word, confidence in zip(data["level"], data["text"], data["conf"], strict=True)
        if level == 5 and float(confidence) >= LEGIBLE_CONFIDENCE and sum(char.isalnum() for char in word) >= 2
    )


def _with_normalize(steps: Sequence[str]) -> list[str]:
    """``steps`` with the contrast stretch after the grey conversion and the size change,
    where it was measured (docs/ocr.md)."""
    first = [step for step in steps if step in ("grayscale", "downscale")]
    return [*first, "normalize", *(step for step in steps if step not in first)]


def _recognise(prepared: Image.Image, settings: DocpipeSettings) -> dict[str, list]:
    try:
        return pytesseract.image_to_data(
            prepared,
            lang=settings.ocr_languages,
            config=f"--psm {settings.ocr_psm}",
            output_type=pytesseract.Output.DICT,
            timeout=settings.ocr_timeout_s,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ConfigurationError(
            "Tesseract is not installed: apt-get install -y tesseract-ocr"
        ) from exc
    except RuntimeError as exc:  # pytesseract signals its timeout this way
        raise CorruptFileError(f"OCR gave up after {settings.ocr_timeout_s} s on a page") from exc
    except pytesseract.TesseractError as exc:
        raise TransientError(f"Tesseract failed: {exc.message or exc}") from exc


def _assemble(data: dict[str, list]) -> OcrResult:
    """Rebuild lines and paragraphs from Tesseract's word boxes; average word confidence."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        word = word.strip()
        if data["level"][i] != 5 or not word:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        left, top = data["left"][i], data["top"][i]
        lines.setdefault(key, []).append(Word(word, left, top, left + data["width"][i], top + data["height"][i]))
        confidence = float(data["conf"][i])
        if confidence >= 0:
            confidences.append(confidence)
    parts: list[str] = []
    previous_paragraph: tuple[int, int] | None = None
    for (block, paragraph, _line), words in lines.items():
        if previous_paragraph is not None and (block, paragraph) != previous_paragraph:
            parts.append("")
        parts.append(" ".join(word.text for word in words))
        previous_paragraph = (block, paragraph)
    # A page where Tesseract recognised no word (blank, or noise only) is a page with no text
    # and confidence 0, not a failure.
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else 0.0
    return OcrResult(text="\n".join(parts), confidence=confidence, layout=layout_text(lines.values()))


def ocr_images(images: Iterable[Image.Image], settings: DocpipeSettings) -> list[OcrResult]:
    """OCR pages in order, ``settings.ocr_workers`` Tesseract processes at a time.

    ``images`` is consumed lazily (rendering stays in the caller's thread, where PyMuPDF
    must run) and only a few pages are held in memory at once, whatever the page count.
    """
    workers = max(1, settings.ocr_workers)
    results: list[OcrResult] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        in_flight: deque[Future[OcrResult]] = deque()
        for image in images:
            in_flight.append(pool.submit(ocr_image, image, settings))
            if len(in_flight) >= 2 * workers:
                results.append(in_flight.popleft().result())
        results.extend(future.result() for future in in_flight)
    return results
