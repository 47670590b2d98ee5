"""Fine-tuning a classifier, as plain functions (the Prefect flow in flows/train.py orchestrates).

``fine_tune``: encoder + heads trained together (masked loss: an example trains only the
targets it is labelled for), best epoch kept by validation mean macro-F1 (stopping early
once it no longer improves); then the lexical branch (classifier.lexical) trained on the
same rows, and per target its blend weight and a temperature fitted on the validation
split (calibration); then the memory of labelled documents (classifier.memory) built from
the training rows, its weight per target fitted on the validation split, validation scores
taken, and the validation rows added to it. The rows come from classifier.training_set;
whether the model becomes the default, and its saving, are classifier.promotion.
"""

from __future__ import annotations

import copy
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from transformers import get_linear_schedule_with_warmup

from classifier.calibration import (
    expected_calibration_error,
    fit_temperature,
    log_loss,
    log_softmax,
    negative_log_likelihood,
    softmax,
)
from classifier.examples import SYNTHETIC_SOURCE, Example
from classifier.lexical import LexicalModel
from classifier.memory import MIX_WEIGHTS, ExampleMemory
from classifier.metrics import TargetScore, mean_macro_f1, score
from classifier.model import ClassifierModel, blend, set_threads
from classifier.taxonomy import Taxonomy
from classifier.training_set import TrainConfig, TrainingSet
from docpipe.errors import ConfigurationError
from docpipe.health import PredictionDistribution

log = logging.getLogger(__name__)

IGNORE = -100  # label index of a target an example is not labelled for
REAL_DATA_EPOCHS, GENERATED_ONLY_EPOCHS = 10, 3  # TrainConfig.epochs left None
BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
"""Candidate weights of the lexical branch. At most 0.5: the encoder keeps at least half
the say, since n-grams learnt from templated (generated) documents transfer worse to real
ones than the encoder does."""


@dataclass
class EpochReport:
    epoch: int
    train_loss: float
    validation_mean_macro_f1: float
    seconds: float


@dataclass
class TrainingResult:
    model: ClassifierModel
    config: TrainConfig
    epochs: list[EpochReport]
    best_epoch: int
    validation_scores: dict[str, TargetScore]
    """With the memory of the training rows (the validation rows are added after scoring)."""
    network_validation_scores: dict[str, TargetScore]
    """Without the memory: what the promotion gate compares."""
    network_validation_predictions: list[dict[str, str]]
    """Top labels of each validation row without the memory (the gate scores them on the
    rows the current model never trained on)."""
    temperatures: dict[str, float]
    lexical_weights: dict[str, float]
    """Per target: the weight of the lexical branch in the blend (0: encoder only)."""
    memory_weights: dict[str, float]
    """Per target: the weight of a near repeat's label (0: memory off for it)."""
    calibration_error: dict[str, dict[str, float]]
    """Per target: expected calibration error of the encoder alone and of the calibrated blend."""
    prediction_reference: dict[str, PredictionDistribution]
    """Per target: how the model's predictions spread on the validation rows, as the pipeline
    runs it (with the memory of the training rows): what production drift is measured against."""
    seconds: float
    threads: int


ProgressCallback = Callable[[int, int, str], None]
"""(steps done, total steps, status text); called after every optimisation step."""


def _label_indices(examples: list[Example], taxonomy: Taxonomy) -> dict[str, torch.Tensor]:
    return {
        target.name: torch.tensor(
            [target.index(ex.labels[target.name]) if target.name in ex.labels else IGNORE for ex in examples]
        )
        for target in taxonomy.targets
    }


def _class_weights(labels: torch.Tensor, size: int, power: float) -> torch.Tensor:
    counts = torch.bincount(labels[labels != IGNORE], minlength=size).float()
    weights = torch.where(counts > 0, counts.clamp(min=1) ** -power, torch.zeros_like(counts))
    present = weights > 0
    if present.any():
        weights = weights / weights[present].mean()
    return torch.where(present, weights, torch.ones_like(weights))


def _batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar-length examples (less padding, so faster steps)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 16
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def predicted_labels(probabilities: dict[str, np.ndarray], taxonomy: Taxonomy) -> list[dict[str, str]]:
    rows = len(next(iter(probabilities.values())))
    return [
        {t.name: t.labels[int(probabilities[t.name][row].argmax())] for t in taxonomy.targets} for row in range(rows)
    ]


def evaluate_model(
    model: ClassifierModel, examples: list[Example], use_memory: bool = True
) -> dict[str, TargetScore]:
    """Scores of a model on labelled examples (labels outside its taxonomy count as errors)."""
    if not examples:
        return {}
    probabilities = model.probabilities([ex.text for ex in examples], use_memory=use_memory)
    return score_probabilities(examples, probabilities, model.taxonomy)


