"""Trust in extracted values: grounding in the source text, business rules, confidences.

Grounding asks whether a value (or its normal form) occurs in the document text:

* ``exact``       the value occurs as written (case and whitespace aside);
* ``normalized``  its normal form does: letters and digits only for text (``67,JLN`` ~
  ``67 jln``), the same calendar date in any printed format, the same number whatever
  the thousands separators, a currency's code or symbol (``RM`` for MYR);
* ``fuzzy``       at least 80% of its words occur (OCR noise in long names, addresses);
* ``absent``      none of that: the model may have invented it;
* ``not_applicable`` for values the model writes rather than copies (a summary, a type).

Rules check what grounding cannot: totals add up, due date after invoice date, a real
currency. Each field gets a confidence from both (documented in docs/extraction.md), and
a *required* field that is missing, absent from the text, or breaks a rule sends the
document to review with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from extractors.fields.normalize import (
    amounts_in,
    compact,
    currency_printed_in,
    dates_in,
    document_date_order,
    durations_in,
    fold,
    parse_amount,
    parse_date,
    parse_duration,
    words,
)
from schemas.types import ExtractionSchema, FieldKind

CHECKS_VERSION = "c3"
"""In the extract stage's version: a change that changes stored values (c1: the total and
the buyer read from their labelled rows in place of the model's; c2: also a receipt's
shop and address from its letterhead, a vendor's name without its company number, the
total after the cash rounding, a contract's title from its heading, its parties' names
without what it says they are; c3: the amount paid where no total row is legible, a
region's line under a letterhead's postcode and no lot number taken for a postcode, the
invoice date from its labelled row, a receipt's address that is a date or a lone word
read again, month names of other languages) re-reads
documents, as a new model does."""

GROUNDING_CONFIDENCE = {
    "exact": 0.95,
    "normalized": 0.9,
    "fuzzy": 0.6,
    "absent": 0.15,
    "not_applicable": 0.7,
}
MISSING_CONFIDENCE = 0.5
"""A null value: the model found nothing, which the text cannot confirm or refute."""
RULE_PENALTY = 0.4
"""Confidence is multiplied by this for each broken rule involving the field."""
FUZZY_WORD_SHARE = 0.8
TOTAL_TOLERANCE = Decimal("0.05")
"""Totals may differ from subtotal + tax by this much (rounding; cash rounding to 0.05)."""


class SourceText:
    """The document text with the normal forms grounding compares against, computed once."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def spaced(self) -> str:
        return " ".join(fold(self.text).split())

    @cached_property
    def compact(self) -> str:
        return compact(self.text)

    @cached_property
    def words(self) -> set[str]:
        return set(words(self.text))

    @cached_property
    def amounts(self) -> set[Decimal]:
        return amounts_in(self.text)

    @cached_property
    def dates(self) -> set[date]:
        return dates_in(self.text)

    @cached_property
    def durations(self) -> set[tuple[int, str]]:
        return durations_in(self.text)


def ground_text(value: str, source: SourceText) -> str:
    spaced = " ".join(fold(value).split())
    if len(compact(value)) <= 3:
        # Too short to match as a substring by chance-free: it must be a whole word.
        pattern = rf"(?<!\w){re.escape(spaced)}(?!\w)"
        return "exact" if re.search(pattern, source.spaced) else "absent"
    if spaced in source.spaced:
        return "exact"
    if compact(value) in source.compact:
        return "normalized"
    value_words = words(value)
    if value_words and sum(word in source.words for word in value_words) / len(value_words) >= FUZZY_WORD_SHARE:
        return "fuzzy"
    return "absent"


def ground(kind: FieldKind, value: Any, source: SourceText) -> str:
    """How ``value`` of ``kind`` is found in the text (see the module doc)."""
    if kind in (FieldKind.CHOICE, FieldKind.GENERATED):
        return "not_applicable"
    if kind is FieldKind.DATE:
        return "normalized" if value in source.dates else "absent"
    if kind is FieldKind.AMOUNT:
        return "normalized" if abs(value) in source.amounts else "absent"
    if kind is FieldKind.CURRENCY:
        return "normalized" if currency_printed_in(value, source.text) else "absent"
    if kind is FieldKind.DURATION:
        duration = parse_duration(value)
        if duration is not None and duration in source.durations:
            return "normalized"
        return ground_text(value, source)
    return ground_text(str(value), source)


_WORST_FIRST = ("absent", "fuzzy", "normalized", "exact", "not_applicable")


def _worst(levels: list[str]) -> str:
    return min(levels, key=_WORST_FIRST.index)


@dataclass
class FieldCheck:
    grounding: str | None
    """None when the value is missing (null or empty list)."""
    confidence: float
    issues: list[str] = field(default_factory=list)
    rule_broken: bool = False


@dataclass
class CheckReport:
    fields: dict[str, FieldCheck]
    review_reasons: list[str]
    doubts: list[str] = field(default_factory=list)
    """Confident nonsense in a field that is not required ("Main: (712) 277-3554" as the
    buyer): no review for it, but a reason for the next tier to read the document."""

    @property
    def reasons_to_read_again(self) -> list[str]:
        return [*self.review_reasons, *self.doubts]

    @property
    def confidences(self) -> dict[str, float]:
        return {name: round(check.confidence, 3) for name, check in self.fields.items()}

    @property
    def issues(self) -> dict[str, list[str]]:
        return {name: check.issues for name, check in self.fields.items() if check.issues}


def _field_grounding(kind: FieldKind, value: Any, source: SourceText, issues: list[str]) -> str | None:
    if kind is FieldKind.TEXT_LIST:
        if not value:
            return None
        levels = []
        for item in value:
            level = ground_text(item, source)
            if level == "absent":
                issues.append(f"{item!r} not found in the text")
            levels.append(level)
        return _worst(levels)
    if kind is FieldKind.LINE_ITEMS:
        if not value:
            return None
        levels = []
        for number, item in enumerate(value, start=1):
            for key, item_value in item.items():
                if item_value is None:
                    continue
                item_kind = FieldKind.TEXT if key == "description" else FieldKind.AMOUNT
                level = ground(item_kind, item_value, source)
                if level == "absent":
                    issues.append(f"line {number} {key} {item_value!s} not found in the text")
                levels.append(level)
        return _worst(levels) if levels else None
    if value is None:
        return None
    level = ground(kind, value, source)
    if level == "absent":
        issues.append(f"{value!s} not found in the text")
    return level


