"""The contracts of the sample inbox (NDA, master services agreement, lease): their text and
layout."""

from __future__ import annotations

from datetime import date

import pymupdf

from samples.layout import GREY, Page, wrap
from samples.records import TALLOWMERE_UK, TALLOWMERE_US, Contract, Duration, Party


# --------------------------------------------------------------------------- contracts

VANTORRA = Party("Vantorra Robotics, Inc.", ("2150 Meridian Parkway", "Durham, NC 27713", "USA"))
HALDEN = Party("Halden Bridge IT Services Ltd", ("3 Calder Yard", "Leeds LS10 1PQ", "United Kingdom"))
CORBEL = Party("Corbel Forklift Rentals LLC", ("6600 Industrial Parkway", "Grove City, OH 43123", "USA"))


def nda_recitals(contract: Contract) -> list[str]:
    one, two = contract.parties
    return [
        f"This {contract.title} (the \"Agreement\") is entered into as of {contract.day(contract.effective)} "
        f"(the \"Effective Date\") by and between {one.name}, a Delaware corporation with its principal "
        f"office at {one.one_line_address} (\"Tallowmere\"), and {two.name}, a North Carolina corporation "
        f"with its principal office at {two.one_line_address} (\"Vantorra\"). Tallowmere and Vantorra are "
        "each referred to as a \"Party\" and together as the \"Parties\".",
        "WHEREAS, the Parties wish to evaluate a possible collaboration under which Vantorra would deploy "
        "autonomous mobile robots for order picking in Tallowmere's Columbus fulfilment centre (the "
        "\"Purpose\"); and WHEREAS, in the course of that evaluation each Party may disclose to the other "
        "information that it considers confidential;",
        "NOW, THEREFORE, in consideration of the mutual covenants set out below, the Parties agree as follows:",
    ]


