"""The baseline every classifier is measured against: paperless-ngx's approach.

Word 1-2-gram counts (CountVectorizer, min_df 1 % of the documents) of lower-cased text
with punctuation removed, and one multi-layer perceptron per target
(``MLPClassifier(tol=0.01)``), as paperless-ngx's document classifier does; seeded here
so that a measurement can be repeated. It is trained on the same training rows as the
model it is compared with, inside the same evaluation run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.neural_network import MLPClassifier

from classifier.examples import Example


def preprocess(text: str) -> str:
    text = re.sub(r"\s+", " ", text.lower().strip())
    return re.sub(r"[^\w\s]", " ", text)


@dataclass
class Baseline:
    vectorizer: CountVectorizer
    classifiers: dict[str, MLPClassifier]
    constants: dict[str, str] = field(default_factory=dict)
    """Targets whose training rows all have one label: predicted as that label."""

    @classmethod
    def train(cls, examples: list[Example], targets: tuple[str, ...], seed: int = 0) -> Baseline:
        vectorizer = CountVectorizer(analyzer="word", ngram_range=(1, 2), min_df=0.01)
        features = vectorizer.fit_transform([preprocess(ex.text) for ex in examples])
        classifiers, constants = {}, {}
        for target in targets:
            rows = [i for i, ex in enumerate(examples) if target in ex.labels]
            labels = [examples[i].labels[target] for i in rows]
            if len(set(labels)) == 1:
                constants[target] = labels[0]
            elif labels:
                classifiers[target] = MLPClassifier(tol=0.01, random_state=seed).fit(features[rows], labels)
        return cls(vectorizer, classifiers, constants)

    def predict(self, texts: list[str]) -> list[dict[str, str]]:
        features = self.vectorizer.transform([preprocess(text) for text in texts])
        predictions: list[dict[str, str]] = [dict(self.constants) for _ in texts]
        for target, classifier in self.classifiers.items():
            for row, label in zip(predictions, classifier.predict(features)):
                row[target] = str(label)
        return predictions