_COPIABLE = (FieldKind.TEXT, FieldKind.EMAIL, FieldKind.DURATION, FieldKind.JURISDICTION)


def discard_instruction_copies(
    schema: ExtractionSchema, values: dict[str, Any], source_text: str, instructions: str
) -> dict[str, list[str]]:
    """Drop values that are not in the document but are in the prompt's instructions (a small
    model fills a field it cannot find with its description). Mutates ``values``; returns issues."""
    source, prompt = SourceText(source_text), compact(instructions)
    issues: dict[str, list[str]] = {}

    def copied(kind: FieldKind, value: str) -> bool:
        return len(compact(value)) > 3 and compact(value) in prompt and ground(kind, value, source) == "absent"

    for name, kind in schema.kinds.items():
        value = values.get(name)
        if kind is FieldKind.TEXT_LIST and value:
            kept = [item for item in value if not copied(FieldKind.TEXT, item)]
            dropped = len(value) - len(kept)
        elif kind in _COPIABLE and value is not None:
            dropped = int(copied(kind, value))
            kept = None if dropped else value
        else:
            continue
        if dropped:
            values[name] = kept
            issues[name] = [f"{dropped} value(s) copied from the instructions, not in the document: dropped"]
    return issues


# --- rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleViolation:
    fields: tuple[str, ...]
    message: str


def _close(a: Decimal, b: Decimal, tolerance: Decimal = TOTAL_TOLERANCE) -> bool:
    return abs(a - b) <= tolerance


def invoice_rules(values: dict[str, Any], today: date) -> list[RuleViolation]:
    violations = []
    subtotal, tax, total = values.get("subtotal"), values.get("tax_amount"), values.get("total_amount")
    if subtotal is not None and tax is not None and total is not None and not _close(subtotal + tax, total):
        violations.append(
            RuleViolation(
                ("total_amount", "subtotal", "tax_amount"),
                f"total {total} is not subtotal {subtotal} + tax {tax} (= {subtotal + tax})",
            )
        )
    for name in ("subtotal", "tax_amount", "total_amount"):
        if values.get(name) is not None and values[name] < 0:
            violations.append(RuleViolation((name,), f"{name} {values[name]} is negative"))
    if subtotal is not None and total is not None and tax is None and subtotal > total + TOTAL_TOLERANCE:
        violations.append(RuleViolation(("total_amount", "subtotal"), f"subtotal {subtotal} exceeds total {total}"))
    issued, due = values.get("invoice_date"), values.get("due_date")
    if issued is not None and due is not None and due < issued:
        violations.append(RuleViolation(("due_date", "invoice_date"), f"due date {due} is before invoice date {issued}"))
    if issued is not None and not date(1980, 1, 1) <= issued <= today + timedelta(days=1):
        violations.append(RuleViolation(("invoice_date",), f"invoice date {issued} is not a plausible issue date"))
    amounts = [line["amount"] for line in values.get("line_items") or [] if line.get("amount") is not None]
    reference = subtotal if subtotal is not None else total
    if amounts and reference is not None and sum(amounts) > reference + TOTAL_TOLERANCE:
        violations.append(
            RuleViolation(("line_items",), f"line amounts add up to {sum(amounts)}, more than {reference}")
        )
    return violations


# --- confident nonsense -------------------------------------------------------------------
# A small model that cannot find a value takes a word near where it should be: the label
# ("Invoice" as the invoice number, "Salesperson" as the buyer), a house number as the total.
# Such a value is in the text, so grounding passes it; these checks catch what it looks like.

LABEL_WORDS = frozenset(
    """
    invoice inv receipt bill no number nr num ref reference date dated due total subtotal sub
    amount gross net tax vat gst sales buyer seller vendor supplier customer client salesperson
    advertiser agency agent account accounts acct payable receivable to from sold ship attention attn
    page of cashier cash change tendered
    terms term period order contract estimate product brand description item qty quantity
    price unit balance payment paid phone tel fax email address name code id
    """.split()
)
"""Words of the labels printed beside values on invoices and receipts: a value made of them
alone is a label the model copied."""

_DIGIT = re.compile(r"\d")
_STREET = re.compile(
    r"^\s*(?:\d+[a-z]?[\s,-]+\S.*\b(?:street|st|road|rd|avenue|ave|drive|dr|boulevard|blvd|lane|ln|way|"
    r"highway|hwy|suite|ste|floor|jalan|jln|lorong|strasse|straße|str|weg|laan|rue|via)\b"
    r"|p\.?\s?o\.?\s+box\b)",
    re.I,
)
_TOTAL_LINE = re.compile(
    # A text layer may glue a label's words ("GrossTotal $995.00").
    r"\b(?:total|grand\s*total|gross\s*total|amount due|balance due|amount payable|gross|jumlah|to pay|summe|"
    r"totaal|totale)\b",
    re.I,
)
_NOT_THE_TOTAL = re.compile(
    r"\b(?:sub[\s-]*total|cash|change|tender(?:ed)?|paid|rounding|round|discount|saving|savings|qty|quantity|"
    r"items?|points?|excl\w*|before)\b",
    re.I,
)
_PRINTED_AMOUNT = re.compile(r"\d[\d,. ]*[.,]\d{2}\b")


def is_label(value: str) -> bool:
    """``value`` is made only of label words ("Invoice", "Inv Date", "Bill To:")."""
    value_words = words(value)
    return bool(value_words) and all(word in LABEL_WORDS for word in value_words)


_CITY_LINE = re.compile(r",\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\s*$")
"""A US city line: "Chicago, IL 60693-0328"."""


def looks_like_address(value: str) -> bool:
    """A street address, PO box or city line rather than a name ("3535 Hampshire Dr")."""
    return bool(_STREET.search(value) or _CITY_LINE.search(value))


def looks_like_scan_noise(value: str) -> bool:
    """Specks of a scanned logo or stamp read as letters rather than a name: several pieces
    and no word of three letters or more ("AE A A", "— ee"). A name has such a word, or is
    one short token ("3M", "BP", "A&W")."""
    return len(value.split()) > 1 and not any(len(run) >= 3 for run in re.findall(r"[^\W\d_]+", value))


