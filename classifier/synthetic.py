"""Generated training documents, for labels real labelled data does not cover.

The default model is trained from these alone (plus whatever labelled data the
organisation configured): the product can ship them, unlike the licensed datasets.
Each *kind* below writes one sort of document from varied templates and gives it its
labels by the rules in ``LABEL_RULES`` (copied into every model card):

* the document type is the kind's type;
* the department follows from what the document is about (the kind);
* the urgency follows from cue phrases the template writes into the text: a
  generated document says why it is urgent, as real ones do.

Everything is drawn from a seeded ``random.Random``: the same seed gives the same
documents, so a training run can be reproduced and its baseline rebuilt.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from classifier.examples import SYNTHETIC_SOURCE, Example
from classifier.taxonomy import Taxonomy

LABEL_RULES = """\
| document | doc_type | department | urgency |
|---|---|---|---|
| invoice (goods, services, ads, utilities; five languages; 3 in 4 read back from a PDF's text layer) | invoice | Finance | high: past due / final notice / collection threat; medium: due on receipt or within 7-14 days; low: net 30+ or already scheduled |
| receipt (till slip, short slip, cash or card; 3 in 4 scanned and read back by the product's OCR) | receipt | Finance | low (already paid); medium when it asks for a refund or correction |
| contract: NDA, employment, services, licence, lease | contract | Legal | high: signature or termination deadline within days, breach notice; medium: renewal/amendment to review; low: executed copy for the file |
| contract: supply, purchase, vendor services | contract | Procurement | same urgency cues as other contracts |
| support ticket (e-mail to a helpdesk queue) | ticket | the queue it is about (10 helpdesk queues) | high: outage, data loss, security, many users blocked, "urgent"/"immediately"; medium: work impaired, workaround exists, answer within days; low: question, suggestion, no rush |
| purchase order, quotation request | other | Procurement | high: "urgent delivery"/line stop; medium: needed within a couple of weeks; low otherwise |
| bank statement, tax notice | other | Finance | medium when a response date is stated; low otherwise |
| HR memo, leave form, job application | other | Human Resources | medium when a response date is stated; low otherwise |
| newsletter, minutes, brochure, press release, letter | other | General Inquiry | low |
"""

# --- vocabulary -----------------------------------------------------------------------------

FIRST = ["Anna", "James", "Maria", "Lukas", "Sofia", "Daniel", "Emma", "Noah", "Olivia", "Ethan", "Mia", "Liam",
         "Hannah", "Mohammed", "Chen", "Priya", "Carlos", "Fatima", "Jonas", "Elena", "Tom", "Grace", "Ravi", "Julia"]
LAST = ["Smith", "Müller", "Garcia", "Chen", "Patel", "Johnson", "Schneider", "Rossi", "Nguyen", "Kowalski",
        "Brown", "Dubois", "Fischer", "Silva", "Kim", "Andersen", "O'Brien", "Novak", "Weber", "Tanaka"]
COMPANY_A = ["Northwind", "Bluewater", "Apex", "Summit", "Crescent", "Redwood", "Silverline", "Harbor", "Ironbridge",
             "Greenfield", "Brightpath", "Meridian", "Cobalt", "Pioneer", "Evergreen", "Falcon", "Atlas", "Orion",
             "Keystone", "Lakeside", "Vertex", "Granite", "Sterling", "Maple"]
COMPANY_B = ["Logistics", "Systems", "Consulting", "Supplies", "Media", "Technologies", "Trading", "Holdings",
             "Solutions", "Manufacturing", "Partners", "Services", "Analytics", "Foods", "Energy", "Pharma"]
SUFFIX = ["Inc.", "GmbH", "Ltd.", "LLC", "B.V.", "S.A.", "Corp.", "AG", "Sdn Bhd", "plc"]
STREETS = ["Main Street", "Harbour Road", "Industriestraße", "Oak Avenue", "Jalan Ampang", "King's Road",
           "Market Square", "Station Road", "Elm Street", "Rue de la Paix", "Hauptstraße", "Park Lane"]
CITIES = ["Springfield", "Hamburg", "Kuala Lumpur", "Rotterdam", "Lyon", "Austin", "Manchester", "Munich",
          "Toronto", "Milan", "Vienna", "Dublin", "Denver", "Singapore"]
CURRENCIES = [("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("MYR", "RM"), ("CHF", "CHF ")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PRODUCTS = ["Dell XPS 13 laptop", "HP LaserJet Pro printer", "Microsoft 365 subscription", "Jira Cloud",
            "Salesforce CRM", "Cisco router", "Canon EOS R6 camera", "Samsung Galaxy Tab", "Zoom Business plan",
            "SAP ERP module", "Adobe Creative Cloud", "Logitech MX keyboard", "QuickBooks Online", "AWS EC2 instance",
            "Slack workspace", "Sony WH-1000XM5 headphones", "iPhone 15", "Nextcloud server", "Epson scanner",
            "project management software", "smart thermostat", "data analytics platform", "online store plugin"]
GOODS = ["Office chairs", "A4 copy paper (box)", "Toner cartridge", "Consulting hours", "Software licence",
         "Maintenance service", "Laptop stand", "Network switch", "Cleaning service", "Freight charges",
         "Installation", "Training session", "Cloud hosting (monthly)", "Spare parts kit", "Safety gloves",
         "Steel brackets", "Printed brochures", "Catering", "TV spot :30", "Web design", "Legal review hours"]
RECEIPT_ITEMS = ["KOPI O", "TEH TARIK", "NASI LEMAK", "MILK 1L", "BREAD WHITE", "EGGS 10S", "PEN BLUE", "A4 PAPER",
                 "BATTERY AA 4S", "WATER 500ML", "COFFEE LATTE", "SANDWICH", "PARKING", "PETROL RON95", "TAPE",
                 "SCREW 10MM", "NOTEBOOK", "CHICKEN RICE", "ICED LEMON TEA", "USB CABLE", "DETERGENT"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}".rstrip(".")


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {rng.randint(10000, 99999)} {rng.choice(CITIES)}"


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)
    style = rng.randrange(4)
    if style == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if style == 1:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 2:
        return f"{MONTHS[month - 1]} {day}, {year}"
    return f"{day} {MONTHS[month - 1][:3]} {year}"


def _money(rng: random.Random, low: float = 5, high: float = 5000) -> float:
    return round(rng.uniform(low, high), 2)


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


# --- invoices and receipts ------------------------------------------------------------------
# A tab in a generated line separates cells that stand apart on the page (a label and its
# value, a table's columns): classifier.rendering lays them out as columns, and plain text
# gets spaces.

INVOICE_TERMS = {
    "low": ["Payment terms: Net 30 days.", "Payment due within 30 days of the invoice date.", "Terms: Net 45",
            "Please pay within 60 days. Thank you for your business.", "Amount will be collected by direct debit "
            "on the scheduled date; no action is required.", "Terms: 30 days end of month"],
    "medium": ["Payment due upon receipt.", "Terms: Net 7 days.", "Please remit payment within 14 days.",
               "Due date: within 10 days of receipt. Kindly arrange payment promptly.",
               "This invoice is due in one week."],
    "high": ["PAST DUE - FINAL NOTICE. This invoice is 60 days overdue. Pay immediately to avoid suspension of service.",
             "SECOND REMINDER: payment is overdue. If not received within 48 hours the account will be passed to "
             "our collection agency.", "OVERDUE. Late fees now apply. Immediate payment required.",
             "Final demand: your account is seriously overdue and service will be disconnected on Friday.",
             "URGENT: payment overdue since last month. Please settle today."],
}
# An invoice's own words in the languages a European back office receives: what it is, its
# number, customer number, date, due date, net, tax, gross, and the line-table header.
INVOICE_LANGUAGES = [
    ("INVOICE", "Invoice No.", "Customer No.", "Invoice date", "Due date", "Net amount", "VAT", "Total due",
     "Description\tQty\tUnit price\tAmount", "Bill to", "Please transfer the amount to the account below."),
    ("RECHNUNG", "Rechnungsnummer", "Kundennummer", "Rechnungsdatum", "Fällig am", "Nettobetrag", "MwSt.",
     "Rechnungsbetrag", "Bezeichnung\tMenge\tEinzelpreis\tGesamt", "Rechnungsempfänger",
     "Bitte überweisen Sie den Betrag bis zum Fälligkeitsdatum."),
    ("FACTUUR", "Factuurnummer", "Klantnummer", "Factuurdatum", "Vervaldatum", "Bedrag excl. BTW", "BTW",
     "Totaal te betalen", "Omschrijving\tAantal\tPrijs per stuk\tBedrag", "Factuuradres",
     "Gelieve het bedrag binnen 14 dagen over te maken."),
    ("FACTURE", "Facture n°", "N° client", "Date de facture", "Date limite de paiement", "Montant HT", "TVA",
     "Montant TTC", "Désignation\tQté\tPrix unitaire\tMontant", "Adresse de facturation",
     "Paiement par virement avant la date limite."),
    ("FATTURA", "Fattura n.", "Codice cliente", "Data fattura", "Scadenza", "Imponibile", "IVA", "Totale fattura",
     "Descrizione\tQtà\tPrezzo unitario\tImporto", "Intestatario", "Pagamento tramite bonifico bancario."),
]
# Per language: order number, order date, the company-register line a European invoice must carry.
INVOICE_ORDER_WORDS = {
    "INVOICE": ("Order No.", "Order date", "Company reg. no."), "RECHNUNG": ("Bestellnummer", "Bestelldatum", "HRB"),
    "FACTUUR": ("Ordernummer", "Orderdatum", "KvK"), "FACTURE": ("N° de commande", "Date de commande", "SIRET"),
    "FATTURA": ("Numero ordine", "Data ordine", "REA"),
}
UTILITY_SERVICES = ["Electricity", "Fibre broadband", "Mobile plan", "Natural gas", "Water and sewerage",
                    "Cloud hosting", "Waste collection", "Telephone line"]
STATIONS = ["WKRN", "KXAN", "WFAA", "KOMO", "WGAL", "KDKA", "WRAL", "KSDK"]


def _invoice_number(rng: random.Random) -> str:
    return _pick(rng, f"INV-{rng.randint(1000, 99999)}", f"{rng.randint(100000, 999999)}-{rng.randint(1, 9)}",
                 f"{rng.randint(2019, 2026)}/{rng.randint(1, 9999):04d}", f"F{rng.randint(10000, 99999)}",
                 f"{rng.randint(10**8, 10**9 - 1)}", f"RE-{rng.randint(2019, 2026)}-{rng.randint(100, 9999)}")


def _european(amount: float) -> str:
    """1.234,56: the separators of most of continental Europe."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _line_items(rng: random.Random, low: float, high: float, most: int,
                money: Callable[[float], str] = "{:,.2f}".format) -> tuple[list[str], float]:
    rows, subtotal = [], 0.0
    for _ in range(rng.randint(1, most)):
        quantity = rng.randint(1, 20)
        price = _money(rng, low, high)
        subtotal += quantity * price
        rows.append(f"{rng.choice(GOODS)}\t{quantity}\t{money(price)}\t{money(quantity * price)}")
    return rows, subtotal


def invoice(rng: random.Random, urgency: str) -> str:
    """A bill asking to be paid: who bills whom, a number, a due date or terms, a total due."""
    code, symbol = rng.choice(CURRENCIES)
    vendor, customer = _company(rng), _company(rng)
    number = _invoice_number(rng)
    terms = rng.choice(INVOICE_TERMS[urgency])
    layout = rng.randrange(5)
    if layout == 3:  # a European supplier in its own language
        title, number_label, customer_label, date_label, due_label, net_label, tax_label, total_label, table_head, \
            bill_label, pay_note = rng.choice(INVOICE_LANGUAGES)
        money = _european if title != "INVOICE" else "{:,.2f}".format
        euro = _pick(rng, "€ ", "EUR ", "")
        rows, net = _line_items(rng, 2, 900, 6, lambda amount: euro + money(amount))
        tax = round(net * rng.choice([0.07, 0.19, 0.20, 0.21, 0.22]), 2)
        order_label, order_date_label, register = INVOICE_ORDER_WORDS[title]
        order = f"\n{order_label}:\t{rng.randint(10**6, 10**9)}\n{order_date_label}:\t{_date(rng)}" if rng.random() < 0.5 else ""
        body = _paragraphs(
            f"{vendor}\n{_address(rng)}\n{_pick(rng, 'www.' + vendor.split()[0].lower() + '.example', '')}\n"
            f"{register} {rng.randint(10**7, 10**9)}\nIBAN\t{rng.choice(['DE', 'NL', 'FR', 'IT'])}{rng.randint(10**19, 10**20 - 1)}"
            f"\nBIC\t{rng.choice(COMPANY_A).upper()[:4]}{rng.choice(['DE', 'NL', 'FR', 'IT'])}2X",
            f"{bill_label}\n{customer}\n{_address(rng)}",
            f"{title}\n{number_label}:\t{number}\n{customer_label}:\t{rng.randint(10**5, 10**8)}\n"
            f"{date_label}:\t{_date(rng)}\n{due_label}:\t{_date(rng)}{order}",
            table_head + "\n" + "\n".join(rows),
            f"{net_label}\t{euro}{money(net)}\n{tax_label}\t{euro}{money(tax)}\n{total_label}\t{euro}{money(net + tax)}",
            pay_note, terms if rng.random() < 0.5 else "",
        )
    elif layout == 4:  # a recurring service bill (utility, telecom, hosting)
        service = rng.choice(UTILITY_SERVICES)
        amount = _money(rng, 15, 900)
        body = _paragraphs(
            f"{vendor}\n{_pick(rng, 'Your bill', 'Invoice', 'Monthly statement of charges', 'Billing statement')}",
            f"Account number:\t{rng.randint(10**7, 10**9)}\nCustomer:\t{_person(rng)}\nService address:\t{_address(rng)}",
            f"Bill date:\t{_date(rng)}\nBilling period:\t{_date(rng)} - {_date(rng)}\nInvoice number:\t{number}",
            f"{service} - monthly charge\t{amount * 0.8:,.2f}\nUsage charges\t{amount * 0.2:,.2f}\n"
            f"Amount due by {_date(rng)}:\t{symbol}{amount:,.2f}",
            terms,
        )
    else:
        rows, subtotal = _line_items(rng, 2, 900, 7)
        rate = rng.choice([0, 5, 6, 7, 10, 19, 20, 21])
        tax = round(subtotal * rate / 100, 2)
        title = _pick(rng, "INVOICE", "Invoice", "TAX INVOICE", "Rechnung / Invoice", "Commercial Invoice",
                      "Invoice for services rendered", "BILL")
        if layout == 0:
            header = f"{vendor}\n{_address(rng)}\nVAT ID: {rng.randint(100000000, 999999999)}\n\n{title}"
            meta = (f"Invoice No:\t{number}\nInvoice Date:\t{_date(rng)}\nDue Date:\t{_date(rng)}\n"
                    f"Bill To:\t{customer}\n{_address(rng)}\nYour order:\tPO-{rng.randint(1000, 9999)}")
        elif layout == 1:
            header = f"{title} #{number}\nDate issued:\t{_date(rng)}\nDue date:\t{_date(rng)}"
            meta = (f"From:\t{vendor}, {_address(rng)}\nBill to:\t{customer}\nShip to:\t{_address(rng)}\n"
                    f"Attn:\t{_person(rng)}\nTerms:\t{_pick(rng, 'Net 30', 'Net 15', 'Due on receipt', '2% 10 Net 30')}")
        else:  # station/agency style (broadcast ad invoices)
            header = f"{title}\n{vendor} - {rng.choice(STATIONS)}-TV\nRemit to:\t{_address(rng)}"
            meta = (f"Advertiser:\t{customer}\nAgency:\t{_company(rng)}\nContract #:\t{number}\n"
                    f"Flight dates:\t{_date(rng)} - {_date(rng)}\nBilling period:\t{rng.choice(MONTHS)} {rng.randint(2019, 2026)}"
                    f"\nSalesperson:\t{_person(rng)}")
        table = "Description\tQty\tUnit price\tAmount\n" + "\n".join(rows)
        totals = (f"Subtotal\t{symbol}{subtotal:,.2f}\nTax ({rate}%)\t{symbol}{tax:,.2f}\n"
                  f"{_pick(rng, 'TOTAL DUE', 'Total', 'Amount due', 'Gross amount', 'Balance due')}:\t"
                  f"{symbol}{subtotal + tax:,.2f} {code}")
        bank = _pick(rng, f"Bank:\t{rng.choice(COMPANY_A)} Bank  IBAN DE{rng.randint(10**19, 10**20 - 1)}",
                     f"Please make checks payable to {vendor}.", f"Account no.\t{rng.randint(10**9, 10**10 - 1)}", "")
        body = _paragraphs(header, meta, table, totals, terms, bank)
    if rng.random() < 0.2:
        return _paragraphs(
            f"From: {vendor} Accounts <accounts@{rng.choice(COMPANY_A).lower()}.example>\nTo: Accounts Payable\n"
            f"Subject: {_pick(rng, 'Invoice', 'Your invoice', 'Invoice attached')} {number}",
            _pick(rng, "Please find attached our invoice for the goods delivered.", "Attached is the invoice for "
                  "last month's services.", "Dear customer, your invoice is attached. Kind regards, accounts team"),
            body,
        )
    return body


RECEIPT_TITLES = ["TAX INVOICE", "RECEIPT", "CASH SALE", "SIMPLIFIED TAX INVOICE", "OFFICIAL RECEIPT", "CASH BILL",
                  "INVOICE", "CASH RECEIPT", "TAX INVOICE / RECEIPT", ""]
RECEIPT_SHOPS = ["MART", "CAFE", "HARDWARE", "STATIONERY", "PETROL", "RESTAURANT", "PHARMACY", "MARKET", "BAKERY",
                 "BOOKSTORE", "KOPITIAM", "TRADING", "ENTERPRISE", "SUPERMARKET", "FURNITURE", "ELECTRICAL"]
RECEIPT_FOOTERS = ["THANK YOU. PLEASE COME AGAIN", "GOODS SOLD ARE NOT RETURNABLE", "THANK YOU FOR SHOPPING",
                   "*** CUSTOMER COPY ***", "APPROVED - THANK YOU", "KEEP THIS RECEIPT FOR RETURNS",
                   "Thank You & Come Again!", "GOODS SOLD ARE NOT REFUNDABLE", "EXCHANGE WITHIN 7 DAYS WITH RECEIPT",
                   "Please keep your receipt", "THANK YOU, SEE YOU AGAIN"]


def _register_line(rng: random.Random) -> str:
    """Who and which till: the lines a cash register prints and an invoice never has."""
    return _pick(
        rng, f"CASHIER:\t{rng.choice(FIRST).upper()}", f"Cashier : CH{rng.randint(100, 999)}{rng.randint(100, 999)}",
        f"Terminal:\t{rng.randint(1, 300)}  Trans #: {rng.randint(1000, 999999)}",
        f"Counter: {rng.randint(1, 9)}  Operator: {rng.choice(FIRST)}",
        f"Table: {rng.randint(1, 40)}  Pax: {rng.randint(1, 8)}  Server: {rng.choice(FIRST)}",
        f"POS: {rng.randint(1, 20)}  Staff: {rng.randint(100, 999)}", f"REG {rng.randint(1, 9)}  TRANS {rng.randint(1000, 9999)}",
    )


def _short_slip(rng: random.Random, store: str, urgency: str) -> str:
    """A few lines: who, when, one to three items, what was paid."""
    items = [(rng.choice(RECEIPT_ITEMS), _money(rng, 1, 150)) for _ in range(rng.randint(1, 3))]
    total = sum(price for _, price in items)
    paid = round(total + rng.choice([0, 1, 5, 10, 50]), 2)
    currency = _pick(rng, "RM", "$", "")
    cash = rng.random() < 0.7
    lines = [store, _pick(rng, f"HP: 01{rng.randint(1, 9)}-{rng.randint(1000000, 9999999)}", _address(rng), ""),
             f"{_date(rng)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}\t{rng.randint(1, 9999):04d}",
             _register_line(rng) if rng.random() < 0.6 else "",
             *(f"{item}\t{currency}{price:.2f}" for item, price in items),
             f"{_pick(rng, 'TOTAL', 'Total', 'AMOUNT')}\t{currency}{total:.2f}",
             f"{_pick(rng, 'CASH', 'Cash')}\t{currency}{paid:.2f}" if cash else f"CARD\t{currency}{total:.2f}",
             f"CHANGE\t{currency}{paid - total:.2f}" if cash and rng.random() < 0.8 else "",
             _pick(rng, "THANK YOU", "Thank you, come again", "")]
    if urgency == "medium":
        lines.append("Refund requested: charged twice")
    return "\n".join(line for line in lines if line)


def receipt(rng: random.Random, urgency: str) -> str:
    """A till slip: paid on the spot (cash tendered and change, or a card), no due date, no addressee."""
    store = f"{rng.choice(COMPANY_A).upper()} {rng.choice(RECEIPT_SHOPS)}"
    if rng.random() < 0.2:  # a short slip: a stall, a taxi, a small restaurant
        return _short_slip(rng, store, urgency)
    malaysian = rng.random() < 0.55  # Malaysian GST receipts, as in scanned SROIE receipts
    if malaysian:
        lines = [f"{store} SDN BHD ({rng.randint(100000, 999999)}-{rng.choice('ADHKMPTUVWX')})", *_address(rng).upper().split(", "),
                 _pick(rng, f"TEL: 03-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                       f"Tel : 0{rng.randint(10, 19)}-{rng.randint(1000000, 9999999)} Fax : 03-{rng.randint(10000000, 99999999)}"),
                 _pick(rng, f"GST REG NO: {rng.randint(10**11, 10**12 - 1):012d}", f"GST ID : {rng.randint(10**11, 10**12 - 1):012d}", "")]
    else:  # US/European till slip
        lines = [store, _address(rng), f"TEL ({rng.randint(200, 999)}) 555-{rng.randint(1000, 9999)}",
                 _pick(rng, f"VAT NO {rng.randint(10**8, 10**9 - 1)}", f"Store #{rng.randint(10, 9999)}", "")]
    lines.append(rng.choice(RECEIPT_TITLES))
    lines.append(_pick(rng, f"Invoice No:\t{_pick(rng, 'CS', 'OR', 'INV', 'T')}{rng.randint(10**5, 10**10)}",
                       f"Receipt #:\t{rng.randint(1000, 999999)}", f"Bill No:\t{rng.randint(100, 99999)}",
                       f"Doc No.:\t{rng.choice('ABCT')}{rng.randint(10**5, 10**8)}", f"Cash Inv No.:\t{rng.randint(1000, 9999)}F{rng.randint(100, 999)}",
                       f"RCPT NO: {rng.randint(1000, 99999)}"))
    lines.append(f"{_pick(rng, 'DATE:', 'Date', 'Date :')}\t{_date(rng)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
                 f"{_pick(rng, '', ':' + str(rng.randint(10, 59)), ' PM', ' AM')}")
    lines.append(_register_line(rng))
    lines.append(_pick(rng, "QTY\tDESCRIPTION\tU.PRICE\tAMOUNT", "Item\tQty\tTotal", "Description\tQty\tPrice\tAmt (RM)", ""))
    total = 0.0
    for _ in range(rng.randint(1, 10)):
        price = _money(rng, 0.5, 80)
        quantity = rng.randint(1, 4)
        total += price * quantity
        item = rng.choice(RECEIPT_ITEMS)
        if rng.random() < 0.3:  # barcode on its own line, as supermarkets print
            lines.append(item)
            item = f"{rng.randint(10**12, 10**13 - 1)}"
        lines.append(f"{item}\t{quantity} X {price:.2f}\t{price * quantity:.2f}{_pick(rng, '', ' SR', ' ZR', ' S')}")
    paid = round(total + rng.choice([0, 0.5, 5, 10, 20, 50]), 2)
    currency = "RM" if malaysian else ""
    lines += [_pick(rng, f"SUBTOTAL\t{total:.2f}", f"Total Sales (Excluding GST)\t{total / 1.06:.2f}", f"Item Count : {rng.randint(1, 10)}")]
    if malaysian and rng.random() < 0.6:
        lines += [f"Total GST @6%\t{total - total / 1.06:.2f}", f"Rounding Adjustment\t0.0{rng.randint(0, 4)}"]
    lines.append(f"{_pick(rng, 'TOTAL', 'Total Amount Payable', 'Nett Total', 'Grand Total', 'Total Amt Payable:', 'TOTAL INCL. GST')}"
                 f"\t{currency}{total:.2f}")
    cash = rng.random() < 0.65
    if cash:
        lines += [f"{_pick(rng, 'CASH', 'Cash', 'Paid Amount', 'CASH TENDERED', 'Tender')}\t{currency}{paid:.2f}",
                  f"{_pick(rng, 'CHANGE', 'Change', 'Change Due')}\t{currency}{paid - total:.2f}"]
    else:
        lines += [f"{_pick(rng, 'VISA', 'MASTERCARD', 'DEBIT CARD', 'CREDIT CARD')} ****{rng.randint(1000, 9999)}\t{currency}{total:.2f}",
                  f"{_pick(rng, 'APPROVAL CODE', 'AUTH CODE', 'Approved')}: {rng.randint(100000, 999999)}"]
    if malaysian and rng.random() < 0.5:
        lines += ["GST Summary\tAmount\tTax", f"SR @ 6%\t{total / 1.06:.2f}\t{total - total / 1.06:.2f}"]
    lines.append(rng.choice(RECEIPT_FOOTERS))
    if urgency == "medium":
        lines.append(_pick(rng, "Note: item charged twice - please refund the difference.",
                           "Customer requests correction of the amount, refund pending.",
                           "REFUND REQUESTED - wrong item charged"))
    return "\n".join(line for line in lines if line)


# --- contracts ------------------------------------------------------------------------------

LEGAL_CONTRACTS = ["MUTUAL NON-DISCLOSURE AGREEMENT", "CONFIDENTIALITY AGREEMENT", "EMPLOYMENT AGREEMENT",
                   "EQUIPMENT LEASE AGREEMENT", "NON-DISCLOSURE AGREEMENT", "SHAREHOLDERS AGREEMENT",
                   "CONSULTING AGREEMENT", "SOFTWARE LICENSE AGREEMENT", "COMMERCIAL LEASE AGREEMENT",
                   "JOINT VENTURE AGREEMENT", "SETTLEMENT AGREEMENT", "AGENCY AGREEMENT", "PARTNERSHIP AGREEMENT",
                   "DEVELOPMENT AGREEMENT", "TRADEMARK LICENSE AGREEMENT"]
PROCUREMENT_CONTRACTS = ["SUPPLY AGREEMENT", "MASTER PURCHASE AGREEMENT", "VENDOR SERVICES AGREEMENT",
                         "FRAMEWORK AGREEMENT FOR THE PURCHASE OF GOODS", "MAINTENANCE SERVICES AGREEMENT",
                         "OUTSOURCING AGREEMENT", "DISTRIBUTION AGREEMENT", "MANUFACTURING AND SUPPLY AGREEMENT"]
COMMON_CLAUSES = [
    ("Term", "This Agreement shall commence on the Effective Date and continue for a period of {n} years unless "
             "terminated earlier in accordance with its terms."),
    ("Termination", "Either party may terminate this Agreement upon {n}0 days' prior written notice to the other "
                    "party. Either party may terminate immediately upon a material breach that is not cured."),
    ("Governing Law", "This Agreement shall be governed by and construed in accordance with the laws of the State of "
                      "{state}, without regard to its conflict of laws principles."),
    ("Notices", "All notices under this Agreement shall be in writing and delivered by hand, courier or registered "
                "mail to the addresses set out above."),
    ("Entire Agreement", "This Agreement constitutes the entire agreement between the parties and supersedes all "
                         "prior understandings, whether written or oral."),
    ("Assignment", "Neither party may assign this Agreement without the prior written consent of the other party, "
                   "which shall not be unreasonably withheld."),
]
# What a contract is about decides who handles it: these pools keep Legal and Procurement apart.
LEGAL_CLAUSES = [
    ("Confidentiality", "Each party shall hold the Confidential Information of the other party in strict confidence "
                        "and shall not disclose it to any third party without prior written consent."),
    ("Definition of Confidential Information", "\"Confidential Information\" means all non-public business, technical "
     "and financial information disclosed by the Disclosing Party to the Receiving Party."),
    ("Indemnification", "Each party shall indemnify, defend and hold harmless the other party from and against any "
                        "and all claims, losses, damages and expenses arising out of its negligence."),
    ("Limitation of Liability", "IN NO EVENT SHALL EITHER PARTY BE LIABLE FOR ANY INDIRECT, INCIDENTAL OR "
                                "CONSEQUENTIAL DAMAGES, HOWEVER CAUSED."),
    ("Intellectual Property", "All intellectual property rights in the Work Product shall vest in the Company. The "
                              "Consultant hereby assigns all such rights to the Company."),
    ("Non-Competition", "During the term and for {n} months thereafter, the Employee shall not engage in any business "
                        "competing with the Company."),
    ("Compensation", "The Company shall pay the Employee a base salary of {money} per year, payable in accordance with "
                     "the Company's regular payroll practices."),
    ("Dispute Resolution", "Any dispute arising under this Agreement shall be finally settled by arbitration in "
                           "{state}."),
    ("Rent", "The Tenant shall pay a monthly rent of {money} in advance on the first day of each month; the Premises "
             "shall be used for office purposes only."),
    ("Grant of License", "Licensor grants Licensee a non-exclusive, non-transferable license to use the Licensed "
                         "Marks in the Territory."),
]
PROCUREMENT_CLAUSES = [
    ("Purchase Orders", "The Buyer may issue Purchase Orders for the Products; each accepted Purchase Order forms a "
                        "binding contract on these terms."),
    ("Prices", "The prices for the Products are set out in Schedule A and are fixed for {n} months; volume discounts "
               "apply to orders above 1,000 units."),
    ("Payment", "The Buyer shall pay the Supplier the prices set out in Schedule A within {n}0 days of receipt of a "
                "correct invoice."),
    ("Delivery", "The Supplier shall deliver the Products to the delivery location by the agreed delivery dates. "
                 "Title and risk pass upon delivery."),
    ("Warranties", "The Supplier warrants that the Products shall be free from defects in material and workmanship "
                   "for {n}2 months from delivery."),
    ("Service Levels", "The Supplier shall meet the service levels in Schedule B; service credits apply to each "
                       "missed service level."),
    ("Inspection and Acceptance", "The Buyer may inspect the goods upon delivery and reject non-conforming goods "
                                  "within 14 days."),
    ("Forecasts", "The Buyer shall provide a rolling twelve-month forecast of its requirements for the Products."),
]
STATES = ["Delaware", "New York", "California", "Nevada", "Texas", "England and Wales", "Germany", "Ontario"]
CONTRACT_COVER = {
    "low": ["Fully executed copy attached for your records.", "For filing: signed original enclosed.", "",
            "Countersigned agreement, no further action needed."],
    "medium": ["Please review the proposed amendment and return comments within two weeks.",
               "The agreement renews automatically next month; please review whether to renew.",
               "Draft for review - comments requested by the end of the month."],
    "high": ["URGENT: signature required by tomorrow, the offer expires at 5 pm.",
             "NOTICE OF BREACH: you are required to cure the breach within 5 days or the Agreement terminates.",
             "Termination notice deadline is this Friday - legal review needed immediately.",
             "Please sign and return today; closing cannot proceed without it."],
}


def contract(rng: random.Random, urgency: str, titles: list[str], pool: list[tuple[str, str]]) -> str:
    title = rng.choice(titles)
    first, second = _company(rng), _company(rng)
    if "EMPLOYMENT" in title:
        second = _person(rng)
    opening = _pick(
        rng,
        f"THIS {title} (the \"Agreement\") is made and entered into as of {_date(rng)} (the \"Effective Date\") by and "
        f"between {first}, a {rng.choice(STATES)} corporation (\"Company\"), and {second} (\"Counterparty\").",
        f"This {title.title()} is entered into on {_date(rng)} between {first} of {_address(rng)} and {second}.",
        f"{title}\n\nParties: (1) {first}; (2) {second}. Date: {_date(rng)}.",
    )
    recitals = _pick(rng, "WHEREAS, the parties wish to set out the terms on which they will cooperate; and WHEREAS, "
                          "each party has the authority to enter into this Agreement;\n\nNOW, THEREFORE, in "
                          "consideration of the mutual covenants contained herein, the parties agree as follows:",
                     "RECITALS\nA. The parties wish to enter into a business relationship.\nB. The parties agree as "
                     "follows.", "The parties agree as follows:")
    clauses = rng.sample(pool, k=rng.randint(2, 5)) + rng.sample(COMMON_CLAUSES, k=rng.randint(1, 3))
    rng.shuffle(clauses)
    body = "\n\n".join(
        f"{number}. {name}. "
        + text.format(n=rng.randint(1, 5), state=rng.choice(STATES), money=f"${rng.randint(40, 180)},000")
        for number, (name, text) in enumerate(clauses, 1)
    )
    signatures = (f"IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above.\n"
                  f"{first}\nBy: ______________ Name: {_person(rng)} Title: {rng.choice(['CEO', 'CFO', 'Director', 'General Counsel'])}\n"
                  f"{second}\nBy: ______________")
    cover = rng.choice(CONTRACT_COVER[urgency])
    parts = [opening, recitals, body, signatures]
    if cover:
        parts.insert(0 if rng.random() < 0.7 else len(parts), cover)
    return _paragraphs(*parts)


# --- support tickets ------------------------------------------------------------------------

# department -> (subjects, problems); {product} is filled in.
TICKET_TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "Technical Support": (
        ["Error after software update", "Application crashes on startup", "Integration failing with API error",
         "Sync issue with {product}", "Problem with {product} configuration", "Bug in reporting module"],
        ["Since the latest update, {product} crashes every time we open a project.",
         "Our integration with {product} returns HTTP 500 errors for every request.",
         "The data synchronisation between {product} and our database stopped working.",
         "I keep getting an 'unexpected error' message when exporting reports from {product}.",
         "The installation of {product} fails with error code 0x80070005."],
    ),
    "Product Support": (
        ["How to configure {product}", "Question about {product} features", "Compatibility of {product}",
         "Setting up {product}", "Defective {product}"],
        ["I would like to know how to set up the backup feature of the {product} we purchased.",
         "Is the {product} compatible with our existing equipment and operating system?",
         "The {product} we bought does not turn on anymore, even after charging.",
         "Could you explain how to enable multi-user access in {product}?",
         "The touchscreen of the {product} responds intermittently."],
    ),
    "Customer Service": (
        ["Question about my order", "Change of account details", "Complaint about service", "Delivery delay",
         "Subscription change request"],
        ["My order placed two weeks ago still shows as 'processing' and I have not received any update.",
         "I would like to update the address and contact details on my customer account.",
         "I am disappointed with the service I received from your representative last week.",
         "I would like to downgrade my subscription to the basic plan starting next month.",
         "The delivery of my {product} has been delayed several times without explanation."],
    ),
    "IT Support": (
        ["VPN connection not working", "Password reset request", "New laptop setup", "Cannot access shared drive",
         "Email not syncing on company phone", "Access rights for new employee"],
        ["I cannot connect to the company VPN from home; it times out during authentication.",
         "My account was locked after too many login attempts and I need a password reset.",
         "Our new colleague starts on Monday and needs a laptop, an e-mail account and access to the shared drive.",
         "The network printer on the second floor is not reachable from any workstation.",
         "Outlook on my company laptop stopped syncing with the mail server."],
    ),
    "Billing and Payments": (
        ["Incorrect charge on invoice", "Double payment", "Payment failed", "Question about billing cycle",
         "Update payment method"],
        ["I was charged twice for my subscription this month and would like the duplicate charge refunded.",
         "The amount on invoice {number} does not match the price we agreed in the quote.",
         "My credit card payment failed although the card is valid; please check the billing system.",
         "I would like to change the payment method on file from credit card to bank transfer.",
         "Could you explain the additional fees that appeared on my latest bill?"],
    ),
    "Returns and Exchanges": (
        ["Return request for {product}", "Exchange of damaged item", "Wrong item delivered", "Refund after return",
         "Return label request"],
        ["The {product} arrived damaged and I would like to return it for a replacement.",
         "I received the wrong model and would like to exchange it for the one I ordered.",
         "I returned the {product} three weeks ago but have not received the refund yet.",
         "Please send me a return shipping label for order {number}.",
         "The item does not fit our needs; can I exchange it for a different model within the return period?"],
    ),
    "Human Resources": (
        ["Question about payroll", "Vacation request", "Benefits enrollment", "Onboarding documents",
         "Change of bank details for salary", "Parental leave inquiry"],
        ["My last payslip shows fewer overtime hours than I worked; could HR check the payroll calculation?",
         "I would like to request annual leave from the 3rd to the 14th of next month.",
         "I need information about enrolling my family in the company health insurance plan.",
         "Could you send me the onboarding documents and the employment contract for signature?",
         "I want to ask about the parental leave policy and the required notice period."],
    ),
    "Service Outages and Maintenance": (
        ["Service outage", "Website down", "Scheduled maintenance question", "Server not responding",
         "Degraded performance of cloud service"],
        ["Your cloud service has been unavailable since this morning; none of our users can log in.",
         "The customer portal returns a 503 error and appears to be completely down.",
         "We noticed severe latency on the hosted database since the maintenance window last night.",
         "Could you tell us when the next scheduled maintenance of the platform will take place?",
         "The network connection at our branch office keeps dropping every few minutes."],
    ),
    "Sales and Pre-Sales": (
        ["Pricing inquiry", "Request for quote", "Demo request for {product}", "Volume licensing discount",
         "Comparison of plans before purchase"],
        ["We are interested in purchasing 50 licences of {product} and would like a quote.",
         "Could you arrange a product demonstration of {product} for our team?",
         "What is the difference between the professional and the enterprise plan?",
         "Do you offer volume discounts or educational pricing for {product}?",
         "Before purchasing, we would like to know whether {product} supports single sign-on."],
    ),
    "General Inquiry": (
        ["General question", "Information request", "Partnership opportunity", "Opening hours", "Feedback"],
        ["I would like some general information about your company and the services you offer.",
         "Where can I find your privacy policy and terms of service?",
         "Our organisation is interested in a partnership; who would be the right contact?",
         "Could you tell me your office opening hours during the holidays?",
         "I just wanted to share some feedback about your website."],
    ),
}
TICKET_URGENCY = {
    "high": ["This is urgent: our entire team is blocked and cannot work.", "This is critical for our business and "
             "needs immediate attention.", "Production is down and customers are affected right now.",
             "We risk losing data if this is not fixed immediately.", "Please treat this as a high priority, we have "
             "a deadline today.", "This looks like a security breach; please respond as soon as possible.",
             "URGENT - please escalate."],
    "medium": ["It is affecting part of our work, though we have a temporary workaround.", "We would appreciate a "
               "response within the next few days.", "It would be good to resolve this before the end of the week.",
               "Some of our users are impacted, but the main functions still work.",
               "This is becoming inconvenient for our team."],
    "low": ["There is no rush; whenever it is convenient for you.", "This is just a general question for future "
            "reference.", "It is not time-sensitive.", "Any information would be appreciated when you have time.",
            "It is a minor issue and does not block our work.", ""],
}
GREETINGS = ["Dear Customer Support Team,", "Hello,", "Hi support,", "Dear Sir or Madam,", "Dear {team} team,",
             "Good morning,", ""]
CLOSINGS = ["Thank you for your assistance.", "Best regards,", "Kind regards,", "Thanks in advance,",
            "Looking forward to your reply.", "Sincerely,"]
REQUESTS = ["Could you please look into this?", "Please advise on the next steps.",
            "Can you help me resolve this?", "I would appreciate your guidance.",
            "Please let me know what information you need from me.", ""]


def ticket(rng: random.Random, urgency: str, department: str) -> str:
    subjects, problems = TICKET_TOPICS[department]
    fill = {"product": rng.choice(PRODUCTS), "number": f"#{rng.randint(10000, 99999)}"}
    subject = rng.choice(subjects).format(**fill)
    if urgency == "high" and rng.random() < 0.5:
        subject = f"{_pick(rng, 'URGENT', 'Urgent', 'Critical', 'Immediate help needed')}: {subject}"
    body_parts = [rng.choice(problems).format(**fill)]
    if rng.random() < 0.5:
        body_parts.append(rng.choice(problems).format(**fill))
    cue = rng.choice(TICKET_URGENCY[urgency])
    body_parts.insert(rng.randint(0, len(body_parts)), cue)
    body_parts.append(rng.choice(REQUESTS))
    body = " ".join(part for part in body_parts if part)
    greeting = rng.choice(GREETINGS).format(team=department)
    signature = f"{rng.choice(CLOSINGS)}\n{_pick(rng, _person(rng), '<name>', _person(rng) + chr(10) + _company(rng))}"
    text = _paragraphs(greeting, body, signature)
    layout = rng.random()
    if layout < 0.15:  # a quick note typed into a ticket form or chat: lower case, no greeting
        return f"Subject: {subject.lower()}\n\n{_terse(rng, body)}"
    if layout < 0.25:  # the e-mail as the pipeline reads a .eml
        sender = _person(rng)
        return (f"From: {sender} <{sender.split()[0].lower()}@{rng.choice(COMPANY_A).lower()}.example>\n"
                f"To: support@{rng.choice(COMPANY_A).lower()}.example\nDate: {_date(rng)}\nSubject: {subject}\n\n{text}")
    if layout < 0.45:  # exported from a ticket system
        return (f"SUPPORT TICKET #{_pick(rng, 'TL', 'INC', 'REQ', 'HD')}-{rng.randint(10000, 99999)}\n{'=' * 24}\n"
                f"Submitted:  {_date(rng)}\nCustomer:   {_person(rng)}, {_company(rng)}\n"
                f"Channel:    {_pick(rng, 'web form', 'e-mail', 'phone', 'chat')}\nSubject:    {subject}\n\n"
                f"Description:\n{body}")
    return f"Subject: {subject}\n\n{text}" if layout < 0.9 else text


# Words some ticket exports drop (search indexes, anonymised dumps keep the content words).
STOP_WORDS = frozenset("a an the is are was were be been to of in on at for and or but it this that we our i my me "
                       "you your with from as by has have had do does did not no so if can could would should will "
                       "please there their they them".split())


def _terse(rng: random.Random, body: str) -> str:
    """``body`` as typed in a hurry: lower case, no punctuation, sometimes without stop words."""
    words = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in body.lower()).split()
    if rng.random() < 0.4:
        words = [word for word in words if word not in STOP_WORDS]
    return " ".join(words[: rng.randint(8, 40)])


