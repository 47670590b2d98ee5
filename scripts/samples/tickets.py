"""The support tickets of the sample inbox, as text files and e-mails."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from samples.records import Ticket


# --------------------------------------------------------------------------- tickets


OUTAGE_TICKET = Ticket(
    requester_name="Odalys Brennan",
    requester_email="o.brennan@fernleaf-outdoor.example",
    company="Fernleaf Outdoor Co.",
    subject="ShipTrack API returning 503 - no labels printing since 07:40",
    product="ShipTrack API",
    ticket_type="Incident",
    body="""Hi,

Since about 07:40 UTC this morning every call our warehouse system makes to the ShipTrack
API (POST /v2/shipments and GET /v2/labels) fails with "503 Service Unavailable". The
status page still shows all systems operational.

Impact: none of our outbound orders can get a shipping label, so nothing is leaving the
building. We have roughly 1,900 orders queued for today's 15:00 carrier cut-off and two
packing lines are standing idle. Retries with backoff have not helped.

Request IDs from the last failures:
  req_9f1c27ab3e  07:41:12Z
  req_a04d81c6f2  08:02:55Z
  req_c7710e93bd  08:15:03Z

Please treat this as critical and call me on +1 614 555 0188 as soon as someone is
looking at it.

Odalys Brennan
Warehouse Systems Lead, Fernleaf Outdoor Co.""",
)

BILLING_TICKET = Ticket(
    requester_name="Tomasz Wierzbicki",
    requester_email="accounts@harrow-and-pike.example",
    company="Harrow & Pike Homewares",
    subject="Storage fees on February invoice doubled - please explain",
    product="Warehousing and storage",
    ticket_type="Request",
    body="""Hello,

Our February invoice TL-INV-24-02117 shows pallet storage of 412 pallet-weeks at
$4.80, i.e. $1,977.60. In January we were charged for about 200 pallet-weeks and our
stock level has not changed much (around 50 pallets on hand).

Could you please send us the storage report behind this figure and, if the
quantity is wrong, a credit note? We would like to pay the correct amount before the
due date of 15 March.

Also, our billing contact has changed: please send future invoices to
accounts@harrow-and-pike.example instead of Jenna's address.

Kind regards,
Tomasz Wierzbicki
Finance, Harrow & Pike Homewares""",
)

RETURNS_TICKET = Ticket(
    requester_name="Beatrix Lomond",
    requester_email="beatrix.lomond@mailbox.example",
    company="(private customer)",
    subject="Return of wrong-size daypack, order FO-118264",
    product="Kestrel 40L Daypack",
    ticket_type="Request",
    body="""Hi there,

I ordered a Kestrel 40L Daypack in size M/L (order FO-118264, delivered on 6 March)
but the one in the parcel is size S/M. The tag is still attached and it has not been
used.

Could you send me a return label, or exchange it for the M/L if you have it in stock?
No rush - I don't need it before April.

Thanks,
Beatrix Lomond
22 Heather Close, Hilliard, OH 43026""",
)

LOGIN_TICKET = Ticket(
    requester_name="Kwame Asante-Ruiz",
    requester_email="kwame.asante@brightwell-pharmacy.example",
    company="Brightwell Pharmacy Supplies",
    subject="Cannot log in to ShipTrack portal after password reset - 2FA code not arriving",
    product="ShipTrack Portal",
    ticket_type="Problem",
    body="""Hello ShipTrack support,

Since I reset my password yesterday afternoon I can no longer sign in to the ShipTrack
customer portal. The new password is accepted, but the two-factor code that should
arrive by text message never comes (I waited 10 minutes and tried "resend" three
times). My phone number on the account ends in 0147.

Two colleagues on the same account (Brightwell Pharmacy Supplies, account BW-20418)
can still log in, so it seems to be only my user.

I need access to approve tomorrow's inbound delivery appointments, so I would be
grateful for help today if possible. I can also switch to an authenticator app if
that is easier.

Best regards,
Kwame Asante-Ruiz
Operations Coordinator
Brightwell Pharmacy Supplies""",
)


def ticket_text(ticket: Ticket, number: str, submitted: str, channel: str, priority: str) -> bytes:
    """A ticket as the helpdesk exports it to text: a title line, a field block, the message."""
    title = f"SUPPORT TICKET {number}"
    fields = [
        ("Submitted", submitted), ("Channel", channel), ("Requester", ticket.requester_name),
        ("Email", ticket.requester_email), ("Company", ticket.company), ("Product", ticket.product),
        ("Customer priority", priority), ("Subject", ticket.subject),
    ]
    lines = [title, "=" * len(title)]
    lines += [f"{label + ':':<19}{value}" for label, value in fields]
    lines += ["", "Message:", "", ticket.body, ""]
    return "\n".join(lines).encode("utf-8")


def support_mail(ticket: Ticket, when: datetime) -> bytes:
    """The ticket as a customer's e-mail: multipart/alternative, plain text and HTML."""
    message = EmailMessage()
    message["Return-Path"] = f"<{ticket.requester_email}>"
    message["Received"] = ("from mail.brightwell-pharmacy.example (mail.brightwell-pharmacy.example "
                           "[192.0.2.41]) by mx1.tallowmere.example with ESMTPS id 4TvX2k1Qz9; "
                           f"{format_datetime(when + timedelta(seconds=4))}")
    message["From"] = f"{ticket.requester_name} <{ticket.requester_email}>"
    message["To"] = "ShipTrack Support <support@tallowmere.example>"
    message["Subject"] = ticket.subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = "<CAF8x2Qm7wPz0r1d@mail.brightwell-pharmacy.example>"
    message["X-Mailer"] = "Microsoft Outlook 16.0"
    message.set_content(ticket.body + "\n")
    paragraphs = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in ticket.body.split("\n\n"))
    message.add_alternative(f"<html><body style=\"font-family:Calibri,sans-serif\">{paragraphs}</body></html>\n",
                            subtype="html")
    return mail_bytes(message)


def mail_bytes(message: EmailMessage) -> bytes:
    """Serialised with fixed MIME boundaries (the library would draw random ones)."""
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{4471 + index}_1093022.1710407852000")
    return message.as_bytes()