def looks_like_code(value: str) -> bool:
    """A number rather than a name: more digits than letters, six or more of them (a phone
    line "Main: (712) 277-3554", a tax id, an order code "WOC12493057"). A name with a year
    or a client code in it ("Tom Steyer 2020", "... Tr(135304)") has more letters."""
    digits = sum(char.isdigit() for char in value)
    return digits >= 6 and digits > sum(char.isalpha() for char in value)


def _labelled_rows(text: str, label: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> list[str]:
    """The lines where ``label`` stands (from the label on), each with the next printed line
    where it carries no number itself (a value stacked under its label: "Amount due" over
    "EUR 3,480.50"); lines ``exclude`` matches are left out."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        match = label.search(line)
        if match is None or (exclude is not None and exclude.search(line)):
            continue
        row = line[match.start() :]
        if not _DIGIT.search(row):
            row = f"{row} {next((later for later in lines[number + 1 :] if later.strip()), '')}"
        found.append(row)
    return found


# --- values a rule may compare -------------------------------------------------------------
# The sum and date rules compare values, and a small model fills subtotal, tax and due date
# from any amount or date it sees: a line's rate as the subtotal, an agency's commission as
# the tax, the first day of a billing period as the due date. A rule comparing those blames
# the total or the invoice date for them, so it compares only values the document prints on
# a row of their own label; any other such value is flagged itself.

_SUBTOTAL_LABEL = re.compile(
    r"\b(?:sub[\s-]*total\w*|net(?:to)?(?:\s+(?:amount|total|value))?|nettobetrag|zwischensumme|subtotaal|"
    r"imponibile|taxable(?:\s+(?:amount|value))?|excl\w*|excluding|before\s+tax|pre[\s-]*tax|ht|hors\s+taxes?)\b",
    re.I,
)
_TAX_LABEL = re.compile(r"\b(?:tax(?:es)?|vat|[cis]?gst|sst|hst|pst|qst|mwst|ust|btw|tva|iva|moms|mva)\b", re.I)
_DUE_DATE_LABEL = re.compile(
    r"\b(?:due\s+date|date\s+due|payment\s+due|pay\s+by|due\s*:|f(?:ä|ae)llig\w*|vervaldatum|scadenza|"
    r"date\s+limite\s+de\s+paiement|[ée]ch[ée]ance)",
    re.I,
)


def printed_due_dates(text: str) -> set[date]:
    """The dates printed after a due-date label (or stacked under it)."""
    return set().union(*(dates_in(row) for row in _labelled_rows(text, _DUE_DATE_LABEL)))


_ISSUE_DATE_LABEL = re.compile(
    r"\b(?:(?:invoice|inv|bill|receipt|issue|document)\.?\s*(?:date|dt)|date\s+of\s+(?:invoice|issue)|date|datum|"
    r"factuurdatum|rechnungsdatum|fecha|data|tarikh)\b",
    re.I,
)
"""A date's label on an invoice or receipt, in the languages of ``normalize.DATE_LANGUAGES``
("Factuurdatum: 29 maart 2014", "Date de facture", "Fecha"); which date it is comes from the
words around it (``_OTHER_DATE``)."""
_OTHER_DATE = re.compile(
    r"\b(?:due|order(?:ed)?|deliver\w*|ship\w*|payment|pay|print\w*|check[\s-]*(?:in|out)|expir\w*|valid\w*|"
    r"period|from|until|start|end|arrival|departure|birth|orderdatum|leverdatum|lieferdatum|bestelldatum|"
    r"vervaldatum|f(?:ä|ae)llig\w*|[ée]ch[ée]ance|limite|scadenza|vencimiento)\b",
    re.I,
)
"""Words that make a labelled date another one than the day the invoice was issued."""


def printed_issue_date(laid_out: str) -> date | None:
    """The date printed after the first issue-date label (or stacked under it) of a row
    that names no other date (due, order, delivery...), read in the document's day/month
    order; None where no such row prints a date."""
    order = document_date_order(laid_out)
    for row in _labelled_rows(laid_out, _ISSUE_DATE_LABEL, _OTHER_DATE):
        issued = parse_date(row, order)
        if issued is not None:
            return issued
    return None


def date_read_from_rows(values: dict[str, Any], laid_out: str) -> tuple[date, str] | None:
    """The printed issue date (``printed_issue_date``) where the model read none (a date in
    another language, "29 maart 2014", which the small model leaves out); a model's date
    stands, grounding and the date rules judge it."""
    if values.get("invoice_date") is not None:
        return None
    issued = printed_issue_date(laid_out)
    if issued is None:
        return None
    return issued, f"invoice date {issued} read from the row of its label (the model read none)"


def unprinted_invoice_values(values: dict[str, Any], laid_out: str) -> list[RuleViolation]:
    """A subtotal, tax or due date that stands on no row of its own label (``laid_out``: each
    printed row on one line), each flagged on that field alone."""
    violations = []
    for name, label, what in (("subtotal", _SUBTOTAL_LABEL, "subtotal"), ("tax_amount", _TAX_LABEL, "tax")):
        value = values.get(name)
        if value is None or (name == "tax_amount" and value == 0):  # no tax printed, none read
            continue
        if abs(value) not in set().union(*(amounts_in(row) for row in _labelled_rows(laid_out, label))):
            violations.append(RuleViolation((name,), f"{what} {value} is on no row labelled {what}"))
    due = values.get("due_date")
    if due is not None and due not in printed_due_dates(laid_out):
        violations.append(RuleViolation(("due_date",), f"due date {due} is printed under no due-date label"))
    return violations


def suspicious_invoice_values(values: dict[str, Any], laid_out: str, letterhead: bool = False) -> list[RuleViolation]:
    """Values of an invoice or receipt that are in the text but cannot be what was asked for.

    ``laid_out`` is the text with each printed row on one line (a page's layout, or plain
    text, which is already laid out so), where a total's label and amount share a line.
    ``letterhead``: the document prints its sender's address in a letterhead
    (``ExtractionSchema.letterhead``, receipts), where the address is a key value and a
    nonsense one is read again; an invoice's is not checked (on the FCC invoices the models
    read a station's call letters or a date row for it, and reading 13 of 43 again for a
    field no one requires cost a quarter of the throughput).
    """
    violations = []
    for name in ("vendor_name", "buyer_name", "invoice_number"):
        value = values.get(name)
        if isinstance(value, str) and is_label(value):
            violations.append(RuleViolation((name,), f"{value!r} is a label printed on the document, not its value"))
    number = values.get("invoice_number")
    if isinstance(number, str) and not is_label(number) and not _DIGIT.search(number):
        violations.append(RuleViolation(("invoice_number",), f"invoice number {number!r} has no digit"))
    issued = values.get("invoice_date")
    if isinstance(number, str) and issued is not None and not re.search(r"[^\W\d_]", number):
        digits = re.sub(r"\D", "", number)
        if digits in {issued.strftime(form) for form in ("%d%m%Y", "%m%d%Y", "%Y%m%d", "%d%m%y", "%m%d%y", "%y%m%d")}:
            violations.append(RuleViolation(("invoice_number",), f"invoice number {number!r} is the invoice date"))
    for name in ("vendor_name", "buyer_name"):
        value = values.get(name)
        if isinstance(value, str) and looks_like_address(value):
            violations.append(RuleViolation((name,), f"{name} {value!r} is an address, not a name"))
        elif isinstance(value, str) and looks_like_code(value):
            violations.append(RuleViolation((name,), f"{name} {value!r} is a number or code, not a name"))
        elif isinstance(value, str) and looks_like_scan_noise(value):
            violations.append(RuleViolation((name,), f"{name} {value!r} has no word of three letters: scan noise, not a name"))
    address = values.get("vendor_address") if letterhead else None
    if isinstance(address, str) and dates_in(address):
        violations.append(RuleViolation(("vendor_address",), f"vendor address {address!r} holds a date, not an address"))
    elif isinstance(address, str) and len(address.split()) == 1 and not _DIGIT.search(address):
        violations.append(RuleViolation(("vendor_address",), f"vendor address {address!r} is one word without a number"))
    total = values.get("total_amount")
    lines = _total_rows(laid_out)
    if total is not None and lines:
        printed = printed_total(laid_out)
        if abs(total) not in set().union(*(amounts_in(line) for line in lines)) and abs(total) != amount_paid(laid_out):
            violations.append(RuleViolation(("total_amount",), f"total {total} is not on any line that says total"))
        elif printed is not None and printed > abs(total) + TOTAL_TOLERANCE:
            violations.append(RuleViolation(("total_amount",), f"total {total} is not the total printed ({printed})"))
    return violations


def _total_rows(laid_out: str) -> list[str]:
    return _labelled_rows(laid_out, _TOTAL_LINE, _NOT_THE_TOTAL)


_FINAL_TOTAL = re.compile(r"\b(?:payable|after\s+(?:adj\w*|round\w*)|rounded)\b", re.I)
"""A total row that says it is the amount to pay after the cash rounding or adjustment
("Total After Adj Incl GST 17.70" under "Total Sales Incl GST 17.76", "Total Amt Payable")."""


def printed_total(laid_out: str) -> Decimal | None:
    """What an invoice or receipt asks to be paid: the amount of the last total row that
    says it is the amount payable or the one after rounding; else the amount the customer
    paid (``amount_paid``); else the largest amount (with cents) printed on a row that says
    total and not subtotal, cash, change or the like (the amount before an agency's
    commission, a deposit or a discount comes off it). None when none of these is printed."""
    rows = _total_rows(laid_out)
    final = [row for row in rows if _FINAL_TOTAL.search(row)]
    return _largest_amount(final[-1:]) or amount_paid(laid_out) or _largest_amount(rows)


_TENDER_ROW = re.compile(r"\b(?:cash|tender(?:ed)?|paid|payment|card|visa|master\s*card|debit|credit)\b", re.I)
_CHANGE_ROW = re.compile(r"\bchange\b", re.I)
_TENDER_ROWS_ABOVE = 3
"""How far above its change row the amount tendered is printed."""


def amount_paid(laid_out: str) -> Decimal | None:
    """The amount tendered less the change given ("CASH 20.00" over "CHANGE 8.00": 12.00),
    where that amount is also printed on another row of the slip (a total whose label OCR
    garbled, "(3A Pe gffos (Inclusive Rounding of GST) : 599.45"): two printed rows agree on
    what was paid. None where no change row follows a tender row, or nothing else prints
    the difference (a misread digit in either)."""
    lines = laid_out.splitlines()
    change_rows = [number for number, line in enumerate(lines) if _CHANGE_ROW.search(line) and _row_amounts(line)]
    if not change_rows:
        return None
    change_row = change_rows[0]
    tender_row = next(
        (
            above
            for above in range(change_row - 1, max(-1, change_row - 1 - _TENDER_ROWS_ABOVE), -1)
            if _TENDER_ROW.search(lines[above]) and _row_amounts(lines[above])
        ),
        None,
    )
    if tender_row is None:
        return None
    paid = max(_row_amounts(lines[tender_row])) - _row_amounts(lines[change_row])[-1]
    elsewhere = (line for number, line in enumerate(lines) if number not in (tender_row, change_row))
    return paid if paid > 0 and any(paid in _row_amounts(line) for line in elsewhere) else None


def _row_amounts(row: str) -> list[Decimal]:
    """The amounts with cents printed on ``row``, left to right."""
    return [amount for match in _PRINTED_AMOUNT.finditer(row) if (amount := parse_amount(match.group())) is not None]


def _largest_amount(rows: list[str]) -> Decimal | None:
    return max((amount for row in rows for amount in _row_amounts(row)), default=None)


_BUYER_LABELS = ("advertiser", "client", r"customer(?:\s+name)?", r"sold\s+to", r"bill(?:ed)?\s+to")
"""Labels of the customer billed, most telling first: an ad invoice names its advertiser and
bills the agency that bought the time on its behalf."""
_BUYER_ROWS = [
    # The label, then a colon or a column gap, then the value up to the next gap: "Advertiser
    # Kansas for Marshall", "Client: Acme Ltd"; "Advertiser Code  560" is another label.
    re.compile(rf"\b{label}\b[ \t]*(?::[ \t]*|[ \t]{{2,}})(\S(?:.*?\S)?)(?=[ \t]{{2,}}|$)", re.I | re.M)
    for label in _BUYER_LABELS
]


def printed_buyers(laid_out: str) -> list[str]:
    """The names printed right of a customer's label, most telling label first, without the
    address a row may print after a comma ("Acme Ltd, 12 High Street"); values that are
    labels, addresses or codes are left out ("Advertiser  Product  Estimate" is a header)."""
    names = []
    for row in _BUYER_ROWS:
        for match in row.finditer(laid_out):
            head, _, rest = match.group(1).partition(",")
            value = head.strip() if looks_like_address(rest) else match.group(1)
            if not (is_label(value) or looks_like_address(value) or looks_like_code(value)):
                names.append(value)
    return names


def buyer_read_from_rows(values: dict[str, Any], laid_out: str) -> tuple[str, str] | None:
    """The name printed right of the customer's label in place of the model's, with a note,
    where the model's buyer is missing or is not such a name (small models read the agency's
    buyer, a station's call letters or a city, or cut the name short: "Tom Steyer" for "Tom
    Steyer 2020"); None where it is one, or no such row is printed."""
    printed = printed_buyers(laid_out)
    buyer = values.get("buyer_name")
    if not printed or (buyer and compact(buyer) in {compact(name) for name in printed}):
        return None
    model = "none" if not buyer else repr(buyer)
    return printed[0], f"buyer {printed[0]!r} read from the row of its label (the model read {model})"


