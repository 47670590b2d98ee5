"""Language-model backends that fill a pydantic model under an Outlines JSON constraint.

Contract of a backend (``LLMBackend``):

* built from the settings and a verified ``ModelFile``; the weights load once, in the
  constructor (the stage factory runs once per process);
* ``generate(messages, output_type, max_tokens)`` takes chat messages (system + user) and
  a pydantic model class, and returns a ``Generation`` whose ``text`` is JSON valid for
  ``output_type`` — guaranteed by the constraint unless ``truncated`` (the token cap came
  first). Decoding is greedy: the same document always gives the same answer;
* the Outlines generator of each output type is built on first use and reused for the
  life of the process (``constraints.compile_seconds`` says what building cost);
* ``available()`` says whether its libraries are installed;
* ``runtime`` says what the model runs on (library version, CPU kernels), logged at start.

``BACKENDS`` is the explicit registry; ``DOCPIPE_EXTRACT_BACKEND`` picks one. The local
backends (llama.cpp, transformers) constrain decoding with Outlines here; the ``openai``
backend hands the same schema to the server, which constrains it there.
"""

from __future__ import annotations

import importlib.util
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from docpipe.cpu import check_runtime, torch_runtime
from docpipe.errors import ConfigurationError, ModelAnswerError, TransientError
from docpipe.settings import DocpipeSettings
from extractors.fields.model_files import ModelFile

CONSTRAINT_LIBRARIES = ("outlines", "llguidance")


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    reused_prompt_tokens: int
    """Prompt tokens whose evaluation was kept from the previous call (the instruction prefix)."""
    generated_tokens: int
    prompt_seconds: float
    """Time to the first generated token (evaluating the prompt); 0 when not measurable."""
    generate_seconds: float
    truncated: bool
    forward_passes: int | None = None
    """Model passes generation took, where the backend batches tokens (None: one per token)."""


class LLMBackend(Protocol):
    name: str
    model: ModelFile
    runtime: str

    def prepare(self, output_type: type[BaseModel]) -> None:
        """Build what generating ``output_type`` needs now rather than on the first document."""
        ...

    def generate(self, messages: list[dict[str, str]], output_type: type[BaseModel], max_tokens: int) -> Generation:
        ...


# --- constraints, shared by the backends ----------------------------------------------


def json_schema_for(output_type: type[BaseModel]) -> dict[str, Any]:
    """``output_type``'s JSON schema with llguidance's options: no whitespace between tokens
    (each generated token costs a forward pass) and unknown keywords rejected."""
    # Properties keep the model's field order, which is the order they are generated in.
    return {**output_type.model_json_schema(), "x-guidance": {"whitespace_flexible": False, "lenient": False}}


class JsonConstraints:
    """One Outlines generator per output type, built on first use and kept for the process.

    The constraint engine is llguidance: it walks the JSON grammar lazily against a token
    trie, so a schema "compiles" in milliseconds and costs ~1-2 ms per generated token.
    (Outlines' default engine, outlines-core, precompiles every state: for these bounded
    schemas and Qwen's 151k-token vocabulary that took 30-60 s and 1.5 GB per schema.)
    """

    def __init__(self, outlines_model: Any) -> None:
        from outlines.backends.llguidance import LLGuidanceBackend

        self.outlines_model = outlines_model
        with warnings.catch_warnings():
            # llguidance reads llama.cpp's vocabulary through a deprecated call, once per token.
            warnings.simplefilter("ignore", DeprecationWarning)
            self._engine = LLGuidanceBackend(outlines_model)  # tokenizer conversion: once
        self._generators: dict[type[BaseModel], Any] = {}
        self.compile_seconds: dict[str, float] = {}

    def generator(self, output_type: type[BaseModel]) -> Any:
        if output_type not in self._generators:
            import outlines

            started = time.perf_counter()
            processor = self._engine.get_json_schema_logits_processor(json.dumps(json_schema_for(output_type)))
            self._generators[output_type] = outlines.Generator(self.outlines_model, processor=processor)
            self.compile_seconds[output_type.__name__] = time.perf_counter() - started
        return self._generators[output_type]


