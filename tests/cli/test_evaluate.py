"""``primum evaluate`` on the shipped model (marked ``model``): metrics on a labelled sample or the card's report."""

import json

import pytest

from primum.cli import main

pytestmark = pytest.mark.model


def test_evaluate_file(capsys, labelled_csv) -> None:
    assert main(["evaluate", str(labelled_csv), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 7
    assert result["auc"] > 0.9
    assert {"precision", "recall", "fpr"} <= set(result["nudge"])
    assert set(result["flag_rate_by_category"]) == {"none", "insult", "belittling", "threat"}


def test_evaluate_report_without_the_public_datasets_says_what_is_missing(capsys, tmp_path) -> None:
    assert main(["evaluate", "--report", "--public-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "needs the public datasets" in err and "davidson" in err and "--public-dir" in err
    assert "Traceback" not in err


