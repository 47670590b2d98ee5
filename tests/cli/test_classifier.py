"""``docpipe eval classify`` (model + baseline in one run) and the ``docpipe train`` command line."""

from __future__ import annotations

import csv
import json

import pytest

from classifier.synthetic import generate
from classifier.taxonomy import Taxonomy
from cli.main import build_parser, main
from docpipe.settings import get_settings

pytestmark = pytest.mark.slow


def write_csv(path, examples):
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "doc_type", "urgency", "department"])
        for ex in examples:
            writer.writerow([ex.text, ex.labels["doc_type"], ex.labels.get("urgency", ""), ex.labels["department"]])
    return path


@pytest.fixture
def cli_env(tiny_model, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCPIPE_DATABASE_URL", tiny_model.settings.database_url)
    monkeypatch.setenv("DOCPIPE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_TRAINING_DATA", "[]")
    monkeypatch.setenv("DOCPIPE_DRIFT_MIN_DOCUMENTS", "10")  # a small held-out set is still compared
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_eval_prints_model_and_baseline_side_by_side(tiny_model, cli_env, tmp_path, capsys):
    held_out = write_csv(tmp_path / "held_out.csv", generate(Taxonomy.load(), per_label=2, seed=999))
    assert main(["eval", "classify", str(held_out), "--model", str(tiny_model.directory), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model_version"] == tiny_model.directory.name
    assert set(report["model"]) == set(report["baseline"]) == {"doc_type", "urgency", "department"}
    # every row the model learnt from, rebuilt: training and validation
    assert report["baseline_training_rows"] == len(tiny_model.data.train) + len(tiny_model.data.validation)
    assert report["model_without_memory"] == {} and report["memory_repeats"] is None  # nothing remembered
    assert report["overlap_with_training"] == 0
    # Generated documents of the kind it was validated on: the drift check's index, per target.
    assert set(report["drift_psi"]) == {f"{t} {m}" for t in ("doc_type", "urgency", "department") for m in ("labels", "confidence")}
    assert all(value >= 0 for value in report["drift_psi"].values())

    assert main(["eval", "classify", str(held_out), "--model", str(tiny_model.directory), "--confusion"]) == 0
    table = capsys.readouterr().out
    assert "model accuracy | model macro-F1 | baseline accuracy | baseline macro-F1" in table
    assert "drift against the model's validation rows (PSI, warning above 0.25): doc_type labels " in table
    assert "model confusion, department" in table


def test_eval_on_training_rows_says_it_is_not_held_out(tiny_model, cli_env, tmp_path, capsys):
    seen = write_csv(tmp_path / "seen.csv", tiny_model.data.train[:5])
    assert main(["eval", "classify", str(seen), "--model", str(tiny_model.directory)]) == 0
    assert "5 evaluation texts are among the training rows" in capsys.readouterr().out


def test_eval_scores_a_model_with_and_without_its_memory(tiny_model, cli_env, tmp_path, capsys):
    import shutil
    from dataclasses import replace

    from classifier.memory import ExampleMemory
    from classifier.model import ClassifierModel

    folder = shutil.copytree(tiny_model.directory, tmp_path / "remembering")
    model = ClassifierModel.load(folder)
    validation = tiny_model.data.validation
    model.memory = ExampleMemory.build([replace(ex, source=f"reviewed#{n}") for n, ex in enumerate(validation)], model.taxonomy)
    model.memory.weights = {name: 0.95 for name in model.taxonomy.names}
    model.save(folder, "remembering")
    rows = write_csv(tmp_path / "remembered.csv", validation)

    assert main(["eval", "classify", str(rows), "--model", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert all(s["accuracy"] == 1.0 for s in report["model"].values())
    assert set(report["model_without_memory"]) == set(report["model"])
    assert any(s["accuracy"] < 1.0 for s in report["model_without_memory"].values())
    assert report["overlap_with_training"] == len(validation)  # validation rows are rows the model learnt from
    assert report["memory_repeats"] == len(validation)


def test_eval_without_a_model_is_a_clear_error(cli_env, tmp_path, capsys):
    data = write_csv(tmp_path / "x.csv", generate(Taxonomy.load(), per_label=1, seed=1))
    assert main(["eval", "classify", str(data)]) == 2
    assert "docpipe train" in capsys.readouterr().err


def test_train_command_is_registered_with_its_options():
    args = build_parser().parse_args(
        ["train", "--dataset", "a.csv", "--dataset", "bueck:b.csv", "--epochs", "2", "--no-promote"]
    )
    assert args.dataset == ["a.csv", "bueck:b.csv"] and args.epochs == 2 and args.no_promote
