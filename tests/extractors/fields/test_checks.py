"""Grounding and rules catch planted errors; noisy but true values pass."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docpipe.settings import DocpipeSettings
from extractors import read_text
from extractors.fields.checks import (
    amount_paid,
    check,
    date_read_from_rows,
    discard_instruction_copies,
    letterhead_address,
    letterhead_name,
    printed_buyers,
    printed_issue_date,
    printed_title,
    printed_total,
    printed_values,
    suspicious_invoice_values,
    total_read_from_rows,
    till_cues,
    type_contradiction,
)
from extractors.fields.extract import parse_draft, system_prompt
from schemas.registry import SCHEMAS, schema_for
from tests.test_sample_docs import content_of, manifest

RECEIPT_OCR = """SAM SAM TRADING CO
(742016-W)
67,JLN MEWAH 25/63 TMN SRI MUDA,
40400 SHAH ALAM,
TAX INVOICE  Inv No: CS00072113
EZL A4 CYBER MIX COLOR PAPER 1X 8.90 8.90
GST 6% RM 0.80
TOTAL RM 14.10
CASH RM 20.00
Frid-v, 29-12-2017 Time : 20:17
"""
INVOICE = "invoice"
RECEIPT_REQUIRED = schema_for("receipt").required
INVOICE_REQUIRED = schema_for("invoice").required


def _receipt(**overrides):
    draft = {
        "vendor_name": "SAM SAM TRADING CO",
        "vendor_address": "67 JLN MEWAH 25/63 TMN SRI MUDA 40400 SHAH ALAM",
        "buyer_name": None,
        "invoice_number": "CS00072113",
        "invoice_date": "29-12-2017",
        "due_date": None,
        "currency": "RM",
        "subtotal": "13.30",
        "tax_amount": "0.80",
        "total_amount": "14.10",
        "line_items": [{"description": "EZL A4 CYBER MIX COLOR PAPER", "quantity": "1", "unit_price": "8.90", "amount": "8.90"}],
    }
    draft.update(overrides)
    return parse_draft(SCHEMAS[INVOICE], draft, RECEIPT_OCR)


def _check(extracted, required=RECEIPT_REQUIRED, text=RECEIPT_OCR):
    return check(SCHEMAS[INVOICE], extracted.record.model_dump(), text, required, extracted.parse_issues)


def test_true_values_are_grounded_through_ocr_noise():
    extracted = _receipt()
    assert extracted.record.invoice_date == date(2017, 12, 29)
    assert extracted.record.currency == "MYR"
    report = _check(extracted)
    assert report.review_reasons == []
    grounding = {name: field.grounding for name, field in report.fields.items()}
    assert grounding["vendor_name"] == "exact"
    assert grounding["vendor_address"] == "normalized"  # commas and line breaks differ
    assert grounding["invoice_date"] == grounding["total_amount"] == grounding["currency"] == "normalized"
    assert grounding["subtotal"] == "absent"  # 13.30 is not printed in this excerpt
    assert report.confidences["vendor_name"] > 0.9 and report.confidences["subtotal"] < 0.3
    assert report.confidences["buyer_name"] == 0.5  # null: not confirmed, not refuted


def test_invented_required_value_goes_to_review():
    report = _check(_receipt(vendor_name="ACME STATIONERY SDN BHD"))
    assert "vendor_name not found in the text" in report.review_reasons
    assert report.issues["vendor_name"] == ["ACME STATIONERY SDN BHD not found in the text"]


def test_wrong_total_breaks_the_sum_rule():
    text = RECEIPT_OCR + "SUBTOTAL RM 13.30\n"
    report = _check(_receipt(subtotal="13.30", tax_amount="0.80", total_amount="20.00"), text=text)
    assert any(reason.startswith("total_amount: total 20.00 is not subtotal 13.30 + tax 0.80") for reason in report.review_reasons)
    assert report.fields["subtotal"].rule_broken and report.fields["tax_amount"].rule_broken


def test_total_within_cash_rounding_passes():
    report = _check(_receipt(subtotal="13.30", tax_amount="0.78", total_amount="14.10"))
    assert not any("total" in reason for reason in report.review_reasons)


def test_due_date_before_invoice_date_is_caught():
    text = RECEIPT_OCR + "Due: 01-12-2017\n"
    extracted = parse_draft(SCHEMAS[INVOICE], {**_receipt().draft, "due_date": "01-12-2017"}, text)
    report = _check(extracted, INVOICE_REQUIRED, text)
    assert report.fields["due_date"].rule_broken
    assert any("due date 2017-12-01 is before invoice date 2017-12-29" in reason for reason in report.review_reasons)


AGENCY_INVOICE = """OFFICIAL BILLING INVOICE          Invoice   7302924
Advertiser   Mike Miles for Senate       Inv Date   3/8/2020
Period   3/2/2020 - 3/8/2020             Contract   4263696
SPOT   9:00:00AM- 5:00:00   03/02/20 9:59AM   00:15   $10.00
SPOT   9:00:00AM- 5:00:00   03/02/20 10:17AM  00:30   $20.00
Gross Total      $2,400.00      Total Spots  12
Commission       ($360.00)
NET TOTAL        $2,040.00
"""


def _agency(**overrides):
    draft = {"vendor_name": "Mike Miles for Senate", "invoice_number": "7302924", "invoice_date": "3/8/2020",
             "currency": "$", "subtotal": "10.00", "tax_amount": "360.00", "total_amount": "2,400.00", **overrides}
    extracted = parse_draft(SCHEMAS[INVOICE], draft, AGENCY_INVOICE)
    return _check(extracted, INVOICE_REQUIRED, AGENCY_INVOICE)


def test_a_commission_read_as_tax_and_a_rate_read_as_subtotal_are_flagged_not_blamed_on_the_total():
    report = _agency()
    assert report.review_reasons == []  # the gross total stands: nothing printed contradicts it
    assert report.issues["tax_amount"][-1] == "tax 360.00 is on no row labelled tax"
    assert report.issues["subtotal"][-1] == "subtotal 10.00 is on no row labelled subtotal"
    assert report.fields["tax_amount"].rule_broken and not report.fields["total_amount"].rule_broken
    # The net after commission is still no total: the gross is printed larger.
    net = _agency(total_amount="2,040.00")
    assert any("not the total printed (2400.00)" in reason for reason in net.review_reasons)


def test_a_total_label_glued_together_by_the_text_layer_is_still_a_total_row():
    glued = AGENCY_INVOICE.replace("Gross Total      $2,400.00", "GrossTotal $2,400.00")
    assert suspicious_invoice_values({"total_amount": Decimal("2400.00")}, glued) == []
    [net] = suspicious_invoice_values({"total_amount": Decimal("2040.00")}, glued)
    assert net.message == "total 2040.00 is not the total printed (2400.00)"
    assert suspicious_invoice_values({"buyer_name": "Accounts Payable"}, glued)  # a department's label, no name


def test_a_period_read_as_the_due_date_is_flagged_and_the_invoice_date_stands():
    report = _agency(due_date="3/2/2020")
    assert report.issues["due_date"][-1] == "due date 2020-03-02 is printed under no due-date label"
    assert not report.fields["invoice_date"].rule_broken and report.review_reasons == []


def test_printed_subtotals_taxes_and_due_dates_are_compared_in_any_of_the_languages():
    text = "RECHNUNG Nr. 2041\nRechnungsdatum 14.03.2026   Fällig am 01.03.2026\nNettobetrag 100,00 EUR\n" \
           "MwSt. 19% 19,00 EUR\nGesamtbetrag 129,00 EUR\n"
    draft = {"vendor_name": "Nordwind", "invoice_number": "2041", "invoice_date": "14.03.2026", "due_date": "01.03.2026",
             "currency": "EUR", "subtotal": "100,00", "tax_amount": "19,00", "total_amount": "129,00"}
    report = _check(parse_draft(SCHEMAS[INVOICE], draft, text), INVOICE_REQUIRED, text)
    assert any("is not subtotal 100.00 + tax 19.00" in reason for reason in report.review_reasons)
    assert any("due date 2026-03-01 is before invoice date 2026-03-14" in reason for reason in report.review_reasons)


def test_an_invoice_number_that_is_the_invoice_date_is_nonsense():
    issued = date(2017, 12, 31)
    [violation] = suspicious_invoice_values({"invoice_number": "31122017", "invoice_date": issued}, "")
    assert violation.message == "invoice number '31122017' is the invoice date"
    assert suspicious_invoice_values({"invoice_number": "31/12/17", "invoice_date": issued}, "")
    for number in ("IBZY2087", "INV-20171231", "31122018"):  # a number built from a date has more in it
        assert suspicious_invoice_values({"invoice_number": number, "invoice_date": issued}, "") == [], number


def test_a_phone_line_a_code_or_a_city_line_is_no_name():
    values = {"buyer_name": "Main: (712) 277-3554", "vendor_name": "Chicago, IL 60693-0328"}
    messages = [violation.message for violation in suspicious_invoice_values(values, "")]
    assert messages == ["vendor_name 'Chicago, IL 60693-0328' is an address, not a name",
                        "buyer_name 'Main: (712) 277-3554' is a number or code, not a name"]
    for name in ("Tom Steyer 2020", "Mike Miles for Jefferson County Tr(135304)", "7-Eleven", "WOC Media"):
        assert suspicious_invoice_values({"buyer_name": name}, "") == [], name
    assert suspicious_invoice_values({"buyer_name": "WOC12493057"}, "")


def test_specks_of_a_scanned_logo_and_a_till_word_are_no_name():
    assert [v.message for v in suspicious_invoice_values({"vendor_name": "AE A A"}, "")] == [
        "vendor_name 'AE A A' has no word of three letters: scan noise, not a name"
    ]
    assert suspicious_invoice_values({"vendor_name": "— ee"}, "")
    assert suspicious_invoice_values({"vendor_name": "CASH"}, "")  # a till's label
    for name in ("3M", "BP", "A&W", "HP Inc", "7-Eleven"):  # short names are one token
        assert suspicious_invoice_values({"vendor_name": name}, "") == [], name


def test_invalid_currency_and_unreadable_date_are_dropped_and_reported():
    extracted = _receipt(currency="Dollars of Oz", invoice_date="last Friday")
    assert extracted.record.currency is None and extracted.record.invoice_date is None
    report = _check(extracted)
    assert report.issues["currency"] == ["'Dollars of Oz' is not an ISO 4217 currency or a known symbol"]
    assert "invoice_date 'last Friday' is not a date" in report.review_reasons


def test_missing_required_field_goes_to_review():
    report = _check(_receipt(total_amount=None))
    assert "total_amount missing" in report.review_reasons


def test_contract_rules_and_party_grounding():
    text = "NON-DISCLOSURE AGREEMENT between Kite Pharma, Inc. and Gilead Sciences, Inc., effective as of February 10, 2017."
    schema = SCHEMAS["contract"]
    draft = {
        "title": "NON-DISCLOSURE AGREEMENT",
        "contract_type": "Non-Disclosure Agreement",
        "parties": ["Kite Pharma, Inc.", "Gilead Sciences Inc", "Umbrella Corp"],
        "effective_date": "February 10, 2017",
        "expiration_date": "January 1, 2016",
        "term": None,
        "renewal_term": None,
        "governing_law": "the laws of the State of California",
    }
    extracted = parse_draft(schema, draft, text)
    assert extracted.record.governing_law == "California"
    report = check(schema, extracted.record.model_dump(), text, schema_for("contract").required, extracted.parse_issues)
    assert report.issues["parties"][0] == "'Umbrella Corp' not found in the text"
    assert "parties not found in the text" in report.review_reasons
    assert report.fields["expiration_date"].rule_broken
    assert report.fields["governing_law"].grounding == "absent"  # California is not in the text
    assert report.fields["contract_type"].grounding == "not_applicable"


def test_a_contracts_title_is_read_from_its_heading_where_the_model_left_it_out():
    contract = SCHEMAS["contract"]
    filed = (
        "EX-10.5 13 dex105.htm FORM OF AT-WILL EMPLOYMENT AGREEMENT\nEXHIBIT 10.5\nACOLOGIX, INC.\n"
        "AT-WILL EMPLOYMENT, CONFIDENTIAL INFORMATION,\nINVENTION ASSIGNMENT,\nAND ARBITRATION AGREEMENT\n"
        "As a condition of my employment with Acologix, Inc. (this Agreement) I agree to the following:\n"
    )
    title = "AT-WILL EMPLOYMENT, CONFIDENTIAL INFORMATION, INVENTION ASSIGNMENT, AND ARBITRATION AGREEMENT"
    assert printed_values(contract, {"title": None, "parties": []}, filed) == [
        ("title", title, f"title {title!r} read from the heading (the model read none)")
    ]
    # A heading that is part of a line; a title-case heading of its own.
    assert printed_title("EX-99 dex99e1.htm MUTUAL NON-DISCLOSURE AGREEMENT\nExhibit (e)(1)\n") == (
        "MUTUAL NON-DISCLOSURE AGREEMENT"
    )
    assert printed_title("Antares Pharma, Inc.\nManufacturing Agreement\nThis Agreement is made") == "Manufacturing Agreement"
    # The model's printed title stands; a letter without a heading has none.
    assert printed_values(contract, {"title": "Invention Assignment, and Arbitration Agreement"}, filed) == []
    assert printed_title("Dear Ms. Smith,\nthis letter confirms our agreement to keep it confidential.") is None


def test_a_partys_name_is_read_without_what_the_contract_says_it_is():
    contract = SCHEMAS["contract"]
    parties = ["Apollo Endosurgery, a Delaware corporation", "Establishment Labs, S.A a corporation organized under the laws of Costa Rica"]
    [(name, names, note)] = printed_values(contract, {"title": "SUPPLY AGREEMENT", "parties": parties}, "SUPPLY AGREEMENT")
    assert (name, names) == ("parties", ["Apollo Endosurgery", "Establishment Labs, S.A"])
    assert note.startswith("parties without what the contract says they are ('Apollo Endosurgery, a Delaware corporation'")
    # Names whose last word is a kind of company are names.
    named = ["Louisville Gas and Electric Company", "U.S. Bank National Association", "Kite Pharma, Inc."]
    assert printed_values(contract, {"title": "SUPPLY AGREEMENT", "parties": named}, "SUPPLY AGREEMENT") == []


def test_amount_grounding_ignores_thousands_separators():
    schema = SCHEMAS[INVOICE]
    text = "Gross Amount $15,000.00\nInvoice # 939268-1\nStation WXYZ"
    draft = {name: None for name in schema.kinds} | {"line_items": [], "total_amount": "15000", "invoice_number": "939268-1"}
    report = check(schema, parse_draft(schema, draft, text).record.model_dump(), text, (), {})
    assert report.fields["total_amount"].grounding == "normalized"
    assert report.fields["invoice_number"].grounding == "exact"
    assert parse_draft(schema, draft, text).record.total_amount == Decimal("15000")


def test_values_copied_from_the_instructions_are_dropped():
    schema = SCHEMAS["contract"]
    text = "SUPPLY AGREEMENT between Alpha Corp and Beta LLC. This Agreement lasts seven (7) years."
    values = {
        "title": "SUPPLY AGREEMENT",
        "contract_type": None,
        "parties": ["Alpha Corp", "name of the state or country"],
        "effective_date": None,
        "expiration_date": None,
        "term": "how long the agreement lasts",
        "renewal_term": None,
        "governing_law": "name of the state or country whose laws",
    }
    issues = discard_instruction_copies(schema, values, text, system_prompt(schema))
    assert values["parties"] == ["Alpha Corp"] and values["term"] is None and values["governing_law"] is None
    assert set(issues) == {"parties", "term", "governing_law"}
    assert values["title"] == "SUPPLY AGREEMENT"  # also in no instruction, and in the text


TILL_SLIP = "KEDAI MAJU\nCASHIER: AMINAH\nMILO 2 X 3.50 7.00\nTOTAL RM7.00\nCASH RM10.00\nCHANGE RM3.00\nTHANK YOU"
BILL = "ACME LTD\nInvoice\nBill to: Northwind\nDue date: 2026-04-30\nTotal due 1,200.00 EUR\nChange of address: see below"


def test_till_cues_read_cash_change_and_cashier_not_a_change_of_address():
    assert till_cues(TILL_SLIP) == ["change given", "cash tendered", "a cashier line"]
    assert till_cues(RECEIPT_OCR) == ["cash tendered"]
    assert till_cues(BILL) == []


def _checked(text: str, **values):
    """The real checks on a record with ``values`` (the rest empty) against ``text``."""
    extracted = parse_draft(SCHEMAS[INVOICE], {"line_items": [], **values}, text)
    return check(SCHEMAS[INVOICE], extracted.record.model_dump(), text, INVOICE_REQUIRED, extracted.parse_issues)


def test_an_invoice_without_a_number_that_reads_as_a_till_slip_is_in_doubt():
    reason = type_contradiction("invoice", _checked(TILL_SLIP, total_amount="7.00"), TILL_SLIP)
    assert reason == (
        "doc_type invoice in doubt: no invoice number, and it reads as a till receipt "
        "(change given, cash tendered, a cashier line)"
    )
    # An invented number (not in the text) is no number.
    assert type_contradiction("invoice", _checked(TILL_SLIP, invoice_number="123456789012"), TILL_SLIP) == reason
    # A number found in the text, or no till: the type stands.
    assert type_contradiction("invoice", _checked(RECEIPT_OCR, invoice_number="CS00072113"), RECEIPT_OCR) is None
    assert type_contradiction("invoice", _checked(BILL), BILL) is None
    assert type_contradiction("receipt", _checked(TILL_SLIP), TILL_SLIP) is None


def test_a_receipt_with_a_due_date_and_no_till_is_in_doubt():
    """Read from the text: a receipt's draft does not ask for a due date."""
    report = _checked(BILL)
    assert type_contradiction("receipt", report, BILL).startswith("doc_type receipt in doubt: it has a due date")
    slip_with_due = TILL_SLIP + "\nPAYMENT DUE 2026-04-30"
    assert type_contradiction("receipt", _checked(slip_with_due), slip_with_due) is None  # a till all the same
    undated = BILL.replace("Due date: 2026-04-30", "Due on receipt")
    assert type_contradiction("receipt", _checked(undated), undated) is None
    assert type_contradiction("contract", report, BILL) is None