# --- llama.cpp ------------------------------------------------------------------------


class LlamaCppBackend:
    """GGUF models through llama-cpp-python (the default: fastest on CPU, least memory).

    One llama.cpp context per output type, sharing the memory-mapped weights: each keeps
    the evaluated instruction prefix (system prompt) of its schema in its KV cache, so the
    next document of that type only evaluates its own text, whatever order types arrive in.
    Decoding runs in ``extractors.fields.decoding`` under the constraint Outlines builds
    from the schema (llguidance), with jump-forward over forced tokens and prompt-lookup
    drafts: greedy decoding's answer (up to rounding) in a fraction of the passes.
    """

    name = "llamacpp"

    def __init__(self, settings: DocpipeSettings, model: ModelFile) -> None:
        if not model.is_gguf:
            raise ConfigurationError(f"the llamacpp backend needs a GGUF file; {model.path} is a directory")
        # Before the library loads: a build for instructions this CPU lacks dies with SIGILL.
        build = check_runtime()
        import llama_cpp
        import outlines

        kernels = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").strip()
        built_for = build.instruction_sets if build is not None else "an unrecorded build"
        self.runtime = f"llama.cpp (llama-cpp-python {llama_cpp.__version__}) compiled for {built_for}; {kernels}"
        self.settings = settings
        self.model = model
        self._decoders: dict[type[BaseModel], Any] = {}
        self._base = self._new_context()
        self._chat = self._chat_formatter(self._base)
        self.constraints = JsonConstraints(outlines.from_llamacpp(self._base))

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(name) for name in ("llama_cpp", *CONSTRAINT_LIBRARIES))

    def _new_context(self) -> Any:
        from llama_cpp import Llama

        return Llama(
            model_path=str(self.model.path),
            n_ctx=self.settings.extract_context_tokens,
            n_threads=self.settings.extract_threads,
            n_threads_batch=self.settings.extract_threads,
            n_batch=512,
            seed=0,
            verbose=False,
        )

    def _chat_formatter(self, context: Any) -> Any:
        """The model's own chat template (from the GGUF metadata)."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = context.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigurationError(f"{self.model.path} has no chat template (tokenizer.chat_template)")

        def text_of(token: int) -> str:
            return context.detokenize([token], special=True).decode("utf-8") if token != -1 else ""

        return Jinja2ChatFormatter(
            template=template, eos_token=text_of(context.token_eos()), bos_token=text_of(context.token_bos())
        )

    def _decoder(self, output_type: type[BaseModel]) -> Any:
        from extractors.fields.decoding import LlamaCppDecoder

        if output_type not in self._decoders:
            # The first schema reuses the context the tokenizer was read from.
            context = self._base if not self._decoders else self._new_context()
            tokenizer = self.constraints.generator(output_type).logits_processor.llg_tokenizer
            self._decoders[output_type] = LlamaCppDecoder(context, tokenizer, self.settings.extract_lookup_tokens)
        return self._decoders[output_type]

    def prepare(self, output_type: type[BaseModel]) -> None:
        self._decoder(output_type)

    def prompt_ids(self, messages: list[dict[str, str]], output_type: type[BaseModel]) -> list[int]:
        """``messages`` in the model's chat template, as tokens (special tokens parsed)."""
        prompt = self._chat(messages=messages).prompt
        return self._decoder(output_type).llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def generate(self, messages: list[dict[str, str]], output_type: type[BaseModel], max_tokens: int) -> Generation:
        processor = self.constraints.generator(output_type).logits_processor
        decoder = self._decoder(output_type)
        decoded = decoder.decode(self.prompt_ids(messages, output_type), processor.grammar, max_tokens)
        return Generation(
            text=decoder.llama.detokenize(decoded.tokens).decode("utf-8", errors="replace"),
            prompt_tokens=decoded.prompt_tokens,
            reused_prompt_tokens=decoded.reused_prompt_tokens,
            generated_tokens=len(decoded.tokens),
            prompt_seconds=decoded.prompt_seconds,
            generate_seconds=decoded.generate_seconds,
            truncated=not decoded.finished,
            forward_passes=decoded.forward_passes,
        )


