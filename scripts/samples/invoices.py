"""The invoices and receipts of the sample inbox, and their layouts (classic, DIN, typed,
thermal receipt)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

from samples.degrade import integer_noise, linear_ramp
from samples.layout import A4, BLACK, FONTS, GREY, LETTER, LIGHT, Page, WHITE, pdf_bytes, wrap
from samples.records import (
    TALLOWMERE_DE,
    TALLOWMERE_UK,
    TALLOWMERE_US,
    Invoice,
    LineItem,
    Party,
    Receipt,
    eu_amount,
    long_date,
    us_amount,
)


# --------------------------------------------------------------------------- invoices

HARBORLINE_INVOICE = Invoice(
    number="HIS-2024-10387",
    vendor=Party("Harborline Industrial Supply, Inc.", ("4120 Foundry Road", "Dayton, OH 45404", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 3, 4),
    due=date(2024, 4, 3),
    currency="USD",
    tax_rate=Decimal("0.0725"),
    vendor_contact=("Phone (937) 555-0142", "billing@harborline-supply.example"),
    po_number="PO-55102",
    terms="Net 30",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SW-1880", "Stretch wrap film, 18 in x 1500 ft, 80 gauge", "24", "21.40", "roll"),
            ("SW-2050", "Stretch wrap film, 20 in x 5000 ft, machine grade", "6", "64.95", "roll"),
            ("TP-4811", "Packing tape, clear, 48 mm x 100 m", "72", "2.18", "roll"),
            ("TP-4820", "Packing tape, printed FRAGILE, 48 mm x 66 m", "36", "3.05", "roll"),
            ("TD-0210", "Tape dispenser, pistol grip, 2 in", "8", "11.60", "ea"),
            ("CB-1212", "Corrugated box 12 x 12 x 12 in, 32 ECT", "500", "0.94", "ea"),
            ("CB-1814", "Corrugated box 18 x 14 x 12 in, 32 ECT", "400", "1.37", "ea"),
            ("CB-2420", "Corrugated box 24 x 20 x 18 in, 44 ECT", "150", "2.86", "ea"),
            ("VF-0300", "Void fill paper, 15 in x 1200 ft roll", "10", "38.75", "roll"),
            ("AP-1218", "Air pillows 4 x 8 in, 1500 per case", "12", "27.30", "case"),
            ("BW-0612", "Bubble wrap 12 in x 250 ft, perforated", "15", "19.90", "roll"),
            ("PL-4840", "Pallet, heat-treated pine, 48 x 40 in", "60", "9.75", "ea"),
            ("SL-0450", "Shipping labels 4 x 6 in, thermal, 450 per roll", "40", "6.45", "roll"),
            ("SL-0225", "Shipping labels 2.25 x 1.25 in, thermal", "20", "4.10", "roll"),
            ("MK-0100", "Permanent marker, black, chisel tip (12 pk)", "10", "8.20", "pack"),
            ("BC-0500", "Box cutter, retractable, with 5 blades", "25", "3.95", "ea"),
            ("GL-0910", "Work gloves, nitrile coated, size L (12 pairs)", "6", "23.40", "pack"),
            ("SV-0220", "Safety vest, class 2, hi-vis yellow", "30", "7.85", "ea"),
            ("EP-0001", "Ear plugs, foam, 200 pairs per box", "4", "18.60", "box"),
            ("CS-0712", "Corner board 2 x 2 x 36 in", "200", "0.58", "ea"),
            ("ST-0058", "Polyester strapping 5/8 in x 3600 ft", "5", "54.10", "coil"),
            ("SB-0058", "Strapping buckles 5/8 in, 1000 per box", "2", "31.25", "box"),
            ("DB-0400", "Desiccant bags 4 unit, 150 per pail", "3", "42.80", "pail"),
            ("IN-0811", "Packing list envelopes 7 x 5.5 in, 1000 ct", "4", "22.15", "box"),
            ("TR-3020", "Trash liners 55 gal, 100 per case", "5", "29.95", "case"),
            ("AB-0032", "Absorbent pads, universal, 100 per bale", "2", "36.40", "bale"),
            ("FA-0050", "First aid kit refill, 50 person", "2", "47.25", "kit"),
            ("FR-0001", "Freight, LTL delivery to Columbus, OH", "1", "185.00", "ship"),
        )
    ),
)

OSTWALD_INVOICE = Invoice(
    number="RE-2024-0419",
    vendor=Party("Ostwald Kältetechnik GmbH", ("Gießerstraße 27", "04229 Leipzig", "Germany")),
    buyer=TALLOWMERE_DE,
    issued=date(2024, 3, 12),
    due=date(2024, 3, 26),
    currency="EUR",
    tax_rate=Decimal("0.19"),
    vendor_contact=("Tel. +49 341 555 0187", "rechnung@ostwald-kaelte.example", "VAT ID DE 318 204 775"),
    po_number="BRE-24-0087",
    terms="Payable within 14 days without deduction",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("W-110", "Quarterly maintenance, cold store 2 (refrigeration units A-D)", "1", "1480.00", "job"),
            ("W-115", "Leak test of refrigerant circuit, per unit (F-gas regulation)", "4", "165.00", "unit"),
            ("M-2040", "Evaporator fan motor 230 V, replaced in unit C", "1", "612.50", "pc"),
            ("M-0712", "Door gasket 2.1 m, walk-in freezer", "2", "148.90", "pc"),
            ("A-001", "Technician hours (2 technicians)", "7.5", "92.00", "h"),
            ("A-090", "Travel flat rate Leipzig - Bremen", "1", "240.00", "flat"),
        )
    ),
)

PINECREST_INVOICE = Invoice(
    number="PJS-7781",
    vendor=Party("Pinecrest Janitorial Services LLC", ("2290 Old Mill Road", "Hilliard, OH 43026", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 1, 15),
    due=date(2024, 2, 14),
    currency="USD",
    tax_rate=Decimal("0.0575"),
    vendor_contact=("(614) 555-0199", "office@pinecrest-clean.example"),
    terms="Net 30",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("JAN-01", "Nightly office cleaning, January 2024", "1", "2150.00", "month"),
            ("JAN-02", "Warehouse floor scrub, aisles 1-14", "2", "375.00", "visit"),
            ("JAN-03", "Restroom supplies restock", "1", "218.40", "lot"),
            ("JAN-04", "Exterior window cleaning, front office", "1", "260.00", "visit"),
        )
    ),
)

BLUEGILL_INVOICE = Invoice(
    number="BPS-0932",
    vendor=Party("Bluegill Print & Sign Co.", ("77 Canal Street", "Columbus, OH 43215", "USA")),
    buyer=TALLOWMERE_US,
    issued=date(2024, 2, 20),
    due=date(2024, 3, 6),
    currency="USD",
    tax_rate=Decimal("0.0750"),
    vendor_contact=("(614) 555-0123", "hello@bluegill-sign.example"),
    terms="Due in 15 days",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SG-24", "Aluminum dock door signs 24 x 18 in", "12", "38.00", "ea"),
            ("FL-10", "Floor marking decals, aisle numbers", "40", "4.25", "ea"),
            ("BN-36", "Vinyl banner 3 x 6 ft, 'Now Hiring'", "2", "89.00", "ea"),
            ("DS-01", "Design and proof", "1", "75.00", "job"),
        )
    ),
)

SKELMORE_INVOICE = Invoice(
    number="SKP-24-00871",
    vendor=Party("Skelmore Packaging Ltd",
                 ("Bay 12, Fenwick Industrial Estate", "Leicester LE4 7RJ", "United Kingdom")),
    buyer=TALLOWMERE_UK,
    issued=date(2024, 3, 14),
    due=date(2024, 4, 13),
    currency="GBP",
    tax_rate=Decimal("0.20"),
    vendor_contact=("Tel 0116 496 0321", "accounts@skelmore-packaging.example", "VAT Reg. GB 471 2205 93"),
    po_number="CV-PO-3318",
    terms="30 days from invoice date",
    items=tuple(
        LineItem(code, text, Decimal(qty), Decimal(price), unit)
        for code, text, qty, price, unit in (
            ("SK-DW-450", "Double-wall cartons 450 x 350 x 300 mm", "1200", "1.12", "ea"),
            ("SK-SW-300", "Single-wall cartons 300 x 220 x 150 mm", "2500", "0.41", "ea"),
            ("SK-PT-48", "Paper tape 48 mm x 50 m, water-activated", "96", "3.20", "roll"),
            ("SK-DEL", "Delivery, tail-lift vehicle", "1", "65.00", "ea"),
        )
    ),
)


def invoice_classic(invoice: Invoice, accent: tuple[float, float, float], symbol: str) -> bytes:
    """Layout A: US-style letterhead, Bill To / Ship To boxes, a line-item table that runs
    over as many pages as it needs, totals on the last page."""
    document = pymupdf.open()
    left, right = 48.0, LETTER[0] - 48
    columns = (left + 4, left + 74, right - 150, right - 84, right - 4)
    row_height = 17.0

    def table_header(page: Page, top: float) -> float:
        page.rect(left, top, right, top + 20, fill=accent, stroke=None)
        for x, label, align in zip(columns, ("Item", "Description", "Qty", "Unit price", "Amount"),
                                   ("left", "left", "right", "right", "right"), strict=True):
            page.text(x, top + 14, label, "sans-bold", 9, WHITE, align)
        return top + 20

    drawn_pages: list[Page] = []

    def new_page(first: bool) -> tuple[Page, float]:
        page = Page(document, LETTER)
        drawn_pages.append(page)
        page.rect(0, 0, LETTER[0], 10, fill=accent, stroke=None)
        if first:
            page.text(left, 62, invoice.vendor.name, "sans-bold", 17, accent)
            page.lines(left, 80, (*invoice.vendor.address, *invoice.vendor_contact), "sans", 9, 12)
            page.text(right, 66, "INVOICE", "sans-bold", 26, BLACK, "right")
            info = [("Invoice No.", invoice.number), ("Invoice Date", f"{invoice.issued:%b %d, %Y}"),
                    ("Due Date", f"{invoice.due:%b %d, %Y}" if invoice.due else "On receipt"),
                    ("PO Number", invoice.po_number or "-"), ("Terms", invoice.terms)]
            y = 92
            for label, value in info:
                page.text(right - 110, y, label, "sans-bold", 9, GREY, "right")
                page.text(right, y, value, "sans", 10, BLACK, "right")
                y += 14
            for x, heading in ((left, "BILL TO"), (left + 262, "SHIP TO")):
                page.rect(x, 180, x + 250, 256, stroke=(0.7, 0.7, 0.7))
                page.text(x + 8, 195, heading, "sans-bold", 8, accent)
                page.lines(x + 8, 211, (invoice.buyer.name, *invoice.buyer.address), "sans", 10, 13)
            return page, table_header(page, 276)
        page.text(left, 44, f"{invoice.vendor.name}  |  Invoice {invoice.number} (continued)", "sans-bold", 10)
        return page, table_header(page, 60)

    page, y = new_page(first=True)
    for index, item in enumerate(invoice.items):
        if y + row_height > LETTER[1] - 80:
            page, y = new_page(first=False)
        if index % 2:
            page.rect(left, y, right, y + row_height, fill=LIGHT, stroke=None)
        baseline = y + 12
        page.text(columns[0], baseline, item.code, "sans", 9)
        page.text(columns[1], baseline, item.description, "sans", 9)
        page.text(columns[2], baseline, f"{item.quantity.normalize():f} {item.unit}", "sans", 9, align="right")
        page.text(columns[3], baseline, us_amount(item.unit_price), "sans", 9, align="right")
        page.text(columns[4], baseline, us_amount(item.amount), "sans", 9, align="right")
        y += row_height
    page.line(left, y, right, y, accent, 1)
    if y + 150 > LETTER[1] - 60:
        page, y = new_page(first=False)
    y += 24
    totals = [("Subtotal", f"{symbol}{us_amount(invoice.subtotal)}"),
              (f"{'VAT' if invoice.currency == 'GBP' else 'Sales tax'} ({invoice.tax_percent})",
               f"{symbol}{us_amount(invoice.tax)}")]
    for label, value in totals:
        page.text(right - 110, y, label, "sans", 10, align="right")
        page.text(right, y, value, "sans", 10, align="right")
        y += 16
    page.rect(right - 250, y - 4, right, y + 20, fill=accent, stroke=None)
    page.text(right - 110, y + 12, f"TOTAL DUE ({invoice.currency})", "sans-bold", 11, WHITE, "right")
    page.text(right - 4, y + 12, f"{symbol}{us_amount(invoice.total)}", "sans-bold", 11, WHITE, "right")
    y += 56
    page.text(left, y, "Payment instructions", "sans-bold", 10)
    pay_by = long_date(invoice.due, british=invoice.currency == "GBP") if invoice.due else "return"
    payment_lines = wrap(
        f"Please pay by {pay_by} ({invoice.terms}) and quote "
        f"invoice number {invoice.number} on your remittance. Remit to {invoice.vendor.name}, "
        f"{invoice.vendor.one_line_address}. Questions about this invoice: {invoice.vendor_contact[1]}.",
        "sans", 9, right - left)
    page.lines(left, y + 15, payment_lines, "sans", 9, 12)
    page.text(left, y + 30 + 12 * len(payment_lines), "Thank you for your business!", "sans-bold", 10, accent)

    for number, drawn in enumerate(drawn_pages, start=1):
        drawn.text(LETTER[0] / 2, LETTER[1] - 30, f"Page {number} of {len(drawn_pages)}", "sans", 8, GREY,
                   "center")
    return pdf_bytes(document, title=f"Invoice {invoice.number}", author=invoice.vendor.name)


def invoice_din(invoice: Invoice) -> bytes:
    """Layout B: German business letter (DIN 5008): address window, info block, VAT footer,
    European number and date formats."""
    document = pymupdf.open()
    page = Page(document, A4)
    left, right = 70.0, A4[0] - 56
    page.text(right, 58, invoice.vendor.name, "sans-bold", 15, (0.05, 0.3, 0.55), "right")
    page.lines(right, 74, ("Kälte- und Klimaanlagen · Wartung · Service", *invoice.vendor.address),
               "sans", 8.5, 11, GREY, "right")
    sender = f"{invoice.vendor.name} · {invoice.vendor.address[0]} · {invoice.vendor.address[1]}"
    page.text(left, 140, sender, "sans", 7, GREY)
    page.line(left, 143, left + FONTS["sans"].text_length(sender, fontsize=7), 143, GREY, 0.4)
    page.lines(left, 162, (invoice.buyer.name, "Accounts Payable", *invoice.buyer.address), "sans", 10.5, 14)
    info = [("Invoice no.", invoice.number), ("Invoice date", f"{invoice.issued:%d.%m.%Y}"),
            ("Customer no.", "K-20931"), ("Your order", invoice.po_number or "-"),
            ("Service date", "05.03.2024 - 06.03.2024")]
    y = 160
    for label, value in info:
        page.text(360, y, label, "sans", 9, GREY)
        page.text(right, y, value, "sans", 9.5, BLACK, "right")
        y += 14
    page.text(left, 270, f"Invoice {invoice.number}", "sans-bold", 14)
    intro = wrap("Dear Sir or Madam, for the maintenance work carried out at your Bremen cold store "
                 "we invoice the following services:", "sans", 10, right - left)
    y = page.lines(left, 292, intro, "sans", 10, 13) + 8
    columns = (left, left + 30, left + 82, right - 140, right - 72, right)
    page.line(left, y, right, y, BLACK, 0.8)
    for x, label, align in zip(columns, ("Pos.", "Art. no.", "Description", "Qty", "Unit price", "Total"),
                               ("left", "left", "left", "right", "right", "right"), strict=True):
        page.text(x, y + 13, label, "sans-bold", 8.5, BLACK, align)
    y += 18
    page.line(left, y, right, y, BLACK, 0.4)
    for position, item in enumerate(invoice.items, start=1):
        description = wrap(item.description, "sans", 8.5, columns[3] - columns[2] - 60)
        page.text(columns[0], y + 13, str(position), "sans", 8.5)
        page.text(columns[1], y + 13, item.code, "sans", 8.5)
        page.lines(columns[2], y + 13, description, "sans", 8.5, 11)
        quantity = f"{item.quantity.normalize():f}".replace(".", ",")
        page.text(columns[3], y + 13, f"{quantity} {item.unit}", "sans", 8.5, align="right")
        page.text(columns[4], y + 13, f"{eu_amount(item.unit_price)} €", "sans", 8.5, align="right")
        page.text(columns[5], y + 13, f"{eu_amount(item.amount)} €", "sans", 8.5, align="right")
        y += 8 + 11 * len(description)
    page.line(left, y + 4, right, y + 4, BLACK, 0.4)
    y += 22
    for label, value, font in (("Net amount", invoice.subtotal, "sans"),
                               (f"VAT {invoice.tax_percent}", invoice.tax, "sans"),
                               ("Total amount", invoice.total, "sans-bold")):
        page.text(right - 110, y, label, font, 10, align="right")
        page.text(right, y, f"{eu_amount(value)} €", font, 10, align="right")
        y += 16
    page.line(right - 200, y - 11, right, y - 11, BLACK, 0.4)
    assert invoice.due is not None
    terms = wrap(f"{invoice.terms} by {invoice.due:%d.%m.%Y}. Please state the invoice number "
                 f"{invoice.number} as the payment reference. The date of supply corresponds to the "
                 "service date. Thank you for your order.", "sans", 10, right - left)
    y = page.lines(left, y + 24, terms, "sans", 10, 13)
    page.text(left, y + 16, "Kind regards,", "sans", 10)
    page.text(left, y + 30, "Ostwald Kältetechnik GmbH – Accounting", "sans", 10)
    footer_top = A4[1] - 70
    page.line(left, footer_top, right, footer_top, GREY, 0.4)
    footer = (
        (left, (invoice.vendor.name, *invoice.vendor.address[:2])),
        (left + 160, ("Managing director: Henrike Ostwald", "Register court Leipzig HRB 41187",
                      invoice.vendor_contact[2])),
        (left + 330, ("Bank: Nordsachsen Handelsbank", "IBAN DE00 8605 0000 0012 3456 78",
                      "BIC NSHBDE00XXX")),
    )
    for x, lines in footer:
        page.lines(x, footer_top + 14, lines, "sans", 7, 9.5, GREY)
    return pdf_bytes(document, title=f"Invoice {invoice.number}", author=invoice.vendor.name)


def invoice_typed(invoice: Invoice, stamp: str | None, size: tuple[float, float] = LETTER,
                  body: float = 11) -> pymupdf.Document:
    """Layout C: a plain small-business invoice in a typewriter-like serif, for scans and
    photos; ``stamp`` adds a rubber stamp (PAST DUE, PAID)."""
    document = pymupdf.open()
    page = Page(document, size)
    left, right = 60.0, size[0] - 60
    page.text(size[0] / 2, 70, invoice.vendor.name.upper(), "serif-bold", body + 7, align="center")
    page.lines(size[0] / 2, 90, (invoice.vendor.one_line_address, "  ·  ".join(invoice.vendor_contact)),
               "serif", body - 1, body + 3, align="center")
    page.line(left, 118, right, 118, BLACK, 1.2)
    page.text(left, 148, "INVOICE", "serif-bold", body + 5)
    y = 176
    for label, value in (("Invoice #:", invoice.number), ("Date:", f"{invoice.issued:%m/%d/%Y}"),
                         ("Due date:", f"{invoice.due:%m/%d/%Y}" if invoice.due else "-"),
                         ("Terms:", invoice.terms)):
        page.text(left, y, label, "serif-bold", body)
        page.text(left + 80, y, value, "serif", body)
        y += body + 5
    page.text(size[0] / 2 + 20, 176, "Bill to:", "serif-bold", body)
    page.lines(size[0] / 2 + 20, 176 + body + 5, (invoice.buyer.name, *invoice.buyer.address), "serif", body,
               body + 5)
    y += 24
    columns = (left, right - 0.42 * (right - left), right - 0.2 * (right - left), right)
    page.line(left, y - body - 4, right, y - body - 4)
    for x, label, align in zip(columns, ("Description", "Qty", "Rate", "Amount"),
                               ("left", "right", "right", "right"), strict=True):
        page.text(x, y, label, "serif-bold", body, align=align)
    page.line(left, y + 6, right, y + 6)
    y += body + 14
    for item in invoice.items:
        for number, text in enumerate(wrap(item.description, "serif", body, columns[1] - columns[0] - 40)):
            page.text(left, y, text, "serif", body)
            if number == 0:
                page.text(columns[1], y, f"{item.quantity.normalize():f}", "serif", body, align="right")
                page.text(columns[2], y, us_amount(item.unit_price), "serif", body, align="right")
                page.text(columns[3], y, us_amount(item.amount), "serif", body, align="right")
            y += body + 6
    page.line(left, y - body + 2, right, y - body + 2)
    y += 10
    for label, value, font in (("Subtotal", invoice.subtotal, "serif"),
                               (f"Sales tax {invoice.tax_percent}", invoice.tax, "serif"),
                               ("TOTAL DUE", invoice.total, "serif-bold")):
        page.text(columns[2], y, label, font, body + 1, align="right")
        page.text(columns[3], y, f"${us_amount(value)}", font, body + 1, align="right")
        y += body + 8
    y += 16
    note = wrap(f"Please make checks payable to {invoice.vendor.name} and reference invoice "
                f"{invoice.number} with your payment.", "serif-italic", body - 1, right - left)
    y = page.lines(left, y, note, "serif-italic", body - 1, body + 3)
    if stamp:
        red = (0.75, 0.1, 0.1)
        x0, y0 = size[0] / 2 - 75, y + 20
        page.rect(x0, y0, x0 + 150, y0 + 44, stroke=red, width=2.5)
        page.text(x0 + 75, y0 + 31, stamp, "sans-bold", 22, red, "center")
    return document


# --------------------------------------------------------------------------- receipts

GREENBASKET_RECEIPT = Receipt(
    store=Party("Greenbasket Market", ("1587 Alder Street", "Fernhill, WA 98072")),
    number="0412-03-58817",
    when=datetime(2024, 3, 9, 14, 32),
    currency="USD",
    items=(
        ("BANANAS ORG 2.31 LB", Decimal("1.59"), False),
        ("WHOLE MILK 1 GAL", Decimal("4.29"), False),
        ("SOURDOUGH LOAF", Decimal("5.49"), False),
        ("CHEDDAR SHARP 8 OZ", Decimal("3.99"), False),
        ("PAPER TOWELS 6 ROLL", Decimal("9.99"), True),
        ("DISH SOAP 24 OZ", Decimal("3.79"), True),
        ("COFFEE BEANS 12 OZ", Decimal("11.49"), False),
        ("AA BATTERIES 8 PK", Decimal("8.99"), True),
    ),
    tax_rate=Decimal("0.101"),
    tax_included=False,
    payment="VISA ************4471",
    cashier="JORDAN",
)

WRENFIELD_RECEIPT = Receipt(
    store=Party("Wrenfield Hardware", ("14 Market Row", "Kenilworth CV8 1AB")),
    number="R-2207-0931",
    when=datetime(2024, 3, 21, 10, 5),
    currency="GBP",
    items=(
        ("WOOD SCREWS 4X40 200PK", Decimal("6.49"), True),
        ("WALL PLUGS BROWN 100PK", Decimal("2.99"), True),
        ("MASKING TAPE 25MM", Decimal("3.25"), True),
        ("CABLE TIES 300MM 100PK", Decimal("4.80"), True),
        ("WORK GLOVES SIZE 9", Decimal("5.87"), True),
    ),
    tax_rate=Decimal("0.20"),
    tax_included=True,
    payment="CONTACTLESS MASTERCARD **** 0927",
    cashier="SAM",
)


def receipt_page(receipt: Receipt) -> pymupdf.Document:
    """A thermal till receipt, 80 mm wide, in the monospace font such printers use."""
    width = 226.0
    symbol = "$" if receipt.currency == "USD" else "£"
    columns = 32
    lines: list[str] = []

    def row(label: str, value: str) -> str:
        return f"{label}{value.rjust(columns - len(label))}"

    lines += ["", receipt.store.name.upper().center(columns)]
    lines += [line.center(columns) for line in receipt.store.address]
    phone = "TEL (425) 555-0164" if receipt.currency == "USD" else "TEL 01926 555 018"
    lines += [phone.center(columns)]
    if receipt.tax_included:
        lines += ["VAT NO. GB 882 4410 27".center(columns)]
    lines += ["-" * columns]
    day = f"{receipt.when:%m/%d/%Y}" if receipt.currency == "USD" else f"{receipt.when:%d/%m/%Y}"
    lines += [row(f"DATE {day}", f"TIME {receipt.when:%H:%M}"), f"RECEIPT {receipt.number}",
              row(f"CASHIER {receipt.cashier}", "TILL 03"), "-" * columns]
    for description, price, taxed in receipt.items:
        flag = " T" if taxed and not receipt.tax_included else ""
        lines.append(row(description[: columns - 10], f"{price:.2f}{flag}"))
    lines.append("-" * columns)
    if receipt.tax_included:
        lines += [row("NET", f"{receipt.subtotal:.2f}"),
                  row(f"VAT {receipt.tax_rate * 100:.0f}%", f"{receipt.tax:.2f}")]
    else:
        lines += [row("SUBTOTAL", f"{receipt.subtotal:.2f}"),
                  row(f"TAX {receipt.tax_rate * 100:.1f}%", f"{receipt.tax:.2f}")]
    lines += ["", row("TOTAL", f"{symbol}{receipt.total:.2f}"), ""]
    lines += [receipt.payment, row("AMOUNT", f"{symbol}{receipt.total:.2f}"), "APPROVED  AUTH 08813C", ""]
    lines += [f"ITEMS SOLD {len(receipt.items)}", "-" * columns]
    lines += [line.center(columns) for line in (
        ("THANK YOU FOR SHOPPING", "WITH US!", "RETURNS WITHIN 30 DAYS", "WITH RECEIPT")
        if receipt.currency == "USD" else
        ("THANK YOU FOR YOUR CUSTOM", "KEEP YOUR RECEIPT", "FOR RETURNS AND EXCHANGES"))]
    size, leading = 10.5, 13.5
    height = 30 + leading * (len(lines) + 1)
    document = pymupdf.open()
    page = Page(document, (width, height))
    y = 24.0
    for line in lines:
        bold = line.startswith(("TOTAL", receipt.store.name.upper().center(columns)))
        page.text(10, y, line, "mono-bold", size + (0.5 if bold else 0))
        y += leading
    return document


def thermal_scan(image: Image.Image, seed: int, angle: float, noise: int) -> Image.Image:
    """A till receipt on a scanner bed: faded thermal print, darker bed around the paper."""
    rng = np.random.default_rng(seed)
    receipt = np.asarray(image, dtype=np.float32)
    height, width = receipt.shape
    # Thermal print fades unevenly along the roll: a slow ramp of ink strength.
    fade = linear_ramp(height, 1, 0.95, 0.72)
    darkness = (np.float32(255) - receipt) / np.float32(255) * fade
    paper = np.float32(243) - np.float32(12) * linear_ramp(height, width, 0.0, 1.0)
    printed = paper * (np.float32(1) - darkness)
    margin_x, margin_y = 60, 50
    bed = np.full((height + 2 * margin_y, width + 2 * margin_x), 196, dtype=np.float32)
    bed[margin_y:margin_y + height, margin_x:margin_x + width] = printed
    tilted = Image.fromarray(np.clip(bed, 0, 255).astype(np.uint8), "L").rotate(
        angle, resample=Image.Resampling.BICUBIC, fillcolor=196)
    tilted = tilted.filter(ImageFilter.GaussianBlur(0.6))
    noisy = np.asarray(tilted, dtype=np.float32) + integer_noise(rng, (tilted.height, tilted.width), noise)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")
