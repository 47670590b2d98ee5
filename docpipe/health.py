"""Watching the models in production: audit samples, drift of their predictions, calibration,
and the model-health report people read in the Prefect UI.

Plain functions of plain data: the database reads are in ``db.health``, the flows put the
pieces together (``flows/health.py``). Why each choice is made is said where it is made;
docs/operations.md explains the whole for operators.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AUDIT_REASON = "audit sample"
"""``documents.error`` of a document drawn for audit (and ``reviews.reason`` once reviewed)."""

CONFIDENCE_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
"""Edges of the confidence bins of drift and calibration. Narrow at the top, where a
calibrated model puts most documents and where a shift matters (0.97 -> 0.85 is the model
meeting documents it knows less); one bin under 0.5, where little is accepted anyway."""

PSI_EPSILON = 1e-4
"""Share given to a label or bin with none in one of the two distributions, so a label the
model never predicted on its validation rows counts as a large shift instead of infinity."""


def is_audit_sample(sha256: str, rate: float, seed: int) -> bool:
    """Whether the document with this content is drawn for audit.

    A hash of the seed and the content's sha256 compared with ``rate``: the same document
    under the same seed is always drawn or never (a rerun, a reprocess, another worker
    agree), draws do not depend on the order or the batch a document arrives in, and the
    share drawn is ``rate`` for any mix of documents. Another seed draws another sample.
    """
    if rate <= 0:
        return False
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"{seed}:{sha256}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < rate * 2**64


def confidence_bin(confidence: float) -> int:
    """Index of the bin of ``CONFIDENCE_BINS`` holding ``confidence`` (1.0 in the last)."""
    return min(max(bisect_right(CONFIDENCE_BINS, confidence) - 1, 0), len(CONFIDENCE_BINS) - 2)


def bin_label(index: int) -> str:
    return f"{CONFIDENCE_BINS[index]:.2f}-{CONFIDENCE_BINS[index + 1]:.2f}"


@dataclass(frozen=True)
class PredictionDistribution:
    """How one target's predictions spread: shares of each label and of each confidence bin."""

    n: int
    labels: dict[str, float]
    confidence: list[float]

    @classmethod
    def of(cls, labels: Sequence[str], confidences: Sequence[float]) -> PredictionDistribution:
        n = len(labels)
        if n == 0:
            return cls(0, {}, [0.0] * (len(CONFIDENCE_BINS) - 1))
        bins = Counter(confidence_bin(c) for c in confidences)
        return cls(
            n=n,
            labels={label: count / n for label, count in sorted(Counter(labels).items())},
            confidence=[bins[i] / n for i in range(len(CONFIDENCE_BINS) - 1)],
        )

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "labels": self.labels, "confidence_bins": list(CONFIDENCE_BINS), "confidence": self.confidence}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PredictionDistribution:
        if list(data.get("confidence_bins", CONFIDENCE_BINS)) != list(CONFIDENCE_BINS):
            raise ValueError("recorded with other confidence bins")
        return cls(int(data["n"]), dict(data["labels"]), list(data["confidence"]))


def psi(expected: Mapping[str, float] | Sequence[float], observed: Mapping[str, float] | Sequence[float]) -> float:
    """Population stability index: sum over categories of (o - e) * ln(o / e).

    Chosen over a chi-square test because drift is a question of size, not of proof: with a
    week of thousands of documents a chi-square test calls a shift of one point significant,
    and with a run of thirty it misses a large one; the PSI is the same number for the same
    shift at any volume, works alike for labels and for confidence bins, and has thresholds
    people in model monitoring know (0.1 a change to watch, 0.25 a large shift).
    """
    if not isinstance(expected, Mapping):
        expected, observed = dict(enumerate(expected)), dict(enumerate(observed))  # type: ignore[arg-type]
    assert isinstance(observed, Mapping)
    total = 0.0
    for key in {*expected, *observed}:
        e = max(expected.get(key, 0.0), PSI_EPSILON)
        o = max(observed.get(key, 0.0), PSI_EPSILON)
        total += (o - e) * math.log(o / e)
    return total


