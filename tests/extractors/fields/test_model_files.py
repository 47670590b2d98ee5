"""Built-in models are assembled from their pip packages and verified before use."""

from __future__ import annotations

import pytest

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from extractors.fields.model_files import BUILTIN_MODELS, resolve_model

pytestmark = pytest.mark.slow


def test_the_larger_model_is_assembled_from_its_22_parts_and_a_damaged_copy_refused(tmp_path):
    settings = DocpipeSettings(data_dir=tmp_path, extract_model="qwen2.5-coder-1.5b")
    builtin = BUILTIN_MODELS["qwen2.5-coder-1.5b"]
    model = resolve_model(settings)
    assert model.is_gguf and model.path.parent == tmp_path / "models"
    assert model.path.stat().st_size == 1_117_320_768 and model.sha256 == builtin.sha256
    with model.path.open("rb") as gguf:
        assert gguf.read(4) == b"GGUF"
    assert resolve_model(settings).sha256 == builtin.sha256  # the second time from the fingerprint cache
    with model.path.open("r+b") as gguf:
        gguf.seek(4096)
        gguf.write(b"\0" * 16)  # changes size-preserving bytes and the mtime
    with pytest.raises(ConfigurationError, match="delete it .it is rebuilt."):
        resolve_model(settings)
