"""Image backend: PNG, JPEG and (multi-page) TIFF, all through Tesseract.

Takes: bytes sniffed as an image. Returns: one ``PageText`` per frame, source ``ocr``.
Available: when Tesseract is installed. The pixel count of every frame is checked
against ``max_image_pixels`` from the header, before any pixel is decoded, so a
decompression bomb is rejected without allocating it.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

from PIL import Image, ImageSequence, UnidentifiedImageError

from docpipe.errors import CorruptFileError, FileTooLargeError
from docpipe.settings import DocpipeSettings
from docpipe.stages import ExtractedText, PageText
from extractors.ocr import ocr_images


def _check_size(width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise FileTooLargeError(
            f"image of {width} x {height} pixels exceeds the limit of {limit:,} pixels "
            "(possible decompression bomb)"
        )


def read_image(content: bytes, settings: DocpipeSettings, media_type: str) -> ExtractedText:
    sizes: list[tuple[int, int]] = []
    try:
        with Image.open(BytesIO(content)) as image:
            frame_count = getattr(image, "n_frames", 1)
            if frame_count > settings.max_pages:
                raise FileTooLargeError(
                    f"image has {frame_count} pages; the limit is {settings.max_pages}"
                )

            def frames() -> Iterator[Image.Image]:
                for frame in ImageSequence.Iterator(image):
                    _check_size(frame.width, frame.height, settings.max_image_pixels)
                    sizes.append(frame.size)
                    frame.load()
                    yield frame.convert("L" if frame.mode in ("1", "L", "I;16") else "RGB")

            results = ocr_images(frames(), settings)
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError(f"image rejected as a decompression bomb ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise CorruptFileError("damaged image: the format header is not readable") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(f"damaged or truncated image ({exc})") from exc
    pages = [
        PageText(
            number=number,
            text=result.text,
            source="ocr",
            layout=result.layout,
            ocr_confidence=result.confidence,
            width=float(width),
            height=float(height),
        )
        for number, (result, (width, height)) in enumerate(zip(results, sizes, strict=True), start=1)
    ]
    return ExtractedText(media_type=media_type, pages=pages)
