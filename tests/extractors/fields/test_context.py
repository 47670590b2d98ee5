"""Long documents: the start plus the passages that carry the fields, gaps marked."""

from __future__ import annotations

from extractors.fields.context import GAP, select_context, tidy
from schemas.registry import SCHEMAS

FILLER = "The Receiving Party shall use reasonable care to protect the confidential material. " * 6


def _contract(pages: int = 30) -> str:
    body = [f"{i}. Obligations\n{FILLER}" for i in range(1, pages)]
    body.insert(pages // 2, "17. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.")
    body.insert(pages // 3, "9. Term. This Agreement shall remain in effect for a period of two (2) years.")
    head = "MUTUAL NON-DISCLOSURE AGREEMENT\nThis Agreement is entered into as of March 1, 2019 by and between Alpha Corp and Beta LLC."
    return "\f".join([head, *body])


def test_short_text_goes_whole_but_tidied():
    text = "INVOICE   No. 12\n\n\n\nTotal ........ 14.10\f page 2"
    context = select_context(text, SCHEMAS["invoice"], 5000)
    assert not context.shortened
    assert context.text == tidy(text) == "INVOICE No. 12\n\nTotal 14.10\n\npage 2"


def test_text_as_laid_out_keeps_its_gaps_and_they_cost_one_character_each():
    text = "Advertiser:        ACME FOR SENATE   \n\n\n\nTotal ........ 14.10\f page 2"
    context = select_context(text, SCHEMAS["invoice"], 60, keep_spacing=True)
    assert not context.shortened  # 60 visible characters hold it, though it has more
    assert context.text == tidy(text, keep_spacing=True) == (
        "Advertiser:        ACME FOR SENATE\n\nTotal          14.10\n\n page 2"
    )
    assert len(context.text) > 60


def test_long_contract_keeps_head_and_key_passages_within_budget():
    text = _contract()
    context = select_context(text, SCHEMAS["contract"], 3000)
    assert context.shortened and len(context.text) <= 3000 < len(text)
    assert context.text.startswith("MUTUAL NON-DISCLOSURE AGREEMENT")
    assert "laws of the State of Delaware" in context.text
    assert "two (2) years" in context.text
    assert GAP in context.text
