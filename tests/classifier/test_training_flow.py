"""Training end to end through the Prefect flow, a taxonomy change without code change, promotion."""

from __future__ import annotations

import asyncio
import csv
import json
from dataclasses import replace

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from classifier import store
from classifier.taxonomy import Taxonomy
from tests.conftest import TINY

pytestmark = pytest.mark.slow

FACILITIES_TICKETS = [
    "The heating on the third floor has been broken since Monday and the office is freezing.",
    "Two ceiling lights in meeting room B flicker constantly, please replace the tubes.",
    "The lift in building C is stuck between floors again.",
    "Our kitchen sink is blocked and water is leaking under the cabinet.",
    "Please repair the broken window latch in office 4.12.",
    "The air conditioning in the server corridor makes a loud rattling noise.",
    "A desk chair in the open-plan area has a broken wheel and is unsafe.",
    "The front door card reader does not open the door for anyone.",
]


def artifact(key: str):
    async def read():
        async with get_client() as client:
            found = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return sorted(found, key=lambda a: a.created)[-1]

    return asyncio.run(read())


def test_a_new_department_trains_through_the_flow_without_code_change(prefect_harness, settings, tmp_path):
    from classifier.model import ClassifierModel
    from flows.train import train_classifier

    edited = Taxonomy.load().to_toml().replace('"General Inquiry"]', '"General Inquiry", "Facilities"]')
    (tmp_path / "taxonomy.toml").write_text(edited)
    with (tmp_path / "facilities.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text", "doc_type", "department", "urgency"])
        for number, text in enumerate(FACILITIES_TICKETS):
            writer.writerow([f"Subject: Building issue {number}\n\n{text}", "ticket", "Facilities", "medium"])

    summary = train_classifier(
        datasets=[str(tmp_path / "facilities.csv")],
        taxonomy_path=str(tmp_path / "taxonomy.toml"),
        epochs=1,
        synthetic_per_label=TINY["synthetic_per_label"],
        max_length=TINY["max_length"],
    )

    assert summary["promoted"] and summary["reason"] == "no current model"
    assert store.current_version(settings) == summary["version"]
    model = ClassifierModel.load(store.resolve(settings))
    assert model.taxonomy.target("department").labels[-1] == "Facilities"
    assert model.net.heads["department"].out_features == 14
    prediction = model.predict([FACILITIES_TICKETS[0]])[0]
    assert prediction.labels["department"] in model.taxonomy.target("department").labels
    assert set(prediction.probabilities["department"]) == set(model.taxonomy.target("department").labels)

    manifest = json.loads((store.resolve(settings) / "training.json").read_text())
    assert manifest["sources"][0]["examples"] == len(FACILITIES_TICKETS)
    assert manifest["train_label_counts"]["department"]["Facilities"] >= 6
    assert set(summary["validation"]) == {"doc_type", "urgency", "department"}

    markdown = artifact("classifier-training").data
    assert summary["version"] in markdown and "rows gold, columns predicted" in markdown


def test_a_model_becomes_default_only_if_not_worse(tiny_model):
    from classifier.promotion import decide_promotion

    validation = tiny_model.data.validation
    same = decide_promotion(tiny_model.settings, tiny_model.result, validation)
    assert same.promote and same.current_version == tiny_model.directory.name and "not worse" in same.reason

    taxonomy = tiny_model.result.model.taxonomy
    wrong = [  # every label of every row wrong
        {t.name: next(label for label in t.labels if label != ex.labels.get(t.name)) for t in taxonomy.targets}
        for ex in validation
    ]
    worse = decide_promotion(
        tiny_model.settings, replace(tiny_model.result, network_validation_predictions=wrong), validation
    )
    assert any(s.macro_f1 > 0 for s in same.current_scores.values())  # so zero is strictly worse
    assert not worse.promote and "worse than current" in worse.reason


