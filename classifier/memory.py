"""Labelled-document memory: a document that nearly repeats a labelled one takes its labels.

Why: back-office mail repeats itself (the same customer re-sending a ticket, a vendor's
monthly invoice, a templated notice), and a near-repeat of a document someone labelled is
better evidence of its labels than any model's generalisation. Measured on the Bueck
tickets (docs/classifier.md): in 5-fold cross-validation ~18 % of tickets have a paraphrase
among the other rows, and the most similar row's urgency and department are right 88-100 %
of the time where the word TF-IDF cosine is high, against ~80 % for the blend of encoder and
lexical branch on the same tickets.

Contract: ``ExampleMemory.build`` takes labelled examples (generated ones are left out:
the memory is of documents people labelled, and templated documents repeat each other
with different labels) and returns None when none are left. ``mix`` takes calibrated
probabilities and, per target whose weight is above 0, moves each document whose most
similar memory row labelled for that target reaches the similarity threshold towards that
row's label: ``(1 - weight) * p + weight * one_hot(label)``. The weight per target is fitted
on the validation split (``classifier.train``); 0 turns the memory off for that target.

On disk: ``memory.json`` (vocabulary, weights, row sources) and ``memory.safetensors``
(IDF, the rows' TF-IDF vectors in CSR form, their label indices per target, -1 where a row
is unlabelled for a target).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.examples import SYNTHETIC_SOURCE, Example, reading_window
from classifier.lexical import tfidf_vectorizer
from classifier.taxonomy import Taxonomy

JSON_FILE, WEIGHTS_FILE = "memory.json", "memory.safetensors"
SIMILARITY_THRESHOLD = 0.5
"""Cosine of word 1-2-gram TF-IDF vectors at and above which a memory row counts as a near
repeat. Chosen by cross-validation on the Bueck tickets: accuracy was level from 0.4 to
0.55 (the validation-fitted weight absorbs the rest) and fell at 0.6, which misses
paraphrases."""
MIX_WEIGHTS = (0.0, 0.5, 0.8, 0.9, 0.95)
"""Candidate weights of a near repeat's label, fitted per target on the validation split."""
MAX_TERMS_PER_ROW = 1_000
"""A row keeps its heaviest TF-IDF terms only: bounds the model directory when long
contracts are labelled; a ticket or an invoice has far fewer terms."""
MAX_FEATURES = 100_000
"""Vocabulary bound: on a large memory the rarest n-grams go first. Every n-gram counts
otherwise, even one seen in a single row: a word only one remembered document has is the
best evidence that a new document repeats it."""
NO_LABEL = -1
QUERY_CHUNK = 256


def _vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return tfidf_vectorizer("word", (1, 2), vocabulary, min_df=1, max_features=MAX_FEATURES)


def _keep_heaviest_terms(rows: csr_matrix, limit: int) -> csr_matrix:
    """Each row cut to its ``limit`` largest values and L2-normalised again."""
    rows = rows.tocsr()
    data, indices, indptr = [], [], [0]
    for number in range(rows.shape[0]):
        start, end = rows.indptr[number], rows.indptr[number + 1]
        values, columns = rows.data[start:end], rows.indices[start:end]
        if len(values) > limit:
            keep = np.sort(np.argpartition(values, -limit)[-limit:])
            values, columns = values[keep], columns[keep]
            norm = np.linalg.norm(values)
            values = values / norm if norm else values
        data.append(values)
        indices.append(columns)
        indptr.append(indptr[-1] + len(values))
    return csr_matrix(
        (
            np.concatenate(data).astype(np.float32) if data else np.zeros(0, np.float32),
            np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
            np.array(indptr, np.int64),
        ),
        shape=rows.shape,
    )


