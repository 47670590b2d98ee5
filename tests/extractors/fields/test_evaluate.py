"""Scoring and dataset recognition of ``docpipe eval extract`` (no model needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cli.main import main
from docpipe.errors import ConfigurationError
from extractors.fields.evaluate import FieldScore, labelled_dataset


def test_text_dates_and_amounts_match_after_normalisation():
    company, when, total = FieldScore(), FieldScore(), FieldScore()
    company.add("Sam Sam Trading Co.", "SAM SAM TRADING CO", "text")
    company.add("SAM SAM", "SAM SAM TRADING CO", "text")
    when.add(date(2017, 12, 29), "29-12-2017", "date_dmy")
    when.add(date(2020, 3, 4), "3/4/20", "date")  # US labels: month first
    total.add(Decimal("14.1"), "14.10", "amount")
    total.add(None, "$15,000.00", "amount")
    assert (company.correct, company.exact_match) == (1, 0.5)
    assert when.exact_match == 1.0
    assert (total.precision, total.recall) == (1.0, 0.5)
    assert total.f1 == pytest.approx(2 / 3)


def test_decoys_reward_null_and_penalise_invention():
    score = FieldScore()
    score.add(None, None, "jurisdiction")
    score.add("Delaware", None, "jurisdiction")
    score.add("the laws of the State of New York", "New York", "jurisdiction")
    assert score.exact_match == pytest.approx(2 / 3)
    assert (score.predicted, score.labelled, score.correct) == (2, 1, 1)


def test_parties_are_scored_per_name_without_aliases():
    score = FieldScore()
    score.add(["Kite Pharma, Inc.", "Umbrella Corp"], ["Kite Pharma Inc.", 'Gilead Sciences, Inc. ("Gilead")'], "parties")
    assert (score.correct, score.predicted, score.labelled) == (1, 2, 2)
    assert score.exact_match == 0.0
    # An alias in quotes without brackets; the clause defining "the Parties" is no name.
    labels = ['Tickets.com Inc. "Tickets"', 'Antares Pharma, Inc. ("Antares")',
              'individually as "Party" and collectively as the "Parties"',
              'Company and Consultant (individually, a “Party”', 'collectively, the “Parties”)',
              'mPhase Technologies Inc. ("mPhase")("a Party" and collectively, "the Parties")']
    score = FieldScore()
    score.add(["Tickets.com, Inc.", "Antares Pharma, Inc.", "mPhase Technologies Inc."], labels, "parties")
    assert (score.correct, score.predicted, score.labelled, score.exact_match) == (3, 3, 3, 1.0)


def test_terms_compare_number_and_unit():
    score = FieldScore()
    score.add("three (3) years", "3_years", "duration")
    assert score.correct == 1


def test_only_datasets_with_field_labels_are_evaluated(tmp_path):
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("subject,body,queue,priority\nVPN,down,IT Support,high\n")
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "tickets.csv").write_bytes(tickets.read_bytes())
    with pytest.raises(ValueError, match="bueck labels no fields"):
        labelled_dataset(folder)
    with pytest.raises(ValueError, match="not a dataset layout"):
        labelled_dataset(tmp_path / "missing")
    (folder / "x.json").write_text('[{"issuer": "OYO"}]')
    (folder / "x.txt").write_text("OYO")
    (folder / "tickets.csv").unlink()
    assert labelled_dataset(folder)[0].name == "invoice2data"


def test_cli_registers_eval_extract(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "extract", "--help"])
    assert exit_info.value.code == 0
    assert "DATASET" in capsys.readouterr().out
    assert main(["eval", "extract", str(tmp_path / "missing")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err


@pytest.mark.slow
def test_an_evaluation_scores_the_first_tier_alone_and_the_cascade(tmp_path, model_settings):
    from extractors.fields.evaluate import evaluate

    folder = tmp_path / "i2d"
    folder.mkdir()
    # A thank-you note labelled as an invoice: no tier finds its fields, so both tiers read it.
    (folder / "note.json").write_text('[{"issuer": "Kim", "amount": 12.5, "currency": "EUR"}]')
    (folder / "note.txt").write_text("Dear team, thank you for the lovely lunch. Best wishes, Kim")
    result = evaluate(folder, model_settings)
    assert result.last_tiers == [2] and sorted(result.tier_seconds) == [1, 2]
    assert result.first_tier_scores["issuer"].documents == result.scores["issuer"].documents == 1
    [row] = result.documents
    assert set(row["tier_seconds"]) == {"1", "2"} and "first_tier" in row["issuer"]
    table = result.table()
    assert "tier1 EM" in table and "tier 2: read 1 docs" in table and "last tier of 1/1 docs" in table


@pytest.mark.slow
def test_warm_by_cross_validation_each_document_is_read_by_a_memory_of_the_others(tmp_path, model_settings):
    from extractors.fields.evaluate import evaluate
    from tests.documents import vendor_invoice_pdf

    folder = tmp_path / "i2d"
    folder.mkdir()
    for name, number, issued, total in (("march", "HS-1001", "14 March 2026", "1,250.00"),
                                        ("april", "HS-1187", "9 April 2026", "3,480.50")):
        (folder / f"{name}.pdf").write_bytes(vendor_invoice_pdf(number, issued, total, "Northwind Traders"))
        (folder / f"{name}.json").write_text(
            f'[{{"issuer": "Harbour Supplies Ltd", "invoice_number": "{number}", "date": "{issued}", '
            f'"amount": "{total}", "currency": "EUR"}}]'
        )
    cold = evaluate(folder, model_settings, limit=1)
    assert 0 not in cold.tier_seconds  # cold: no memory, whatever is trained
    warm = evaluate(folder, model_settings, memory_folds=2)
    assert warm.last_tiers == [0, 0] and sorted(warm.tier_seconds) == [0]  # no model read them
    assert {label: score.exact_match for label, score in warm.scores.items()} == dict.fromkeys(
        ("issuer", "invoice_number", "date", "amount", "currency"), 1.0
    )
    # Documents in file-name order: april (fold 0) is read by a memory of march (fold 1) alone.
    assert warm.documents[0]["doc_id"] == "april" and "like invoice2data:march " in warm.documents[0]["memory"]
    assert "tier 0 (memory): read 2 docs" in warm.table()
    alone = evaluate(folder, model_settings, memory_folds=2, memory_only=True)
    assert {label: score.exact_match for label, score in alone.scores.items()} == {
        label: score.exact_match for label, score in warm.scores.items()
    }
    with pytest.raises(ConfigurationError, match="folds"):
        evaluate(folder, model_settings, memory_only=True)