def test_the_gate_compares_models_without_their_memories(tiny_model, tmp_path):
    """A current model that remembers the validation rows would otherwise beat any candidate."""
    from classifier.memory import ExampleMemory
    from classifier.model import ClassifierModel
    from classifier.promotion import Promotion, decide_promotion
    from classifier.saving import save_model
    from classifier.train import evaluate_model
    from docpipe.settings import DocpipeSettings

    settings = DocpipeSettings(database_url=tiny_model.settings.database_url, data_dir=tmp_path, classifier_bf16=False)
    validation = tiny_model.data.validation
    remembering = ClassifierModel.load(tiny_model.directory)
    labelled = [replace(ex, source=f"reviewed#{n}") for n, ex in enumerate(validation)]
    remembering.memory = ExampleMemory.build(labelled, remembering.taxonomy)
    remembering.memory.weights = {name: 0.95 for name in remembering.taxonomy.names}
    scores = evaluate_model(remembering, validation)
    assert all(s.accuracy == 1.0 for s in scores.values())  # it remembers every row
    save_model(settings, replace(tiny_model.result, model=remembering), tiny_model.data, Promotion(True, "first"))
    assert ExampleMemory.load(store.resolve(settings)) is not None

    verdict = decide_promotion(settings, tiny_model.result, validation)
    assert verdict.promote and "not worse" in verdict.reason
    assert f"on the {len(validation)} of {len(validation)} validation rows it never trained on" in verdict.reason


def candidate_on(tiny_model, rows):
    """The tiny model's result as if ``rows`` were its validation split (same network)."""
    from classifier.model import ClassifierModel
    from classifier.train import predicted_labels

    network = ClassifierModel.load(tiny_model.directory)
    predictions = predicted_labels(network.probabilities([ex.text for ex in rows], use_memory=False), network.taxonomy)
    return replace(tiny_model.result, network_validation_predictions=predictions)


def test_the_gate_leaves_out_rows_the_current_model_trained_on(tiny_model):
    """Rows the current model learnt from would flatter it (a retraining on grown data draws
    a new split): it is scored on the others only."""
    from classifier.promotion import decide_promotion

    trained = tiny_model.data.train
    assert store.trained_rows(tiny_model.directory) == {store.row_key(ex.text) for ex in trained}
    rows = trained[:10] + tiny_model.data.validation
    verdict = decide_promotion(tiny_model.settings, candidate_on(tiny_model, rows), rows)
    unseen = len(tiny_model.data.validation)
    assert f"on the {unseen} of {len(rows)} validation rows it never trained on" in verdict.reason
    assert {s.examples for s in verdict.current_scores.values()} <= set(range(unseen + 1))


def test_a_current_model_that_trained_on_most_rows_is_judged_by_its_held_out_scores(tiny_model):
    from classifier.promotion import decide_promotion

    rows = tiny_model.data.train
    verdict = decide_promotion(tiny_model.settings, candidate_on(tiny_model, rows), rows)
    assert "own held-out validation rows" in verdict.reason
    recorded = json.loads((tiny_model.directory / "metrics.json").read_text())["network_validation"]
    assert {name: s.macro_f1 for name, s in verdict.current_scores.items()} == {
        name: values["macro_f1"] for name, values in recorded.items()
    }


def test_the_model_card_reports_the_current_models_accuracy_on_audit_samples(tiny_model, own_settings, tmp_path):
    from classifier.card import model_card
    from classifier.promotion import Promotion, decide_promotion
    from classifier.saving import save_model
    from docpipe.settings import DocpipeSettings
    from flows.train import current_live_accuracy
    from tests.db.test_model_accuracy import review, reviewable

    settings = DocpipeSettings(database_url=own_settings.database_url, data_dir=tmp_path, classifier_bf16=False)
    current = save_model(settings, tiny_model.result, tiny_model.data, Promotion(True, "first")).name
    review(settings, reviewable(settings, current, "x1"))
    review(settings, reviewable(settings, current, "x1"), doc_type="receipt")

    rows, note = current_live_accuracy(settings, current)
    assert note == "" and {row["stage"] for row in rows} == {"classify"}
    verdict = replace(decide_promotion(settings, tiny_model.result, tiny_model.data.validation), current_audit=rows)
    card = model_card("clf-new", tiny_model.result, tiny_model.data, verdict)
    validation = tiny_model.result.validation_scores["doc_type"].accuracy
    assert f"| doc_type | {validation:.3f} | 2 | 0.500 [0.095, 0.905] | 0 | - |" in card

    offline = settings.model_copy(update={"database_url": "postgresql+psycopg://docpipe@127.0.0.1:9/docpipe"})
    assert current_live_accuracy(offline, current) == ([], "database not reachable (OperationalError)")
    card = model_card("clf-new", tiny_model.result, tiny_model.data, replace(verdict, current_audit=[], current_audit_note="database not reachable (OperationalError)"))
    assert f"No reviews of the current model {current} yet (database not reachable (OperationalError))." in card
