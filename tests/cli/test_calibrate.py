"""``primum calibrate`` on the shipped model (marked ``model``): a threshold for a target false-positive rate."""

import csv
import json

import pytest

from primum.cli import main

pytestmark = pytest.mark.model


def test_calibrate_with_plot(capsys, tmp_path, labelled_csv) -> None:
    plot = tmp_path / "cal.png"
    assert main(["calibrate", str(labelled_csv), "--target-fpr", "0.02", "--plot", str(plot)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fpr"] <= 0.02
    assert plot.stat().st_size > 1000


def test_calibrate_accepts_yes_no_labels_and_prints_how_to_apply(capsys, tmp_path, labelled_csv) -> None:
    words = tmp_path / "words.csv"
    rows = list(csv.DictReader(labelled_csv.open(newline="")))
    with words.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([(r["text"], "yes" if r["label"] == "1" else "no") for r in rows] + [("odd", "maybe")])
    assert main(["calibrate", str(words)]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert (result["n_pos"], result["n_neg"]) == (3, 4)
    assert f"value:{result['threshold']:.2f}" in result["apply"]
    assert "to use this threshold: /kind-settings threshold action:nudge" in captured.err
    assert "skipped 1 row(s)" in captured.err and "'maybe'" in captured.err
