"""The lexical branch: learns words, never predicts unseen labels, round-trips from disk; its blend weight."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.examples import Example, reading_window
from classifier.lexical import LexicalModel
from classifier.synthetic import generate
from classifier.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture(scope="module")
def generated(taxonomy) -> tuple[list[Example], list[Example]]:
    return generate(taxonomy, per_label=20, seed=1), generate(taxonomy, per_label=4, seed=2)


def predicted(model: LexicalModel, taxonomy: Taxonomy, texts: list[str], target: str) -> list[str]:
    labels = taxonomy.target(target).labels
    return [labels[i] for i in model.log_probabilities(texts)[target].argmax(axis=1)]


def test_it_learns_the_generated_documents(taxonomy, generated):
    train, test = generated
    model = LexicalModel.train(train, taxonomy)
    assert model is not None
    guesses = predicted(model, taxonomy, [ex.text for ex in test], "doc_type")
    accuracy = np.mean([guess == ex.labels["doc_type"] for guess, ex in zip(guesses, test)])
    assert accuracy > 0.8
    for target, values in model.log_probabilities([ex.text for ex in test[:5]]).items():
        assert values.shape == (5, len(taxonomy.target(target).labels))
        np.testing.assert_allclose(np.exp(values).sum(axis=1), 1.0, atol=1e-5)


def test_a_label_without_training_examples_is_never_predicted(taxonomy):
    tickets = [
        Example(f"Subject: {subject} {n}\n\nplease help with the {subject}", {"department": department})
        for n in range(3)
        for subject, department in (("printer jam", "IT Support"), ("refund request", "Billing and Payments"))
    ]
    model = LexicalModel.train(tickets, taxonomy)
    probabilities = np.exp(model.log_probabilities(["printer jam again", "a refund please", "hello"])["department"])
    labels = taxonomy.target("department").labels
    unseen = [i for i, label in enumerate(labels) if label not in {"IT Support", "Billing and Payments"}]
    assert probabilities[:, unseen].max() < 1e-9
    assert [labels[i] for i in probabilities[:2].argmax(axis=1)] == ["IT Support", "Billing and Payments"]
    # No labelled rows for doc_type: a uniform distribution, not a guess.
    np.testing.assert_allclose(np.exp(model.log_probabilities(["x"])["doc_type"]), 1 / len(taxonomy.target("doc_type").labels))


def test_it_round_trips_from_disk(taxonomy, generated, tmp_path):
    train, test = generated
    model = LexicalModel.train(train, taxonomy)
    model.save(tmp_path)
    loaded = LexicalModel.load(tmp_path)
    texts = [ex.text for ex in test]
    for target, values in model.log_probabilities(texts).items():
        np.testing.assert_allclose(loaded.log_probabilities(texts)[target], values, atol=1e-5)
    assert LexicalModel.load(tmp_path / "elsewhere") is None


def test_a_branch_saved_before_character_n_grams_still_loads(taxonomy, generated, tmp_path, monkeypatch):
    """Model directories of 2026-11-26 hold word n-grams only, in a flat layout."""
    import json

    from safetensors.numpy import load_file, save_file

    from classifier import lexical

    train, test = generated
    monkeypatch.setattr(lexical, "FEATURE_SETS", (("word", (1, 2)),))
    model = LexicalModel.train(train, taxonomy)
    model.save(tmp_path)
    meta = json.loads((tmp_path / lexical.JSON_FILE).read_text())
    (words,) = meta.pop("feature_sets")
    meta.update(ngram_range=words["ngram_range"], vocabulary=words["vocabulary"])
    (tmp_path / lexical.JSON_FILE).write_text(json.dumps(meta))
    arrays = load_file(tmp_path / lexical.WEIGHTS_FILE)
    arrays["idf"] = arrays.pop("idf.0")
    save_file(arrays, tmp_path / lexical.WEIGHTS_FILE)

    loaded = LexicalModel.load(tmp_path)
    texts = [ex.text for ex in test]
    for target, values in model.log_probabilities(texts).items():
        np.testing.assert_allclose(loaded.log_probabilities(texts)[target], values, atol=1e-5)


def test_words_and_character_n_grams_are_both_features(taxonomy, generated):
    model = LexicalModel.train(generated[0], taxonomy)
    assert [(v.analyzer, v.ngram_range) for v in model.vectorizers] == [("word", (1, 2)), ("char_wb", (2, 5))]
    width = sum(len(v.vocabulary_) for v in model.vectorizers)
    assert all(coefficients.shape[1] == width for coefficients in model.coefficients.values())


def test_too_few_words_give_no_branch(taxonomy):
    assert LexicalModel.train([Example("alpha", {"doc_type": "ticket"}), Example("beta", {"doc_type": "other"})], taxonomy) is None


@pytest.mark.slow
def test_calibration_weights_the_branch_that_knows_more(taxonomy, generated):
    """An encoder with untrained heads knows nothing: the lexical branch gets the most
    weight allowed, and the blended model then predicts the doc types; without a branch
    every weight is 0."""
    from classifier.model import ClassifierModel
    from classifier.train import BLEND_WEIGHTS, calibrate

    train, validation = generated
    model = ClassifierModel.from_backbone("all-MiniLM-L6-v2", taxonomy, max_length=64)
    model.lexical = LexicalModel.train(train, taxonomy)
    temperatures, weights, _ = calibrate(model, validation)
    assert weights["doc_type"] == max(BLEND_WEIGHTS)
    model.temperatures, model.lexical_weights = temperatures, weights
    texts = [ex.text for ex in validation]
    guesses = [taxonomy.target("doc_type").labels[i] for i in model.probabilities(texts)["doc_type"].argmax(axis=1)]
    assert np.mean([guess == ex.labels["doc_type"] for guess, ex in zip(guesses, validation)]) > 0.8

    model.lexical = None
    _, weights, _ = calibrate(model, validation)
    assert set(weights.values()) == {0.0}


def test_a_long_document_is_read_through_its_window(taxonomy, generated):
    train, test = generated
    model = LexicalModel.train(train, taxonomy)
    assert model is not None
    # Beyond the window lie other documents' words, which would move the scores if read.
    long = " ".join(ex.text for ex in test) * 3
    assert len(long) > len(reading_window(long))
    read, window = model.log_probabilities([long]), model.log_probabilities([reading_window(long)])
    for target in taxonomy.names:
        np.testing.assert_array_equal(read[target], window[target])
