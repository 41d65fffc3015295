"""The conversations Primum ships for calibration, by split.

The ``calibration`` split may tune anything, the bot's nudge threshold included (``primum train``
holds its civil messages to the civil target); the ``dev`` split is only ever measured.
"""

from __future__ import annotations

import re
from pathlib import Path

from primum.replay.history import History
from primum.replay.loader import load_history
from primum.replay.metrics import is_civil

CONVERSATIONS_DIR = Path(__file__).resolve().parent / "conversations"
SPLITS = ("calibration", "dev")
#: A batch written later ends its name with a letter, a digit and an optional half ("-b1", "-e1a").
_BATCH = re.compile(r"-([a-z]\d)[ab]?$")


def load_split(split: str, folder: Path = CONVERSATIONS_DIR) -> list[History]:
    """Every conversation of one split, in file-name order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return [load_history(path) for path in sorted((folder / split).glob("*.jsonl"))]


def civil_texts(histories: list[History]) -> list[str]:
    """The text of every civil message (see ``metrics.is_civil``) that has any."""
    return [message.text for history in histories for message in history.messages
            if message.text.strip() and not message.is_bot and is_civil(message, history.meta)]


def batch_of(name: str) -> str:
    """The batch a conversation was written in, from its name: ``-e1a`` and ``-e1b`` are the two
    writers' halves of batch ``e1``; the first conversations, numbered ``-01``, are ``first``.

    Why: each later batch was written blind and replayed first for one judgement, so the README
    reports every batch on its own as well as the split as a whole."""
    found = _BATCH.search(name)
    return found.group(1) if found else "first"