# --- other documents ------------------------------------------------------------------------

OTHER_DEADLINES = {
    "low": [""],
    "medium": ["Please respond by the 15th of next month.", "A reply is requested within 14 days.",
               "Kindly return the completed form within two weeks."],
    "high": ["URGENT delivery required - our production line stops on Monday without these parts.",
             "Immediate action required: respond within 24 hours."],
}


def purchase_order(rng: random.Random, urgency: str) -> str:
    buyer, supplier = _company(rng), _company(rng)
    kind = _pick(rng, "PURCHASE ORDER", "Request for Quotation", "Purchase Requisition", "Order Confirmation Request")
    items = "\n".join(
        f"{i}. {rng.choice(GOODS)} - quantity {rng.randint(1, 500)}" for i in range(1, rng.randint(2, 7))
    )
    return _paragraphs(
        f"{kind}\nPO number: PO-{rng.randint(10000, 99999)}\nDate: {_date(rng)}",
        f"Buyer: {buyer}, {_address(rng)}\nSupplier: {supplier}\nDeliver to: {_address(rng)}",
        items,
        f"Requested delivery date: {_date(rng)}. Please confirm prices and availability.",
        rng.choice(OTHER_DEADLINES[urgency]),
        f"Procurement contact: {_person(rng)}, purchasing department",
    )