AD_INVOICE_LAYOUT = """REMIT TO Sinclair Broadcast      Advertiser     Mike Miles for Jefferson County
Ads That Work                    Invoice        7302924
3535 Hampshire Dr                Salesperson    HOUSE-BIRMINGHAM
Birmingham, AL 35223             Inv Date       3/8/2020
                                 Gross Amount        $5,130.00
                                 Agency Commission    $769.50
                                 Net Amount          $4,360.50"""


def _ad_invoice(**overrides):
    draft = {
        "vendor_name": "Sinclair Broadcast",
        "buyer_name": "Mike Miles for Jefferson County",
        "invoice_number": "7302924",
        "invoice_date": "3/8/2020",
        "total_amount": "$5,130.00",
        **overrides,
    }
    extracted = parse_draft(SCHEMAS[INVOICE], draft, AD_INVOICE_LAYOUT)
    return check(
        SCHEMAS[INVOICE], extracted.record.model_dump(), AD_INVOICE_LAYOUT, INVOICE_REQUIRED,
        extracted.parse_issues, layout_text=AD_INVOICE_LAYOUT,
    )


def test_true_values_of_an_ad_invoice_are_not_suspicious():
    assert _ad_invoice().review_reasons == []


def test_confident_nonsense_that_grounding_passes_goes_to_review():
    """The 0.5B model's "Invoice", "Salesperson" and "3535" are all printed on the page."""
    report = _ad_invoice(invoice_number="Invoice", buyer_name="Salesperson", total_amount="3535")
    assert {name: report.fields[name].grounding for name in ("invoice_number", "buyer_name", "total_amount")} == {
        "invoice_number": "exact", "buyer_name": "exact", "total_amount": "normalized",
    }
    assert "invoice_number: 'Invoice' is a label printed on the document, not its value" in report.review_reasons
    assert "total_amount: total 3535 is not on any line that says total" in report.review_reasons
    assert report.issues["buyer_name"] == ["'Salesperson' is a label printed on the document, not its value"]
    assert report.confidences["buyer_name"] < 0.5


