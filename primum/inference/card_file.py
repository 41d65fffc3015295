"""The model folder and its machine-readable card (``card.json``): one place that reads and writes it.

Why a module of its own: the network loader (``net``) and the engine both read the card, and the
engine imports the network lazily, so the two cannot import each other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent / "model"


def read_card(model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """The machine-readable model card (version, labels, thresholds, metrics)."""
    data: dict[str, Any] = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    return data


def write_card(model_dir: Path, card: dict[str, Any]) -> None:
    """Save the machine-readable model card (``read_card`` reads it back)."""
    (model_dir / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
