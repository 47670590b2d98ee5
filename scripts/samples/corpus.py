"""The whole sample inbox: the other documents (memo, newsletter, delivery note), the
supplier mail with attachments, and the list of files with their ground truth."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import pymupdf
from PIL import Image

from samples.contracts import LEASE, MSA, NDA, contract_document
from samples.degrade import binarize, image_pdf, jpeg_bytes, photograph, png_bytes, scan, tiff_bytes
from samples.invoices import (
    BLUEGILL_INVOICE,
    GREENBASKET_RECEIPT,
    HARBORLINE_INVOICE,
    OSTWALD_INVOICE,
    PINECREST_INVOICE,
    SKELMORE_INVOICE,
    WRENFIELD_RECEIPT,
    invoice_classic,
    invoice_din,
    invoice_typed,
    receipt_page,
    thermal_scan,
)
from samples.layout import A4, A5, GREY, LETTER, Page, pdf_bytes, render_gray, render_rgb, wrap
from samples.records import INVOICE_FIELDS, Invoice, SampleDoc, long_date, us_amount
from samples.tickets import (
    BILLING_TICKET,
    LOGIN_TICKET,
    OUTAGE_TICKET,
    RETURNS_TICKET,
    mail_bytes,
    support_mail,
    ticket_text,
)


# --------------------------------------------------------------------------- other documents


def memo_pdf() -> bytes:
    """An internal HR memo: routine, no amounts or parties - the classifier's 'other'."""
    document = pymupdf.open()
    page = Page(document, LETTER)
    left, right = 72.0, LETTER[0] - 72
    page.text(left, 84, "Tallowmere Logistics", "sans-bold", 16, (0.2, 0.35, 0.3))
    page.text(right, 84, "INTERNAL MEMO", "sans-bold", 12, GREY, "right")
    page.line(left, 94, right, 94, (0.2, 0.35, 0.3), 1.5)
    y = 124
    for label, value in (("To:", "All Columbus staff"), ("From:", "Lena Marchetti, People & Culture"),
                         ("Date:", "March 18, 2024"), ("Re:", "Spring schedule, parking and open enrollment")):
        page.text(left, y, label, "sans-bold", 10.5)
        page.text(left + 50, y, value, "sans", 10.5)
        y += 16
    y += 14
    text = [
        "Hello everyone,",
        "Spring is finally here, and with it a few changes to keep in mind over the coming weeks.",
        "Shift schedule. From Monday, April 8, the early shift in the fulfilment centre starts at 6:00 am "
        "instead of 5:30 am, and the late shift ends at 10:30 pm. Team leads will post the updated rotas on "
        "the break-room boards by March 29. Office hours are unchanged.",
        "Parking. The north lot will be resurfaced between April 15 and April 19. During that week please "
        "use the overflow lot on Kestrel Drive; a shuttle will run every 15 minutes between 5:30 am and "
        "11:00 pm. Visitor spaces at the front entrance remain available.",
        "Open enrollment. Benefits open enrollment runs from April 1 to April 26. You will receive an e-mail "
        "with a link to the benefits portal; if you make no choices, your current elections carry over. Two "
        "drop-in information sessions take place in the training room on April 4 at 1:00 pm and April 10 at "
        "7:00 am.",
        "Community day. Our volunteer day with the Larkspur Community Pantry is on Saturday, April 27. "
        "Sign-up sheets are at reception.",
        "Thank you all for a strong first quarter. If you have questions about any of this, stop by the "
        "People & Culture office or reply to this memo.",
        "Lena",
    ]
    for paragraph in text:
        y = page.lines(left, y, wrap(paragraph, "sans", 10.5, right - left), "sans", 10.5, 14.5) + 7
    return pdf_bytes(document, title="Internal memo: spring schedule, parking and open enrollment",
                     author="Tallowmere Logistics People & Culture")