def nda_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Definition of Confidential Information", [
            "\"Confidential Information\" means any non-public information disclosed by one Party (the "
            "\"Disclosing Party\") to the other Party (the \"Receiving Party\"), whether orally, visually, "
            "in writing or in electronic form, that is designated as confidential or that a reasonable "
            "person would understand to be confidential given its nature and the circumstances of "
            "disclosure. Confidential Information includes, without limitation, warehouse layouts, order "
            "volumes, throughput and labour data, customer lists, pricing, software, source code, robot "
            "navigation maps, technical specifications, product roadmaps and business plans.",
            "Confidential Information does not include information that the Receiving Party can show by "
            "written records (a) is or becomes generally available to the public through no fault of the "
            "Receiving Party; (b) was lawfully known to the Receiving Party before disclosure without a "
            "duty of confidentiality; (c) is lawfully received from a third party who is free to disclose "
            "it; or (d) is independently developed by the Receiving Party without use of or reference to "
            "the Disclosing Party's Confidential Information.",
        ]),
        ("2. Obligations of the Receiving Party", [
            "The Receiving Party shall (a) use the Confidential Information solely for the Purpose; (b) not "
            "disclose the Confidential Information to any third party except to its employees, officers, "
            "professional advisers and subcontractors who need to know it for the Purpose and who are bound "
            "by written obligations of confidentiality no less protective than those in this Agreement; and "
            "(c) protect the Confidential Information using at least the same degree of care it uses to "
            "protect its own confidential information of similar importance, and in no event less than "
            "reasonable care.",
            "The Receiving Party shall promptly notify the Disclosing Party in writing upon becoming aware of "
            "any unauthorised use or disclosure of Confidential Information and shall cooperate with the "
            "Disclosing Party to regain possession of the Confidential Information and to prevent further "
            "unauthorised use or disclosure.",
        ]),
        ("3. Compelled Disclosure", [
            "If the Receiving Party is required by law, regulation or order of a court or governmental "
            "authority to disclose any Confidential Information, it shall, to the extent legally permitted, "
            "give the Disclosing Party prompt written notice so that the Disclosing Party may seek a "
            "protective order or other remedy, and shall disclose only that portion of the Confidential "
            "Information that it is legally required to disclose.",
        ]),
        ("4. Site Visits and Data", [
            "Any visit by one Party's personnel to the other Party's premises shall be subject to the host "
            "Party's safety, security and data protection rules. Vantorra shall not record video or capture "
            "mapping data in Tallowmere's facilities except as agreed in writing for the Purpose, and any such "
            "recordings and maps are Confidential Information of Tallowmere. Neither Party shall disclose "
            "personal data to the other under this Agreement unless the Parties have first agreed appropriate "
            "data processing terms.",
        ]),
        ("5. Term and Renewal", [
            f"This Agreement commences on the Effective Date and remains in force for an initial term of "
            f"{contract.term.words}, expiring on {contract.day(contract.expiration)}, unless terminated earlier "
            f"in accordance with this Section. Thereafter this Agreement shall automatically renew for "
            f"successive periods of {contract.renewal.words} each, unless either Party gives the other written "
            f"notice of non-renewal at least thirty (30) days before the end of the then-current term.",
            "Either Party may terminate this Agreement at any time on thirty (30) days' written notice. The "
            "obligations in Sections 1 to 4 shall survive expiration or termination for a period of three (3) "
            "years, and with respect to trade secrets for as long as the information remains a trade secret "
            "under applicable law.",
        ]),
        ("6. Return or Destruction", [
            "Upon the Disclosing Party's written request, and in any event upon expiration or termination of "
            "this Agreement, the Receiving Party shall promptly return or destroy all Confidential Information "
            "in its possession, including all copies, notes and extracts, and shall certify such destruction "
            "in writing, except that the Receiving Party may retain copies in automatic electronic back-ups "
            "and as required by law, subject to continuing confidentiality.",
        ]),
        ("7. No Licence; No Warranty", [
            "All Confidential Information remains the property of the Disclosing Party. Nothing in this "
            "Agreement grants the Receiving Party any licence or right under any patent, copyright, trade "
            "secret or other intellectual property right, except the limited right to use the Confidential "
            "Information for the Purpose. CONFIDENTIAL INFORMATION IS PROVIDED \"AS IS\" WITHOUT WARRANTY OF "
            "ANY KIND. Nothing in this Agreement obliges either Party to enter into any further agreement.",
        ]),
        ("8. Remedies", [
            "The Receiving Party acknowledges that unauthorised use or disclosure of Confidential Information "
            "may cause the Disclosing Party irreparable harm for which damages would not be an adequate "
            "remedy. Accordingly, the Disclosing Party shall be entitled to seek injunctive relief in "
            "addition to any other remedies available at law or in equity, without the necessity of posting "
            "a bond.",
        ]),
        ("9. Governing Law and Jurisdiction", [
            f"This Agreement shall be governed by and construed in accordance with the laws of the "
            f"{contract.governing_law}, without regard to its conflict of laws principles. Each Party submits "
            "to the exclusive jurisdiction of the state and federal courts located in New Castle County, "
            "Delaware, for any action arising out of or relating to this Agreement.",
        ]),
        ("10. Miscellaneous", [
            "This Agreement constitutes the entire agreement between the Parties regarding its subject matter "
            "and supersedes all prior discussions. It may be amended only in a writing signed by both Parties. "
            "Neither Party may assign this Agreement without the other Party's prior written consent, except "
            "to a successor to all or substantially all of its business. If any provision is held "
            "unenforceable, the remaining provisions remain in full force. This Agreement may be executed in "
            "counterparts, including by electronic signature, each of which is an original.",
            "Notices shall be in writing and delivered to the addresses stated above, to the attention of the "
            "General Counsel of Tallowmere and the Chief Executive Officer of Vantorra respectively.",
        ]),
    ]


def msa_recitals(contract: Contract) -> list[str]:
    client, provider = contract.parties
    return [
        f"THIS AGREEMENT is dated {contract.day(contract.effective)} (the \"Effective Date\") and is made "
        f"BETWEEN (1) {client.name}, a company incorporated in England and Wales with company number "
        f"14820377, whose registered office is at {client.one_line_address} (the \"Client\"); and (2) "
        f"{provider.name}, a company incorporated in England and Wales with company number 09917364, whose "
        f"registered office is at {provider.one_line_address} (the \"Provider\").",
        "BACKGROUND: The Client operates warehouses in Coventry and Daventry and wishes to outsource the "
        "support of its end-user IT, network and warehouse handheld devices. The Provider has agreed to "
        "provide those services on the terms of this agreement.",
    ]