def finance_letter(rng: random.Random, urgency: str) -> str:
    if rng.random() < 0.5:
        rows = "\n".join(
            f"{_date(rng)}  {_pick(rng, 'SEPA transfer', 'Card payment', 'Direct debit', 'Interest', 'Fee')} "
            f"{rng.choice(COMPANY_A)}  {rng.choice(['-', '+'])}{_money(rng, 1, 9000):,.2f}"
            for _ in range(rng.randint(3, 10))
        )
        return _paragraphs(
            f"{rng.choice(COMPANY_A)} Bank\nACCOUNT STATEMENT No. {rng.randint(1, 12)}/{rng.randint(2019, 2026)}",
            f"Account holder: {_company(rng)}\nIBAN: GB{rng.randint(10**19, 10**20 - 1)}",
            f"Opening balance {_money(rng, 0, 90000):,.2f}\n{rows}\nClosing balance {_money(rng, 0, 90000):,.2f}",
            rng.choice(OTHER_DEADLINES[urgency] if urgency != "high" else [""]),
        )
    return _paragraphs(
        f"Tax Office {rng.choice(CITIES)}\nReference: {rng.randint(100, 999)}/{rng.randint(1000, 9999)}/{rng.randint(10000, 99999)}",
        f"Dear {_company(rng)},",
        _pick(rng, "Notice of assessment for the fiscal year.", "Request for supporting documents for your VAT return.",
              "Confirmation of your quarterly tax prepayment."),
        rng.choice(OTHER_DEADLINES[urgency] if urgency != "high" else [""]),
        "Yours faithfully,\nTax Office",
    )


