"""Fill a schema from a document's text: prompt, constrained generation, parsing.

The model copies values as printed into the schema's draft (bounded strings); this module
then parses them into the typed record: dates to ``date`` (day/month order read from the
document itself), amounts to ``Decimal``, currencies to ISO 4217. A value that cannot be
parsed is dropped (``None``) and reported, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from docpipe.settings import DocpipeSettings
from extractors.fields.backends import Generation, LLMBackend
from extractors.fields.context import ModelContext, select_context
from extractors.fields.normalize import (
    DateOrder,
    document_date_order,
    is_email,
    normalize_currency,
    normalize_jurisdiction,
    parse_amount,
    parse_date,
)
from schemas.types import ExtractionSchema, FieldKind

PROMPT_VERSION = "p2"
"""Bump when the instructions below change (part of the stage version)."""

COMMON_RULES = (
    "You extract fields from a business document into JSON.\n"
    "Rules: copy each value exactly as it is written in the document. "
    "If a field is not in the document, write null: never guess, never invent, "
    "never copy these instructions. Dates and amounts: copy them as printed."
)


def _field_lines(model: type[BaseModel], indent: str = "") -> list[str]:
    lines = []
    for name, info in model.model_fields.items():
        lines.append(f"{indent}- {name}: {info.description or name}")
        annotation = info.annotation
        item_type = getattr(annotation, "__args__", (None,))[0]
        if isinstance(item_type, type) and issubclass(item_type, BaseModel):
            lines.extend(_field_lines(item_type, indent + "  "))
    return lines


@cache
def system_prompt(schema: ExtractionSchema) -> str:
    """The instruction prefix of every prompt for ``schema``: rules and field descriptions.

    It is identical for every document, so the backend evaluates it once and reuses it.
    (A generic worked example in it was tried: the 0.5B model then copied the example's
    values into documents that lacked them. A worked example of the document's own layout,
    from the extraction memory, is another case: see ``WorkedExample``.)
    """
    return "\n".join([COMMON_RULES, schema.instructions, "Fields:", *_field_lines(schema.draft)])


@dataclass(frozen=True)
class WorkedExample:
    """A remembered document laid out like the one being read, with its true values as
    printed: shown to the model before the document, as the same question already answered.
    A value the model copies from it rather than from the document is not in the document's
    text, so grounding drops it."""

    name: str
    text: str
    """Its text as laid out."""
    answer: dict[str, str]
    """Its fields that the draft asks for, as printed (fields it lacks are left out, not null:
    null would teach the model to leave them empty)."""


def messages_for(
    schema: ExtractionSchema, context: ModelContext, example: ModelContext | None = None, answer: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The chat: instructions, then ``example`` answered with ``answer`` (when given), then the document."""
    shown = (
        [
            {"role": "user", "content": f"Document:\n{example.text}"},
            {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
        ]
        if example is not None and answer
        else []
    )
    return [
        {"role": "system", "content": system_prompt(schema)},
        *shown,
        {"role": "user", "content": f"Document:\n{context.text}"},
    ]


@dataclass
class Extracted:
    """What came out of the model for one document, parsed."""

    schema: ExtractionSchema
    record: BaseModel
    draft: dict[str, Any]
    """The model's JSON as generated (strings as printed)."""
    parse_issues: dict[str, list[str]] = field(default_factory=dict)
    generation: Generation | None = None
    context: ModelContext | None = None


class OutputTruncated(Exception):
    """The model hit the token cap before closing the JSON (a degenerate, looping answer)."""


_NO_VALUE = frozenset({"null", "none", "n/a", "na", "nil", "-", "not available", "not found", "unknown"})


def _clean(text: str | None) -> str | None:
    """Squeezed whitespace; ``None`` for an empty value or a spelled-out null."""
    if text is None:
        return None
    squeezed = re.sub(r"\s+", " ", text).strip(" \t\n,;:")
    return squeezed if squeezed and squeezed.casefold() not in _NO_VALUE else None


def _amount(raw: Any) -> Decimal | None:
    """An amount the model wrote as a JSON number or copied as printed."""
    if isinstance(raw, int | float):
        return Decimal(repr(raw))
    return parse_amount(_clean(raw))


def _parse_value(kind: FieldKind, raw: Any, date_order: DateOrder) -> tuple[Any, str | None]:
    """(typed value, problem) for one draft value; a problem means the value was dropped."""
    if kind is FieldKind.LINE_ITEMS:
        return raw, None  # parsed item by item in parse_draft
    if kind is FieldKind.TEXT_LIST:
        seen: dict[str, str] = {}
        for item in raw or []:
            cleaned = _clean(item)
            if cleaned and cleaned.casefold() not in seen:
                seen[cleaned.casefold()] = cleaned
        return list(seen.values()), None
    text = _clean(raw) if isinstance(raw, str) else raw
    if text is None:
        return None, None
    if kind is FieldKind.DATE:
        value = parse_date(text, date_order)
        return (value, None) if value else (None, f"{text!r} is not a date")
    if kind is FieldKind.AMOUNT:
        value = _amount(raw)
        return (value, None) if value is not None else (None, f"{text!r} is not an amount")
    if kind is FieldKind.CURRENCY:
        value = normalize_currency(text)
        return (value, None) if value else (None, f"{text!r} is not an ISO 4217 currency or a known symbol")
    if kind is FieldKind.EMAIL:
        value = text.lower()
        return (value, None) if is_email(value) else (None, f"{text!r} is not an e-mail address")
    if kind is FieldKind.JURISDICTION:
        return normalize_jurisdiction(text), None
    return text, None


def parse_draft(schema: ExtractionSchema, draft: dict[str, Any], source_text: str) -> Extracted:
    """Typed record from the model's strings; unparseable values become ``None`` with an issue."""
    date_order = document_date_order(source_text)
    values: dict[str, Any] = {}
    issues: dict[str, list[str]] = {}
    for name, kind in schema.kinds.items():
        value, problem = _parse_value(kind, draft.get(name), date_order)
        if kind is FieldKind.LINE_ITEMS:
            value = []
            for number, item in enumerate(draft.get(name) or [], start=1):
                line = {
                    "description": _clean(item.get("description")),
                    **{key: _amount(item.get(key)) for key in ("quantity", "unit_price", "amount")},
                }
                if any(part is not None for part in line.values()):
                    value.append(line)
                unread = [
                    key for key in ("quantity", "unit_price", "amount") if item.get(key) is not None and line[key] is None
                ]
                if unread:
                    issues.setdefault(name, []).append(f"line {number}: {', '.join(unread)} not a number")
        if problem:
            issues.setdefault(name, []).append(problem)
        values[name] = value
    record = schema.record.model_validate(values)
    return Extracted(schema=schema, record=record, draft=draft, parse_issues=issues)


class FieldExtractor:
    """Prompts a backend with a document's text and parses the constrained answer."""

    def __init__(self, backend: LLMBackend, max_input_chars: int, max_output_tokens: int, read_layout: bool = True) -> None:
        self.backend = backend
        self.max_input_chars = max_input_chars
        self.max_output_tokens = max_output_tokens
        self.read_layout = read_layout

    @classmethod
    def from_settings(cls, backend: LLMBackend, settings: DocpipeSettings) -> FieldExtractor:
        return cls(backend, settings.extract_max_input_chars, settings.extract_max_output_tokens, settings.extract_layout)

    @property
    def input_version(self) -> str:
        """What the model reads, as part of the stage version."""
        return "layout" if self.read_layout else "reading-order"

    def extract(
        self, schema: ExtractionSchema, text: str, layout_text: str | None = None, example: WorkedExample | None = None
    ) -> Extracted:
        """Fill ``schema`` from ``text`` (the model reads ``layout_text`` instead when it is
        given and the extractor reads layouts; values are parsed against ``text``), after
        ``example`` when one is given; raises ``OutputTruncated`` when the answer hit the cap."""
        as_laid_out = self.read_layout and layout_text is not None
        context = select_context(
            layout_text if as_laid_out else text, schema, self.max_input_chars, keep_spacing=as_laid_out
        )
        shown = None
        if example is not None:
            # A third of the document's budget: the example shows where values stand, and
            # every character of it costs prompt time on every document it is shown with.
            shown = select_context(example.text, schema, self.max_input_chars // 3, keep_spacing=as_laid_out)
        messages = messages_for(schema, context, shown, example.answer if example is not None else None)
        generation = self.backend.generate(messages, schema.draft, self.max_output_tokens)
        if generation.truncated:
            raise OutputTruncated(
                f"the model's answer hit the cap of {self.max_output_tokens} tokens before the JSON closed"
            )
        draft = schema.draft.model_validate(json.loads(generation.text)).model_dump()
        extracted = parse_draft(schema, draft, text)
        extracted.generation = generation
        extracted.context = context
        return extracted
