"""Invoices and receipts: who sold what to whom, when, for how much.

Field names are a contract (``extractions.fields``, the ``invoices`` view): never rename.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from schemas.types import (
    Amount,
    CurrencyCode,
    DraftModel,
    ExtractionSchema,
    FieldKind,
    always_printed_text,
    bounded_amount,
    bounded_text,
)

MAX_LINE_ITEMS = 6
"""Lines the model writes at most: each costs ~30 generated tokens, and totals are what matter."""


class LineItem(BaseModel):
    description: str | None = None
    quantity: Amount | None = None
    unit_price: Amount | None = None
    amount: Amount | None = None


class Invoice(BaseModel):
    """An invoice or receipt as stored; a field not in the document is ``None``."""

    vendor_name: str | None = Field(None, description="Business that issued the invoice or receipt")
    vendor_address: str | None = Field(None, description="The vendor's address")
    buyer_name: str | None = Field(None, description="Customer billed (bill-to / advertiser)")
    invoice_number: str | None = Field(None, description="Invoice, receipt or contract reference number")
    invoice_date: date | None = None
    due_date: date | None = None
    currency: CurrencyCode | None = None
    subtotal: Amount | None = Field(None, description="Amount before tax")
    tax_amount: Amount | None = Field(None, description="Total tax (VAT, GST, sales tax)")
    total_amount: Amount | None = Field(None, description="Final amount charged, tax included")
    line_items: list[LineItem] = Field(default_factory=list)


class LineItemDraft(DraftModel):
    description: bounded_text(60, "the item sold")
    quantity: bounded_amount("how many units")
    unit_price: bounded_amount("the price of one unit")
    amount: bounded_amount("the line's total")


PrintedCurrency = bounded_text(8, "the currency code or symbol printed with the amounts")
"""The draft's currency, the same on invoices and receipts."""


class InvoiceDraft(DraftModel):
    vendor_name: bounded_text(
        80, "name of the business that issued the invoice (the seller): in the letterhead at the top or after Remit to / From"
    )
    vendor_address: bounded_text(160, "the seller's street address, under or beside its name")
    buyer_name: bounded_text(
        80, "name of the customer billed: after Bill to, Sold to, Customer, Client or Advertiser"
    )
    invoice_number: bounded_text(
        40, "the invoice number: the value after Invoice No, Invoice #, Inv or Bill No; it has digits"
    )
    invoice_date: bounded_text(30, "the date the invoice was issued: after Invoice Date or Date")
    due_date: bounded_text(30, "the date payment is due: after Due Date or Payment Due")
    currency: PrintedCurrency
    subtotal: bounded_amount("the amount before tax: on the row labelled Subtotal or Net")
    tax_amount: bounded_amount("the total tax (VAT, GST, sales tax)")
    total_amount: bounded_amount(
        "the final total to pay, tax included: on the row labelled Total, Amount Due, Balance Due, "
        "Grand Total or Gross Amount"
    )
    line_items: Annotated[
        list[LineItemDraft],
        Field(max_length=MAX_LINE_ITEMS, description=f"the purchased items, at most {MAX_LINE_ITEMS}"),
    ]


class ReceiptDraft(DraftModel):
    """A till receipt has a shop, a date and a total; no addressee, due date or terms, and its
    item lines cost the most tokens while a back office keeps the total."""

    vendor_name: always_printed_text(
        80, "the shop's or company's name as printed at the top, above its address (not a slogan or the cashier)"
    )
    vendor_address: bounded_text(
        160, "the shop's address: all the lines right under its name, from the street to the postcode and city"
    )
    invoice_number: bounded_text(40, "the receipt or bill number: after Receipt No, Bill No, Invoice No or Doc No")
    invoice_date: bounded_text(30, "the date of the sale, printed near the time or the receipt number")
    currency: PrintedCurrency
    total_amount: bounded_amount(
        "the amount paid, tax included: on the row labelled Total (or Total Incl GST, Nett Total, Amount Due, "
        "Grand Total); not the cash handed over, not the change"
    )


INVOICE_SCHEMA = ExtractionSchema(
    name="invoice",
    version="2",
    record=Invoice,
    draft=InvoiceDraft,
    kinds={
        "vendor_name": FieldKind.TEXT,
        "vendor_address": FieldKind.TEXT,
        "buyer_name": FieldKind.TEXT,
        "invoice_number": FieldKind.TEXT,
        "invoice_date": FieldKind.DATE,
        "due_date": FieldKind.DATE,
        "currency": FieldKind.CURRENCY,
        "subtotal": FieldKind.AMOUNT,
        "tax_amount": FieldKind.AMOUNT,
        "total_amount": FieldKind.AMOUNT,
        "line_items": FieldKind.LINE_ITEMS,
    },
    instructions="The document is an invoice or a receipt.",
    focus_terms=(
        "invoice", "receipt", "bill to", "sold to", "date", "due", "total", "subtotal",
        "tax", "vat", "gst", "amount", "balance", "contract",
    ),
    repeated_layouts=True,
    sender_fields=("vendor_name", "vendor_address", "currency"),
)


RECEIPT_SCHEMA = ExtractionSchema(
    name="invoice",  # stored as an invoice (the invoices view), doc_type receipt
    version="receipt2",
    record=Invoice,
    draft=ReceiptDraft,
    kinds={name: INVOICE_SCHEMA.kinds[name] for name in ReceiptDraft.model_fields},
    instructions="The document is a till receipt: the shop's name and address at the top, the items, "
    "then the total near the bottom.",
    focus_terms=("receipt", "total", "date", "tax", "gst", "vat", "amount", "cash"),
    repeated_layouts=True,
    sender_fields=INVOICE_SCHEMA.sender_fields,
    letterhead=True,
)