def hr_document(rng: random.Random, urgency: str) -> str:
    style = rng.randrange(3)
    if style == 0:
        body = _paragraphs(
            f"MEMO\nTo: All staff\nFrom: Human Resources\nDate: {_date(rng)}",
            _pick(rng, "Subject: Updated remote work policy", "Subject: Annual performance reviews",
                  "Subject: Open enrollment for benefits", "Subject: New travel expense guidelines",
                  "Subject: Spring shift schedule", "Subject: Public holiday schedule", "Subject: Mandatory safety training"),
            _pick(rng, "From next month, the following working hours and shift rotations apply to all warehouse and "
                       "office staff. Swap requests go to your team lead and HR.",
                  "Employees are reminded that annual leave must be requested at least two weeks in advance.",
                  "All staff must complete the training module by the end of the quarter; attendance is recorded "
                  "in your personnel file.",
                  "Please read the attached policy and confirm you have understood it."),
            f"Questions: {_person(rng)}, HR Business Partner",
        )
    elif style == 1:
        body = _paragraphs(
            "LEAVE REQUEST FORM",
            f"Employee: {_person(rng)}\nEmployee no.: {rng.randint(1000, 9999)}\nDepartment: {rng.choice(COMPANY_B)}",
            f"Type of leave: {_pick(rng, 'Annual leave', 'Sick leave', 'Parental leave', 'Unpaid leave')}\n"
            f"From: {_date(rng)}  To: {_date(rng)}",
            "Approved by manager: ____________",
        )
    else:
        body = _paragraphs(
            f"Application for the position of {_pick(rng, 'Accountant', 'Software Developer', 'Office Manager', 'Buyer')}",
            f"Dear Hiring Manager,\n\nI am writing to apply for the position advertised on your website. I have "
            f"{rng.randint(2, 15)} years of experience and enclose my CV and references.",
            f"Sincerely,\n{_person(rng)}",
        )
    return _paragraphs(body, rng.choice(OTHER_DEADLINES[urgency] if urgency != "high" else [""]))