NEWSLETTER = """THE TALLOWMERE DISPATCH
Staff newsletter - March 2024 edition

IN THIS ISSUE
  1. Welcome to our new colleagues
  2. Bremen cold store turns one
  3. Safety corner: lifting the right way
  4. Photo competition winners
  5. Dates for your diary

1. WELCOME TO OUR NEW COLLEAGUES
Please give a warm welcome to the eleven people who joined us in February, including
Ines Varga (inventory control, Columbus), Callum Rhee (transport planning, Coventry)
and Sunniva Brandt (customer success, Bremen). You will find short introductions from
all of them on the intranet.

2. BREMEN COLD STORE TURNS ONE
Our temperature-controlled warehouse in Bremen celebrated its first anniversary. In its
first year the team handled more than 48,000 pallet movements without a single
temperature excursion. Congratulations to site manager Jörg Hollenbeck and his crew!

3. SAFETY CORNER: LIFTING THE RIGHT WAY
Most back injuries in warehouses come from lifting boxes that are lighter than people
expect to be dangerous. Bend your knees, keep the load close to your body, and ask for a
second pair of hands for anything over 23 kg (50 lb). Refresher videos are on the
training portal.

4. PHOTO COMPETITION WINNERS
The theme was "a day in the dock". First prize goes to Amara Osei for her sunrise shot
of door 14; runners-up are Piet Lammers and Yuki Hartmann. The winning photos will hang
in the Columbus canteen.

5. DATES FOR YOUR DIARY
  - April 4   Open enrollment information session (Columbus)
  - April 20  Coventry five-a-side football tournament
  - April 27  Volunteer day at the Larkspur Community Pantry

Have a story for the next edition? Write to dispatch@tallowmere.example.
"""


def delivery_note(invoice: Invoice) -> Image.Image:
    """The supplier's delivery note, signed on receipt at the dock and scanned."""
    document = pymupdf.open()
    page = Page(document, A5)
    left, right = 32.0, A5[0] - 32
    page.text(left, 46, invoice.vendor.name, "sans-bold", 13)
    page.lines(left, 60, invoice.vendor.address, "sans", 8, 10)
    page.text(right, 48, "DELIVERY NOTE", "sans-bold", 13, align="right")
    y = 100
    for label, value in (("Delivery note:", "DN-5567"), ("Date:", f"{invoice.issued:%d/%m/%Y}"),
                         ("Your order:", invoice.po_number or "-"), ("Invoice:", invoice.number)):
        page.text(left, y, label, "sans-bold", 9)
        page.text(left + 80, y, value, "sans", 9)
        y += 13
    page.text(230, 100, "Deliver to:", "sans-bold", 9)
    page.lines(230, 113, (invoice.buyer.name, *invoice.buyer.address), "sans", 9, 12)
    y += 14
    page.line(left, y, right, y)
    page.text(left, y + 12, "Code", "sans-bold", 9)
    page.text(left + 70, y + 12, "Description", "sans-bold", 9)
    page.text(right, y + 12, "Qty", "sans-bold", 9, align="right")
    y += 18
    page.line(left, y, right, y)
    for item in invoice.items[:-1]:  # the delivery charge is not a delivered good
        y += 14
        page.text(left, y, item.code, "sans", 9)
        page.text(left + 70, y, item.description[:44], "sans", 9)
        page.text(right, y, f"{item.quantity.normalize():f}", "sans", 9, align="right")
    y += 10
    page.line(left, y, right, y)
    page.text(left, y + 16, "Pallets: 3    Gross weight: 612 kg", "sans", 9)
    page.text(left, y + 44, "Received in good condition:", "sans-bold", 9)
    page.signature(left + 140, y + 44, seed=77, width=90)
    page.line(left + 135, y + 50, right, y + 50)
    page.text(left + 135, y + 62, "Signature / name: D. Maclaren    Date: 15/03/2024", "sans", 8)
    image = render_gray(document, dpi=200)[0]
    # Saved as PNG: no sensor noise (the scanner's noise filter), or the file would be megabytes.
    return scan(image, seed=31, angle=-0.8, paper=(232, 222), blur=0.5, noise=0, speckles=150)


# --------------------------------------------------------------------------- assembly


def supplier_mail(invoice: Invoice, invoice_pdf: bytes, note_png: bytes, note_name: str) -> bytes:
    when = datetime(2024, 3, 14, 9, 17, 32, tzinfo=timezone.utc)
    body = (
        "Dear Accounts Payable team,\n\n"
        f"please find attached invoice {invoice.number} dated {long_date(invoice.issued, british=True)} for "
        f"your order {invoice.po_number}, amounting to GBP {us_amount(invoice.total)} including VAT, payable by "
        f"{long_date(invoice.due, british=True) if invoice.due else 'return'}.\n\n"
        "The signed delivery note for the consignment (3 pallets, delivered 15 March) is attached as well.\n\n"
        "Kind regards,\n\n"
        "Priya Dunmore\nCredit Control\n"
        f"{invoice.vendor.name}\n{invoice.vendor.one_line_address}\n{invoice.vendor_contact[0]}\n"
    )
    message = EmailMessage()
    message["Return-Path"] = "<accounts@skelmore-packaging.example>"
    message["Received"] = ("from smtp.skelmore-packaging.example "
                           "(smtp.skelmore-packaging.example [198.51.100.23]) "
                           "by mx1.tallowmere.example with ESMTPS id 4Tw0Lr6hJ2; "
                           f"{format_datetime(when + timedelta(seconds=3))}")
    message["From"] = "Skelmore Packaging Accounts <accounts@skelmore-packaging.example>"
    message["To"] = "Accounts Payable <ap@tallowmere.example>"
    message["Subject"] = f"Invoice {invoice.number} from {invoice.vendor.name}"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = "<20240314091732.4f1c8e@smtp.skelmore-packaging.example>"
    message["X-Mailer"] = "Sage 200 Mailer 2.4"
    message.set_content(body)
    html_body = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in body.strip().split("\n\n"))
    message.add_alternative(f"<html><body>{html_body}</body></html>\n", subtype="html")
    message.add_attachment(invoice_pdf, maintype="application", subtype="pdf", filename=f"{invoice.number}.pdf")
    message.add_attachment(note_png, maintype="image", subtype="png", filename=note_name)
    return mail_bytes(message)


