"""``primum score`` on the shipped model (marked ``model``): JSON lines, with what the bot would do."""

import io
import json

import pytest

from primum.cli import main
from primum.cli.score import configured_thresholds

pytestmark = pytest.mark.model


def test_score_args_csv_and_stdin(capsys, monkeypatch, labelled_csv) -> None:
    assert main(["score", "thank you so much", "you absolute moron"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert set(lines[0]) >= {"score", "categories", "flagged", "hidden", "model_version"}
    assert lines[0]["score"] < lines[1]["score"]
    assert lines[1]["flagged"] is True and lines[0]["flagged"] is False

    assert main(["score", "--csv", str(labelled_csv)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 7

    monkeypatch.setattr("sys.stdin", io.StringIO("first line\n\nsecond line\n"))
    assert main(["score"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_score_names_the_runtime_in_the_version(capsys) -> None:
    from primum.inference.engine import read_card

    version = read_card()["version"]
    assert main(["score", "you absolute moron"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert main(["score", "--runtime", "torch-fp32", "you absolute moron"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert default["model_version"] == version
    assert full["model_version"] == f"{version}+fp32"
    assert default["flagged"] and full["flagged"]
    assert default["score"] != full["score"]


def test_score_on_a_terminal_says_what_it_is_waiting_for(capsys, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("thank you\n"))
    assert main(["score"]) == 0
    captured = capsys.readouterr()
    assert "reading texts from the terminal" in captured.err and "Ctrl-D" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_score_does_not_report_hiding_while_hiding_is_off(capsys, monkeypatch, tmp_path) -> None:
    text = "I will find where you live and make you pay, you worthless idiot"
    monkeypatch.chdir(tmp_path)  # no .env here: the shipped defaults, where hiding is off
    monkeypatch.delenv("PRIMUM_CONFIG", raising=False)
    assert main(["score", text]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["hidden"] is False
    assert line["flagged"] == (line["score"] >= configured_thresholds(_card_thresholds())[0])

    config = tmp_path / "hide.toml"
    config.write_text("[kindness]\nnudge_threshold = 0.05\nhide_threshold = 0.1\n", encoding="utf-8")
    monkeypatch.setenv("PRIMUM_CONFIG", str(config))
    assert main(["score", text]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["flagged"] is True and line["hidden"] is True  # what the configured thresholds would do


def _card_thresholds():
    from primum.inference.engine import card_thresholds, read_card

    return card_thresholds(read_card())