def msa_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Services", [
            "The Provider shall provide the managed IT services described in Schedule 1 (the \"Services\"), "
            "including a service desk available 07:00 to 22:00 UK time on business days, on-site support at "
            "the Client's warehouses within four (4) business hours for priority 1 incidents, management of "
            "the Client's network switches and wireless access points, and repair or replacement of handheld "
            "barcode scanners and label printers.",
            "The Provider shall meet the service levels in Schedule 2. If the Provider fails to meet a "
            "service level in any month, the Client shall be entitled to the service credits set out in "
            "Schedule 2, which shall be deducted from the next invoice. Service credits are a price adjustment "
            "and not an exclusive remedy.",
        ]),
        ("2. Charges and Payment", [
            "In consideration of the Services the Client shall pay the Provider a monthly fee of GBP 7,450.00 "
            "plus VAT, invoiced monthly in advance, together with any additional charges agreed in writing "
            "through the change control procedure. The Client shall pay each undisputed invoice within thirty "
            "(30) days of receipt. The Provider may increase the monthly fee once in each contract year, on "
            "ninety (90) days' notice, by no more than the annual change in the UK Consumer Prices Index.",
        ]),
        ("3. Term and Renewal", [
            f"This agreement commences on the Effective Date and, unless terminated earlier in accordance with "
            f"clause 8, continues for an initial term of {contract.term.words} ending on "
            f"{contract.day(contract.expiration)} (the \"Initial Term\"). At the end of the Initial Term this "
            f"agreement shall automatically renew for successive renewal periods of {contract.renewal.words} "
            "each (each a \"Renewal Term\") unless either party gives the other not less than ninety (90) days' "
            "written notice of non-renewal before the end of the Initial Term or the then-current Renewal Term.",
        ]),
        ("4. Client Responsibilities", [
            "The Client shall provide the Provider with reasonable access to its premises, systems and "
            "personnel, nominate a contract manager, and ensure that its own staff follow the Provider's "
            "reasonable instructions for logging incidents through the service desk portal.",
        ]),
        ("5. Data Protection", [
            "Each party shall comply with the UK GDPR and the Data Protection Act 2018. To the extent that the "
            "Provider processes personal data on behalf of the Client, it does so as processor under the data "
            "processing terms in Schedule 3 and only on the Client's documented instructions.",
        ]),
        ("6. Confidentiality", [
            "Each party shall keep confidential all information of the other party obtained under or in "
            "connection with this agreement and shall not use it except to perform its obligations or "
            "exercise its rights under this agreement. This clause survives termination for five (5) years.",
        ]),
        ("7. Limitation of Liability", [
            "Nothing in this agreement limits liability for death or personal injury caused by negligence, "
            "for fraud or fraudulent misrepresentation, or for any other liability that cannot be limited by "
            "law. Subject to that, each party's total liability in each contract year shall not exceed one "
            "hundred and fifty per cent (150%) of the charges paid or payable in that contract year, and "
            "neither party shall be liable for loss of profits, loss of business or indirect loss.",
        ]),
        ("8. Termination", [
            "Either party may terminate this agreement with immediate effect by written notice if the other "
            "party commits a material breach which is not remedied within thirty (30) days of notice, or "
            "becomes insolvent. On termination the Provider shall provide reasonable exit assistance for up to "
            "three (3) months at its then-current rates and return all Client data.",
        ]),
        ("9. Governing Law and Jurisdiction", [
            f"This agreement and any dispute or claim (including non-contractual disputes or claims) arising "
            f"out of or in connection with it shall be governed by and construed in accordance with the law of "
            f"{contract.governing_law}. The courts of England and Wales shall have exclusive jurisdiction.",
        ]),
        ("10. General", [
            "This agreement, with its schedules, is the entire agreement between the parties. No variation is "
            "effective unless in writing and signed by both parties. A person who is not a party has no right "
            "under the Contracts (Rights of Third Parties) Act 1999 to enforce any term of this agreement.",
        ]),
    ]


def lease_recitals(contract: Contract) -> list[str]:
    lessor, lessee = contract.parties
    return [
        f"This {contract.title} (\"Lease\") is made effective {contract.day(contract.effective)} (the "
        f"\"Effective Date\") between {lessor.name}, an Ohio limited liability company, "
        f"{lessor.one_line_address} (\"Lessor\"), and {lessee.name}, {lessee.one_line_address} (\"Lessee\").",
    ]


def lease_sections(contract: Contract) -> list[tuple[str, list[str]]]:
    assert contract.renewal is not None and contract.expiration is not None
    return [
        ("1. Equipment", [
            "Lessor leases to Lessee, and Lessee leases from Lessor, four (4) electric counterbalance "
            "forklifts, model CF-30E, serial numbers CF30-11842 to CF30-11845, each with charger (the "
            "\"Equipment\"), for use at Lessee's warehouse at 880 Larkspur Avenue, Columbus, Ohio.",
        ]),
        ("2. Term", [
            f"The term of this Lease is {contract.term.words}, beginning on the Effective Date and ending on "
            f"{contract.day(contract.expiration)}. Unless either party gives sixty (60) days' written notice "
            "before "
            f"the end of the term, this Lease renews for successive periods of {contract.renewal.words} each "
            "on the same terms.",
        ]),
        ("3. Rent", [
            "Lessee shall pay monthly rent of USD 2,760.00 (USD 690.00 per unit), in advance on the first day "
            "of each month. Late payments bear a charge of 1.5% per month.",
        ]),
        ("4. Maintenance", [
            "Lessor shall perform planned maintenance every 250 operating hours and repair defects not caused "
            "by misuse, within two (2) business days of notice. Lessee shall keep the batteries charged and "
            "watered as instructed and allow only trained, certified operators to use the Equipment.",
        ]),
        ("5. Insurance and Risk", [
            "Lessee bears the risk of loss or damage to the Equipment while in its possession and shall insure "
            "it for its full replacement value, naming Lessor as loss payee.",
        ]),
        ("6. Return", [
            "At the end of the Lease, Lessee shall make the Equipment available for collection in the same "
            "condition as delivered, ordinary wear and tear excepted.",
        ]),
        ("7. Governing Law", [
            f"This Lease is governed by the laws of the {contract.governing_law}.",
        ]),
    ]