def score_probabilities(
    examples: list[Example], probabilities: dict[str, np.ndarray], taxonomy: Taxonomy
) -> dict[str, TargetScore]:
    """Scores of the top labels of ``probabilities`` (rows in ``examples`` order)."""
    orders = {t.name: t.labels for t in taxonomy.targets}
    return score(examples, predicted_labels(probabilities, taxonomy), taxonomy.names, orders)


def fine_tune(
    data: TrainingSet,
    taxonomy: Taxonomy,
    config: TrainConfig,
    threads: int = 2,
    progress: ProgressCallback | None = None,
) -> TrainingResult:
    if not data.train:
        raise ConfigurationError("no training examples")
    started = time.perf_counter()
    set_threads(threads)
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)

    model = ClassifierModel.from_backbone(config.backbone, taxonomy, config.max_length)
    net = model.net
    if config.freeze_embeddings:
        for parameter in net.encoder.embeddings.word_embeddings.parameters():
            parameter.requires_grad = False

    sequences = [model.encoder.ids(ex.text) for ex in data.train]
    labels = _label_indices(data.train, taxonomy)
    losses = {
        t.name: nn.CrossEntropyLoss(
            weight=_class_weights(labels[t.name], len(t.labels), config.class_weight_power), ignore_index=IGNORE
        )
        for t in taxonomy.targets
    }
    encoder_params = [p for p in net.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": config.learning_rate},
            {"params": net.heads.parameters(), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    epochs_planned = config.epochs or (
        GENERATED_ONLY_EPOCHS if all(ex.source.startswith(SYNTHETIC_SOURCE) for ex in data.train) else REAL_DATA_EPOCHS
    )
    steps_per_epoch = -(-len(sequences) // config.batch_size)
    total_steps = steps_per_epoch * epochs_planned
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * config.warmup_fraction), total_steps)

    epochs: list[EpochReport] = []
    best_state, best_f1, best_epoch = None, -1.0, 0
    step = 0
    for epoch in range(1, epochs_planned + 1):
        epoch_started = time.perf_counter()
        net.train()
        running = []
        for batch in _batches([len(s) for s in sequences], config.batch_size, rng):
            input_ids, attention = model.encoder.batch([sequences[i] for i in batch])
            logits = net(input_ids, attention)
            index = torch.tensor(batch)
            loss = sum(
                losses[name](logits[name], labels[name][index])
                for name in taxonomy.names
                if (labels[name][index] != IGNORE).any()
            )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            running.append(loss.item())
            if progress:
                progress(step, total_steps, f"epoch {epoch}/{epochs_planned} loss {np.mean(running[-20:]):.3f}")
        validation_f1 = mean_macro_f1(evaluate_model(model, data.validation)) if data.validation else 0.0
        epochs.append(EpochReport(epoch, float(np.mean(running)), validation_f1, time.perf_counter() - epoch_started))
        log.info("epoch %d: loss %.4f, validation mean macro-F1 %.4f", epoch, np.mean(running), validation_f1)
        if validation_f1 > best_f1 or not data.validation:
            best_state, best_f1, best_epoch = copy.deepcopy(net.state_dict()), validation_f1, epoch
        elif config.patience is not None and epoch - best_epoch >= config.patience:
            status = f"stopped after epoch {epoch}: no better validation score for {config.patience} epochs"
            log.info(status)
            if progress:  # the bar ends full, saying why it ended early
                progress(total_steps, total_steps, status)
            break
    assert best_state is not None
    net.load_state_dict(best_state)
    net.eval()

    if config.lexical:
        model.lexical = LexicalModel.train(data.train, taxonomy, config.lexical_regularisation)
    temperatures, weights, calibration = calibrate(model, data.validation)
    model.temperatures, model.lexical_weights = temperatures, weights
    # The validation rows' calibrated probabilities, once: the network's scores, the gate's
    # predictions, the memory's weights and its scores all derive from them.
    calibrated: dict[str, np.ndarray] = {}
    network_scores: dict[str, TargetScore] = {}
    if data.validation:
        calibrated = model.probabilities([ex.text for ex in data.validation], use_memory=False)
        network_scores = score_probabilities(data.validation, calibrated, taxonomy)
    memory_weights, validation_scores = {name: 0.0 for name in taxonomy.names}, network_scores
    as_run = calibrated
    if config.memory and (remembered := remember(model, data, calibrated)) is not None:
        memory_weights, validation_scores, as_run = remembered
    return TrainingResult(
        model=model,
        config=config,
        epochs=epochs,
        best_epoch=best_epoch,
        validation_scores=validation_scores,
        network_validation_scores=network_scores,
        network_validation_predictions=predicted_labels(calibrated, taxonomy) if calibrated else [],
        temperatures=temperatures,
        lexical_weights=weights,
        memory_weights=memory_weights,
        calibration_error=calibration,
        prediction_reference=prediction_distribution(as_run, taxonomy),
        seconds=time.perf_counter() - started,
        threads=torch.get_num_threads(),
    )


def calibrate(
    model: ClassifierModel, validation: list[Example]
) -> tuple[dict[str, float], dict[str, float], dict[str, dict[str, float]]]:
    """Per target, the lexical blend weight and temperature fitted together on the validation split.

    The pair with the lowest negative log-likelihood wins (ties: the smaller weight).
    Returns temperatures, blend weights, and the expected calibration error of the
    encoder alone ("before") and of the calibrated blend ("after").
    """
    temperatures = {name: 1.0 for name in model.taxonomy.names}
    weights = {name: 0.0 for name in model.taxonomy.names}
    errors: dict[str, dict[str, float]] = {}
    if not validation:
        return temperatures, weights, errors
    texts = [ex.text for ex in validation]
    encoder = {name: log_softmax(values) for name, values in model.encoder_logits(texts).items()}
    lexical = model.lexical.log_probabilities(texts) if model.lexical is not None else None
    for target in model.taxonomy.targets:
        rows = [i for i, ex in enumerate(validation) if target.name in ex.labels]
        if not rows:
            continue
        gold = np.array([target.index(validation[i].labels[target.name]) for i in rows])
        best: tuple[float, float, float, np.ndarray] | None = None
        for weight in BLEND_WEIGHTS if lexical is not None else (0.0,):
            scores = blend(encoder[target.name][rows], lexical[target.name][rows] if lexical else None, weight)
            temperature = fit_temperature(scores, gold)
            loss = negative_log_likelihood(scores, gold, temperature)
            if best is None or loss < best[0] - 1e-6:
                best = (loss, weight, temperature, scores)
        assert best is not None
        _, weights[target.name], temperatures[target.name], scores = best
        errors[target.name] = {
            "before": expected_calibration_error(softmax(encoder[target.name][rows]), gold),
            "after": expected_calibration_error(softmax(scores / temperatures[target.name]), gold),
        }
    return temperatures, weights, errors


def prediction_distribution(probabilities: dict[str, np.ndarray], taxonomy: Taxonomy) -> dict[str, PredictionDistribution]:
    """Per target, the spread of the top labels and top probabilities of ``probabilities``."""
    if not probabilities:
        return {}
    labels = predicted_labels(probabilities, taxonomy)
    return {
        t.name: PredictionDistribution.of([row[t.name] for row in labels], probabilities[t.name].max(axis=1).tolist())
        for t in taxonomy.targets
    }


def remember(
    model: ClassifierModel, data: TrainingSet, calibrated: dict[str, np.ndarray]
) -> tuple[dict[str, float], dict[str, TargetScore], dict[str, np.ndarray]] | None:
    """Give ``model`` its memory of labelled documents. ``calibrated``: the model's
    probabilities of the validation rows without a memory. Returns the weights fitted on the
    validation split, the validation scores with the memory of the training rows and those
    probabilities; the validation rows are added to the memory afterwards (a lookup, not a
    fit: they are as good to remember as the training rows). None when there is nothing to
    remember."""
    model.memory = ExampleMemory.build(data.train, model.taxonomy)
    if model.memory is None:
        return None
    texts = [ex.text for ex in data.validation]
    weights = fit_memory_weights(model.memory, data.validation, calibrated, model.taxonomy)
    model.memory.weights = weights
    mixed = model.memory.mix(texts, calibrated) if texts else {}
    scores = score_probabilities(data.validation, mixed, model.taxonomy) if texts else {}
    model.memory = ExampleMemory.build(data.train + data.validation, model.taxonomy)
    model.memory.weights = weights
    return weights, scores, mixed


def fit_memory_weights(
    memory: ExampleMemory, validation: list[Example], calibrated: dict[str, np.ndarray], taxonomy: Taxonomy
) -> dict[str, float]:
    """Per target, the weight of a near repeat's label with the lowest negative log-likelihood
    on the validation split (ties: the smaller weight; 0 where no row is labelled).
    ``calibrated``: the model's probabilities of the validation rows without a memory."""
    weights = {name: 0.0 for name in taxonomy.names}
    if not validation:
        return weights
    nearest = memory.nearest([ex.text for ex in validation])
    for target in taxonomy.targets:
        rows = [i for i, ex in enumerate(validation) if target.name in ex.labels]
        if not rows:
            continue
        gold = np.array([target.index(validation[i].labels[target.name]) for i in rows])
        similarity, remembered = nearest[target.name]
        labelled = {target.name: (similarity[rows], remembered[rows])}
        best: tuple[float, float] | None = None
        for weight in MIX_WEIGHTS:
            mixed = memory.mix_nearest(labelled, {target.name: calibrated[target.name][rows]}, {target.name: weight})
            loss = log_loss(mixed[target.name], gold)
            if best is None or loss < best[0] - 1e-6:
                best = (loss, weight)
        assert best is not None
        weights[target.name] = best[1]
    return weights
