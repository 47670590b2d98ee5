"""Calibrated probabilities: temperature scaling, one temperature per target head.

A fine-tuned network is usually over-confident: its softmax says 0.99 where it is right
far less often. Dividing a head's logits by a temperature fitted on held-out data (the
validation split) keeps its ranking (so accuracy) and makes its top probability mean
what it says, which is what the review threshold relies on.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


# Never below 1 (never sharpen): the validation split comes from the training sources and is
# easier than real documents; a head that is perfect on it would otherwise be made ever more
# certain (the fit runs to the bound), defeating the review threshold on unfamiliar documents.
MIN_TEMPERATURE, MAX_TEMPERATURE = 1.0, 20.0


def log_loss(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """Mean negative log-probability of ``gold`` (label indices), one row per example."""
    return float(-np.log(np.clip(probabilities[np.arange(len(gold)), gold], 1e-12, None)).mean())


def negative_log_likelihood(logits: np.ndarray, gold: np.ndarray, temperature: float) -> float:
    return log_loss(softmax(logits / temperature), gold)


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of ``gold`` (label indices).

    1.0 (no change) when there are too few examples to fit on.
    """
    if len(gold) < 5:
        return 1.0
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(logits, gold, float(np.exp(log_t))),
        bounds=(np.log(MIN_TEMPERATURE), np.log(MAX_TEMPERATURE)),
        method="bounded",
    )
    return float(np.exp(result.x))


def expected_calibration_error(probabilities: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over confidence bins (0 = perfectly calibrated)."""
    if len(gold) == 0:
        return 0.0
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == gold
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)
