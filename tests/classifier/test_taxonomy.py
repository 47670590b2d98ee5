"""The taxonomy file: the packaged default, validation of edited files, label normalisation."""

from __future__ import annotations

import pytest

from classifier.taxonomy import Taxonomy
from docpipe.stages import TARGETS
from docpipe.errors import ConfigurationError


def test_packaged_taxonomy_has_the_issue_labels():
    taxonomy = Taxonomy.load()
    assert taxonomy.names == TARGETS
    assert taxonomy.target("doc_type").labels == ("invoice", "receipt", "contract", "ticket", "other")
    assert taxonomy.target("urgency").labels == ("low", "medium", "high")
    departments = taxonomy.target("department").labels
    assert departments[:3] == ("Finance", "Legal", "Procurement") and len(departments) == 13
    assert "Service Outages and Maintenance" in departments and "General Inquiry" in departments


def test_round_trips_through_its_toml(tmp_path):
    taxonomy = Taxonomy.load()
    copy = tmp_path / "taxonomy.toml"
    copy.write_text(taxonomy.to_toml())
    assert Taxonomy.load(copy) == taxonomy
    assert Taxonomy.load(copy).fingerprint() == taxonomy.fingerprint()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[doc_type]\nlabels=["a","b"]\n[urgency]\nlabels=["l","h"]\n', "exactly the targets"),
        ('[doc_type]\nlabels=["a"]\n[urgency]\nlabels=["l","h"]\n[department]\nlabels=["x","y"]\n', "at least 2"),
        ('[doc_type]\nlabels=["a","A"]\n[urgency]\nlabels=["l","h"]\n[department]\nlabels=["x","y"]\n', "duplicate"),
        (
            '[doc_type]\nlabels=["a","b"]\nfallback="c"\n[urgency]\nlabels=["l","h"]\n[department]\nlabels=["x","y"]\n',
            "fallback",
        ),
        ("[doc_type\n", "not valid TOML"),
    ],
)
def test_a_broken_taxonomy_file_is_a_configuration_error(tmp_path, content, message):
    path = tmp_path / "taxonomy.toml"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        Taxonomy.load(path)


def test_labels_are_matched_case_insensitively_and_unknown_ones_fall_back():
    taxonomy = Taxonomy.load()
    assert taxonomy.target("urgency").normalise(" HIGH ") == "high"
    assert taxonomy.target("doc_type").normalise("letter") == "other"  # fallback
    assert taxonomy.target("department").normalise("Marketing") is None  # no fallback: unlabelled
    assert taxonomy.target("department").normalise("") is None
