"""The memory of labelled documents: near repeats take their labels, others are left alone."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.examples import Example, reading_window
from classifier.memory import MAX_TERMS_PER_ROW, ExampleMemory, _keep_heaviest_terms
from classifier.synthetic import generate
from classifier.taxonomy import Taxonomy

TICKETS = [
    (
        "Subject: Refund for a double charge\n\nMy credit card was charged twice for the annual plan this month. "
        "Please refund the duplicate payment to the same card.",
        {"doc_type": "ticket", "department": "Billing and Payments", "urgency": "medium"},
    ),
    (
        "Subject: VPN drops every few minutes\n\nSince the update the company VPN disconnects every few minutes "
        "and I lose my remote desktop session.",
        {"doc_type": "ticket", "department": "IT Support", "urgency": "high"},
    ),
    (
        "Subject: Question about the enterprise plan\n\nCould you send pricing for the enterprise plan with "
        "single sign-on for forty users?",
        {"doc_type": "ticket", "department": "Sales and Pre-Sales", "urgency": "low"},
    ),
    (
        "Subject: Exchange a damaged monitor\n\nThe monitor we received has a cracked screen. We would like to "
        "exchange it for a new one.",
        {"doc_type": "ticket", "department": "Returns and Exchanges", "urgency": "medium"},
    ),
]
REPEAT = (  # the first ticket, re-sent in other words
    "Subject: Double charge refund\n\nMy credit card was charged twice for the annual plan this month. "
    "Could you refund the duplicate payment to the card?"
)
UNRELATED = "Subject: Lunch order\n\nWho is ordering the sandwiches for the team meeting on Friday?"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture
def memory(taxonomy) -> ExampleMemory:
    examples = [Example(text, labels, f"tickets.csv#{n}") for n, (text, labels) in enumerate(TICKETS)]
    built = ExampleMemory.build(examples, taxonomy)
    assert built is not None
    built.weights = {"department": 0.9, "urgency": 0.9, "doc_type": 0.0}
    return built


def uniform(taxonomy: Taxonomy, rows: int) -> dict[str, np.ndarray]:
    return {t.name: np.full((rows, len(t.labels)), 1 / len(t.labels)) for t in taxonomy.targets}


def test_a_near_repeat_takes_the_remembered_labels(memory, taxonomy):
    mixed = memory.mix([REPEAT, UNRELATED], uniform(taxonomy, 2))
    department, urgency = taxonomy.target("department"), taxonomy.target("urgency")
    assert department.labels[mixed["department"][0].argmax()] == "Billing and Payments"
    assert mixed["department"][0].max() == pytest.approx(0.9 + 0.1 / len(department.labels))
    assert urgency.labels[mixed["urgency"][0].argmax()] == "medium"
    np.testing.assert_allclose(mixed["department"][1], 1 / len(department.labels))  # nothing like it remembered
    np.testing.assert_allclose(mixed["doc_type"], uniform(taxonomy, 2)["doc_type"])  # weight 0: left alone
    for values in mixed.values():
        np.testing.assert_allclose(values.sum(axis=1), 1.0)
    similarity, rows = memory.nearest([REPEAT, UNRELATED])["department"]
    assert rows[0] == 0 and similarity[0] >= memory.threshold > similarity[1]
    assert memory.repeats([REPEAT, UNRELATED]).tolist() == [True, False]


def test_rows_unlabelled_for_a_target_are_never_its_evidence(taxonomy):
    memory = ExampleMemory.build(
        [Example(text, {"doc_type": "ticket"}, f"endava.csv#{n}") for n, (text, _) in enumerate(TICKETS)], taxonomy
    )
    memory.weights = {"department": 0.9, "doc_type": 0.9}
    mixed = memory.mix([REPEAT], uniform(taxonomy, 1))
    np.testing.assert_allclose(mixed["department"], uniform(taxonomy, 1)["department"])
    assert taxonomy.target("doc_type").labels[mixed["doc_type"][0].argmax()] == "ticket"


def test_generated_documents_are_not_remembered(taxonomy):
    generated = generate(taxonomy, per_label=2, seed=3)
    assert ExampleMemory.build(generated, taxonomy) is None
    real = Example(*TICKETS[0], source="tickets.csv#0")
    memory = ExampleMemory.build([*generated, real, Example(*TICKETS[1], source="tickets.csv#1")], taxonomy)
    assert memory is not None and memory.sources == ["tickets.csv#0", "tickets.csv#1"]


def test_it_round_trips_from_disk(memory, taxonomy, tmp_path):
    memory.save(tmp_path)
    loaded = ExampleMemory.load(tmp_path)
    assert loaded.weights == memory.weights and loaded.threshold == memory.threshold
    assert loaded.sources == memory.sources
    texts = [REPEAT, UNRELATED, TICKETS[2][0]]
    for target, values in memory.mix(texts, uniform(taxonomy, 3)).items():
        np.testing.assert_allclose(loaded.mix(texts, uniform(taxonomy, 3))[target], values, atol=1e-6)
    assert ExampleMemory.load(tmp_path / "elsewhere") is None


def test_long_rows_keep_their_heaviest_terms_normalised():
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(0)
    dense = rng.random((2, MAX_TERMS_PER_ROW + 500))
    dense[1, 10:] = 0.0  # a short row is kept whole
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    cut = _keep_heaviest_terms(csr_matrix(dense), MAX_TERMS_PER_ROW)
    assert cut[0].nnz == MAX_TERMS_PER_ROW and cut[1].nnz == 10
    assert cut[0].toarray().min(where=cut[0].toarray() > 0, initial=1.0) >= np.sort(dense[0])[-MAX_TERMS_PER_ROW]
    np.testing.assert_allclose(np.linalg.norm(cut.toarray(), axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(cut[1].toarray(), dense[1:2], rtol=1e-6)


def test_the_weight_is_fitted_to_what_the_validation_rows_say(memory, taxonomy):
    """Validation rows that repeat remembered documents with their labels get the memory the
    largest weight; the same rows with other labels turn it off."""
    from classifier.memory import MIX_WEIGHTS
    from classifier.train import fit_memory_weights

    agreeing = [Example(REPEAT, TICKETS[0][1]), Example(TICKETS[1][0] + " Thanks!", TICKETS[1][1])]
    know_nothing = uniform(taxonomy, len(agreeing))
    assert fit_memory_weights(memory, agreeing, know_nothing, taxonomy)["department"] == max(MIX_WEIGHTS)
    contradicting = [Example(ex.text, {**ex.labels, "department": "Human Resources"}) for ex in agreeing]
    assert fit_memory_weights(memory, contradicting, know_nothing, taxonomy)["department"] == 0.0


def test_a_long_document_is_compared_through_its_window(memory):
    long = REPEAT + " " + "\n".join(text for text, _ in TICKETS[1:]) * 200 + " " + UNRELATED
    assert len(long) > len(reading_window(long))
    np.testing.assert_array_equal(memory.similarities([long]), memory.similarities([reading_window(long)]))
