"""The llama.cpp decoding loop: same answer as token-by-token greedy decoding, fewer passes."""

from __future__ import annotations

import numpy as np
import pytest

from extractors.fields.context import select_context
from extractors.fields.decoding import lookup_draft
from extractors.fields.extract import messages_for
from schemas.registry import SCHEMAS

from tests.extractors.fields.test_generation import DOCUMENTS


def test_draft_is_what_followed_the_last_ngram_before():
    history = np.array([5, 6, 7, 8, 9, 1, 6, 7])
    assert lookup_draft(history, 3) == [8, 9, 1]
    assert lookup_draft(history, 1) == [8]


def test_draft_falls_back_to_shorter_ngrams_and_to_nothing():
    assert lookup_draft(np.array([1, 2, 3, 4, 9, 3]), 2) == [4, 9]  # only "3" occurred before
    assert lookup_draft(np.array([1, 2, 3, 4]), 4) == []
    assert lookup_draft(np.array([7]), 4) == []


def test_draft_prefers_the_most_recent_occurrence():
    assert lookup_draft(np.array([4, 1, 4, 2, 4]), 2) == [2, 4]


def _reference_greedy(llama, processor, prompt: list[int], count: int) -> list[int]:
    """``count`` tokens from llama-cpp-python's own one-token-per-pass loop, greedy, with
    Outlines' logits processor: what the fast loop must reproduce."""
    from llama_cpp import LogitsProcessorList

    processor.reset()
    llama.reset()
    tokens = []
    for token in llama.generate(prompt, temp=0.0, logits_processor=LogitsProcessorList([processor])):
        tokens.append(token)
        if len(tokens) == count:
            break
    return tokens


def _logit_gap_where_they_part(decoder, prompt: list[int], ours: list[int], reference: list[int]) -> float:
    """0 when the token lists agree; else how far apart the two picks are in the logits of
    the shared prefix (evaluated afresh). Rounding differences between batched and
    single-token evaluation can only flip near-ties; a bookkeeping error would not be one."""
    import llama_cpp

    part = next((i for i, (a, b) in enumerate(zip(ours, reference, strict=False)) if a != b), None)
    if part is None:
        return 0.0
    decoder._truncate(0)
    sequence = prompt + ours[:part]
    decoder._forward(sequence, logits_from=len(sequence) - 1)
    pointer = llama_cpp.llama_get_logits_ith(decoder.llama._ctx.ctx, -1)
    logits = np.ctypeslib.as_array(pointer, shape=(decoder.n_vocab,))
    return abs(float(logits[ours[part]] - logits[reference[part]]))


def _prompt(backend, schema, text: str) -> list[int]:
    return backend.prompt_ids(messages_for(schema, select_context(text, schema, 1500)), schema.draft)


@pytest.mark.slow
@pytest.mark.parametrize("lookup_tokens", [0, 6])
@pytest.mark.parametrize("schema_name", ["invoice", "ticket"])
def test_answer_is_the_one_pass_per_token_answer(llamacpp_backend, schema_name, lookup_tokens):
    from extractors.fields.decoding import LlamaCppDecoder

    schema = SCHEMAS[schema_name]
    llama = llamacpp_backend._decoder(schema.draft).llama
    processor = llamacpp_backend.constraints.generator(schema.draft).logits_processor
    decoder = LlamaCppDecoder(llama, processor.llg_tokenizer, lookup_tokens=lookup_tokens)
    prompt = _prompt(llamacpp_backend, schema, DOCUMENTS[schema_name])

    fast = decoder.decode(prompt, processor.grammar, 1600)
    assert fast.finished
    schema.draft.model_validate_json(llama.detokenize(fast.tokens).decode())
    reference = _reference_greedy(llama, processor, prompt, len(fast.tokens))
    assert _logit_gap_where_they_part(decoder, prompt, fast.tokens, reference) < 0.5
    assert fast.accepted > 0 and fast.forward_passes < len(fast.tokens)  # drafts came in batches


@pytest.mark.slow
@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_lookup_drafts_cut_the_passes(llamacpp_backend, schema_name):
    schema = SCHEMAS[schema_name]
    decoder = llamacpp_backend._decoder(schema.draft)
    processor = llamacpp_backend.constraints.generator(schema.draft).logits_processor
    assert decoder.lookup_tokens > 0  # the configured default
    decoded = decoder.decode(_prompt(llamacpp_backend, schema, DOCUMENTS[schema_name]), processor.grammar, 1600)
    assert decoded.finished
    schema.draft.model_validate_json(decoder.llama.detokenize(decoded.tokens).decode())
    assert decoded.forward_passes < 0.6 * len(decoded.tokens)


@pytest.mark.slow
def test_token_cap_stops_decoding_unfinished(llamacpp_backend):
    schema = SCHEMAS["invoice"]
    decoder = llamacpp_backend._decoder(schema.draft)
    processor = llamacpp_backend.constraints.generator(schema.draft).logits_processor
    prompt = decoder.llama.tokenize(b"Invoice INV-1 total 10.00 EUR", add_bos=False, special=True)
    capped = decoder.decode(prompt, processor.grammar, 12)
    assert not capped.finished and len(capped.tokens) == 12


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_is_a_clear_error(llamacpp_backend):
    from docpipe.errors import ConfigurationError

    schema = SCHEMAS["ticket"]
    decoder = llamacpp_backend._decoder(schema.draft)
    processor = llamacpp_backend.constraints.generator(schema.draft).logits_processor
    too_long = [decoder.llama.token_bos()] * decoder.llama.n_ctx()
    with pytest.raises(ConfigurationError, match="does not fit"):
        decoder.decode(too_long, processor.grammar, 10)
