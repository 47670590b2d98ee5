"""Contracts: who agreed with whom, from when, for how long, under which law.

Field names are a contract (``extractions.fields``, the ``contracts`` view): never rename.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from schemas.types import DraftModel, ExtractionSchema, FieldKind, bounded_text

MAX_PARTIES = 12
"""Names the model writes at most: consortium and credit agreements name ten and more."""


class Contract(BaseModel):
    """A contract as stored; a field not in the document is ``None`` (``parties``: empty)."""

    title: str | None = Field(None, description="Title as written, e.g. 'Mutual Non-Disclosure Agreement'")
    contract_type: str | None = Field(None, description="Kind of agreement, e.g. 'Non-Disclosure Agreement'")
    parties: list[str] = Field(default_factory=list, description="Names of the parties as written")
    effective_date: date | None = None
    expiration_date: date | None = None
    term: str | None = Field(None, description="Length as stated, e.g. '2 years'")
    renewal_term: str | None = Field(None, description="Renewal as stated, e.g. 'successive 1 year terms'")
    governing_law: str | None = Field(None, description="State or country whose law governs, e.g. 'New York'")


class ContractDraft(DraftModel):
    title: bounded_text(100, "title of the agreement as written at the top")
    contract_type: bounded_text(50, "kind of agreement, e.g. Non-Disclosure Agreement, Supply Agreement")
    parties: Annotated[
        list[Annotated[str, Field(max_length=90)]],
        Field(max_length=MAX_PARTIES, description="names of the companies or people entering the agreement, as written"),
    ]
    effective_date: bounded_text(40, "date the agreement takes effect or is made, as written")
    expiration_date: bounded_text(40, "date the agreement ends, as written")
    term: bounded_text(40, "how long the agreement lasts, as stated in it")
    renewal_term: bounded_text(60, "length of each renewal, as stated")
    governing_law: bounded_text(40, "name of the state or country whose laws the agreement says govern it")


CONTRACT_SCHEMA = ExtractionSchema(
    name="contract",
    version="3",
    record=Contract,
    draft=ContractDraft,
    kinds={
        "title": FieldKind.TEXT,
        "contract_type": FieldKind.GENERATED,
        "parties": FieldKind.TEXT_LIST,
        "effective_date": FieldKind.DATE,
        "expiration_date": FieldKind.DATE,
        "term": FieldKind.DURATION,
        "renewal_term": FieldKind.DURATION,
        "governing_law": FieldKind.JURISDICTION,
    },
    instructions="The document is a contract or agreement (possibly shortened: '[...]' marks omitted text).",
    focus_terms=(
        "agreement", "between", "by and between", "party", "parties", "effective", "dated as of",
        "entered into", "term", "expire", "expiration", "terminate", "renew", "governed by",
        "governing law", "laws of", "jurisdiction",
    ),
)
