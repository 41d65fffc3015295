"""One labelled row and its targets: the shape every training source is mapped into."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from primum.inference.protocol import CATEGORIES

#: Model outputs, in order: the overall unkind score first, then the categories.
LABELS: tuple[str, ...] = ("unkind", *CATEGORIES)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PUBLIC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

Target = tuple[float | None, ...]

_PROFANITY = re.compile(
    r"\b(fuck\w*|shit\w*|bullshit|damn\w*|crap\w*|bitch\w*|ass|asshole\w*|arse\w*|bastard\w*|hell|piss\w*|"
    r"dick\w*|cunt\w*|wtf|ffs|goddamn\w*|bloody|motherf\w*|jesus christ|christ)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Example:
    """One labelled text; ``kind`` says what it tests (clinical, venting, insult, madlibs ...)."""

    text: str
    targets: Target
    source: str
    kind: str
    split: str  # "train", "dev", or "withheld" (neither)
    weight: float = 1.0
    origin: str = ""  # our rows: the file they come from (e.g. "kindness_dev3")

    @property
    def unkind(self) -> float | None:
        """The overall label (None when the source did not judge it)."""
        return self.targets[0]


def profanity_label(text: str) -> float:
    """Weak profanity label from a word list."""
    return 1.0 if _PROFANITY.search(text) else 0.0


def hash_bucket(text: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) per text, for hash-based splits."""
    digest = hashlib.sha256(f"{salt}:{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def make_targets(unkind: float | None, *, prof: float | None = None, **cats: float | None) -> Target:
    """The model's target tuple; a category the source did not judge is None (masked), except on kind rows."""
    values: list[float | None] = [unkind]
    for name in CATEGORIES:
        if name == "profanity":
            values.append(prof)
        else:
            values.append(cats.get(name, 0.0 if unkind == 0.0 else None))
    return tuple(values)
