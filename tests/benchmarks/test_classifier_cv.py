"""The cross-validation benchmark: folds partition the rows; a tiny run prints every fold and the summary."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.classifier_cv import folds

ROOT = Path(__file__).resolve().parents[2]


def test_folds_partition_the_rows_evenly():
    parts = folds(23, 5, seed=0)
    assert sorted(i for part in parts for i in part) == list(range(23))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert parts == folds(23, 5, seed=0) and parts != folds(23, 5, seed=1)


@pytest.mark.slow
def test_a_tiny_cross_validation_runs_end_to_end(tmp_path, settings):
    """``settings`` points the subprocess (through the environment) at a fresh data folder."""
    rows = [
        (f"Subject: printer {n}\n\nThe printer on floor {n} jams.", "ticket", "low", "IT Support")
        for n in range(6)
    ] + [
        (f"Subject: refund {n}\n\nPlease refund order {n}, it was charged twice.", "ticket", "high", "Billing and Payments")
        for n in range(6)
    ]
    with (tmp_path / "labels.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "doc_type", "urgency", "department"])
        writer.writerows(rows)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.classifier_cv", str(tmp_path / "labels.csv"), "--folds", "2", "--epochs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("fold 2 department") == 1
    summary = done.stdout.split("model - baseline")[1]
    assert "urgency" in summary and "department" in summary and "doc_type" not in summary