def build_documents() -> list[SampleDoc]:
    docs: list[SampleDoc] = []

    def add(filename: str, doc_type: str, urgency: str, department: str, fields: dict,
            description: str, content: bytes, attachments: tuple[SampleDoc, ...] = ()) -> None:
        docs.append(SampleDoc(filename, doc_type, urgency, department, fields, description, content, attachments))

    # Invoices
    add("invoice_harborline_multipage.pdf", "invoice", "medium", "Finance", HARBORLINE_INVOICE.fields(),
        f"Multi-page US supplier invoice (USD, sales tax) with {len(HARBORLINE_INVOICE.items)} line items; "
        "PDF with a text layer.",
        invoice_classic(HARBORLINE_INVOICE, (0.08, 0.30, 0.52), "$"))
    add("invoice_ostwald_eur_vat.pdf", "invoice", "medium", "Finance", OSTWALD_INVOICE.fields(),
        "German maintenance invoice in EUR with 19% VAT, DIN 5008 letter layout, European number "
        "and date formats; PDF with a text layer.",
        invoice_din(OSTWALD_INVOICE))
    scanned = render_gray(invoice_typed(PINECREST_INVOICE, stamp="PAST DUE"), dpi=200)[0]
    add("invoice_pinecrest_scanned.pdf", "invoice", "high", "Finance", PINECREST_INVOICE.fields(),
        "Scanned janitorial invoice stamped PAST DUE: image-only PDF (200 dpi JPEG, skewed about 1.3 degrees, "
        "grey paper, blur, noise), no text layer, so it needs OCR.",
        image_pdf([scan(scanned, seed=11, angle=1.3, speckles=400)], dpi=200,
                  title="Scanned document"))
    photo_page = invoice_typed(BLUEGILL_INVOICE, stamp="PAID", size=(432.0, 612.0), body=11)
    add("invoice_bluegill_photo.jpg", "invoice", "low", "Finance", BLUEGILL_INVOICE.fields(),
        "Phone photo (JPEG) of a paid sign-shop invoice lying on a desk: perspective, uneven light, shadow.",
        jpeg_bytes(photograph(render_rgb(photo_page[0], dpi=220), seed=12), quality=84))

    # Receipts
    add("receipt_greenbasket.png", "receipt", "low", "Finance", GREENBASKET_RECEIPT.fields(),
        "Scanned US grocery till receipt (PNG, 203 dpi thermal print, sales tax on some items).",
        png_bytes(thermal_scan(render_gray(receipt_page(GREENBASKET_RECEIPT), dpi=203)[0], seed=21, angle=-1.1,
                               noise=0), 203))
    wrenfield = thermal_scan(render_gray(receipt_page(WRENFIELD_RECEIPT), dpi=203)[0], seed=22, angle=0.9, noise=3)
    add("receipt_wrenfield.jpg", "receipt", "low", "Finance", WRENFIELD_RECEIPT.fields(),
        "Scanned UK hardware-shop till receipt (JPEG) in GBP with VAT included in the prices.",
        jpeg_bytes(wrenfield, quality=80))

    # Contracts
    add("contract_nda_vantorra.pdf", "contract", "medium", "Legal", NDA.fields(),
        "Mutual non-disclosure agreement (several pages, Delaware law, automatic renewal); PDF with a text layer.",
        pdf_bytes(contract_document(NDA, LETTER, 10.5, seed=41, header="Mutual NDA Tallowmere / Vantorra"),
                  title=NDA.title, author="Tallowmere Logistics Inc. Legal"))
    add("contract_msa_halden.pdf", "contract", "medium", "Legal", MSA.fields(),
        "Managed IT services agreement (English law, three-year initial term, 12-month renewals); "
        "PDF with a text layer.",
        pdf_bytes(contract_document(MSA, A4, 10.5, seed=42, header="Managed IT Services Agreement"),
                  title=MSA.title, author="Halden Bridge IT Services Ltd"))
    lease_pages = render_gray(contract_document(LEASE, LETTER, 12, seed=43, header="Equipment Lease"), dpi=300)
    lease_scans = [binarize(scan(image, seed=44 + index, angle=(-0.7, 0.5)[index % 2], blur=0.8, noise=10,
                                 speckles=1500)) for index, image in enumerate(lease_pages)]
    add("contract_lease_scan.tif", "contract", "low", "Legal", LEASE.fields(),
        f"Signed forklift lease, scanned: {len(lease_scans)}-page bilevel TIFF (300 dpi, CCITT Group 4).",
        tiff_bytes(lease_scans, dpi=300))

    # Tickets
    add("ticket_shiptrack_outage.txt", "ticket", "high", "Service Outages and Maintenance", OUTAGE_TICKET.fields(),
        "Support ticket (text export): customer's label API calls fail with 503, shipping stopped.",
        ticket_text(OUTAGE_TICKET, "#TL-48213", "2024-03-11 08:19 UTC", "Web form", "Urgent"))
    add("ticket_billing_storage_fees.txt", "ticket", "medium", "Billing and Payments", BILLING_TICKET.fields(),
        "Support ticket (text export): merchant questions doubled storage fees and changes billing contact.",
        ticket_text(BILLING_TICKET, "#TL-48107", "2024-03-05 16:02 UTC", "E-mail", "Normal"))
    add("ticket_return_daypack.txt", "ticket", "low", "Returns and Exchanges", RETURNS_TICKET.fields(),
        "Support ticket (text export): shopper wants to return or exchange a wrong-size backpack.",
        ticket_text(RETURNS_TICKET, "#TL-48190", "2024-03-08 19:47 UTC", "Web form", "Low"))
    add("support_request_login.eml", "ticket", "medium", "Technical Support", LOGIN_TICKET.fields(),
        "Customer e-mail (multipart plain + HTML): locked out of the portal, 2FA codes not arriving.",
        support_mail(LOGIN_TICKET, datetime(2024, 3, 19, 8, 4, 51, tzinfo=timezone(timedelta(hours=-4)))))

    # Supplier e-mail with two attachments
    invoice_pdf = invoice_classic(SKELMORE_INVOICE, (0.45, 0.12, 0.16), "£")
    note_name = "delivery_note_DN-5567.png"
    note = png_bytes(delivery_note(SKELMORE_INVOICE), 200)
    mail_name = "supplier_invoice_skelmore.eml"
    mail_fields = {name: None for name in INVOICE_FIELDS} | {
        "vendor_name": SKELMORE_INVOICE.vendor.name,
        "vendor_address": SKELMORE_INVOICE.vendor.one_line_address,
        "invoice_number": SKELMORE_INVOICE.number,
        "invoice_date": SKELMORE_INVOICE.issued.isoformat(),
        "due_date": SKELMORE_INVOICE.due.isoformat() if SKELMORE_INVOICE.due else None,
        "currency": SKELMORE_INVOICE.currency,
        "total_amount": float(SKELMORE_INVOICE.total),
    }
    attachments = (
        SampleDoc(f"{mail_name}#{SKELMORE_INVOICE.number}.pdf", "invoice", "medium", "Finance",
                  SKELMORE_INVOICE.fields(),
                  "Attached UK packaging invoice (GBP, 20% VAT); PDF with a text layer.",
                  None),
        SampleDoc(f"{mail_name}#{note_name}", "other", "low", "Procurement", {},
                  "Attached scanned delivery note, signed on receipt (PNG).", None),
    )
    add(mail_name, "invoice", "medium", "Finance", mail_fields,
        "Supplier e-mail (multipart, realistic headers): 'please find attached invoice', with the invoice "
        "PDF and a scanned delivery note PNG attached. Its own fields are those stated in the mail body.",
        supplier_mail(SKELMORE_INVOICE, invoice_pdf, note, note_name), attachments)

    # Other
    add("memo_spring_schedule.pdf", "other", "low", "Human Resources", {},
        "Internal staff memo (shift times, parking, benefits enrollment); PDF with a text layer.", memo_pdf())
    add("newsletter_march.txt", "other", "low", "General Inquiry", {},
        "Staff newsletter in plain text.", NEWSLETTER.encode("utf-8"))
    return docs