def total_read_from_rows(values: dict[str, Any], laid_out: str) -> tuple[Decimal, str] | None:
    """The printed total (``printed_total``) in place of the model's, with a note saying so,
    where the model's total is missing or another amount (small models read the amount after
    a commission, a deposit or a line's rate, or the one before the cash rounding); None
    where the model's total is that total, or no total row is printed.

    This reads the rows the total check reads, so a total it puts in place passes that
    check; the sum rule still compares it with a printed subtotal and tax."""
    printed = printed_total(laid_out)
    total = values.get("total_amount")
    if printed is None or (total is not None and abs(total) == printed):
        return None
    model = "none" if total is None else str(total)
    return printed, f"total {printed} read from the total rows printed (the model read {model})"


_COMPANY_NUMBER = re.compile(r"^(?P<name>.*\S)\s*\((?P<number>[^()]*)\)\s*$")


def vendor_read_without_company_number(values: dict[str, Any], laid_out: str) -> tuple[str, str] | None:
    """The vendor's name without the company or registration number printed after it in
    brackets ("AEON CO. (M) BHD (126926-H)" -> "AEON CO. (M) BHD"): the number identifies the
    company in a register, it is not its name, and a vendor list matches on the name. None
    where no such number follows the name ("ACME (EUROPE) LTD" keeps its brackets)."""
    vendor = values.get("vendor_name")
    match = _COMPANY_NUMBER.match(vendor) if isinstance(vendor, str) else None
    if match is None or not looks_like_code(match.group("number")):
        return None
    name = match.group("name")
    return name, f"vendor name {name!r} without the company number ({match.group('number')}) printed after it"