def test_a_number_without_digit_an_address_for_a_name_and_a_smaller_total():
    report = _ad_invoice(invoice_number="HOUSE-BIRMINGHAM", vendor_name="3535 Hampshire Dr")
    assert "invoice_number: invoice number 'HOUSE-BIRMINGHAM' has no digit" in report.review_reasons
    assert "vendor_name: vendor_name '3535 Hampshire Dr' is an address, not a name" in report.review_reasons
    # The net amount is a total of a kind, on a line that does not say total: not the total.
    assert "total_amount: total 4360.50 is not on any line that says total" in _ad_invoice(
        total_amount="$4,360.50"
    ).review_reasons


def test_a_date_or_a_lone_word_is_no_address():
    for address, message in (
        ("16 Apr 2018 18:23", "vendor address '16 Apr 2018 18:23' holds a date, not an address"),
        ("Mtn", "vendor address 'Mtn' is one word without a number"),
    ):
        [violation] = suspicious_invoice_values({"vendor_address": address}, "", letterhead=True)
        assert violation.fields == ("vendor_address",) and violation.message == message
        # An invoice's address is not checked (no key value there; reading it again costs).
        assert suspicious_invoice_values({"vendor_address": address}, "") == []
    for address in ("12, Jalan Tampoi 7/4, 81200 Johor Bahru", "Rue de la Paix, Paris", "Unit 5"):
        assert suspicious_invoice_values({"vendor_address": address}, "", letterhead=True) == []


