"""A labelled example, and the part of a document's text the classifier reads.

Small on purpose: the model, its branches and the generator import this, not the dataset
readers (classifier.data) or the generator (classifier.synthetic).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SYNTHETIC_SOURCE = "synthetic:"
"""``Example.source`` prefix of generated documents (classifier.synthetic)."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: dict[str, str] = field(default_factory=dict)
    """Target name -> label; a target absent here is unlabelled for this example."""
    source: str = ""
    """Where the example came from (dataset and row), for reports and debugging."""


# What the classifier reads of a long document: its head and tail. Tokenising a 300-page
# contract to keep 256 tokens, or taking all its n-grams, would dominate the time (n-grams of
# a 38,000-character contract: 41 ms); what a document is and who must act on it shows in
# its first pages and its last.
HEAD_CHARS, TAIL_CHARS = 12_000, 3_000


def reading_window(text: str) -> str:
    """The part of ``text`` every branch of the classifier reads (encoder, n-grams, memory)."""
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]