# --- a letterhead's address ----------------------------------------------------------------
# A till receipt prints its shop as one centred block: the name, a company number, the
# address one piece per line from the street number to the postcode and city, then the
# contact and tax lines. Small models stop after the first line of the address, start it
# at the company number, or take that number or the date for it; the block's lines are
# the address.

_CONTACT_LINE = re.compile(
    r"\b(?:tel|telephone|phone|fax|mobile|whatsapps?|h/p|e-?mail|www|http|gst|sst|vat|tax|reg(?:istration)?|"
    r"co\.?\s*no|company\s+no|invoice|receipt|bill|cashier|date|time|table|order|terminal)\b|@",
    re.I,
)
"""A line after the address: how to reach the shop, its tax numbers, the slip's own labels."""
_LEGAL_NAME = re.compile(
    r"\b(?:sdn\.?\s*bhd|s/b|bhd|berhad|ltd|limited|inc|llc|llp|plc|plt|gmbh|pty|corp(?:oration)?)\b\.?\s*(?:\([^()]*\))?\s*$",
    re.I,
)
"""A company's name (its legal form last), printed above the address, not part of it."""
_POSTCODE = re.compile(
    r"(?<![\w/.-])(?:\d{5}-\d{4}|\d{4,6})(?![\w/-])"  # 43300, 98072-1234, 04229
    r"|\b(?:[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4}\s?[A-Z]{2})\b",  # CV8 1AB, K1A 0B1, 1012 AB
    re.I,
)
_HOUSE_NUMBER = re.compile(r"^\W*(?:(?:lot|no|unit|suite|blk|block)\b\W*)?\d\S*", re.I)
"""The number a street line starts with ("1587 Alder Street", "LOT 2110&2111 JALAN PERMAS"),
which is no postcode."""
_ADDRESS_LINES = 5
"""The most lines an address takes, and how far below the shop's name it may start."""


def _main_segment(line: str) -> str:
    """A printed line without what a wide gap sets apart from it (a stamp's or a torn
    edge's specks beside a centred line), its spacing made single; a line of single words
    wide apart is large print spaced out ("co.    (M)    SDN    BHD") and stays whole."""
    segments = re.split(r"\s{3,}", line.strip())
    if len(segments) > 1 and all(" " not in segment for segment in segments):
        return " ".join(segments)
    return " ".join(max(segments, key=lambda segment: len(compact(segment))).split())


def _address_line(line: str, vendor: str) -> bool:
    """``line`` may be a line of an address: not the shop's name or company number, no
    contact or tax line, a date or scan noise."""
    flat = compact(line)
    return bool(
        len(flat) >= 3
        and re.search(r"[^\W\d_]{2}", line)
        and not (vendor and flat == vendor)
        and not _CONTACT_LINE.search(line)
        and not _LEGAL_NAME.search(line)
        and not looks_like_code(line)
        and not looks_like_scan_noise(line)
        and not dates_in(line)
    )


def _letterhead_lines(laid_out: str) -> list[str]:
    return [_main_segment(line) for line in laid_out.splitlines()]


