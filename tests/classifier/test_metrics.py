"""Scores every part of training and evaluation counts by."""

from __future__ import annotations

import pytest

from classifier.examples import Example
from classifier.metrics import confusion_table, mean_macro_f1, score, score_target, scores_table


def test_a_target_is_scored_with_accuracy_macro_f1_and_a_confusion_matrix_in_taxonomy_order():
    result = score_target("doc_type", ["invoice", "invoice", "receipt", "ticket"], ["invoice", "receipt", "receipt", "ticket"],
                          order=("ticket", "receipt", "invoice"))
    assert result.accuracy == 0.75 and result.examples == 4
    assert result.labels == ["ticket", "receipt", "invoice"]
    # rows gold, columns predicted
    assert result.confusion == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    # F1: ticket 1, receipt 2/3, invoice 2/3
    assert result.macro_f1 == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_only_examples_labelled_for_a_target_count_for_it():
    examples = [Example("a", {"doc_type": "ticket", "urgency": "high"}), Example("b", {"doc_type": "invoice"})]
    predicted = [{"doc_type": "ticket", "urgency": "low"}, {"doc_type": "invoice", "urgency": "high"}]
    scores = score(examples, predicted, ["doc_type", "urgency", "department"], {})
    assert set(scores) == {"doc_type", "urgency"}  # nobody is labelled for department
    assert scores["urgency"].examples == 1 and scores["urgency"].accuracy == 0.0
    assert mean_macro_f1(scores) == pytest.approx((1.0 + 0.0) / 2)
    assert mean_macro_f1({}) == 0.0


def test_tables_show_every_column_and_mark_what_a_column_lacks():
    one = score_target("doc_type", ["ticket"], ["ticket"])
    table = scores_table({"model": {"doc_type": one}, "baseline": {}})
    assert "| doc_type | 1 | 1.000 | 1.000 | - | - |" in table
    assert confusion_table(one).splitlines()[-1] == "| ticket | 1 |"
