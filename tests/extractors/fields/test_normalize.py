"""Printed values to typed ones, as OCR'd receipts and contracts print them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extractors.fields.normalize import (
    amounts_in,
    compact,
    currency_printed_in,
    dates_in,
    infer_date_order,
    normalize_currency,
    normalize_jurisdiction,
    parse_amount,
    parse_date,
    parse_duration,
)


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("RM 1,234.50", "1234.50"),
        ("1.234,50 €", "1234.50"),
        ("$15,000.00", "15000.00"),
        ("12 500,00", "12500.00"),
        ("14,10", "14.10"),
        ("(12.00)", "-12.00"),
        ("Rs 1939", "1939"),
        ("total", None),
    ],
)
def test_parse_amount(printed, value):
    assert parse_amount(printed) == (Decimal(value) if value else None)


def test_amounts_in_noisy_text():
    found = amounts_in("TOTAL RM14.10 CASH 20.00 CHANGE 5 .90 2 x 1,234.50")
    assert {Decimal("14.10"), Decimal("20.00"), Decimal("5.90"), Decimal("1234.50")} <= found


@pytest.mark.parametrize(
    ("printed", "order", "value"),
    [
        ("29-12-2017", "MDY", date(2017, 12, 29)),  # unambiguous whatever the order
        ("12/25/2018", "DMY", date(2018, 12, 25)),
        ("03/04/2020", "DMY", date(2020, 4, 3)),
        ("03/04/2020", "MDY", date(2020, 3, 4)),
        ("1/2/20", "MDY", date(2020, 1, 2)),
        ("2018-12-25", "MDY", date(2018, 12, 25)),
        ("February 10, 2017", "DMY", date(2017, 2, 10)),
        ("10th day of February, 2017", "MDY", date(2017, 2, 10)),
        ("31 Dec 17", "MDY", date(2017, 12, 31)),
        ("Date: Frid-v, 29-12-2017 Time : 20:17", "DMY", date(2017, 12, 29)),
        # Month names of the other languages a back office receives (dateparser's locale data).
        ("Factuurdatum: 29 maart 2014", "DMY", date(2014, 3, 29)),
        ("Facture n°562044387 du 02 Juillet 2015", "MDY", date(2015, 7, 2)),
        ("Rechnungsdatum: 3. März 2020", "DMY", date(2020, 3, 3)),
        ("15 déc. 2019", "DMY", date(2019, 12, 15)),
        ("Tarikh: 10 Ogos 2018", "DMY", date(2018, 8, 10)),
        ("12 SEPT 2018", "DMY", date(2018, 9, 12)),
        ("no date here", "DMY", None),
    ],
)
def test_parse_date(printed, order, value):
    assert parse_date(printed, order) == value


def test_dates_in_reads_both_orders_and_order_is_inferred():
    assert dates_in("on 03/04/2020") == {date(2020, 4, 3), date(2020, 3, 4)}
    # A month and its year are no month, day and year ("March 2014" is not 20 March 14).
    assert dates_in("29 maart 2014") == {date(2014, 3, 29)}
    assert dates_in("Invoice for March 2014") == set()
    assert infer_date_order("flight 3/2/2020 - 3/18/2020") == "MDY"
    assert infer_date_order("29-12-2017") == "DMY"
    assert infer_date_order("2018-01-01") is None


def test_currencies():
    assert normalize_currency("RM") == "MYR"
    assert normalize_currency("$") == "USD"
    assert normalize_currency("eur") == "EUR"
    assert normalize_currency("Rs.") == "INR"
    assert normalize_currency("XYZ") is None
    assert currency_printed_in("MYR", "TOTAL RM14.10")
    assert not currency_printed_in("EUR", "the murals")


def test_durations_and_jurisdictions():
    assert parse_duration("two (2) years") == (2, "year")
    assert parse_duration("a period of twelve (12) months") == (12, "month")
    assert parse_duration("perpetual") is None
    assert normalize_jurisdiction("the laws of the State of New York") == "New York"
    assert normalize_jurisdiction("Commonwealth of Massachusetts") == "Massachusetts"


def test_compact_ignores_case_spacing_and_punctuation():
    assert compact("67,JLN MEWAH 25/63") == compact("67 jln mewah 2563")
