"""The human model card states the limits its own metrics show."""

import json

from primum.inference.engine import MODEL_DIR
from primum.training.card import write_model_card


def _card_with_public_fpr(toxigen: float, davidson: float) -> dict:
    card = json.loads((MODEL_DIR / "card.json").read_text(encoding="utf-8"))
    card["metrics"]["toxigen_dev"]["fpr"] = toxigen
    card["metrics"]["davidson_dev"]["fpr"] = davidson
    return card


def test_high_false_positive_rates_off_domain_are_stated_with_the_numbers(tmp_path) -> None:
    text = write_model_card(tmp_path, _card_with_public_fpr(0.127, 0.04)).read_text(encoding="utf-8")
    limits = text.split("## Known limitations", 1)[1]
    assert "13% of ToxiGen's benign dev rows, 4% of Davidson's benign dev rows" in limits
    assert "primum calibrate" in limits


def test_no_off_domain_warning_when_public_rates_are_low(tmp_path) -> None:
    text = write_model_card(tmp_path, _card_with_public_fpr(0.03, 0.04)).read_text(encoding="utf-8")
    assert "tuned on physicians' talk" not in text
    assert "\n\n- " not in text.split("## Known limitations", 1)[1]  # the list stays one list


def test_the_card_states_the_blend_and_how_its_share_was_chosen(tmp_path) -> None:
    card = json.loads((MODEL_DIR / "card.json").read_text(encoding="utf-8"))
    card["lexical"] = {"vocab": "lexical.json", "weights": "lexical.safetensors", "weight": 0.7,
                       "features": {"word": 50000, "char": 100000}, "fit": {"c": 4.0},
                       "calib_mean_auc": {"1.0": 0.7717, "0.7": 0.775}}
    text = write_model_card(tmp_path, card).read_text(encoding="utf-8")
    assert "0.7 x the encoder's `unkind` logit + 0.3 x the n-gram logit" in text
    assert "calib rows only, by mean AUC (1.0: 0.7717, 0.7: 0.775)" in text
    card.pop("lexical")
    assert "none: the overall score is the encoder's alone" in write_model_card(tmp_path, card).read_text("utf-8")
