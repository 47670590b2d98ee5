"""Building blocks shared by the extraction schemas.

Each schema comes in two shapes:

* a **record** model: the contract downstream systems read (``dates`` as ``date``, amounts
  as ``Decimal``, currency as an ISO 4217 code); a field not in the document is ``None``;
* a **draft** model: what the language model fills under an Outlines constraint. Every
  value there is a bounded string (or a bounded list of them) copied as printed (amounts
  may also be JSON numbers): a small model copies far more reliably than it reformats, and
  dates and amounts are parsed by code afterwards (``extractors.fields.normalize``).
  Bounds keep the output short and stop a looping model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from decimal import Decimal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

# Currently active ISO 4217 codes (funds and precious metals included; XTS/XXX excluded).
ISO_4217_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER
    ZAR ZMW ZWG ZWL
    """.split()
)


def _known_currency(code: str) -> str:
    if code not in ISO_4217_CODES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]


# Exact in Python and Postgres (numeric); a JSON number (not a string) in extractions.fields.
Amount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class DraftModel(BaseModel):
    """Base of draft models: the JSON may hold exactly the listed keys (``additionalProperties:
    false``); without it a constraint engine following JSON Schema lets the model add keys."""

    model_config = ConfigDict(extra="forbid")


def bounded_text(max_length: int, description: str) -> type[str | None]:
    """A nullable string of at most ``max_length`` characters, for a draft model."""
    return Annotated[str | None, Field(max_length=max_length, description=description)]  # type: ignore[return-value]


def always_printed_text(max_length: int, description: str) -> type[str]:
    """A string of 2 to ``max_length`` characters the draft never leaves null: for a value
    every document of the kind prints (a receipt's shop name at its top). Offered null, a
    small model writes it for the first field of a noisy scan more often than not; made to
    write, it copies the line, and grounding and the checks judge that as any value."""
    return Annotated[str, Field(min_length=2, max_length=max_length, description=description)]  # type: ignore[return-value]


def bounded_amount(description: str) -> type[str | float | None]:
    """An amount as printed (a string) or as a JSON number, for a draft model.

    Both are allowed because a code-trained model writes amounts as numbers: offered only
    strings, its likeliest allowed token after ``"total":`` is ``null``, and totals vanish.
    The number is bounded for the constraint engine (at most 2 decimals, |x| < 1e9) so a
    looping model cannot write digits until the token cap; pydantic does not re-check the
    bound (float ``multipleOf`` checks reject valid values by rounding error).
    """
    number = Annotated[float, Field(json_schema_extra={"minimum": -1e9, "maximum": 1e9, "multipleOf": 0.01})]
    return Annotated[  # type: ignore[return-value]
        Annotated[str, Field(max_length=16)] | number | None, Field(description=description)
    ]


class FieldKind(StrEnum):
    """How a field is parsed from its draft text, grounded and checked."""

    TEXT = "text"
    """Copied verbatim (names, numbers, addresses); grounded by normalised occurrence."""
    DATE = "date"
    """Parsed to a ``date``; grounded when the text contains a date equal to it."""
    AMOUNT = "amount"
    """Parsed to a ``Decimal``; grounded when the text contains a number equal to it."""
    CURRENCY = "currency"
    """Normalised to ISO 4217 (symbols like ``RM`` or ``$`` mapped); grounded by code or symbol."""
    EMAIL = "email"
    """An e-mail address, lower-cased; grounded by occurrence."""
    DURATION = "duration"
    """A length of time as stated ("2 years"); grounded by the same number and unit."""
    JURISDICTION = "jurisdiction"
    """A state or country; "the laws of the State of X" is reduced to "X"."""
    TEXT_LIST = "text_list"
    """A list of verbatim strings, each grounded on its own."""
    LINE_ITEMS = "line_items"
    """Invoice lines: description (text) and quantity, unit price, amount (numbers)."""
    CHOICE = "choice"
    """One of a fixed set of labels the model picks (not copied, so not grounded)."""
    GENERATED = "generated"
    """Written by the model (a summary, a category): not expected to occur verbatim."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per schema
class ExtractionSchema:
    """One schema: what the model fills, what is stored, and how each field is treated."""

    name: str
    """Stored as ``extractions.schema_name``; the typed table is chosen by it."""
    version: str
    """Bump when the fields, their bounds or their descriptions change."""
    record: type[BaseModel]
    draft: type[BaseModel]
    kinds: Mapping[str, FieldKind]
    """The kind of every field the draft asks for, in the record's field order; a record
    field the draft leaves out (a receipt has no due date) is stored as ``None``."""
    instructions: str
    """What the document is and what to extract: the system prompt after the common rules."""
    focus_terms: tuple[str, ...]
    """Words that mark the passages worth keeping when a document is too long to send whole."""
    repeated_layouts: bool = False
    """Documents of this schema come in layouts their senders repeat (a vendor's invoices),
    where the extraction memory can learn where each value stands; contracts and tickets
    carry their values in prose, so the memory leaves them to the models."""
    sender_fields: tuple[str, ...] = ()
    """Fields that describe who sent the document, the same on every document of one layout
    (a vendor's name): the extraction memory may take them as remembered where they are printed."""
    letterhead: bool = False
    """Documents of this schema print their sender as one block at the top, its address one
    piece per line above the contact and tax lines (a till receipt): the checks read the
    address from that block's lines (``checks.letterhead_address``)."""

    def __post_init__(self) -> None:
        fields = list(self.record.model_fields)
        drafted = list(self.draft.model_fields)
        if list(self.kinds) != drafted or drafted != [name for name in fields if name in drafted]:
            raise ValueError(
                f"schema {self.name}: draft and kinds must list the same fields, in the record's order"
            )
        if not set(self.sender_fields) <= set(self.kinds):
            raise ValueError(f"schema {self.name}: sender fields must be fields of the draft")