def test_a_total_smaller_than_another_printed_total_is_suspicious_but_cash_is_not_a_total():
    text = "Total excl. VAT 100.00\nVAT 20.00\nTotal 120.00\nCash 150.00\nChange 30.00"
    values = {"total_amount": Decimal("100.00")}
    assert [v.message for v in suspicious_invoice_values(values, text)] == [
        "total 100.00 is not on any line that says total"
    ]
    text = "Total 100.00\nGrand Total 120.00\nCash 150.00"
    assert [v.message for v in suspicious_invoice_values(values, text)] == [
        "total 100.00 is not the total printed (120.00)"
    ]
    assert suspicious_invoice_values({"total_amount": Decimal("120.00")}, text) == []


def test_the_printed_total_is_the_largest_amount_on_the_total_rows_never_cash_change_or_a_subtotal():
    assert printed_total(RECEIPT_OCR) == Decimal("14.10")  # CASH RM 20.00 is what was handed over
    assert printed_total(AGENCY_INVOICE) == Decimal("2400.00")  # gross, before the commission
    assert printed_total("Subtotal 900.00\nChange 100.00\nThank you") is None
    assert total_read_from_rows({"total_amount": Decimal("2040.00")}, AGENCY_INVOICE) == (
        Decimal("2400.00"), "total 2400.00 read from the total rows printed (the model read 2040.00)"
    )
    # The model's own total is left as it is; one a few cents off is another amount printed.
    assert total_read_from_rows({"total_amount": Decimal("14.10")}, RECEIPT_OCR) is None
    assert total_read_from_rows({"total_amount": Decimal("14.05")}, RECEIPT_OCR)[0] == Decimal("14.10")


