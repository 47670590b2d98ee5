"""Tesseract's thread limit applies to Tesseract only, not to torch and llama.cpp here; faded
print is read again with its contrast stretched."""

from __future__ import annotations

import io
import os
import subprocess

import pytesseract
from PIL import Image

from docpipe.settings import DocpipeSettings
from extractors import ocr  # noqa: F401  (installs the Tesseract environment)
from tests.documents import FADED_RECEIPT_ROWS, blank_png, faded_receipt_png


def test_tesseract_processes_get_one_thread_this_process_does_not(monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    environment = pytesseract.pytesseract.environ
    assert "OMP_THREAD_LIMIT" not in os.environ
    assert dict(environment)["OMP_THREAD_LIMIT"] == "1"
    # What a child started the way pytesseract starts Tesseract really sees:
    seen = subprocess.run(["sh", "-c", "echo $OMP_THREAD_LIMIT"], env=environment, capture_output=True, text=True)
    assert seen.stdout.strip() == "1"


def test_an_operators_limit_wins_and_later_changes_are_seen(monkeypatch):
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    monkeypatch.setenv("DOCPIPE_TEST_MARKER", "set-after-import")
    environment = dict(pytesseract.pytesseract.environ)
    assert environment["OMP_THREAD_LIMIT"] == "3"
    assert environment["DOCPIPE_TEST_MARKER"] == "set-after-import"


def test_the_otsu_threshold_of_a_single_grey_level_keeps_it_as_it_is():
    import numpy as np

    for level in (0, 128, 255):
        threshold = ocr.otsu_threshold(np.full((20, 30), level, dtype=np.uint8))
        assert threshold == 127  # white stays white, black stays black after binarising
    two_levels = np.array([[10] * 5 + [240] * 5], dtype=np.uint8)
    assert 10 <= ocr.otsu_threshold(two_levels) < 240


def test_faded_print_under_a_black_header_is_read_again_with_its_contrast_stretched():
    slip = Image.open(io.BytesIO(faded_receipt_png()))
    once = ocr.ocr_image(slip, DocpipeSettings(ocr_faded_retry_words=0))
    assert once.text.strip() == "31705509"  # the global threshold kept the stamp alone
    again = ocr.ocr_image(slip, DocpipeSettings())
    assert "31705509" in again.text
    for row in FADED_RECEIPT_ROWS:
        assert row in again.text


def test_a_blank_page_stays_blank_when_read_again():
    page = Image.open(io.BytesIO(blank_png(800, 1100)))
    result = ocr.ocr_image(page, DocpipeSettings())
    assert result.text == "" and result.confidence == 0.0


def test_the_contrast_stretch_goes_after_the_grey_conversion_and_the_size_change():
    assert ocr._with_normalize(["grayscale", "downscale", "deskew"]) == ["grayscale", "downscale", "normalize", "deskew"]
    assert ocr._with_normalize(["deskew", "upscale"]) == ["normalize", "deskew", "upscale"]
