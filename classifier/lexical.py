"""The lexical branch beside the fine-tuned encoder: TF-IDF n-grams + logistic regression.

Why a second branch: on small, noisy labelled sets (helpdesk queues, urgency) a handful of
words often decide the label, and a linear model over word n-grams keeps them sharper than
a mean-pooled encoder does; the two err differently, so the blend of their probabilities
beats either (measured with 5-fold cross-validation on the Bueck tickets: docs/classifier.md).
The blend weight of each target is chosen on the validation split (``classifier.train``);
0 leaves the encoder alone.

Features: word 1-2-grams and character 2-5-grams within words (``FEATURE_SETS``). The
character n-grams catch inflections, compounds and typos (OCR noise) that whole words
miss: in cross-validation on the Bueck tickets they added ~1 point of accuracy and 1-2.5
points of macro-F1 to the blend on both targets (docs/classifier.md).

On disk: ``lexical.json`` (each feature set's vocabulary and settings) and
``lexical.safetensors`` (IDF weights per feature set, one coefficient matrix and
intercept vector per target): no pickles, so a model directory stays data, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.calibration import log_softmax
from classifier.examples import Example, reading_window
from classifier.taxonomy import Taxonomy

JSON_FILE, WEIGHTS_FILE = "lexical.json", "lexical.safetensors"
FEATURE_SETS = (("word", (1, 2)), ("char_wb", (2, 5)))
"""(analyzer, n-gram range) of each TF-IDF feature set, concatenated in this order."""
MIN_DOCUMENT_FREQUENCY = 2
"""An n-gram seen in one training document only is noise, not evidence."""
MAX_FEATURES = 50_000
"""Per feature set: bounds the model directory (features x labels floats) on large training sets."""
ABSENT_LABEL_LOGIT = -30.0
"""Score of a label with no training examples: never predicted by this branch."""


def tfidf_vectorizer(
    analyzer: str,
    ngram_range: tuple[int, int],
    vocabulary: dict[str, int] | None = None,
    min_df: int = MIN_DOCUMENT_FREQUENCY,
    max_features: int = MAX_FEATURES,
) -> TfidfVectorizer:
    """Sublinear-TF TF-IDF in float32; with a saved ``vocabulary``, ready once ``idf_`` is set."""
    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngram_range,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


@dataclass
class LexicalModel:
    vectorizers: list[TfidfVectorizer]
    """One per feature set; their features are concatenated."""
    coefficients: dict[str, np.ndarray]
    """Per target: (labels, features), rows in taxonomy label order."""
    intercepts: dict[str, np.ndarray]
    """Per target: (labels,)."""
    regularisation: float

    def __post_init__(self) -> None:
        # (features, labels), contiguous: a sparse row times the transposed view would copy
        # the whole matrix on every call (~1.5 ms per target at 100,000 features).
        self._by_feature = {target: np.ascontiguousarray(c.T) for target, c in self.coefficients.items()}

    @classmethod
    def train(cls, examples: list[Example], taxonomy: Taxonomy, regularisation: float = 10.0) -> LexicalModel | None:
        """One multinomial logistic regression per target over shared TF-IDF features.

        ``regularisation`` is scikit-learn's C (inverse L2 strength). None when the
        examples have too few distinct words to build features from.
        """
        texts = [reading_window(ex.text) for ex in examples]
        vectorizers = [tfidf_vectorizer(analyzer, ngram_range) for analyzer, ngram_range in FEATURE_SETS]
        try:
            features = hstack([vectorizer.fit_transform(texts) for vectorizer in vectorizers]).tocsr()
        except ValueError:  # empty vocabulary: every n-gram occurs in fewer than MIN_DOCUMENT_FREQUENCY documents
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
        return cls(vectorizers, coefficients, intercepts, regularisation)

    def log_probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per target, (len(texts), labels) log-probabilities in taxonomy label order."""
        texts = [reading_window(text) for text in texts]
        features = hstack([vectorizer.transform(texts) for vectorizer in self.vectorizers]).tocsr()
        out = {}
        for target in self.coefficients:
            out[target] = log_softmax(np.asarray(features @ self._by_feature[target]) + self.intercepts[target])
        return out

    def save(self, directory: Path) -> None:
        feature_sets = [
            {
                "analyzer": vectorizer.analyzer,
                "ngram_range": list(vectorizer.ngram_range),
                "vocabulary": {term: int(index) for term, index in vectorizer.vocabulary_.items()},
            }
            for vectorizer in self.vectorizers
        ]
        meta = {"feature_sets": feature_sets, "regularisation": self.regularisation, "targets": list(self.coefficients)}
        (directory / JSON_FILE).write_text(json.dumps(meta), encoding="utf-8")
        arrays = {f"idf.{number}": vectorizer.idf_.astype(np.float32) for number, vectorizer in enumerate(self.vectorizers)}
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
        if "feature_sets" not in meta:  # models of 2026-11-26 before character n-grams: word n-grams only
            meta["feature_sets"] = [{"analyzer": "word", "ngram_range": meta["ngram_range"], "vocabulary": meta["vocabulary"]}]
            arrays["idf.0"] = arrays["idf"]
        vectorizers = []
        for number, spec in enumerate(meta["feature_sets"]):
            vectorizer = tfidf_vectorizer(spec["analyzer"], tuple(spec["ngram_range"]), spec["vocabulary"])
            vectorizer.idf_ = arrays[f"idf.{number}"]
            vectorizers.append(vectorizer)
        return cls(
            vectorizers,
            {target: arrays[f"coefficients.{target}"] for target in meta["targets"]},
            {target: arrays[f"intercepts.{target}"] for target in meta["targets"]},
            meta["regularisation"],
        )