def general_document(rng: random.Random, _urgency: str) -> str:
    company = _company(rng)
    style = rng.randrange(5)
    if style == 0:
        return _paragraphs(
            f"{_pick(rng, 'THE ' + company.upper() + ' DISPATCH', company + ' Newsletter', 'Staff newsletter')} - "
            f"{rng.choice(MONTHS)} {rng.randint(2019, 2026)}",
            _pick(rng, "IN THIS ISSUE\n  1. New office opening\n  2. Team updates\n  3. Upcoming events",
                  "Welcome to our quarterly newsletter with product news and customer stories."),
            _pick(rng, f"Congratulations to {_person(rng)} on ten years with the company!",
                  "The summer party will take place on the terrace; bring your family.",
                  "Our volunteering day raised money for the local food bank."),
            _pick(rng, "To unsubscribe from this newsletter, click here.", "Send your stories to the editor.", ""),
        )
    if style == 1:
        attendees = ", ".join(_person(rng) for _ in range(rng.randint(2, 5)))
        return _paragraphs(
            f"Minutes of the meeting held on {_date(rng)}",
            f"Attendees: {attendees}",
            "1. Approval of the previous minutes\n2. Project status update\n3. Any other business",
            "The next meeting will take place in four weeks.",
        )
    if style == 2:
        return _paragraphs(
            f"PRESS RELEASE\n{rng.choice(CITIES)}, {_date(rng)}",
            f"{company} announces {_pick(rng, 'a new partnership', 'record annual results', 'the opening of a new site', 'a new chief executive')}.",
            f"About {company}: founded in {rng.randint(1950, 2015)}, the company employs {rng.randint(20, 5000)} people.",
        )
    if style == 3:
        return _paragraphs(
            f"{company}\n{_address(rng)}",
            f"Dear {_person(rng)},",
            _pick(rng, "Thank you for visiting our stand at the trade fair. We enclose our brochure.",
                  "We are pleased to inform you that our office will move to a new address next quarter.",
                  "Season's greetings from all of us, and thank you for a great year."),
            f"Yours sincerely,\n{_person(rng)}",
        )
    return _paragraphs(
        f"{company} - Product Brochure",
        f"Discover our range of {rng.choice(PRODUCTS)} accessories and services.",
        "Visit our website or call us for more information.",
    )


