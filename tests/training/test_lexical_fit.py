"""``primum train`` fits the n-gram model on the labelled train rows and names it in the version."""

import json
import re

from primum.inference.lexical import read_lexical
from primum.training.rows import Example, make_targets
from primum.training.train import fit_and_save_lexical


def _rows() -> list[Example]:
    kind = ["thanks for the consult", "flat troponin, discharged", "I disagree, the data are thin"] * 4
    unkind = ["you useless idiot", "shut up clown", "pathetic idiot doctor"] * 4
    rows = [Example(t, make_targets(0.0), "own", "civil", "train") for t in kind]
    rows += [Example(t, make_targets(1.0, insult=1.0), "own", "insult", "train") for t in unkind]
    rows.append(Example("unlabelled text", make_targets(None), "public", "x", "train"))  # skipped
    return rows


def test_the_fit_is_saved_beside_the_encoder_and_named_in_the_version(tmp_path) -> None:
    card = {"version": "bekind-minilm-l6-ft-abc+lex-00000000"}
    (tmp_path / "card.json").write_text(json.dumps(card), encoding="utf-8")
    fit_and_save_lexical(_rows(), tmp_path, card)
    assert re.fullmatch(r"bekind-minilm-l6-ft-abc\+lex-[0-9a-f]{8}", card["version"])
    assert json.loads((tmp_path / "card.json").read_text(encoding="utf-8"))["version"] == card["version"]
    model = read_lexical(tmp_path, card["lexical"])  # its share is chosen later, on the calib rows
    assert model.logit("you useless idiot") > 0 > model.logit("thanks for the consult")
