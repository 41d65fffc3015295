"""``primum score / evaluate / calibrate`` on the shipped model (marked ``model``)."""

import argparse
import csv
import io
import json

import pytest

from primum.cli import model as cli_model

pytestmark = pytest.mark.model


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="primum")
    sub = parser.add_subparsers(dest="command", required=True)
    cli_model.register(sub)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "labelled.csv"
    rows = [
        ("The biopsy came back benign, great news for the patient.", 0, "none"),
        ("Please review the sepsis bundle before Monday's M&M.", 0, "none"),
        ("We had to cut the necrotic tissue out and irrigate the wound.", 0, "none"),
        ("I disagree with the new on-call policy, it is unfair to residents.", 0, "none"),
        ("You are a pathetic idiot.", 1, "insult"),
        ("Did they even teach you anatomy, or did you buy your degree?", 1, "belittling"),
        ("I will make sure you never work in this state again.", 1, "threat"),
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category"])
        writer.writerows(rows)
    return path


def test_score_args_csv_and_stdin(capsys, monkeypatch, labelled_csv) -> None:
    assert _run(["score", "thank you so much", "you absolute moron"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert set(lines[0]) >= {"score", "categories", "flagged", "hidden", "model_version"}
    assert lines[0]["score"] < lines[1]["score"]
    assert lines[1]["flagged"] is True and lines[0]["flagged"] is False

    assert _run(["score", "--csv", str(labelled_csv)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7

    monkeypatch.setattr("sys.stdin", io.StringIO("first line\n\nsecond line\n"))
    assert _run(["score"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_evaluate_file(capsys, labelled_csv) -> None:
    assert _run(["evaluate", str(labelled_csv), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 7
    assert result["auc"] > 0.9
    assert {"precision", "recall", "fpr"} <= set(result["nudge"])
    assert set(result["flag_rate_by_category"]) == {"none", "insult", "belittling", "threat"}


def test_calibrate_with_plot(capsys, tmp_path, labelled_csv) -> None:
    plot = tmp_path / "cal.png"
    assert _run(["calibrate", str(labelled_csv), "--target-fpr", "0.02", "--plot", str(plot)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fpr"] <= 0.02
    assert plot.stat().st_size > 1000


def test_score_names_the_runtime_in_the_version(capsys) -> None:
    from primum.inference.engine import read_card

    version = read_card()["version"]
    assert _run(["score", "you absolute moron"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert _run(["score", "--runtime", "torch-fp32", "you absolute moron"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert default["model_version"] == version
    assert full["model_version"] == f"{version}+fp32"
    assert default["flagged"] and full["flagged"]
    assert default["score"] != full["score"]


def test_unknown_runtime_is_refused_before_loading() -> None:
    from primum.inference.runtimes import open_engine

    with pytest.raises(ValueError, match="torch, torch-fp32, onnx"):
        open_engine(threads=1, runtime="tensorrt")


def test_a_missing_csv_is_one_clear_line_before_the_model_loads(capsys, tmp_path) -> None:
    missing = tmp_path / "missing.csv"
    for argv in (["score", "--csv", str(missing)], ["evaluate", str(missing)], ["calibrate", str(missing)]):
        with pytest.raises(SystemExit) as exit_info:
            _run(argv)
        assert exit_info.value.code == f"primum: {missing} does not exist"


def test_evaluate_report_without_the_public_datasets_says_what_is_missing(capsys, tmp_path) -> None:
    assert _run(["evaluate", "--report", "--public-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "needs the public datasets" in err and "davidson" in err and "--public-dir" in err
    assert "Traceback" not in err


def test_score_on_a_terminal_says_what_it_is_waiting_for(capsys, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("thank you\n"))
    assert _run(["score"]) == 0
    captured = capsys.readouterr()
    assert "reading texts from the terminal" in captured.err and "Ctrl-D" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_score_does_not_report_hiding_while_hiding_is_off(capsys, monkeypatch, tmp_path) -> None:
    text = "I will find where you live and make you pay, you worthless idiot"
    monkeypatch.chdir(tmp_path)  # no .env here: the shipped defaults, where hiding is off
    monkeypatch.delenv("PRIMUM_CONFIG", raising=False)
    assert _run(["score", text]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["hidden"] is False
    assert line["flagged"] == (line["score"] >= cli_model.configured_thresholds(_card_thresholds())[0])

    config = tmp_path / "hide.toml"
    config.write_text("[kindness]\nnudge_threshold = 0.05\nhide_threshold = 0.1\n", encoding="utf-8")
    monkeypatch.setenv("PRIMUM_CONFIG", str(config))
    assert _run(["score", text]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["flagged"] is True and line["hidden"] is True  # what the configured thresholds would do


def _card_thresholds():
    from primum.inference.engine import card_thresholds, read_card

    return card_thresholds(read_card())


@pytest.mark.parametrize(("raw", "label"), [("1", 1), ("yes", 1), ("TRUE", 1), ("unkind", 1), (" 0 ", 0), ("no", 0),
                                            ("false", 0), ("kind", 0), ("maybe", None), ("", None)])
def test_common_label_spellings_are_understood(raw, label) -> None:
    assert cli_model.parse_label(raw) == label


def test_calibrate_accepts_yes_no_labels_and_prints_how_to_apply(capsys, tmp_path, labelled_csv) -> None:
    words = tmp_path / "words.csv"
    rows = list(csv.DictReader(labelled_csv.open(newline="")))
    with words.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([(r["text"], "yes" if r["label"] == "1" else "no") for r in rows] + [("odd", "maybe")])
    assert _run(["calibrate", str(words)]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert (result["n_pos"], result["n_neg"]) == (3, 4)
    assert f"value:{result['threshold']:.2f}" in result["apply"]
    assert "to use this threshold: /kind-settings threshold action:nudge" in captured.err
    assert "skipped 1 row(s)" in captured.err and "'maybe'" in captured.err