# --- kinds and the generator ----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    doc_type: str
    department: str
    urgencies: tuple[str, ...]
    write: Callable[[random.Random, str], str]


ALL_URGENCIES = ("low", "medium", "high")


def _ticket_writer(department: str) -> Callable[[random.Random, str], str]:
    return lambda rng, urgency: ticket(rng, urgency, department)


KINDS: tuple[Kind, ...] = (
    Kind("invoice", "invoice", "Finance", ALL_URGENCIES, invoice),
    Kind("receipt", "receipt", "Finance", ("low", "medium"), receipt),
    Kind("legal-contract", "contract", "Legal", ALL_URGENCIES,
         lambda rng, urgency: contract(rng, urgency, LEGAL_CONTRACTS, LEGAL_CLAUSES)),
    Kind("procurement-contract", "contract", "Procurement", ALL_URGENCIES,
         lambda rng, urgency: contract(rng, urgency, PROCUREMENT_CONTRACTS, PROCUREMENT_CLAUSES)),
    *(Kind(f"ticket:{department}", "ticket", department, ALL_URGENCIES, _ticket_writer(department))
      for department in TICKET_TOPICS),
    Kind("purchase-order", "other", "Procurement", ALL_URGENCIES, purchase_order),
    Kind("finance-letter", "other", "Finance", ("low", "medium"), finance_letter),
    Kind("hr-document", "other", "Human Resources", ("low", "medium"), hr_document),
    Kind("general-document", "other", "General Inquiry", ("low",), general_document),
)