def _address_in_letterhead(lines: list[str], vendor: str | None, model_address: str | None) -> tuple[int, list[str]] | None:
    """(where the address starts, its lines) in a page's lines (``_letterhead_lines``):
    from the first numbered line at or below the line the model's address starts on (else
    below the shop's name), down to the line with the postcode or the model's last line,
    whichever is lower (and the next where the postcode ends its line or the line ends in a
    comma: the city follows; and a region's line under it, ``_region_line``), ending at a
    contact or tax line. None where no such block is found."""
    flat = [compact(line) for line in lines]
    model = compact(model_address or "")
    vendor_flat = compact(vendor or "")
    # Lines of the model's address: printed whole in it, or holding all of it (cut short).
    covered = [i for i, piece in enumerate(flat) if len(piece) >= 6 and (piece in model or len(model) >= 8 and model in piece)]
    # Lines of the model's address are consecutive: a later line that repeats a piece of it
    # ("SELANGOR" in a footer) is not one.
    covered = [i for i in covered if i < covered[0] + 2 * _ADDRESS_LINES]
    if not any(_address_line(lines[i], vendor_flat) for i in covered):
        covered = []  # the model read a company number or a date: look below the name
    if covered:
        anchor = covered[0]
    elif vendor_flat and (named := [i for i, piece in enumerate(flat) if vendor_flat in piece]):
        anchor = named[0] + 1
    else:
        return None
    start = next(
        (
            i
            for i in range(anchor, min(anchor + _ADDRESS_LINES, len(lines)))
            if _address_line(lines[i], vendor_flat) and _DIGIT.search(lines[i])
        ),
        None,
    )
    # One line may stand between the name and the address (a branch, "MYDIN MART SRI MUDA");
    # more of the model's lines without a number are the address read without its house
    # number (OCR's "SRD FLR" for "3RD FLR"), which this reading would cut off.
    if start is None or sum(anchor <= i < start and _address_line(lines[i], vendor_flat) for i in covered) > 1:
        return None
    address: list[str] = []
    postcode_seen = ended = False
    for i in range(start, min(start + _ADDRESS_LINES, len(lines))):
        line = lines[i]
        if not _address_line(line, vendor_flat) or (ended and not any(j >= i for j in covered) and not _region_line(lines, i)):
            break
        address.append(line)
        postcode = _POSTCODE.findall(_HOUSE_NUMBER.sub("", line) if i == start else line)
        postcode_seen = postcode_seen or bool(postcode)
        # "JALAN BANGI, 43500" / "SEMENYIH": a postcode after a comma at the end of a line
        # has its city on the next; "Fernhill, WA 98072" ends the address.
        ends_open = line.endswith(",") or bool(postcode and re.search(rf",\s*{re.escape(postcode[-1])}\W*$", line))
        ended = postcode_seen and not ends_open
    return (start, address) if postcode_seen else None


_REGION_WORDS = 3
"""The most words of a region's line under the postcode's."""


def _region_line(lines: list[str], number: int) -> bool:
    """``lines[number]`` names the region of the address above it: words only, a few, and the
    last line before the contact lines ("DARUL EHSAN" under "43300 SERI KEMBANGAN,
    SELANGOR", a country under a British postcode). A mall's or a branch's name followed by
    a blank line or the slip's header is not one."""
    words = lines[number].split()
    return (
        0 < len(words) <= _REGION_WORDS
        and all(re.fullmatch(r"[^\W\d_]+[.,]?", word) for word in words)
        and number + 1 < len(lines)
        and bool(_CONTACT_LINE.search(lines[number + 1]))
    )


def letterhead_address(laid_out: str, vendor: str | None, model_address: str | None) -> str | None:
    """The address printed in the letterhead, its lines joined (``_address_in_letterhead``)."""
    found = _address_in_letterhead(_letterhead_lines(laid_out), vendor, model_address)
    return None if found is None else ", ".join(line.rstrip(" ,") for line in found[1])


@dataclass(frozen=True)
class LetterheadName:
    name: str
    """The shop's name: the block's lines from the top down to the first that ends in a legal
    form ("TRI SHAAS SDN BHD (728515-M)" over the branch "MYDIN MART SRI MUDA"), or all."""
    block: str
    """All the block's lines above the address."""
    above: str
    """The page's lines above the block (a logo's specks, a slogan)."""


def letterhead_name(laid_out: str, vendor: str | None, model_address: str | None) -> LetterheadName | None:
    """The shop's name in the letterhead: the lines right above the address, past company
    numbers and tax lines, up to a blank line or one without a word (specks). None where no
    address is found or nothing stands above it."""
    lines = _letterhead_lines(laid_out)
    found = _address_in_letterhead(lines, vendor, model_address)
    if found is None:
        return None
    top = found[0]
    block: list[str] = []
    for i in range(found[0] - 1, max(-1, found[0] - 1 - _ADDRESS_LINES), -1):
        line = lines[i]
        if _CONTACT_LINE.search(line) or looks_like_code(line):
            continue
        if not re.search(r"[^\W\d_]{3}", line) or looks_like_scan_noise(line):
            break
        block.insert(0, line)
        top = i
    if not block:
        return None
    legal = next((i for i, line in enumerate(block) if _LEGAL_NAME.search(line)), len(block) - 1)
    return LetterheadName(" ".join(block[: legal + 1]), " ".join(block), "\n".join(lines[:top]))


_SAME_NAME = 0.8
"""How alike (difflib's ratio of letters and digits) a name must be to the letterhead's to be
its reading: the memory's "SANYU STATIONERY SHOP" where OCR printed "SANYO"."""


def vendor_read_from_letterhead(values: dict[str, Any], laid_out: str) -> tuple[str, str] | None:
    """The shop's name in the letterhead (``letterhead_name``, without a company number) in
    place of a model's name that is missing, nonsense (a label, a code, specks: the "Name :
    CASH" of the customer's row) or printed above the block (a logo's specks read as
    letters, "Fomcon SH"); a name printed elsewhere (an owner's, below) or one like the
    letterhead's stands. Else the model's name without its company number
    (``vendor_read_without_company_number``)."""
    vendor = values.get("vendor_name")
    found = letterhead_name(laid_out, vendor, values.get("vendor_address"))
    if found is not None and vendor:
        flat = compact(vendor)
        nonsense = is_label(vendor) or looks_like_code(vendor) or looks_like_scan_noise(vendor)
        alike = flat in compact(found.block) or SequenceMatcher(None, flat, compact(found.name)).ratio() >= _SAME_NAME
        if alike or not (nonsense or (flat and flat in compact(found.above))):
            found = None
    if found is None:
        return vendor_read_without_company_number(values, laid_out)
    named = vendor_read_without_company_number({"vendor_name": found.name}, laid_out)
    name = named[0] if named else found.name
    model = "none" if not vendor else repr(vendor)
    return name, f"vendor name {name!r} read from the letterhead above the address (the model read {model})"


