"""Scores of predicted labels against gold labels: accuracy, macro-F1, confusion matrix.

Shared by training (validation split), the promotion decision, the baseline and
``docpipe eval classify``, so all of them count the same way. Each target is scored on
the examples labelled for it; macro-F1 averages F1 over the labels that occur in the
gold or the predicted labels (scikit-learn's convention).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sklearn.metrics import confusion_matrix, f1_score

from classifier.examples import Example


@dataclass(frozen=True)
class TargetScore:
    target: str
    examples: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    """Row/column order of ``confusion`` (labels that occur, in taxonomy order first)."""
    confusion: list[list[int]]
    """confusion[i][j]: examples of gold label i predicted as label j."""

    def as_dict(self) -> dict:
        return asdict(self)


def score_target(target: str, gold: Sequence[str], predicted: Sequence[str], order: Sequence[str] = ()) -> TargetScore:
    present = set(gold) | set(predicted)
    labels = [label for label in order if label in present] + sorted(present - set(order))
    correct = sum(g == p for g, p in zip(gold, predicted))
    with warnings.catch_warnings():  # one label only (e.g. all tickets) is a legitimate case here
        warnings.simplefilter("ignore", UserWarning)
        return _target_score(target, gold, predicted, labels, correct)


def _target_score(
    target: str, gold: Sequence[str], predicted: Sequence[str], labels: list[str], correct: int
) -> TargetScore:
    return TargetScore(
        target=target,
        examples=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)) if gold else 0.0,
        labels=labels,
        confusion=confusion_matrix(gold, predicted, labels=labels).tolist() if gold else [],
    )


def score(
    examples: Sequence[Example],
    predicted: Sequence[dict[str, str]],
    targets: Sequence[str],
    orders: dict[str, Sequence[str]],
) -> dict[str, TargetScore]:
    """Scores per target, for the targets at least one example is labelled for."""
    scores = {}
    for target in targets:
        pairs = [(ex.labels[target], pred[target]) for ex, pred in zip(examples, predicted) if target in ex.labels]
        if pairs:
            gold, guess = zip(*pairs)
            scores[target] = score_target(target, gold, guess, orders.get(target, ()))
    return scores


def mean_macro_f1(scores: dict[str, TargetScore]) -> float:
    """The single number models are compared by (promotion, best epoch)."""
    return sum(s.macro_f1 for s in scores.values()) / len(scores) if scores else 0.0


def scores_table(columns: dict[str, dict[str, TargetScore]]) -> str:
    """Markdown table: one row per target, accuracy and macro-F1 for each named column."""
    targets = list(dict.fromkeys(t for scores in columns.values() for t in scores))
    header = "| target | n | " + " | ".join(f"{name} accuracy | {name} macro-F1" for name in columns) + " |"
    rule = "|---|---:|" + "---:|---:|" * len(columns)
    rows = []
    for target in targets:
        cells = []
        count = next((s[target].examples for s in columns.values() if target in s), 0)
        for scores in columns.values():
            if target in scores:
                cells += [f"{scores[target].accuracy:.3f}", f"{scores[target].macro_f1:.3f}"]
            else:
                cells += ["-", "-"]
        rows.append(f"| {target} | {count} | " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *rows])


def confusion_table(score: TargetScore) -> str:
    """Markdown confusion matrix: rows gold, columns predicted."""
    short = [label if len(label) <= 14 else label[:13] + "…" for label in score.labels]
    header = "| gold \\ predicted | " + " | ".join(short) + " |"
    rule = "|---|" + "---:|" * len(short)
    rows = [
        f"| {label} | " + " | ".join(str(v) for v in row) + " |" for label, row in zip(score.labels, score.confusion)
    ]
    return "\n".join([header, rule, *rows])