@dataclass(frozen=True)
class DriftFinding:
    target: str
    measure: str
    """``labels`` (the predicted labels) or ``confidence`` (the top probabilities)."""
    psi: float
    shift: str
    """The largest changes of share, reference -> observed, as a person reads them."""


@dataclass
class DriftCheck:
    """One model's predictions over one scope (a run, the last days) against its reference."""

    model_version: str
    scope: str
    n: int
    threshold: float
    findings: list[DriftFinding] = field(default_factory=list)
    note: str | None = None
    """Why there is nothing to compare (too few documents, no reference recorded)."""

    @property
    def drifted(self) -> list[DriftFinding]:
        return [finding for finding in self.findings if finding.psi > self.threshold]

    def warnings(self) -> list[str]:
        """One line for the scope (a run logs one per scope, not one per target and measure)."""
        if not self.drifted:
            return []
        moved = "; ".join(f"{f.target} {f.measure} PSI {f.psi:.2f} ({f.shift})" for f in self.drifted)
        return [
            f"drift: the predictions of {self.model_version} over {self.scope} ({documents(self.n)}) moved from "
            f"its validation distribution (PSI > {self.threshold:g}): {moved}"
        ]


def documents(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


def _shift(expected: Mapping[Any, float], observed: Mapping[Any, float], name: Any, top: int = 3) -> str:
    keys = sorted({*expected, *observed}, key=lambda k: -abs(observed.get(k, 0.0) - expected.get(k, 0.0)))[:top]
    return ", ".join(f"{name(k)} {expected.get(k, 0.0):.0%} -> {observed.get(k, 0.0):.0%}" for k in keys)


def drift(
    model_version: str,
    scope: str,
    reference: Mapping[str, PredictionDistribution] | None,
    observed: Mapping[str, PredictionDistribution],
    threshold: float,
    min_documents: int,
) -> DriftCheck:
    """Each target's label and confidence distributions over ``scope`` against the model's
    ``reference`` (its validation rows, recorded at training). Under ``min_documents`` the
    PSI of a handful is noise (its expected value grows as categories / n), so the check
    says so instead of comparing."""
    n = max((d.n for d in observed.values()), default=0)
    check = DriftCheck(model_version, scope, n, threshold)
    if reference is None:
        check.note = "no reference distribution recorded with this model (trained before drift monitoring): retrain"
    elif n < min_documents:
        check.note = f"{documents(n)}, fewer than the {min_documents} a comparison needs (DOCPIPE_DRIFT_MIN_DOCUMENTS)"
    else:
        for target, seen in observed.items():
            if target not in reference:
                continue
            expected = reference[target]
            check.findings.append(
                DriftFinding(target, "labels", psi(expected.labels, seen.labels), _shift(expected.labels, seen.labels, str))
            )
            e_bins, o_bins = dict(enumerate(expected.confidence)), dict(enumerate(seen.confidence))
            check.findings.append(
                DriftFinding(target, "confidence", psi(e_bins, o_bins), _shift(e_bins, o_bins, lambda i: f"p {bin_label(i)}"))
            )
    return check


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


def calibration(outcomes: Iterable[tuple[float, bool]]) -> list[CalibrationBin]:
    """Stated confidence against the share a reviewer left unchanged, per confidence bin
    (bins without reviews left out)."""
    per_bin: dict[int, list[tuple[float, bool]]] = {}
    for confidence, correct in outcomes:
        per_bin.setdefault(confidence_bin(confidence), []).append((confidence, correct))
    return [
        CalibrationBin(
            CONFIDENCE_BINS[i],
            CONFIDENCE_BINS[i + 1],
            len(rows),
            sum(c for c, _ in rows) / len(rows),
            sum(1 for _, ok in rows if ok) / len(rows),
        )
        for i, rows in sorted(per_bin.items())
    ]


def bar(share: float, width: int = 20) -> str:
    """A share as a bar of block characters (markdown tables show it as it is)."""
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled)


