"""Support tickets: who asks what about which product.

Field names are a contract (``extractions.fields``, the ``tickets`` view): never rename.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from schemas.types import DraftModel, ExtractionSchema, FieldKind, bounded_text

TICKET_TYPES = ("Incident", "Request", "Problem", "Change")
TicketType = Literal["Incident", "Request", "Problem", "Change"]


class Ticket(BaseModel):
    """A support ticket as stored; a field not in the document is ``None``."""

    requester_name: str | None = None
    requester_email: str | None = None
    subject: str | None = None
    product: str | None = Field(None, description="Product or service the ticket is about")
    ticket_type: TicketType | None = None
    summary: str | None = Field(None, description="One-sentence summary written by the model")


class TicketDraft(DraftModel):
    requester_name: bounded_text(60, "name of the person asking for help")
    requester_email: Annotated[
        str | None,
        Field(
            max_length=80,
            pattern=r"^[A-Za-z0-9._%+-]{1,40}@[A-Za-z0-9.-]{1,30}\.[A-Za-z]{2,6}$",
            description="e-mail address of the requester",
        ),
    ]
    subject: bounded_text(120, "subject line or title of the ticket")
    product: bounded_text(60, "product, system or service concerned")
    ticket_type: Annotated[
        TicketType | None,
        Field(description="Incident (something broke), Request (asks for something), "
              "Problem (recurring or root cause), Change (asks to change a system)"),
    ]
    summary: bounded_text(160, "one sentence: what the requester needs")


TICKET_SCHEMA = ExtractionSchema(
    name="ticket",
    version="1",
    record=Ticket,
    draft=TicketDraft,
    kinds={
        "requester_name": FieldKind.TEXT,
        "requester_email": FieldKind.EMAIL,
        "subject": FieldKind.TEXT,
        "product": FieldKind.TEXT,
        "ticket_type": FieldKind.CHOICE,
        "summary": FieldKind.GENERATED,
    },
    instructions="The document is a support ticket or a support e-mail.",
    focus_terms=("subject", "from", "error", "issue", "problem", "request", "please", "product"),
)