def test_the_printed_total_is_the_amount_payable_after_the_cash_rounding():
    rounded = "Total Sales Incl GST    17.76\nTotal After Adj Incl GST    17.70\nCASH    50.00\nCHANGE   32.30\n"
    assert printed_total(rounded) == Decimal("17.70")
    payable = "Total Amt Incl. GST @6 %:   166.00\nRounding Adjustment   0.00\nTotal Amt Payable :   156.00\n"
    assert printed_total(payable) == Decimal("156.00")
    assert total_read_from_rows({"total_amount": Decimal("17.76")}, rounded)[0] == Decimal("17.70")
    # The amount after rounding is the total: the check does not call it too small.
    assert suspicious_invoice_values({"total_amount": Decimal("17.70")}, rounded) == []


def test_the_printed_total_is_what_was_paid_where_no_total_row_is_legible():
    # OCR garbled the total's label; the cash less the change is printed on that row.
    garbled = (
        "Total Sales (Excluding GST).  566.60\n(3A Pe gffos (Inclusive Rounding of GST) :  599.45 0.02\n"
        "CASH :     599.45\nChange :       0.00\n"
    )
    assert amount_paid(garbled) == Decimal("599.45")
    assert printed_total(garbled) == Decimal("599.45")
    assert total_read_from_rows({"total_amount": Decimal("566.60")}, garbled)[0] == Decimal("599.45")
    assert suspicious_invoice_values({"total_amount": Decimal("599.45")}, garbled) == []
    slip = "Total Amt Payable : 12.00\nPaid Amount 20.00\nChange : 8.00\n"
    assert amount_paid(slip) == Decimal("12.00")
    # A difference printed nowhere else is a misread digit in the cash or the change; the
    # row after the cash rounding outranks it (change given on the unrounded amount).
    assert amount_paid("Total 57.40\nCASH 100.00\nCHANGE 42.40\n") is None
    rounded = "Total Sales Incl GST  17.76\nTotal After Adj Incl GST  17.70\nCASH  20.00\nCHANGE  2.24\n"
    assert amount_paid(rounded) == Decimal("17.76") and printed_total(rounded) == Decimal("17.70")
    # No change row, or no tender row right above it: nothing was read.
    assert amount_paid("TOTAL 14.10\nCASH 20.00\n") is None
    assert amount_paid("TOTAL 14.10\nCASH 20.00\nQty 2\nItems 2\nThank you\nChange 5.90\n") is None


