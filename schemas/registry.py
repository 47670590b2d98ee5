"""Which schema fills which document type, and which of its fields a person must trust.

The classifier's ``doc_type`` picks the entry; a type missing here (``other``) gets no
extraction. ``required`` fields are the ones a document goes to review for when they are
missing, not found in the text, or break a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.contract import CONTRACT_SCHEMA
from schemas.invoice import INVOICE_SCHEMA, RECEIPT_SCHEMA
from schemas.ticket import TICKET_SCHEMA
from schemas.types import ExtractionSchema

NO_SCHEMA = "none"
"""``schema_name`` of an empty extraction: the document's type has no schema (``other``)."""

SCHEMAS: dict[str, ExtractionSchema] = {
    schema.name: schema for schema in (INVOICE_SCHEMA, CONTRACT_SCHEMA, TICKET_SCHEMA)
}


@dataclass(frozen=True)
class DocTypeSchema:
    schema: ExtractionSchema
    required: tuple[str, ...]
    also_shown: tuple[str, ...] = ()
    """Fields worth a glance beside the required ones in a run's table (``key_fields``)."""

    @property
    def key_fields(self) -> tuple[str, ...]:
        return self.required + self.also_shown


DOC_TYPE_SCHEMAS: dict[str, DocTypeSchema] = {
    "invoice": DocTypeSchema(
        INVOICE_SCHEMA, ("vendor_name", "invoice_number", "invoice_date", "total_amount"), ("currency",)
    ),
    # Stored as invoices, asked for with a receipt's own fields; receipts often carry no
    # number worth keeping.
    "receipt": DocTypeSchema(RECEIPT_SCHEMA, ("vendor_name", "invoice_date", "total_amount"), ("currency",)),
    "contract": DocTypeSchema(CONTRACT_SCHEMA, ("title", "parties"), ("effective_date", "governing_law")),
    "ticket": DocTypeSchema(TICKET_SCHEMA, ("subject",), ("requester_email", "ticket_type")),
}


def schema_for(doc_type: str) -> DocTypeSchema | None:
    """The schema a document of ``doc_type`` is filled with, or ``None`` (no extraction)."""
    return DOC_TYPE_SCHEMAS.get(doc_type)


def schemas_version() -> str:
    """One token that changes whenever any schema changes (part of the stage version)."""
    drafts = {*SCHEMAS.values(), *(entry.schema for entry in DOC_TYPE_SCHEMAS.values())}
    return "-".join(sorted(f"{schema.name}{schema.version}" for schema in drafts))