def address_read_from_letterhead(values: dict[str, Any], laid_out: str) -> tuple[str, str] | None:
    """The letterhead's address lines in place of the model's address where they differ
    (``letterhead_address``), with a note; None where they agree or no block is found."""
    address = values.get("vendor_address")
    printed = letterhead_address(laid_out, values.get("vendor_name"), address)
    if printed is None or (address and compact(address) == compact(printed)):
        return None
    model = "none" if not address else repr(address)
    return printed, f"address {printed!r} read from the letterhead's lines (the model read {model})"


# --- a contract's title ----------------------------------------------------------------------
# The models fill a contract's kind ("Mutual Confidentiality Agreement") and leave its title
# null, although the heading prints it: every contract then went to review for its title.

_KIND_OF_CONTRACT = r"(?:AGREEMENT|CONTRACT|UNDERSTANDING|UNDERTAKING|DEED|LICEN[CS]E|LEASE|ADDENDUM|AMENDMENT)"
_TITLE_LINE = re.compile(
    # A heading on its own line: words in capitals, or capitalised, ending in the kind of
    # document ("MUTUAL NON-DISCLOSURE AGREEMENT", "Manufacturing Agreement").
    rf"^[ \t]*((?:[A-Z,&-][\w&'’.,-]*[ \t]+){{0,9}}(?:{_KIND_OF_CONTRACT}|Agreement|Contract|Licen[cs]e|Lease))[ \t]*$",
    re.M,
)
_TITLE_RUN = re.compile(
    # Else a run of words in capitals on a line ending so, wherever the heading stands
    # ("EX-99 ... MUTUAL NON-DISCLOSURE AGREEMENT", "MUTUAL NON-DISCLOSURE AGREEMENT dated as of").
    rf"(?<![\w-])(?:(?!THIS\b)[A-Z][A-Z&'’.-]*[ \t]+){{0,6}}{_KIND_OF_CONTRACT}(?![\w-])"
)
_HEADING_CHARACTERS = 2000
"""How far into a contract its heading may stand (cover sheets and filing headers first)."""


_CONTINUED_TITLE = re.compile(r"^(?:AND|OR|OF|FOR|TO|&)\b|^\S+$")
"""A heading line that continues the one above: "AND NON-DISCLOSURE AGREEMENT" under
"COVENANT NOT TO COMPETE", a lone "AGREEMENT"."""


def printed_title(text: str) -> str | None:
    """The title a contract's heading prints, or None: the first heading line of two words or
    more (with the capital lines above it that it continues), else the first run."""
    head = text[:_HEADING_CHARACTERS]
    for line in _TITLE_LINE.finditer(head):
        pieces = [line.group(1).strip()]
        above = head[: line.start()].rstrip("\n").split("\n")
        while above and (_CONTINUED_TITLE.search(pieces[0]) or above[-1].rstrip().endswith(",")):
            previous = above.pop().strip()
            if not (previous and previous.isupper() and len(previous.split()) <= 8):
                break
            pieces.insert(0, previous)
        title = " ".join(" ".join(pieces).split())
        if len(title.split()) >= 2:
            return title
    run = _TITLE_RUN.search(head)
    return None if run is None else " ".join(run.group().split())


def title_read_from_heading(values: dict[str, Any], text: str) -> tuple[str, str] | None:
    """The heading's title (``printed_title``) in place of a model's title that is missing or
    not in the text; None where the model's title is printed, or no heading is found."""
    title = values.get("title")
    if title and compact(title) in compact(text):
        return None
    printed = printed_title(text)
    if printed is None:
        return None
    model = "none" if not title else repr(title)
    return printed, f"title {printed!r} read from the heading (the model read {model})"


# --- a party's name ----------------------------------------------------------------------------
# Contracts introduce each party with what it is ("Apollo Endosurgery, a Delaware
# corporation", "Establishment Labs, S.A a corporation organized under the laws of Costa
# Rica"), and the models copy it with the name.

_PARTY_DESCRIPTION = re.compile(
    r",\s*(?:an?\s+)?(?:[A-Z][\w.]*\s+){0,3}(?:corporation|company|limited\s+liability\s+company|"
    r"(?:limited\s+)?partnership|bank(?:ing\s+association)?|association|trust|corp\.)\b.*$"
    r"|\s+an?\s+(?:[\w.]+\s+){0,3}(?:corporation|company|partnership|entity)\s+(?:organized|incorporated|existing|formed)\b.*$",
    re.S,
)
"""What a contract says a party is, after its name: ", a Delaware corporation", " a
corporation organized under ..." (the kind in lower case: "Louisville Gas and Electric
Company" is a name)."""


def parties_read_without_descriptions(values: dict[str, Any], text: str) -> tuple[list[str], str] | None:
    """The parties' names without what the contract says each is, with a note; None where
    no name carries such a description."""
    parties = values.get("parties") or []
    names = [_PARTY_DESCRIPTION.sub("", party).strip(" ,") or party for party in parties]
    if names == parties:
        return None
    cut = [party for party, name in zip(parties, names, strict=True) if party != name]
    return names, f"parties without what the contract says they are ({'; '.join(map(repr, cut))} as printed)"


_READINGS = {
    "invoice": {
        "vendor_name": vendor_read_without_company_number,
        "buyer_name": buyer_read_from_rows,
        "invoice_date": date_read_from_rows,
        "total_amount": total_read_from_rows,
    },
    "contract": {"title": title_read_from_heading, "parties": parties_read_without_descriptions},
}
"""Per schema name, the fields a rule reads from the page where it is sure."""
_LETTERHEAD_READINGS = {"vendor_name": vendor_read_from_letterhead, "vendor_address": address_read_from_letterhead}
"""Fields read from the sender's block where the schema's documents print one
(``ExtractionSchema.letterhead``)."""