def test_the_issue_date_is_read_from_the_row_of_its_label_where_the_model_read_none():
    dutch = "Factuurnummer: 992288600\nFactuurdatum: 29 maart 2014\nOrderdatum: 28 maart 2014\nTotaal  € 4.904,94"
    assert printed_issue_date(dutch) == date(2014, 3, 29)  # the order's date is another one
    [(name, value, note)] = printed_values(SCHEMAS[INVOICE], {"total_amount": Decimal("4904.94")}, dutch)
    assert (name, value) == ("invoice_date", date(2014, 3, 29))
    assert note == "invoice date 2014-03-29 read from the row of its label (the model read none)"
    # A model's date stands (grounding and the date rules judge it).
    assert date_read_from_rows({"invoice_date": date(2014, 3, 28)}, dutch) is None
    # A date stacked under its label; due and delivery dates are not the issue date; the
    # document's own order reads an ambiguous date.
    assert printed_issue_date("Invoice Date\n03/04/2020\nTotal $120.00") == date(2020, 3, 4)
    assert printed_issue_date("Due Date: 12/05/2020\nDelivery date 10/05/2020") is None
    assert printed_issue_date("Date: 03/04/2020\nPrinted 25/04/2020") == date(2020, 4, 3)


def test_the_buyer_is_the_name_right_of_its_label_where_the_model_read_none_or_another():
    assert printed_buyers(AD_INVOICE_LAYOUT) == ["Mike Miles for Jefferson County"]
    header = "Advertiser          Product          Estimate Number\nAdvertiser Code    560\nClient: 12 High Street"
    assert printed_buyers(header) == []  # labels, a code's label and an address are no names
    invoice = SCHEMAS[INVOICE]
    values = {"buyer_name": "Salesperson", "total_amount": Decimal("5130.00"), "invoice_date": date(2020, 3, 8)}
    assert printed_values(invoice, values, AD_INVOICE_LAYOUT) == [
        ("buyer_name", "Mike Miles for Jefferson County",
         "buyer 'Mike Miles for Jefferson County' read from the row of its label (the model read 'Salesperson')"),
    ]
    assert printed_values(invoice, {"total_amount": Decimal("5130.00")}, AD_INVOICE_LAYOUT)[0][2].endswith(
        "(the model read none)"
    )
    # The model's name stands; one it cut short is read whole.
    kept = {**values, "buyer_name": "Mike Miles for Jefferson County"}
    assert printed_values(invoice, kept, AD_INVOICE_LAYOUT) == []
    [(_, whole, _)] = printed_values(invoice, {**kept, "buyer_name": "Mike Miles"}, AD_INVOICE_LAYOUT)
    assert whole == "Mike Miles for Jefferson County"
    # A name with its address on the row: the name alone is the buyer.
    addressed = "Customer: Acme Ltd, 12 High Street"
    assert printed_values(invoice, {"buyer_name": "Acme Ltd"}, addressed) == []
    assert printed_values(invoice, {"buyer_name": "Acme"}, addressed)[0][1] == "Acme Ltd"
    # The most telling label first: the advertiser, not the agency billed on its behalf.
    both = "Bill To: Strategic Media Services\nAdvertiser:  Kansas for Marshall"
    assert printed_buyers(both) == ["Kansas for Marshall", "Strategic Media Services"]
    # A receipt's draft asks for no buyer.
    assert printed_values(schema_for("receipt").schema, values, AD_INVOICE_LAYOUT) == []