NDA = Contract(
    title="Mutual Non-Disclosure Agreement",
    contract_type="Non-Disclosure Agreement",
    parties=(TALLOWMERE_US, VANTORRA),
    effective=date(2024, 3, 1),
    expiration=date(2026, 2, 28),
    term=Duration(2, "year"),
    renewal=Duration(1, "year"),
    governing_law="State of Delaware",
    sections=nda_sections,
    recitals=nda_recitals,
)

MSA = Contract(
    title="Managed IT Services Agreement",
    contract_type="Services Agreement",
    parties=(TALLOWMERE_UK, HALDEN),
    effective=date(2024, 4, 1),
    expiration=date(2027, 3, 31),
    term=Duration(3, "year"),
    renewal=Duration(12, "month"),
    governing_law="England and Wales",
    sections=msa_sections,
    recitals=msa_recitals,
    british=True,
)

LEASE = Contract(
    title="Equipment Lease Agreement",
    contract_type="Lease Agreement",
    parties=(CORBEL, TALLOWMERE_US),
    effective=date(2024, 2, 15),
    expiration=date(2026, 2, 14),
    term=Duration(24, "month"),
    renewal=Duration(1, "month"),
    governing_law="State of Ohio",
    sections=lease_sections,
    recitals=lease_recitals,
)


def contract_document(contract: Contract, size: tuple[float, float], body: float, seed: int,
                      header: str) -> pymupdf.Document:
    """Title, recitals and numbered clauses flowing over pages, then a signature block."""
    document = pymupdf.open()
    left, right, bottom = 72.0, size[0] - 72, size[1] - 72
    leading = body * 1.38
    page = Page(document, size)
    drawn_pages = [page]
    page.text(size[0] / 2, 96, contract.title.upper(), "serif-bold", body + 6, align="center")
    y = 132.0

    def ensure(space: float) -> None:
        nonlocal page, y
        if y + space > bottom:
            page = Page(document, size)
            drawn_pages.append(page)
            y = 84.0

    def paragraph(text: str, font: str = "serif") -> None:
        nonlocal y
        for line in wrap(text, font, body, right - left):
            ensure(leading)
            page.text(left, y, line, font, body)
            y += leading
        y += body * 0.6

    for text in contract.recitals(contract):
        paragraph(text)
    for heading, paragraphs in contract.sections(contract):
        ensure(leading * 3)
        y += body * 0.4
        page.text(left, y, heading, "serif-bold", body)
        y += leading
        for text in paragraphs:
            paragraph(text)
    ensure(150)
    y += 10
    paragraph("IN WITNESS WHEREOF, the parties have executed this agreement as of the Effective Date.")
    y += 10
    signatories = {
        "Tallowmere Logistics Inc.": ("Miriam Okafor-Lindt", "General Counsel"),
        "Tallowmere Logistics UK Ltd": ("Graham Pellow", "Director"),
        VANTORRA.name: ("Dev Anand Castellano", "Chief Executive Officer"),
        HALDEN.name: ("Rhiannon Keble", "Managing Director"),
        CORBEL.name: ("Walt Brubeck", "Member"),
    }
    for index, party in enumerate(contract.parties):
        x = left + index * (right - left) / 2
        name, role = signatories[party.name]
        page.text(x, y, party.name, "serif-bold", body)
        page.signature(x + 6, y + 34, seed + index)
        page.line(x, y + 42, x + 200, y + 42)
        page.lines(x, y + 56, (f"Name: {name}", f"Title: {role}", f"Date: {contract.day(contract.effective)}"),
                   "serif", body - 1, body + 3)
    for number, drawn in enumerate(drawn_pages, start=1):
        drawn.text(left, size[1] - 40, f"{header} – Page {number} of {len(drawn_pages)}", "serif", 8, GREY)
    return document
