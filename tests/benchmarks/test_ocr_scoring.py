"""The OCR benchmark's scoring functions on hand-made inputs with answers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.ocr_quality import (
    BoxLine,
    character_error_rate,
    contains_verbatim,
    levenshtein,
    load_receipts,
    parse_box_line,
    reading_order,
    word_overlap,
)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("abc", "abd", 1),  # one substitution
        ("kitten", "sitting", 3),  # k->s, e->i, insert g
        ("flaw", "lawn", 2),  # delete f, insert n
        ("", "abc", 3),
        ("abc", "", 3),
        ("same", "same", 0),
        ("ab", "ba", 2),  # no transpositions in plain Levenshtein
        ("HARMONT", "HARMONI", 1),
    ],
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


def test_character_error_rate_is_distance_over_reference_length() -> None:
    assert character_error_rate("abd", "abc") == pytest.approx(1 / 3)
    # Whitespace is normalised on both sides before comparing: "a b" vs "a b c" is 2 inserts / 5.
    assert character_error_rate("a \n  b", "a b\tc") == pytest.approx(2 / 5)
    assert character_error_rate("", "abcd") == 1.0


def test_word_overlap_counts_words_as_multisets_in_any_order() -> None:
    # "TOTAL" twice in the OCR but once in the reference counts once; order does not matter.
    assert word_overlap("14.10 TOTAL TOTAL", "TOTAL 14.10 CASH") == (2, 3, 3)


def test_parse_box_line_splits_on_the_first_eight_commas_only() -> None:
    line = "158,150,641,150,641,189,158,189,67,JLN MEWAH 25/63 TMN SRI MUDA,\n"
    box = parse_box_line(line)
    assert box == BoxLine(158, 150, 641, 189, "67,JLN MEWAH 25/63 TMN SRI MUDA,")
    assert parse_box_line("   \n") is None
    with pytest.raises(ValueError):
        parse_box_line("1,2,3,TOTAL")


def test_reading_order_joins_lines_of_one_row_left_to_right() -> None:
    lines = [
        BoxLine(300, 102, 360, 122, "14.10"),  # same row as TOTAL, further right
        BoxLine(10, 10, 200, 30, "SHOP NAME"),
        BoxLine(10, 100, 80, 120, "TOTAL"),
        BoxLine(10, 140, 80, 160, "CASH"),
    ]
    assert reading_order(lines) == ["SHOP NAME", "TOTAL 14.10", "CASH"]


def test_contains_verbatim_ignores_case_and_spacing_but_not_longer_numbers() -> None:
    text = "sam  sam\ntrading co\nTOTAL RM 114.10\nDATE 29-12-2017"
    assert contains_verbatim(text, "SAM SAM TRADING CO")
    assert contains_verbatim(text, "29-12-2017")
    assert not contains_verbatim(text, "14.10")
    assert contains_verbatim(text, "114.10")
    assert not contains_verbatim(text, "")


def test_load_receipts_reads_reference_and_key_fields(tmp_path: Path) -> None:
    for folder in ("img", "box", "key"):
        (tmp_path / folder).mkdir()
    (tmp_path / "img" / "001.jpg").write_bytes(b"not decoded by the loader")
    (tmp_path / "box" / "001.csv").write_text(
        "0,50,90,50,90,70,0,70,TOTAL\n0,0,90,0,90,20,0,20,A, B AND C\n100,52,150,52,150,68,100,68,9.00\n"
    )
    (tmp_path / "key" / "001.json").write_text(
        '{"company": "A, B AND C", "date": "01/02/2019", "address": "x", "total": "9.00"}'
    )
    [sample] = load_receipts(tmp_path)
    assert sample.reference == "A, B AND C\nTOTAL 9.00"
    assert sample.key_fields == {"company": "A, B AND C", "date": "01/02/2019", "total": "9.00"}
