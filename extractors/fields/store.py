"""Reading a document's classification and writing its extraction (JSONB + typed rows)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db import repository
from db.models import (
    Classification,
    ContractExtraction,
    Extraction,
    InvoiceExtraction,
    InvoiceExtractionLine,
    TicketExtraction,
)

NO_SCHEMA = "none"
"""``schema_name`` of an empty extraction: the document's type has no schema (``other``)."""

_TYPED_TABLES = {"invoice": InvoiceExtraction, "contract": ContractExtraction, "ticket": TicketExtraction}


def latest_classification(session: Session, document_id: int) -> Classification | None:
    """The classification ``document_results`` shows (latest by time, then id)."""
    return repository.latest(session, Classification, document_id)


def save_extraction(
    session: Session,
    *,
    document_id: int,
    run_id: int | None,
    model_version: str,
    schema_name: str,
    doc_type: str | None = None,
    record: BaseModel | None = None,
    confidences: dict[str, float] | None = None,
    issues: dict[str, Any] | None = None,
) -> int:
    """Upsert the extraction of (document, model version) and replace its typed rows.

    A re-run with the same version overwrites the row and makes it the latest one again.
    Returns the extraction id.
    """
    values = {
        "run_id": run_id,
        "schema_name": schema_name,
        "fields": record.model_dump(mode="json") if record is not None else {},
        "field_confidences": confidences or {},
        "issues": issues or {},
    }
    extraction_id = session.scalar(
        insert(Extraction)
        .values(document_id=document_id, model_version=model_version, **values)
        .on_conflict_do_update(
            index_elements=[Extraction.document_id, Extraction.model_version],
            set_={**values, "created_at": func.now()},
        )
        .returning(Extraction.id)
    )
    assert extraction_id is not None
    for table in (*_TYPED_TABLES.values(), InvoiceExtractionLine):
        session.execute(delete(table).where(table.extraction_id == extraction_id))
    if record is not None and schema_name in _TYPED_TABLES:
        typed = record.model_dump(exclude={"line_items"})
        if schema_name == "invoice":
            typed["doc_type"] = doc_type
        session.add(_TYPED_TABLES[schema_name](extraction_id=extraction_id, document_id=document_id, **typed))
        for number, line in enumerate(getattr(record, "line_items", []), start=1):
            session.add(
                InvoiceExtractionLine(
                    extraction_id=extraction_id, line_number=number, document_id=document_id, **line.model_dump()
                )
            )
    session.flush()
    return extraction_id
