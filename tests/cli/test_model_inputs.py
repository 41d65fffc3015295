"""What the model commands share: label spellings, the runtimes they take, clear lines for missing CSVs."""

import pytest

from primum.cli import main
from primum.cli.model_inputs import parse_label


def test_unknown_runtime_is_refused_before_loading() -> None:
    from primum.inference.runtimes import open_engine

    with pytest.raises(ValueError, match="onnx, torch, torch-fp32"):
        open_engine(threads=1, runtime="tensorrt")


def test_a_missing_csv_is_one_clear_line_before_the_model_loads(capsys, tmp_path) -> None:
    missing = tmp_path / "missing.csv"
    for argv in (["score", "--csv", str(missing)], ["evaluate", str(missing)], ["calibrate", str(missing)]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == f"primum: {missing} does not exist"


@pytest.mark.parametrize(("raw", "label"), [("1", 1), ("yes", 1), ("TRUE", 1), ("unkind", 1), (" 0 ", 0), ("no", 0),
                                            ("false", 0), ("kind", 0), ("maybe", None), ("", None)])
def test_common_label_spellings_are_understood(raw, label) -> None:
    assert parse_label(raw) == label