# --- transformers ---------------------------------------------------------------------


class TransformersBackend:
    """Any local Hugging Face causal LM (a model directory, or a GGUF file dequantised by
    transformers, which needs the ``gguf`` package). About 2x slower and 2.5x the memory of
    llama.cpp on CPU for the same model; use it for models llama.cpp cannot run."""

    name = "transformers"

    def __init__(self, settings: DocpipeSettings, model: ModelFile) -> None:
        import outlines
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(settings.extract_threads)
        if model.is_gguf:
            directory, extra = str(model.path.parent), {"gguf_file": model.path.name}
        else:
            directory, extra = str(model.path), {}
        self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True, **extra)
        self.hf_model = AutoModelForCausalLM.from_pretrained(
            directory, local_files_only=True, dtype=torch.float32, **extra
        )
        self.hf_model.eval()
        self.model = model
        self.runtime = torch_runtime()
        self.constraints = JsonConstraints(outlines.from_transformers(self.hf_model, self.tokenizer))

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(name) for name in ("transformers", "torch", *CONSTRAINT_LIBRARIES))

    def prepare(self, output_type: type[BaseModel]) -> None:
        self.constraints.generator(output_type)

    def generate(self, messages: list[dict[str, str]], output_type: type[BaseModel], max_tokens: int) -> Generation:
        from outlines.inputs import Chat

        generator = self.constraints.generator(output_type)
        prompt_ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        if isinstance(prompt_ids, dict) or hasattr(prompt_ids, "input_ids"):
            prompt_ids = prompt_ids["input_ids"]
        started = time.perf_counter()
        text = generator(Chat(messages), max_new_tokens=max_tokens, do_sample=False)
        elapsed = time.perf_counter() - started
        generated = len(self.tokenizer.encode(text, add_special_tokens=False))
        return Generation(
            text=text,
            prompt_tokens=len(prompt_ids),
            reused_prompt_tokens=0,
            generated_tokens=generated,
            prompt_seconds=0.0,
            generate_seconds=elapsed,
            truncated=generated >= max_tokens,
        )


# --- an OpenAI-compatible endpoint -----------------------------------------------------


