"""A tiny classifier trained once per test session (real MiniLM backbone, ~40 generated docs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from classifier.taxonomy import Taxonomy

TINY = {"epochs": 2, "max_length": 64, "synthetic_per_label": 3, "batch_size": 16}


@dataclass
class TinyModel:
    settings: object
    """Settings whose data_dir holds the model (as 'current')."""
    directory: Path
    result: object
    """classifier.train.TrainingResult: the in-memory model, as trained."""
    data: object


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> TinyModel:
    from classifier.train import Promotion, TrainConfig, assemble_training_set, fine_tune, save_model
    from docpipe.settings import DocpipeSettings

    settings = DocpipeSettings(data_dir=tmp_path_factory.mktemp("tiny-model"), classifier_bf16=False)
    taxonomy = Taxonomy.load()
    config = TrainConfig(**TINY)
    data = assemble_training_set(settings, taxonomy, [], config)
    result = fine_tune(data, taxonomy, config, threads=2)
    directory = save_model(settings, result, data, Promotion(True, "first model"))
    return TinyModel(settings, directory, result, data)