# A till receipt's letterhead as Tesseract lays it out: specks beside a line, a branch line
# between the name and the address, the postcode ending a line with the city on the next.
LETTERHEAD = """         TRI SHAAS SDN BHD (728515-M)
              MYDIN MART SRI MUDA
    4-20, Jalan Ria 25/62 Taman Sri Muda
    Seksyen 25, 40400                               L
    Shah Alam, Selangor
    Tel  : 03-51217970  Fax  : 03-51218059
            GST ID: 000429166592
 Date    ;  10/08/2017 03:26:21PM
"""
LETTERHEAD_ADDRESS = "4-20, Jalan Ria 25/62 Taman Sri Muda, Seksyen 25, 40400, Shah Alam, Selangor"


def test_a_receipts_address_is_its_letterhead_lines_from_the_street_to_the_city():
    receipt = schema_for("receipt").schema
    vendor = "TRI SHAAS SDN BHD"
    # The model stopped after the street, began at the branch or the company number, read
    # the date or nothing: the block's lines are the address.
    for model in ("4-20, Jalan Ria 25/62 Taman Sri Muda", "MYDIN MART SRI MUDA, 4-20, Jalan Ria 25/62",
                  "728515-M", "10/08/2017 03:26:21PM", None):
        assert letterhead_address(LETTERHEAD, vendor, model) == LETTERHEAD_ADDRESS, model
    issued = {"invoice_date": date(2017, 8, 10)}
    [(name, value, note)] = printed_values(receipt, {"vendor_name": vendor, "vendor_address": "728515-M", **issued}, LETTERHEAD)
    assert (name, value) == ("vendor_address", LETTERHEAD_ADDRESS)
    assert note.endswith("read from the letterhead's lines (the model read '728515-M')")
    # The model's own address stands, however it joined the lines; an invoice has no
    # letterhead reading (its sender's block shares rows with the addressee's).
    assert printed_values(receipt, {"vendor_name": vendor, "vendor_address": LETTERHEAD_ADDRESS.replace(",", ""), **issued}, LETTERHEAD) == []
    assert printed_values(SCHEMAS[INVOICE], {"vendor_name": vendor, "vendor_address": "728515-M", **issued}, LETTERHEAD) == []
    # A house number is no postcode; a British postcode is; after the postcode's line the
    # block ends unless the model's address goes on.
    assert letterhead_address(
        "GREENBASKET MARKET\n1587 Alder Street\nFernhill, WA 98072\nHAPPY HOUR 4-6\n", "Greenbasket Market", None
    ) == "1587 Alder Street, Fernhill, WA 98072"
    assert letterhead_address(
        "WRENFIELD HARDWARE\n14 Market Row\nKenilworth CV8 1AB\nVAT NO. GB 882 4410 27\n", "Wrenfield Hardware", None
    ) == "14 Market Row, Kenilworth CV8 1AB"
    # A region's line under the postcode's, the last before the contact lines, is the
    # address's; a mall's name followed by a blank line is not.
    assert letterhead_address(
        "WAN HING STATIONERY SDN BHD\n(162761-M)\nNO.32 & 33, JALAN SR 1/9, SEKSYEN 9,\nTAMAN SERDANG RAYA,\n"
        "43300 SERI KEMBANGAN, SELANGOR\nDARUL EHSAN\nGST ID : 002139201536\n",
        "WAN HING STATIONERY SDN BHD",
        "NO.32 & 33, JALAN SR 1/9",
    ) == "NO.32 & 33, JALAN SR 1/9, SEKSYEN 9, TAMAN SERDANG RAYA, 43300 SERI KEMBANGAN, SELANGOR, DARUL EHSAN"
    assert letterhead_address(
        "POPULAR BOOK CO. (M) SDN BHD\nNo 8, Jalan 7/118B, Desa Tun Razak\n56000 Kuala Lumpur, Malaysia\n"
        "AMPANG POINT CENTRE\n\nTel : 03-42601064/66\n",
        "POPULAR BOOK CO. (M) SDN BHD",
        None,
    ) == "No 8, Jalan 7/118B, Desa Tun Razak, 56000 Kuala Lumpur, Malaysia"
    # A lot's number is no postcode either.
    assert letterhead_address(
        "THE TOAST F&B SDN BHD (965752-T)\nLOT 2110&2111 JALAN PERMAS UTARA\nBANDAR BARU PERMAS\n"
        "81750 JOHOR BAHRU JOHOR\nTel: 07-3886880\n",
        "THE TOAST F&B SDN BHD",
        "LOT 2110&2111 JALAN PERMAS UTARA",
    ) == "LOT 2110&2111 JALAN PERMAS UTARA, BANDAR BARU PERMAS, 81750 JOHOR BAHRU JOHOR"
    # Without a postcode the block's end is unsure, and the model's address stands.
    assert letterhead_address("ACME\n12 High Street\nTel 555 0100\n", "ACME", "12 High Street") is None
    # Several of the model's lines without a number: the house number is misread, not absent.
    misread = "AEON CO. (M) BHD\nSRD FLR, AEON TAMAN MALURT SC\nJLN JEJAKA, TAMAN MALURI\nCHERAS, 56100 KUALA LUMPUR\n"
    model = "SRD FLR, AEON TAMAN MALURT SC, JLN JEJAKA, TAMAN MALURI"
    assert letterhead_address(misread, "AEON CO. (M) BHD", model) is None


