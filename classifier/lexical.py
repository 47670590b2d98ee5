"""The lexical branch beside the fine-tuned encoder: TF-IDF word 1-2-grams + logistic regression.

Why a second branch: on small, noisy labelled sets (helpdesk queues, urgency) a handful of
words often decide the label, and a linear model over word n-grams keeps them sharper than
a mean-pooled encoder does; the two err differently, so the blend of their probabilities
beats either (measured with 5-fold cross-validation on the Bueck tickets: docs/classifier.md).
The blend weight of each target is chosen on the validation split (``classifier.train``);
0 leaves the encoder alone.

On disk: ``lexical.json`` (vocabulary and settings) and ``lexical.safetensors`` (IDF
weights, one coefficient matrix and intercept vector per target): no pickles, so a model
directory stays data, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.data import Example
from classifier.taxonomy import Taxonomy

JSON_FILE, WEIGHTS_FILE = "lexical.json", "lexical.safetensors"
NGRAM_RANGE = (1, 2)
MIN_DOCUMENT_FREQUENCY = 2
"""An n-gram seen in one training document only is noise, not evidence."""
MAX_FEATURES = 100_000
"""Bounds the model directory (features x labels floats) on large training sets."""
ABSENT_LABEL_LOGIT = -30.0
"""Score of a label with no training examples: never predicted by this branch."""


def _vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=NGRAM_RANGE,
        min_df=MIN_DOCUMENT_FREQUENCY,
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


@dataclass
class LexicalModel:
    vectorizer: TfidfVectorizer
    coefficients: dict[str, np.ndarray]
    """Per target: (labels, features), rows in taxonomy label order."""
    intercepts: dict[str, np.ndarray]
    """Per target: (labels,)."""
    regularisation: float

    @classmethod
    def train(cls, examples: list[Example], taxonomy: Taxonomy, regularisation: float = 10.0) -> LexicalModel | None:
        """One multinomial logistic regression per target over shared TF-IDF features.

        ``regularisation`` is scikit-learn's C (inverse L2 strength). None when the
        examples have too few distinct words to build features from.
        """
        vectorizer = _vectorizer()
        try:
            features = vectorizer.fit_transform([ex.text for ex in examples])
        except ValueError:  # empty vocabulary: every word occurs in fewer than MIN_DOCUMENT_FREQUENCY documents
            return None
        coefficients, intercepts = {}, {}
        for target in taxonomy.targets:
            coefficient = np.zeros((len(target.labels), features.shape[1]), np.float32)
            intercept = np.full(len(target.labels), ABSENT_LABEL_LOGIT, np.float32)
            rows = [i for i, ex in enumerate(examples) if target.name in ex.labels]
            gold = [target.index(examples[i].labels[target.name]) for i in rows]
            present = sorted(set(gold))
            if len(present) == 1:
                intercept[present[0]] = 0.0
            elif present:
                fitted = LogisticRegression(C=regularisation, max_iter=3000).fit(features[rows], gold)
                if len(present) == 2:  # scikit-learn keeps one row: the second class's score against the first
                    coefficient[present[1]], intercept[present[1]], intercept[present[0]] = (
                        fitted.coef_[0],
                        fitted.intercept_[0],
                        0.0,
                    )
                else:
                    coefficient[fitted.classes_] = fitted.coef_
                    intercept[fitted.classes_] = fitted.intercept_
            else:
                intercept[:] = 0.0  # no labelled rows: uniform (its blend weight stays 0)
            coefficients[target.name], intercepts[target.name] = coefficient, intercept
        return cls(vectorizer, coefficients, intercepts, regularisation)

    def log_probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per target, (len(texts), labels) log-probabilities in taxonomy label order."""
        features = self.vectorizer.transform(texts)
        out = {}
        for target, coefficient in self.coefficients.items():
            scores = np.asarray(features @ coefficient.T) + self.intercepts[target]
            scores -= scores.max(axis=1, keepdims=True)
            out[target] = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return out

    def save(self, directory: Path) -> None:
        vocabulary = {term: int(index) for term, index in self.vectorizer.vocabulary_.items()}
        meta = {
            "ngram_range": list(NGRAM_RANGE),
            "regularisation": self.regularisation,
            "targets": list(self.coefficients),
            "vocabulary": vocabulary,
        }
        (directory / JSON_FILE).write_text(json.dumps(meta), encoding="utf-8")
        arrays = {"idf": self.vectorizer.idf_.astype(np.float32)}
        for target in self.coefficients:
            arrays[f"coefficients.{target}"] = self.coefficients[target]
            arrays[f"intercepts.{target}"] = self.intercepts[target]
        save_file(arrays, directory / WEIGHTS_FILE)

    @classmethod
    def load(cls, directory: Path) -> LexicalModel | None:
        """The branch saved in ``directory``; None for a model trained without one."""
        if not (directory / JSON_FILE).is_file():
            return None
        meta = json.loads((directory / JSON_FILE).read_text(encoding="utf-8"))
        arrays = load_file(directory / WEIGHTS_FILE)
        vectorizer = _vectorizer(meta["vocabulary"])
        vectorizer.idf_ = arrays["idf"]
        return cls(
            vectorizer,
            {target: arrays[f"coefficients.{target}"] for target in meta["targets"]},
            {target: arrays[f"intercepts.{target}"] for target in meta["targets"]},
            meta["regularisation"],
        )