@dataclass
class HealthReport:
    """What the ``docpipe-model-health`` artifact shows."""

    accuracy: list[dict[str, Any]]
    """Rows of the ``model_accuracy`` view, period ``all``."""
    calibration: dict[tuple[str, str], list[CalibrationBin]]
    """(stage, model version) -> bins, every target or field of that model together."""
    checks: list[DriftCheck]
    unreviewed_audit_samples: int
    audit_rate: float

    def warnings(self) -> list[str]:
        return [warning for check in self.checks for warning in check.warnings()]

    def markdown(self, title: str) -> str:
        lines = [f"# {title}", ""]
        warnings = self.warnings()
        lines += [f"**{len(warnings)} drift warning(s)**" if warnings else "No drift warnings.", ""]
        lines += [f"- {w}" for w in warnings] + ([""] if warnings else [])
        lines += [
            f"Audit samples waiting for review: **{self.unreviewed_audit_samples}** "
            f"(share of automatically accepted documents sent to audit: {self.audit_rate:.1%}, `DOCPIPE_AUDIT_RATE`).",
            "",
            "## Live accuracy by model version",
            "",
            "Share of labels and fields a reviewer left unchanged. *audit*: random samples of automatically "
            "accepted documents (an unbiased estimate, 95% Wilson interval); *flagged*: documents the "
            "pipeline sent to review itself (its doubtful cases, so lower).",
            "",
        ]
        if self.accuracy:
            lines += _accuracy_table(self.accuracy)
        else:
            lines.append("No reviews yet.")
        lines += ["", "## Calibration", "", "Stated confidence against observed accuracy, all reviews.", ""]
        if self.calibration:
            for (stage, version), bins in sorted(self.calibration.items()):
                lines += [f"**{stage} {version}**", "", "| confidence | reviews | stated | observed | |", "|---|---:|---:|---:|---|"]
                lines += [
                    f"| {b.low:.2f}-{b.high:.2f} | {b.n} | {b.mean_confidence:.0%} | {b.accuracy:.0%} | {bar(b.accuracy)} |"
                    for b in bins
                ]
                lines.append("")
        else:
            lines.append("No reviews with a stated confidence yet.")
        lines += ["", "## Drift", "", "PSI of each target against the model's validation rows (> threshold: warning).", ""]
        if not self.checks:
            lines.append("No classifications yet.")
        for check in self.checks:
            lines.append(f"**{check.model_version}, {check.scope}** ({documents(check.n)})")
            lines.append("")
            if check.note:
                lines += [check.note, ""]
                continue
            lines += ["| target | measure | PSI | largest changes |", "|---|---|---:|---|"]
            lines += [
                f"| {f.target} | {f.measure} | {'**' if f.psi > check.threshold else ''}{f.psi:.2f}"
                f"{'**' if f.psi > check.threshold else ''} | {f.shift} |"
                for f in check.findings
            ]
            lines.append("")
        return "\n".join(lines)


def _accuracy_table(rows: list[dict[str, Any]]) -> list[str]:
    by_key: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault((row["stage"], row["model_version"], row["target"]), {})[row["sample"]] = row
    lines = [
        "| stage | model version | label or field | audit: n | audit accuracy [95% CI] | | flagged: n | flagged accuracy |",
        "|---|---|---|---:|---|---|---:|---:|",
    ]
    for (stage, version, target), samples in sorted(by_key.items()):
        audit, flagged = samples.get("audit"), samples.get("flagged")
        audit_cells = (
            f"{audit['n']} | {audit['accuracy']:.0%} [{audit['accuracy_low']:.0%}, {audit['accuracy_high']:.0%}] | {bar(audit['accuracy'])}"
            if audit
            else "0 | - | "
        )
        flagged_cells = f"{flagged['n']} | {flagged['accuracy']:.0%}" if flagged else "0 | -"
        lines.append(f"| {stage} | {version} | {target} | {audit_cells} | {flagged_cells} |")
    return lines
