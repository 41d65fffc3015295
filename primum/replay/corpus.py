"""The conversations Primum ships for calibration, by split.

The ``calibration`` split may tune anything, the bot's nudge threshold included (``primum train``
holds its civil messages to the civil target); the ``dev`` split is only ever measured.
"""

from __future__ import annotations

from pathlib import Path

from primum.replay.history import History
from primum.replay.loader import load_history
from primum.replay.metrics import is_civil

CONVERSATIONS_DIR = Path(__file__).resolve().parent / "conversations"
SPLITS = ("calibration", "dev")


def load_split(split: str, folder: Path = CONVERSATIONS_DIR) -> list[History]:
    """Every conversation of one split, in file-name order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return [load_history(path) for path in sorted((folder / split).glob("*.jsonl"))]


def civil_texts(histories: list[History]) -> list[str]:
    """The text of every civil message (see ``metrics.is_civil``) that has any."""
    return [message.text for history in histories for message in history.messages
            if message.text.strip() and not message.is_bot and is_civil(message, history.meta)]