@dataclass
class ExampleMemory:
    vectorizer: TfidfVectorizer
    vectors: csr_matrix
    """(rows, features), L2-normalised TF-IDF of each remembered document."""
    labels: dict[str, np.ndarray]
    """Per target: (rows,) label index in taxonomy order, NO_LABEL where unlabelled."""
    sources: list[str]
    """Where each row came from (dataset and row), to say which document a match repeats."""
    weights: dict[str, float] = field(default_factory=dict)
    """Per target: weight of a near repeat's label (0 or absent: off)."""
    threshold: float = SIMILARITY_THRESHOLD
    """Similarity at and above which a row counts as a near repeat."""

    def __post_init__(self) -> None:
        # (features, rows) as CSR once: the transposed view would be converted on every lookup.
        self._by_feature = self.vectors.T.tocsr()

    @classmethod
    def build(cls, examples: list[Example], taxonomy: Taxonomy) -> ExampleMemory | None:
        """A memory of the labelled, non-generated examples; None if there are none."""
        kept = [ex for ex in examples if ex.labels and not ex.source.startswith(SYNTHETIC_SOURCE)]
        if not kept:
            return None
        vectorizer = _vectorizer()
        try:
            vectors = vectorizer.fit_transform([reading_window(ex.text) for ex in kept])
        except ValueError:  # empty vocabulary: no words at all
            return None
        labels = {
            target.name: np.array(
                [target.index(ex.labels[target.name]) if target.name in ex.labels else NO_LABEL for ex in kept],
                np.int32,
            )
            for target in taxonomy.targets
        }
        return cls(vectorizer, _keep_heaviest_terms(vectors, MAX_TERMS_PER_ROW), labels, [ex.source for ex in kept])

    def __len__(self) -> int:
        return self.vectors.shape[0]

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(texts, rows) cosine of each text with each remembered document."""
        similarity = np.empty((len(texts), len(self)), np.float32)
        for start in range(0, len(texts), QUERY_CHUNK):  # bounds the dense (texts, rows) block
            chunk = self.vectorizer.transform([reading_window(text) for text in texts[start : start + QUERY_CHUNK]])
            similarity[start : start + QUERY_CHUNK] = (chunk @ self._by_feature).toarray()
        return similarity

    def repeats(self, texts: list[str]) -> np.ndarray:
        """Per text, whether it nearly repeats a remembered document."""
        return self.similarities(texts).max(axis=1, initial=-1.0) >= self.threshold

    def nearest(self, texts: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per target: (similarity, row) of each text's most similar row labelled for it.

        Similarity is -1 where no row is labelled for the target.
        """
        similarity = self.similarities(texts)
        out = {}
        for target, labels in self.labels.items():
            candidates = np.where(labels != NO_LABEL, similarity, -1.0)
            rows = candidates.argmax(axis=1)
            out[target] = (candidates[np.arange(len(texts)), rows], rows)
        return out

    def mix(
        self, texts: list[str], probabilities: dict[str, np.ndarray], weights: dict[str, float] | None = None
    ) -> dict[str, np.ndarray]:
        """``probabilities`` with near repeats moved towards their memory row's label."""
        weights = self.weights if weights is None else weights
        if not any(weights.get(target, 0.0) for target in probabilities):
            return probabilities
        return self.mix_nearest(self.nearest(texts), probabilities, weights)

    def mix_nearest(
        self,
        nearest: dict[str, tuple[np.ndarray, np.ndarray]],
        probabilities: dict[str, np.ndarray],
        weights: dict[str, float],
    ) -> dict[str, np.ndarray]:
        """``mix`` with the texts' nearest rows (``nearest``) already looked up, so that
        several weights can be tried on one lookup."""
        out = dict(probabilities)
        for target, values in probabilities.items():
            weight = weights.get(target, 0.0)
            if not weight or target not in nearest:
                continue
            similarity, rows = nearest[target]
            repeats = np.flatnonzero(similarity >= self.threshold)
            mixed = values.copy()
            mixed[repeats] *= 1.0 - weight
            mixed[repeats, self.labels[target][rows[repeats]]] += weight
            out[target] = mixed
        return out

    def save(self, directory: Path) -> None:
        meta = {
            "vocabulary": {term: int(index) for term, index in self.vectorizer.vocabulary_.items()},
            "weights": self.weights,
            "sources": self.sources,
            "threshold": self.threshold,
        }
        (directory / JSON_FILE).write_text(json.dumps(meta), encoding="utf-8")
        arrays = {
            "idf": self.vectorizer.idf_.astype(np.float32),
            "vectors.data": self.vectors.data.astype(np.float32),
            "vectors.indices": self.vectors.indices.astype(np.int32),
            "vectors.indptr": self.vectors.indptr.astype(np.int64),
            **{f"labels.{target}": values for target, values in self.labels.items()},
        }
        save_file(arrays, directory / WEIGHTS_FILE)

    @classmethod
    def load(cls, directory: Path) -> ExampleMemory | None:
        """The memory saved in ``directory``; None for a model without one."""
        if not (directory / JSON_FILE).is_file():
            return None
        meta = json.loads((directory / JSON_FILE).read_text(encoding="utf-8"))
        arrays = load_file(directory / WEIGHTS_FILE)
        vectorizer = _vectorizer(meta["vocabulary"])
        vectorizer.idf_ = arrays["idf"]
        vectors = csr_matrix(
            (arrays["vectors.data"], arrays["vectors.indices"], arrays["vectors.indptr"]),
            shape=(len(arrays["vectors.indptr"]) - 1, len(meta["vocabulary"])),
        )
        labels = {name[len("labels.") :]: values for name, values in arrays.items() if name.startswith("labels.")}
        return cls(vectorizer, vectors, labels, meta["sources"], meta["weights"], meta["threshold"])