def printed_values(schema: ExtractionSchema, values: dict[str, Any], laid_out: str) -> list[tuple[str, Any, str]]:
    """(field, value, how it was read) for each field whose value a rule reads from the
    page (an invoice's labelled rows, a receipt's letterhead, a contract's heading) in place
    of the model's (fields the schema's draft asks for only: a receipt has no buyer)."""
    asked = schema.draft.model_fields
    readings = _READINGS.get(schema.name, {}) | (_LETTERHEAD_READINGS if schema.letterhead else {})
    return [
        (name, *reading)
        for name, read in readings.items()
        if name in asked and (reading := read(values, laid_out)) is not None
    ]


def contract_rules(values: dict[str, Any], today: date) -> list[RuleViolation]:
    start, end = values.get("effective_date"), values.get("expiration_date")
    if start is not None and end is not None and end <= start:
        return [RuleViolation(("expiration_date", "effective_date"), f"expires {end}, not after it takes effect {start}")]
    return []


def ticket_rules(values: dict[str, Any], today: date) -> list[RuleViolation]:
    return []


RULES = {"invoice": invoice_rules, "contract": contract_rules, "ticket": ticket_rules}
"""Per schema name; currency validity and date/amount syntax are checked while parsing."""


def check(
    schema: ExtractionSchema,
    values: dict[str, Any],
    source_text: str,
    required: tuple[str, ...],
    parse_issues: dict[str, list[str]],
    today: date | None = None,
    layout_text: str | None = None,
    readings: dict[str, str] | None = None,
) -> CheckReport:
    """Ground every value of a parsed record, apply the schema's rules, and decide on review.

    ``values`` are the record's typed values (``record.model_dump()``); ``parse_issues`` the
    values that could not be parsed and were dropped (they count as broken rules).
    ``layout_text`` is the text as laid out, where the document has one (the checks of
    suspicious values read rows in it); grounding reads ``source_text``. ``readings`` says
    how a value was read where a rule read it from the text rather than the model (it joins
    the field's issues, for the reviewer, and is no problem of the value).
    """
    source = SourceText(source_text)
    laid_out = layout_text or source_text
    violations = unprinted_invoice_values(values, laid_out) if schema.name == "invoice" else []
    unprinted = {name for violation in violations for name in violation.fields}
    compared = {name: value for name, value in values.items() if name not in unprinted}
    violations += RULES[schema.name](compared, today or date.today())
    suspicious = suspicious_invoice_values(values, laid_out, schema.letterhead) if schema.name == "invoice" else []
    violations += suspicious
    doubts = [f"{name}: {violation.message}" for violation in suspicious for name in violation.fields if name not in required]
    report = CheckReport(fields={}, review_reasons=[], doubts=doubts)
    for name, kind in schema.kinds.items():
        issues = list(parse_issues.get(name, []))
        grounding = _field_grounding(kind, values.get(name), source, issues)
        broken = [violation for violation in violations if name in violation.fields]
        issues.extend(violation.message for violation in broken)
        if grounding is None:
            confidence = 0.1 if parse_issues.get(name) else MISSING_CONFIDENCE
        else:
            confidence = GROUNDING_CONFIDENCE[grounding] * RULE_PENALTY ** len(broken)
        check_ = FieldCheck(grounding, confidence, issues, rule_broken=bool(broken or parse_issues.get(name)))
        if readings and name in readings:
            check_.issues.append(readings[name])
        report.fields[name] = check_
        if name in required:
            if grounding is None:
                reason = "missing" if not parse_issues.get(name) else "; ".join(parse_issues[name])
                report.review_reasons.append(f"{name} {reason}")
            elif grounding == "absent":
                report.review_reasons.append(f"{name} not found in the text")
            elif broken:
                report.review_reasons.append(f"{name}: {'; '.join(violation.message for violation in broken)}")
    return report


# --- does the document agree with its type? -------------------------------------------------
# A till receipt and an invoice fill the same schema, and the classifier can take one for the
# other (a Malaysian "TAX INVOICE" slip is a receipt). Their fields tell them apart: an
# invoice asks to be paid (a number, often a due date and an addressee); a receipt records a
# payment made at a till (cash tendered and change, a cashier). Where the two disagree the
# document goes to review with the type in question, rather than a rule rewriting the type
# (the classifier's label stays the record, and a person's correction trains the next model).

TILL_CUES: dict[str, re.Pattern[str]] = {
    "change given": re.compile(r"\bchange(?:\s+due)?\b\W{0,3}(?:rm|\$|€|£|usd|eur)?\s*\d", re.I),
    "cash tendered": re.compile(r"\b(?:cash(?:\s+tendered)?|tender(?:ed)?|paid\s+amount)\b\W{0,3}(?:rm|\$|€|£)?\s*\d", re.I),
    "a cashier line": re.compile(r"\bcashier\b", re.I),
}


def till_cues(text: str) -> list[str]:
    """What in ``text`` reads as a till receipt."""
    return [name for name, pattern in TILL_CUES.items() if pattern.search(text)]


def type_contradiction(doc_type: str, report: CheckReport, text: str) -> str | None:
    """The review reason when the checked fields or the text contradict ``doc_type``
    (invoice or receipt).

    Only values found in the text count: a number the model invented is no invoice number.
    """
    def found(name: str) -> bool:
        check_ = report.fields.get(name)
        return check_ is not None and check_.grounding not in (None, "absent")

    if doc_type == "invoice" and not found("invoice_number"):
        cues = till_cues(text)
        if cues:
            return f"doc_type invoice in doubt: no invoice number, and it reads as a till receipt ({', '.join(cues)})"
    if doc_type == "receipt" and printed_due_date(text) and not till_cues(text):
        return "doc_type receipt in doubt: it has a due date and nothing of a till (no cash, change or cashier)"
    return None


def printed_due_date(text: str) -> bool:
    """A payment due date is printed in ``text`` (a due-date label with a date on its row).

    Read from the text, not from the fields: a receipt's draft does not ask for a due date."""
    return bool(printed_due_dates(text))
