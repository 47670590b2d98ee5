"""A real (small) model fills each schema under the Outlines constraint: always valid JSON."""

from __future__ import annotations

import json
import re
from typing import Annotated

import pytest
from pydantic import Field

from docpipe.settings import DocpipeSettings
from extractors import read_text
from extractors.fields.backends import BACKENDS, load_backend
from extractors.fields.extract import FieldExtractor
from schemas.registry import SCHEMAS
from schemas.types import DraftModel
from tests import documents

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "invoice": (
        "INVOICE\nNorthwind Traders Ltd\n12 Harbour Road, Bristol\nInvoice number: INV-2041\n"
        "Date: 2026-03-14\nBill to: Contoso GmbH\nConsulting 2 days 500.00 1,000.00\n"
        "Subtotal 1,000.00\nVAT 250.00\nTotal due: 1,250.00 EUR"
    ),
    "contract": (
        "CONSULTING AGREEMENT\nThis Agreement is made on January 5, 2024 between Alpha Corp and Beta LLC. "
        "It lasts two (2) years. It is governed by the laws of the State of Texas."
    ),
    "ticket": (
        "From: Jo Park <jo.park@example.com>\nSubject: Printer on floor 3 jams\n"
        "The HP LaserJet on floor 3 jams on every print job since Monday. Please fix it."
    ),
}


class ShippingCode(DraftModel):
    code: Annotated[str, Field(pattern=r"^[0-9]{3}-[A-Z]{2}$")]
    count: Annotated[int, Field(ge=1, le=9)]


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_output_validates_for_each_schema(llamacpp_backend, model_settings, schema_name):
    schema = SCHEMAS[schema_name]
    extractor = FieldExtractor(llamacpp_backend, model_settings.extract_max_input_chars, model_settings.extract_max_output_tokens)
    extracted = extractor.extract(schema, DOCUMENTS[schema_name])
    generation = extracted.generation
    assert not generation.truncated
    schema.draft.model_validate_json(generation.text)  # the raw model output, not a repaired one
    assert isinstance(extracted.record, schema.record)
    assert generation.prompt_tokens > 0 and generation.generated_tokens > 0


def test_output_is_actually_constrained(llamacpp_backend):
    """A prompt that asks for something else entirely still yields the schema's JSON
    (if the logits processor silently stopped working, this would be a poem)."""
    messages = [{"role": "user", "content": "Write a short poem about the sea."}]
    generation = llamacpp_backend.generate(messages, ShippingCode, max_tokens=40)
    parsed = ShippingCode.model_validate_json(generation.text)
    assert re.fullmatch(r"[0-9]{3}-[A-Z]{2}", parsed.code)
    assert json.loads(generation.text).keys() == {"code", "count"}


def test_instruction_prefix_is_reused_between_documents(llamacpp_backend, model_settings):
    schema = SCHEMAS["ticket"]
    extractor = FieldExtractor(llamacpp_backend, model_settings.extract_max_input_chars, 200)
    extractor.extract(schema, DOCUMENTS["ticket"])
    second = extractor.extract(schema, DOCUMENTS["ticket"].replace("floor 3", "floor 4")).generation
    assert second.reused_prompt_tokens > 100  # rules + field descriptions, evaluated once


def _tiny_hf_model(directory):
    """A real, untrained Llama-architecture model and byte-level BPE tokenizer, saved as a
    Hugging Face directory (what an organisation drops in, minus the training)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320, special_tokens=["<unk>", "<s>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(['{"code":"123-AB","count":3}', "Give a code."], trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    fast.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant: "
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=256, bos_token_id=1, eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


def test_backend_is_swapped_by_config(model_settings, tmp_path):
    """DOCPIPE_EXTRACT_BACKEND=transformers with a model directory: same interface, valid output."""
    from extractors.fields.model_files import resolve_model

    settings = model_settings.model_copy(
        update={"extract_backend": "transformers", "extract_model": str(_tiny_hf_model(tmp_path / "model"))}
    )
    model = resolve_model(settings)
    backend = load_backend(settings, model)
    assert backend.name == "transformers" and set(BACKENDS) == {"llamacpp", "transformers", "openai"}
    assert not model.is_gguf and len(model.sha256) == 64
    generation = backend.generate([{"role": "user", "content": "Give a code."}], ShippingCode, max_tokens=60)
    assert not generation.truncated
    parsed = ShippingCode.model_validate_json(generation.text)
    assert re.fullmatch(r"[0-9]{3}-[A-Z]{2}", parsed.code)


@pytest.mark.parametrize("read_layout", [True, False])
def test_the_model_reads_the_page_as_laid_out_unless_configured_off(llamacpp_backend, model_settings, read_layout):
    read = read_text(documents.form_pdf(), DocpipeSettings())
    settings = model_settings.model_copy(update={"extract_layout": read_layout, "extract_max_output_tokens": 200})
    extractor = FieldExtractor.from_settings(llamacpp_backend, settings)
    extracted = extractor.extract(SCHEMAS["ticket"], read.text, read.layout_text)
    beside = re.search(r"Advertiser: +ACME FOR SENATE", extracted.context.text)
    assert bool(beside) == read_layout, extracted.context.text
    assert extractor.input_version == ("layout" if read_layout else "reading-order")
