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
