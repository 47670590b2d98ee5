"""The trained model: round trip from disk, labels in the taxonomy, long inputs, calibration, baseline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.baseline import Baseline
from classifier.calibration import expected_calibration_error, fit_temperature, softmax
from classifier.examples import Example
from classifier.synthetic import generate
from classifier.taxonomy import Taxonomy

pytestmark = pytest.mark.slow

TEXTS = [
    "INVOICE INV-2041\nTotal due: 1,250.00 EUR\nPAST DUE - FINAL NOTICE",
    "Subject: VPN not working\n\nI cannot connect to the company VPN from home.",
    "MUTUAL NON-DISCLOSURE AGREEMENT between Apex Systems and Orion Media",
    "",
]


def test_the_model_round_trips_from_disk_with_identical_probabilities(tiny_model):
    from classifier.model import ClassifierModel

    loaded = ClassifierModel.load(tiny_model.directory)
    trained = tiny_model.result.model
    assert loaded.version == tiny_model.directory.name
    assert loaded.temperatures == pytest.approx(trained.temperatures)
    before, after = trained.probabilities(TEXTS), loaded.probabilities(TEXTS)
    for target in trained.taxonomy.names:
        np.testing.assert_allclose(after[target], before[target], rtol=0, atol=1e-6)


def test_predictions_are_taxonomy_labels_with_full_distributions(tiny_model):
    from classifier.model import ClassifierModel

    model = ClassifierModel.load(tiny_model.directory)
    taxonomy = Taxonomy.load()
    for prediction in model.predict(TEXTS):
        for target in taxonomy.targets:
            assert prediction.labels[target.name] in target.labels
            distribution = prediction.probabilities[target.name]
            assert list(distribution) == list(target.labels)
            assert sum(distribution.values()) == pytest.approx(1.0, abs=1e-5)
            assert prediction.confidences[target.name] == max(distribution.values())


def test_model_directory_is_complete(tiny_model):
    files = {path.name for path in tiny_model.directory.iterdir()}
    assert {
        "model.safetensors",
        "classifier.json",
        "taxonomy.toml",
        "metrics.json",
        "training.json",
        "MODEL_CARD.md",
        "trained_rows.txt",
    } <= files
    metrics = json.loads((tiny_model.directory / "metrics.json").read_text())
    assert set(metrics["validation"]) == {"doc_type", "urgency", "department"}
    assert set(metrics["temperatures"]) == {"doc_type", "urgency", "department"}
    # What production drift is measured against: the spread of its predictions on validation rows.
    reference = metrics["prediction_reference"]
    assert set(reference) == {"doc_type", "urgency", "department"}
    assert all(r["n"] == len(tiny_model.data.validation) for r in reference.values())
    assert all(abs(sum(r["labels"].values()) - 1) < 1e-9 and abs(sum(r["confidence"]) - 1) < 1e-9 for r in reference.values())
    card = (tiny_model.directory / "MODEL_CARD.md").read_text()
    assert "Confusion matrix: department" in card and "Rules that label the generated documents" in card
    assert (
        tiny_model.settings.data_dir / "models" / "classifier" / "current"
    ).read_text().strip() == tiny_model.directory.name


def test_long_documents_keep_their_head_and_tail(tiny_model):
    encoder = tiny_model.result.model.encoder
    text = "contract " + "filler " * 5000 + "payment"
    ids = encoder.ids(text)
    assert len(ids) == encoder.max_length
    tokens = encoder.tokenizer.convert_ids_to_tokens(ids)
    assert tokens[1] == "contract" and tokens[-2] == "payment"
    assert len(encoder.ids("")) == 2  # [CLS] [SEP]: an empty document is still classified


def test_temperature_scaling_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 4))
    gold = np.array([rng.choice(4, p=p) for p in softmax(logits / 2.5)])
    temperature = fit_temperature(logits, gold)
    assert temperature == pytest.approx(2.5, rel=0.1)
    assert expected_calibration_error(softmax(logits / temperature), gold) < expected_calibration_error(
        softmax(logits), gold
    )


def test_baseline_learns_the_generated_documents():
    taxonomy = Taxonomy.load()
    train = generate(taxonomy, per_label=25, seed=1)
    test = generate(taxonomy, per_label=5, seed=2)
    baseline = Baseline.train(train, taxonomy.names)
    predictions = baseline.predict([ex.text for ex in test])
    accuracy = np.mean([p["doc_type"] == ex.labels["doc_type"] for p, ex in zip(predictions, test)])
    assert accuracy > 0.8
    single = Baseline.train(
        [Example("printer broken", {"doc_type": "ticket"}), Example("vpn down", {"doc_type": "ticket"})], ("doc_type",)
    )
    assert single.predict(["anything"]) == [{"doc_type": "ticket"}]


def test_torch_gets_the_configured_threads_without_an_operator_limit(monkeypatch):
    import torch

    from classifier.model import set_threads

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    before = torch.get_num_threads()
    try:
        set_threads(2)
        assert torch.get_num_threads() == 2
        monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
        set_threads(2)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_training_stops_once_the_validation_score_no_longer_improves():
    """Validation macro-F1 of a one-label task can rise only a few times before it is 1.0
    and can rise no more: with patience 1, training ends well before its 8 epochs."""
    from classifier.train import fine_tune
    from classifier.training_set import TrainConfig, TrainingSet

    taxonomy = Taxonomy.load()
    tickets = [Example(f"Subject: request {n}\n\nplease reset password {n}", {"doc_type": "ticket"}) for n in range(40)]
    config = TrainConfig(epochs=8, patience=1, max_length=32, lexical=False)
    result = fine_tune(TrainingSet(tickets[:32], tickets[32:]), taxonomy, config, threads=2)
    assert len(result.epochs) < config.epochs
    assert result.best_epoch == max(result.epochs, key=lambda e: e.validation_mean_macro_f1).epoch
    assert result.model.lexical is None and set(result.lexical_weights.values()) == {0.0}


@pytest.mark.parametrize(("with_real_rows", "epochs"), [(False, 3), (True, 10)])
def test_epochs_left_unset_depend_on_whether_real_rows_are_trained_on(with_real_rows, epochs):
    """Read off the first progress report (steps planned), then stop: no need to train."""
    from classifier.train import fine_tune
    from classifier.training_set import TrainConfig, TrainingSet

    class Planned(Exception):
        pass

    def first_report(done: int, total: int, status: str) -> None:
        raise Planned(total, status)

    taxonomy = Taxonomy.load()
    rows = generate(taxonomy, per_label=2, seed=3)
    if with_real_rows:
        rows.append(Example("Subject: VPN down\n\nNobody can connect.", {"doc_type": "ticket"}, "tickets.csv#1"))
    config = TrainConfig(max_length=32, batch_size=16, lexical=False)
    with pytest.raises(Planned) as planned:
        fine_tune(TrainingSet(rows, []), taxonomy, config, threads=2, progress=first_report)
    total, status = planned.value.args
    assert total == -(-len(rows) // 16) * epochs
    assert f"epoch 1/{epochs}" in status


def test_the_store_finds_a_version_and_its_reference_or_says_none(tiny_model, tmp_path):
    from classifier import store
    from docpipe.settings import DocpipeSettings

    settings = DocpipeSettings(data_dir=tmp_path, classifier_model=str(tiny_model.directory))
    assert store.find(settings, tiny_model.directory.name) == tiny_model.directory.resolve()
    assert store.find(settings, "clf-that-never-was") is None
    reference = store.prediction_reference(tiny_model.directory)
    assert reference is not None and set(reference) == {"doc_type", "urgency", "department"}
    copied = tmp_path / "copied"
    copied.mkdir()
    assert store.prediction_reference(copied) is None  # no metrics.json
    (copied / "metrics.json").write_text("{not json")
    assert store.prediction_reference(copied) is None
