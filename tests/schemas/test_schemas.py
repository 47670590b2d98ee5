"""The schemas are the contract: fixed names, typed records, bounded drafts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas.contract import Contract
from schemas.invoice import Invoice
from schemas.registry import DOC_TYPE_SCHEMAS, SCHEMAS, schema_for, schemas_version
from schemas.ticket import Ticket

CONTRACT_FIELDS = {
    "invoice": [
        "vendor_name", "vendor_address", "buyer_name", "invoice_number", "invoice_date", "due_date",
        "currency", "subtotal", "tax_amount", "total_amount", "line_items",
    ],
    "contract": [
        "title", "contract_type", "parties", "effective_date", "expiration_date", "term",
        "renewal_term", "governing_law",
    ],
    "ticket": ["requester_name", "requester_email", "subject", "product", "ticket_type", "summary"],
}


def test_field_names_are_the_published_contract():
    assert {name: list(schema.record.model_fields) for name, schema in SCHEMAS.items()} == CONTRACT_FIELDS
    assert list(Invoice.model_fields["line_items"].annotation.__args__[0].model_fields) == [
        "description", "quantity", "unit_price", "amount",
    ]


def test_doc_types_pick_schemas_and_other_gets_none():
    assert schema_for("invoice").schema is SCHEMAS["invoice"]
    assert schema_for("contract").schema is SCHEMAS["contract"]
    assert schema_for("ticket").schema is SCHEMAS["ticket"]
    assert schema_for("other") is None
    for entry in DOC_TYPE_SCHEMAS.values():
        assert set(entry.required) <= set(entry.schema.kinds)  # the model is asked for each required field


def test_a_receipt_is_stored_as_an_invoice_but_asked_only_for_what_a_receipt_has():
    receipt = schema_for("receipt").schema
    assert (receipt.name, receipt.record) == ("invoice", SCHEMAS["invoice"].record)
    assert list(receipt.kinds) == [
        "vendor_name", "vendor_address", "invoice_number", "invoice_date", "currency", "total_amount",
    ]
    assert "receipt" in schemas_version() and "invoice2" in schemas_version()
    # Every receipt prints its shop at the top: the draft has the model write it, never null.
    vendor = receipt.draft.model_json_schema()["properties"]["vendor_name"]
    assert (vendor["type"], vendor["minLength"]) == ("string", 2) and "anyOf" not in vendor
    with pytest.raises(ValidationError):
        receipt.draft.model_validate({name: None for name in receipt.kinds})


def _walk(schema: dict, definitions: dict):
    if "$ref" in schema:
        yield from _walk(definitions[schema["$ref"].split("/")[-1]], definitions)
        return
    yield schema
    for option in schema.get("anyOf", []):
        yield from _walk(option, definitions)
    for child in schema.get("properties", {}).values():
        yield from _walk(child, definitions)
    if "items" in schema:
        yield from _walk(schema["items"], definitions)


DRAFTS = {**SCHEMAS, "receipt": schema_for("receipt").schema}


@pytest.mark.parametrize("name", sorted(DRAFTS))
def test_drafts_are_bounded_and_closed(name):
    """What the model fills: every string and list bounded, no extra keys, dates as strings."""
    json_schema = DRAFTS[name].draft.model_json_schema()
    nodes = list(_walk(json_schema, json_schema.get("$defs", {})))
    for node in nodes:
        if node.get("type") == "string":
            assert "maxLength" in node or "pattern" in node or "enum" in node, node
            assert "format" not in node  # dates are generated as plain strings, parsed after
        if node.get("type") == "number":
            assert {"minimum", "maximum", "multipleOf"} <= set(node), node
        if node.get("type") == "array":
            assert "maxItems" in node, node
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, node
    assert any(node.get("type") == "string" for node in nodes)


def test_records_store_dates_iso_and_amounts_as_numbers():
    invoice = Invoice(invoice_date="2018-12-29", total_amount=Decimal("14.10"), currency="MYR")
    dumped = json.loads(invoice.model_dump_json())
    assert dumped["invoice_date"] == "2018-12-29"
    assert dumped["total_amount"] == 14.1 and isinstance(dumped["total_amount"], float)
    assert invoice.total_amount == Decimal("14.10")  # exact for the numeric columns
    assert dumped["vendor_name"] is None and dumped["line_items"] == []


def test_records_reject_what_the_contract_forbids():
    with pytest.raises(ValidationError, match="ISO 4217"):
        Invoice(currency="XYZ")
    with pytest.raises(ValidationError):
        Invoice(currency="usd")
    with pytest.raises(ValidationError):
        Ticket(ticket_type="Complaint")
    with pytest.raises(ValidationError):
        Contract(effective_date="sometime in 2020")