def usable_kinds(taxonomy: Taxonomy) -> list[Kind]:
    """Kinds whose type and department the taxonomy has (others would teach labels it lacks)."""
    doc_types = set(taxonomy.target("doc_type").labels)
    departments = set(taxonomy.target("department").labels)
    return [kind for kind in KINDS if kind.doc_type in doc_types and kind.department in departments]


"""Prefix of a generated example's ``source``."""


def make_example(kind: Kind, rng: random.Random, taxonomy: Taxonomy) -> Example:
    urgency = rng.choice(kind.urgencies)
    labels = {"doc_type": kind.doc_type, "department": kind.department}
    if taxonomy.target("urgency").normalise(urgency) == urgency:
        labels["urgency"] = urgency
    return Example(kind.write(rng, urgency), labels, f"{SYNTHETIC_SOURCE}{kind.name}")


EXTRA_SHARE = {("doc_type", "receipt"): 1.5, ("doc_type", "invoice"): 1.5}
"""Labels generated more often than ``per_label``: receipts and invoices are the pair a model
confuses, and each arrives in more forms (scans, PDFs, languages, till layouts) than a
helpdesk queue's tickets do."""


def generate(taxonomy: Taxonomy, per_label: int, seed: int, existing: list[Example] | None = None) -> list[Example]:
    """Generated documents for the doc types and departments the real data lacks: ``per_label`` each.

    A label with real examples in ``existing`` gets none: the organisation's own examples
    define it. Templated ones beside them would skew the label's share of the training
    rows and teach the generator's labelling rules (urgency by cue phrases) instead of
    the organisation's (measured on the Bueck tickets: docs/classifier.md). Documents
    generated for one target count for the other (a generated invoice is Finance).
    Labels no kind can write stay as they are.
    """
    rng = random.Random(seed)
    kinds = usable_kinds(taxonomy)
    counts: Counter[tuple[str, str]] = Counter()
    for example in existing or []:
        for target in ("doc_type", "department"):
            if target in example.labels:
                counts[(target, example.labels[target])] += 1
    real = set(counts)
    generated: list[Example] = []
    for target in ("doc_type", "department"):
        for label in taxonomy.target(target).labels:
            if (target, label) in real:
                continue
            candidates = [kind for kind in kinds if getattr(kind, target) == label]
            turn = 0
            wanted = round(per_label * EXTRA_SHARE.get((target, label), 1))
            while candidates and counts[(target, label)] < wanted:
                kind = candidates[turn % len(candidates)]
                turn += 1
                example = make_example(kind, rng, taxonomy)
                generated.append(example)
                counts[("doc_type", kind.doc_type)] += 1
                counts[("department", kind.department)] += 1
    return generated
