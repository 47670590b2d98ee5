"""The page as laid out: rows rebuilt from word boxes, columns kept apart (extractors.layout)."""

from __future__ import annotations

import re

import pytest

from docpipe.settings import DocpipeSettings
from extractors import read_text
from extractors.layout import Word, layout_text
from extractors.ocr import tesseract_available
from tests import documents


def _line_with(text: str, word: str) -> str:
    return next(line for line in text.splitlines() if word in line)


def test_columns_of_a_form_pdf_come_back_as_rows():
    extracted = read_text(documents.form_pdf(), DocpipeSettings())
    # Reading order puts the labels' column before the values' one ...
    assert "ACME FOR SENATE" not in _line_with(extracted.text, "Advertiser:")
    # ... the layout puts each value beside its label, a wide gap between them.
    layout = extracted.layout_text
    for label, value in documents.FORM_ROWS:
        assert re.search(rf"{re.escape(label)} {{4,}}{re.escape(value)}$", _line_with(layout, label)), layout
    assert extracted.pages[0].layout == layout


@pytest.mark.skipif(not tesseract_available(), reason="needs the tesseract binary")
def test_a_scanned_form_keeps_label_and_value_on_one_line():
    extracted = read_text(documents.form_scan_png(), DocpipeSettings())
    assert extracted.pages[0].source == "ocr"
    layout = extracted.layout_text
    for label, value in (("Advertiser:", "ACME FOR SENATE"), ("Gross Amount", "$1,250.00")):
        assert re.search(rf"{re.escape(label)} {{4,}}{re.escape(value)}$", _line_with(layout, label)), layout


def test_staggered_columns_are_not_chained_into_one_row():
    """Rows of two columns offset by half a line: each line joins at most the row it
    overlaps most, instead of the band growing down the page."""
    left = [[Word(f"L{n}", 0, 10 * n, 20, 10 * n + 9)] for n in range(5)]
    right = [[Word(f"R{n}", 100, 10 * n + 4, 120, 10 * n + 13)] for n in range(5)]
    lines = layout_text(left + right).splitlines()
    assert len(lines) == 5, lines
    assert all(re.fullmatch(rf"L{n} +R{n}", line) for n, line in enumerate(lines)), lines


def test_phrase_spacing_left_margin_and_paragraph_breaks():
    # Character width 5: a 5-unit gap is one space, a 50-unit gap a column 10 characters on.
    rows = [
        [Word("Total", 100, 0, 125, 10), Word("due", 130, 0, 145, 10), Word("14.10", 200, 0, 225, 10)],
        [Word("Thank", 100, 50, 125, 60), Word("you", 130, 50, 145, 60)],
    ]
    assert layout_text(rows) == "Total due           14.10\n\nThank you"


def test_plain_text_and_mail_have_no_layout():
    assert read_text(b"Invoice 12\nTotal 14.10\n", DocpipeSettings()).layout_text is None


def test_a_headline_in_large_print_keeps_single_spaces():
    # Body text 5 units per character; the headline 12, its spaces 10 wide (2 body characters).
    rows = [
        [Word("SAM", 0, 0, 36, 20), Word("SAM", 46, 0, 82, 20), Word("TRADING", 92, 0, 176, 20)],
        [Word("TOTAL", 0, 30, 25, 40), Word("RM", 100, 30, 110, 40), Word("14.10", 115, 30, 140, 40)],
        [Word("CASH", 0, 42, 20, 52), Word("20.00", 115, 42, 140, 52)],
    ]
    assert layout_text(rows).splitlines() == ["SAM SAM TRADING", "TOTAL               RM 14.10", "CASH                   20.00"]
