"""The ``openai`` backend against a real OpenAI-compatible server (llama-cpp-python's, with
the small test model), started here on a free local port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from docpipe.errors import ConfigurationError, TransientError
from extractors.fields.backends import load_backend
from extractors.fields.extract import FieldExtractor, OutputTruncated
from extractors.fields.model_files import resolve_model
from extractors.fields.model_process import start_backend
from extractors.fields.cascade import check_extraction
from schemas.registry import SCHEMAS, schema_for
from tests.extractors.fields.test_generation import DOCUMENTS

pytestmark = pytest.mark.slow

SERVED_NAME = "smollm2-135m"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(model_settings):
    model = resolve_model(model_settings)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model.path), "--model_alias", SERVED_NAME,
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2", "--verbose", "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/models", timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the test server did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def _settings(model_settings, url, **overrides):
    return model_settings.model_copy(
        update={
            "extract_backend": "openai",
            "extract_endpoint_url": url,
            "extract_model": SERVED_NAME,
            "extract_endpoint_response_format": "json_object",  # what llama-cpp-python's server honours
            **overrides,
        }
    )


def test_the_endpoint_fills_each_schema_under_its_constraint(model_settings, server_url):
    settings = _settings(model_settings, server_url)
    model = resolve_model(settings)
    assert (model.path, model.endpoint, model.name) == (None, server_url, SERVED_NAME)
    backend = start_backend(settings, model)  # no child process: an HTTP client in this one
    assert backend.name == "openai" and server_url in backend.runtime
    extractor = FieldExtractor.from_settings(backend, settings)
    # The invoice only: llama-cpp-python's server crashes on the ticket's e-mail pattern (an
    # escaped dot its grammar converter rejects) and lets the contract's bounds slip (caught as
    # below); llama.cpp's own server, vLLM and Ollama take the whole schema.
    for name in ("invoice",):
        extracted = extractor.extract(SCHEMAS[name], DOCUMENTS[name])
        SCHEMAS[name].draft.model_validate_json(extracted.generation.text)
        assert extracted.generation.prompt_tokens > 50 and extracted.generation.generated_tokens > 0
        checked = check_extraction(extracted, schema_for(name).required, DOCUMENTS[name])
        assert set(checked.report.fields) == set(SCHEMAS[name].kinds)


def test_a_server_that_refuses_the_response_format_says_why_and_is_retried(model_settings, server_url):
    """llama-cpp-python's server knows only ``json_object``: asked for structured outputs it
    answers HTTP 500 with its reason, which the document's record carries (and the stage retries)."""
    settings = _settings(model_settings, server_url, extract_endpoint_response_format="json_schema")
    backend = load_backend(settings, resolve_model(settings))
    with pytest.raises(TransientError, match=r"answered HTTP 500: .*json_object"):
        FieldExtractor.from_settings(backend, settings).extract(SCHEMAS["invoice"], DOCUMENTS["invoice"])


def test_an_answer_cut_at_the_token_cap_is_reported_as_such(model_settings, server_url):
    settings = _settings(model_settings, server_url, extract_max_output_tokens=8)
    backend = load_backend(settings, resolve_model(settings))
    with pytest.raises(OutputTruncated, match="cap of 8 tokens"):
        FieldExtractor.from_settings(backend, settings).extract(SCHEMAS["invoice"], DOCUMENTS["invoice"])


def test_a_wrong_url_or_model_name_is_a_setting_to_fix(model_settings, server_url):
    with pytest.raises(ConfigurationError, match="serves smollm2-135m, not DOCPIPE_EXTRACT_MODEL='qwen-72b'"):
        load_backend(*(lambda s: (s, resolve_model(s)))(_settings(model_settings, server_url, extract_model="qwen-72b")))
    closed = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(ConfigurationError, match="cannot be reached"):
        settings = _settings(model_settings, closed)
        load_backend(settings, resolve_model(settings))
    with pytest.raises(ConfigurationError, match="needs DOCPIPE_EXTRACT_ENDPOINT_URL"):
        resolve_model(_settings(model_settings, None))
