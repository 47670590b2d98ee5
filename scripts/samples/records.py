"""The data every sample document is drawn from (and its manifest row read from): parties,
line items, invoices, receipts, contracts, tickets, and the money, date and period helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


from schemas.invoice import INVOICE_SCHEMA


CENT = Decimal("0.01")

# The invoice schema's fields a manifest row labels (line items are not labelled).
INVOICE_FIELDS = tuple(name for name in INVOICE_SCHEMA.record.model_fields if name != "line_items")


# --------------------------------------------------------------------------- helpers


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def us_amount(amount: Decimal) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{money(amount):,.2f}"


def eu_amount(amount: Decimal) -> str:
    """1234.5 -> '1.234,50' (German grouping and decimal comma)."""
    return us_amount(amount).replace(",", "_").replace(".", ",").replace("_", ".")


def long_date(day: date, british: bool = False) -> str:
    """'March 4, 2024', or '4 March 2024' as British documents write it."""
    return f"{day.day} {day:%B} {day.year}" if british else f"{day:%B} {day.day}, {day.year}"


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 12: "twelve", 24: "twenty-four"}


@dataclass(frozen=True)
class Duration:
    """A contract period, written in words in the document and as '2 years' in the manifest."""

    count: int
    unit: str  # singular: "year", "month", "day"

    @property
    def label(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"

    @property
    def words(self) -> str:
        return f"{NUMBER_WORDS[self.count]} ({self.count}) {self.unit}{'' if self.count == 1 else 's'}"


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Party:
    name: str
    address: tuple[str, ...]

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address)


@dataclass(frozen=True)
class LineItem:
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = "ea"

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Invoice:
    number: str
    vendor: Party
    buyer: Party
    issued: date
    due: date | None
    currency: str
    tax_rate: Decimal  # 0.0725 for 7.25 %
    items: tuple[LineItem, ...]
    vendor_contact: tuple[str, ...] = ()
    po_number: str | None = None
    terms: str = ""

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return money(self.subtotal * self.tax_rate)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    @property
    def tax_percent(self) -> str:
        return f"{(self.tax_rate * 100).normalize():f}%"

    def fields(self) -> dict:
        return {
            "vendor_name": self.vendor.name,
            "vendor_address": self.vendor.one_line_address,
            "buyer_name": self.buyer.name,
            "invoice_number": self.number,
            "invoice_date": self.issued.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": self.currency,
            "subtotal": float(self.subtotal),
            "tax_amount": float(self.tax),
            "total_amount": float(self.total),
        }


@dataclass(frozen=True)
class Receipt:
    store: Party
    number: str
    when: datetime
    currency: str
    items: tuple[tuple[str, Decimal, bool], ...]  # (description, price, taxable)
    tax_rate: Decimal
    tax_included: bool  # European receipts show gross prices with the VAT inside
    payment: str
    cashier: str

    @property
    def gross(self) -> Decimal:
        return sum((price for _, price, _ in self.items), Decimal(0))

    @property
    def tax(self) -> Decimal:
        taxable = sum((price for _, price, taxed in self.items if taxed), Decimal(0))
        if self.tax_included:
            return money(taxable * self.tax_rate / (1 + self.tax_rate))
        return money(taxable * self.tax_rate)

    @property
    def subtotal(self) -> Decimal:
        """Before tax: the net amount when prices include VAT, the item sum when they don't."""
        return self.gross - self.tax if self.tax_included else self.gross

    @property
    def total(self) -> Decimal:
        return self.gross if self.tax_included else self.gross + self.tax

    def fields(self) -> dict:
        return {
            "vendor_name": self.store.name,
            "vendor_address": self.store.one_line_address,
            "buyer_name": None,
            "invoice_number": self.number,
            "invoice_date": self.when.date().isoformat(),
            "due_date": None,
            "currency": self.currency,
            "subtotal": float(self.subtotal),
            "tax_amount": float(self.tax),
            "total_amount": float(self.total),
        }


@dataclass(frozen=True)
class Contract:
    title: str
    contract_type: str
    parties: tuple[Party, ...]
    effective: date
    expiration: date | None
    term: Duration
    renewal: Duration | None
    governing_law: str
    sections: Callable[[Contract], list[tuple[str, list[str]]]]
    recitals: Callable[[Contract], list[str]]
    british: bool = False  # date style of the document

    def day(self, value: date) -> str:
        return long_date(value, self.british)

    def fields(self) -> dict:
        return {
            "title": self.title,
            "contract_type": self.contract_type,
            "parties": [party.name for party in self.parties],
            "effective_date": self.effective.isoformat(),
            "expiration_date": self.expiration.isoformat() if self.expiration else None,
            "term": self.term.label,
            "renewal_term": self.renewal.label if self.renewal else None,
            "governing_law": self.governing_law,
        }


@dataclass(frozen=True)
class Ticket:
    requester_name: str
    requester_email: str
    company: str
    subject: str
    product: str
    ticket_type: str
    body: str

    def fields(self) -> dict:
        return {
            "requester_name": self.requester_name,
            "requester_email": self.requester_email,
            "subject": self.subject,
            "product": self.product,
            "ticket_type": self.ticket_type,
        }


@dataclass(frozen=True)
class SampleDoc:
    """One manifest row; ``content`` is None for a file that lives inside an e-mail."""

    filename: str
    doc_type: str
    urgency: str
    department: str
    fields: dict
    description: str
    content: bytes | None
    attachments: tuple[SampleDoc, ...] = field(default=())


# --------------------------------------------------------------------------- the cast
# The back office that receives all of this: Tallowmere Logistics, a fictional
# third-party logistics company with a US and a German entity and a customer portal
# called ShipTrack.

TALLOWMERE_US = Party("Tallowmere Logistics Inc.", ("880 Larkspur Avenue, Suite 300", "Columbus, OH 43215", "USA"))
TALLOWMERE_DE = Party("Tallowmere Logistics GmbH", ("Hafenkante 18", "28217 Bremen", "Germany"))
TALLOWMERE_UK = Party(
    "Tallowmere Logistics UK Ltd", ("Unit 4, Greyfriars Trade Park", "Coventry CV3 9QT", "United Kingdom")
)