LOGO_LETTERHEAD = """                                Fomcon SH
                                Tea ie

    YONG TAT HARDWARE TRADING
                 (JM0292487-D}
           NO 4,JALAN PERJIRANAN 10,
                TAMAN AIR BIRU
             81700 PASIR GUDANG,
                    JOHOR,
       TEL  :07-2614733  FAX:  07-2814733
 Name : CASH
 Owned By :
 YONG TAT HOLDINGS SDN BHD (1135772-K)
"""


def test_a_receipts_shop_is_the_letterhead_above_its_address_where_the_model_read_specks_or_a_label():
    receipt = schema_for("receipt").schema
    address = "NO 4,JALAN PERJIRANAN 10, TAMAN AIR BIRU, 81700 PASIR GUDANG, JOHOR"
    for model in ("Fomcon SH", "CASH", None):  # a logo's specks above, a label, nothing
        [(name, value, note)] = [
            reading for reading in printed_values(receipt, {"vendor_name": model, "vendor_address": address}, LOGO_LETTERHEAD)
            if reading[0] == "vendor_name"
        ]
        assert value == "YONG TAT HARDWARE TRADING", model
        assert note.startswith("vendor name 'YONG TAT HARDWARE TRADING' read from the letterhead above the address")
    # A name like the letterhead's (OCR or the memory spelling it otherwise) and the owner's
    # printed below stand.
    for model in ("YONG TAT HARDWARE TRADNG", "YONG TAT HOLDINGS SDN BHD"):
        values = {"vendor_name": model, "vendor_address": address}
        assert [r for r in printed_values(receipt, values, LOGO_LETTERHEAD) if r[0] == "vendor_name"] == [], model
    # The name is the block's top down to its legal form (not the branch under it), and
    # large print spaced out is one line.
    assert letterhead_name(LETTERHEAD, "TRI SHAAS SDN BHD", None).name == "TRI SHAAS SDN BHD (728515-M)"
    [(_, name, _)] = [r for r in printed_values(receipt, {"vendor_address": LETTERHEAD_ADDRESS}, LETTERHEAD) if r[0] == "vendor_name"]
    assert name == "TRI SHAAS SDN BHD"
    spaced = "POPULAR BOOK\n  co.      (M)      SDN     BHD\n (Co. No. 113825-W)\nNo 8, Jalan 7/118B, Desa Tun Razak\n56000 Kuala Lumpur\n"
    assert letterhead_name(spaced, None, "No 8, Jalan 7/118B").name == "POPULAR BOOK co. (M) SDN BHD"


def test_a_vendors_name_is_read_without_the_company_number_printed_after_it():
    invoice = SCHEMAS[INVOICE]
    [(name, value, note)] = printed_values(invoice, {"vendor_name": "AEON CO. (M) BHD (126926-H)"}, "")
    assert (name, value) == ("vendor_name", "AEON CO. (M) BHD")
    assert note == "vendor name 'AEON CO. (M) BHD' without the company number (126926-H) printed after it"
    for name in ("ACME (EUROPE) LTD", "AEON CO. (M) BHD", "Bistro (Est. 1999)"):
        assert printed_values(invoice, {"vendor_name": name}, "") == [], name


@pytest.mark.slow  # the scans go through Tesseract
def test_the_printed_total_of_every_sample_invoice_and_receipt_and_a_receipts_address_are_true():
    """Expected-output pairs: the sample documents' manifest against the rows their own text shows."""
    checked = 0
    for row in manifest():
        if row["doc_type"] not in ("invoice", "receipt") or row["file"].endswith(".eml"):
            continue  # a mail's own body prints no total; its attachment does
        read = read_text(content_of(row["file"]), DocpipeSettings())
        laid_out, fields = read.layout_text or read.text, row["fields"]
        assert printed_total(laid_out) == Decimal(str(fields["total_amount"])), row["file"]
        if row["doc_type"] == "receipt":  # its address, with none from a model
            address = letterhead_address(laid_out, fields["vendor_name"], None)
            assert address is not None and address.casefold() == fields["vendor_address"].casefold(), row["file"]
        checked += 1
    assert checked >= 6
