"""Audit draws, drift indices and calibration bins (the arithmetic behind the model-health report)."""

from __future__ import annotations

import hashlib
import math

import pytest

from docpipe.health import (
    CONFIDENCE_BINS,
    CalibrationBin,
    DriftCheck,
    HealthReport,
    PredictionDistribution,
    bar,
    calibration,
    confidence_bin,
    drift,
    is_audit_sample,
    psi,
)

HASHES = [hashlib.sha256(f"document {i}".encode()).hexdigest() for i in range(20_000)]


def test_the_audit_draw_takes_the_configured_share_and_is_reproducible():
    drawn = [h for h in HASHES if is_audit_sample(h, 0.02, seed=0)]
    # 400 expected; a binomial standard deviation is ~20, so 4 of them either side.
    assert 320 <= len(drawn) <= 480
    assert drawn == [h for h in HASHES if is_audit_sample(h, 0.02, seed=0)]  # the same documents again
    other_seed = {h for h in HASHES if is_audit_sample(h, 0.02, seed=1)}
    assert 320 <= len(other_seed) <= 480 and len(other_seed & set(drawn)) < 40  # another, independent sample
    # A document's draw depends on itself alone: not on the order or company it arrives in.
    assert [h for h in reversed(HASHES) if is_audit_sample(h, 0.02, seed=0)] == drawn[::-1]


def test_an_audit_rate_of_zero_draws_none_and_of_one_draws_all():
    assert not any(is_audit_sample(h, 0.0, seed=0) for h in HASHES[:1000])
    assert all(is_audit_sample(h, 1.0, seed=0) for h in HASHES[:1000])
    share = sum(is_audit_sample(h, 0.5, seed=7) for h in HASHES) / len(HASHES)
    assert abs(share - 0.5) < 0.02


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift():
    reference = {"invoice": 0.25, "receipt": 0.25, "contract": 0.25, "ticket": 0.25}
    assert psi(reference, reference) == pytest.approx(0.0)
    moderate = {"invoice": 0.35, "receipt": 0.2, "contract": 0.2, "ticket": 0.25}
    assert 0.0 < psi(reference, moderate) < 0.1
    all_invoices = {"invoice": 1.0}
    # (1 - .25) ln(1/.25) + 3 (1e-4 - .25) ln(1e-4/.25)
    expected = 0.75 * math.log(4) + 3 * (1e-4 - 0.25) * math.log(1e-4 / 0.25)
    assert psi(reference, all_invoices) == pytest.approx(expected)
    assert psi(reference, all_invoices) > 0.25
    # Bins given as lists compare position by position.
    assert psi([0.5, 0.5], [0.5, 0.5]) == pytest.approx(0.0)


def test_confidences_fall_in_their_bins():
    assert confidence_bin(0.0) == 0 and confidence_bin(0.49) == 0
    assert confidence_bin(0.5) == 1 and confidence_bin(0.97) == len(CONFIDENCE_BINS) - 2
    assert confidence_bin(1.0) == len(CONFIDENCE_BINS) - 2


def test_a_distribution_round_trips_through_its_record():
    spread = PredictionDistribution.of(["invoice", "invoice", "ticket", "receipt"], [0.99, 0.97, 0.55, 0.3])
    assert spread.n == 4 and spread.labels == {"invoice": 0.5, "receipt": 0.25, "ticket": 0.25}
    assert sum(spread.confidence) == pytest.approx(1.0) and spread.confidence[-1] == 0.5
    assert PredictionDistribution.from_dict(spread.as_dict()) == spread
    with pytest.raises(ValueError):
        PredictionDistribution.from_dict({**spread.as_dict(), "confidence_bins": [0.0, 1.0]})


def reference_of(labels, confidences):
    return {"doc_type": PredictionDistribution.of(labels, confidences)}


def test_drift_warns_for_a_shifted_batch_and_not_for_a_like_one():
    reference = reference_of(["invoice", "receipt", "contract", "ticket"] * 25, [0.95] * 50 + [0.75] * 50)
    like = reference_of(["invoice", "receipt", "contract", "ticket"] * 10, [0.95] * 20 + [0.75] * 20)
    assert drift("m1", "run 1", reference, like, 0.25, 30).warnings() == []
    unlike = reference_of(["other"] * 40, [0.4] * 40)
    check = drift("m1", "run 2", reference, unlike, 0.25, 30)
    assert {f.measure for f in check.drifted} == {"labels", "confidence"}
    [warning] = check.warnings()
    assert warning.startswith("drift: the predictions of m1 over run 2 (40 documents) moved")
    assert "doc_type labels PSI" in warning and "other 0% -> 100%" in warning and "doc_type confidence PSI" in warning


def test_drift_is_not_compared_on_a_handful_or_without_a_reference():
    reference = reference_of(["invoice"] * 50, [0.9] * 50)
    few = drift("m1", "run 3", reference, reference_of(["other"] * 5, [0.3] * 5), 0.25, 30)
    assert few.findings == [] and "5 documents, fewer than the 30" in (few.note or "")
    none = drift("m1", "run 3", None, reference_of(["other"] * 50, [0.3] * 50), 0.25, 30)
    assert none.findings == [] and "no reference distribution" in (none.note or "")


def test_calibration_compares_stated_confidence_with_what_reviewers_kept():
    outcomes = [(0.95, True)] * 9 + [(0.96, False)] + [(0.55, True), (0.55, False)]
    bins = calibration(outcomes)
    assert [(b.low, b.high, b.n) for b in bins] == [(0.5, 0.6, 2), (0.95, 1.0, 10)]
    assert bins[1].accuracy == pytest.approx(0.9) and bins[1].mean_confidence == pytest.approx(0.951)
    assert calibration([]) == []


def test_the_report_shows_accuracy_calibration_drift_and_the_audit_backlog():
    accuracy = [
        {"stage": "classify", "model_version": "m1", "target": "doc_type", "sample": "audit", "n": 10,
         "accuracy": 0.8, "accuracy_low": 0.49, "accuracy_high": 0.94},
        {"stage": "classify", "model_version": "m1", "target": "doc_type", "sample": "flagged", "n": 4,
         "accuracy": 0.5, "accuracy_low": 0.15, "accuracy_high": 0.85},
    ]
    check = DriftCheck("m1", "run 9", 40, 0.25)
    report = HealthReport(accuracy, {("classify", "m1"): [CalibrationBin(0.9, 0.95, 10, 0.92, 0.8)]}, [check], 3, 0.02)
    markdown = report.markdown("Model health after run 9")
    assert "| classify | m1 | doc_type | 10 | 80% [49%, 94%] | " + bar(0.8) + " | 4 | 50% |" in markdown
    assert "| 0.90-0.95 | 10 | 92% | 80% |" in markdown
    assert "Audit samples waiting for review: **3**" in markdown and "No drift warnings." in markdown