class OpenAIEndpointBackend:
    """A model the organisation serves on its own network behind an OpenAI-compatible API
    (llama.cpp's server, Ollama, vLLM), for a model too large for the processing machines.

    The constraint is the server's: each request sends the draft's JSON schema as the
    response format (``DOCPIPE_EXTRACT_ENDPOINT_RESPONSE_FORMAT``), greedy (temperature 0).
    The answer is validated against the schema here, so a server that ignores the format is
    caught (``ModelAnswerError``), not trusted. Unreachable, slow or failing servers are
    ``TransientError`` (the stage is retried). No document leaves the network the URL
    points into; the URL is the operator's to choose.
    """

    name = "openai"

    def __init__(self, settings: DocpipeSettings, model: ModelFile) -> None:
        import httpx

        if model.endpoint is None:
            raise ConfigurationError("the openai backend needs DOCPIPE_EXTRACT_ENDPOINT_URL")
        key = settings.extract_endpoint_api_key
        self._client = httpx.Client(
            base_url=model.endpoint,
            timeout=settings.extract_endpoint_timeout_s,
            headers={"Authorization": f"Bearer {key.get_secret_value()}"} if key else {},
        )
        self.settings = settings
        self.model = model
        self.runtime = f"OpenAI-compatible endpoint {model.endpoint}, model {model.name}"
        try:
            listing = self._request("GET", "/models")
        except TransientError as exc:  # at start a wrong URL is a setting to fix, not a hiccup
            raise ConfigurationError(f"{exc} (DOCPIPE_EXTRACT_ENDPOINT_URL)") from exc
        served = [entry.get("id") for entry in listing.get("data", [])]
        if served and model.name not in served:
            raise ConfigurationError(
                f"the endpoint {model.endpoint} serves {', '.join(map(str, served))}, not "
                f"DOCPIPE_EXTRACT_MODEL={model.name!r}"
            )

    @staticmethod
    def available() -> bool:
        return importlib.util.find_spec("httpx") is not None

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        import httpx

        where = f"the extraction endpoint {self.model.endpoint}"
        try:
            response = self._client.request(method, path, json=body)
            response.raise_for_status()
            return response.json()
        except httpx.TimeoutException as exc:
            raise TransientError(f"{where} did not answer within {self.settings.extract_endpoint_timeout_s:g} s") from exc
        except httpx.HTTPStatusError as exc:
            detail = " ".join(exc.response.text.split())[:200]
            raise TransientError(f"{where} answered HTTP {exc.response.status_code}: {detail}") from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise TransientError(f"{where} cannot be reached or answered no JSON ({exc})") from exc

    def _response_format(self, output_type: type[BaseModel]) -> dict[str, Any]:
        schema = output_type.model_json_schema()
        if self.settings.extract_endpoint_response_format == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": output_type.__name__, "schema": schema, "strict": True}}

    def prepare(self, output_type: type[BaseModel]) -> None:
        """Nothing to build here: the server compiles the constraint."""

    def generate(self, messages: list[dict[str, str]], output_type: type[BaseModel], max_tokens: int) -> Generation:
        body = {
            "model": self.model.name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
            "seed": 0,
            "response_format": self._response_format(output_type),
        }
        started = time.perf_counter()
        answer = self._request("POST", "/chat/completions", body)
        elapsed = time.perf_counter() - started
        try:
            choice = answer["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise ModelAnswerError(f"the extraction endpoint's answer has no message ({exc!r})") from exc
        truncated = choice.get("finish_reason") == "length"
        if not truncated:
            try:
                output_type.model_validate_json(text)
            except ValueError as exc:
                raise ModelAnswerError(
                    f"the extraction endpoint answered outside the {output_type.__name__} schema (does the server "
                    f"honour response_format {self.settings.extract_endpoint_response_format}?): {text[:120]!r}"
                ) from exc
        usage = answer.get("usage") or {}
        return Generation(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            reused_prompt_tokens=0,
            generated_tokens=int(usage.get("completion_tokens", 0)),
            prompt_seconds=0.0,
            generate_seconds=elapsed,
            truncated=truncated,
        )


@dataclass(frozen=True)
class BackendEntry:
    factory: Callable[[DocpipeSettings, ModelFile], LLMBackend]
    available: Callable[[], bool]
    requires: str


BACKENDS: dict[str, BackendEntry] = {
    "llamacpp": BackendEntry(LlamaCppBackend, LlamaCppBackend.available, "llama-cpp-python, outlines, llguidance"),
    "transformers": BackendEntry(
        TransformersBackend, TransformersBackend.available, "transformers, torch, outlines, llguidance (+ gguf for GGUF files)"
    ),
    "openai": BackendEntry(OpenAIEndpointBackend, OpenAIEndpointBackend.available, "httpx"),
}


def load_backend(settings: DocpipeSettings, model: ModelFile) -> LLMBackend:
    """The configured backend with ``model`` loaded; ``ConfigurationError`` when it cannot run."""
    entry = BACKENDS.get(settings.extract_backend)
    if entry is None:
        raise ConfigurationError(
            f"unknown DOCPIPE_EXTRACT_BACKEND {settings.extract_backend!r}; known: {', '.join(BACKENDS)}"
        )
    if not entry.available():
        raise ConfigurationError(f"extraction backend {settings.extract_backend} needs {entry.requires}")
    return entry.factory(settings, model)
