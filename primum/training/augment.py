"""Programmatic evasion variants: how people disguise unkind words to dodge a filter.

Used twice: to augment training rows (so the model sees whatever the normaliser cannot fully undo)
and to build the evasion test set from dev rows (recall on variants should match plain recall).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7"}
_HOMOGLYPH = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_ZALGO = [chr(c) for c in range(0x0300, 0x036F)]


def _target_words(text: str, rng: random.Random) -> set[int]:
    """Pick the longer words to disguise (the ones a keyword filter would look for)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(ch.isalpha() for ch in w) >= 4]
    if not candidates:
        return set()
    k = max(1, len(candidates) // 2)
    return set(rng.sample(candidates, k))


def _per_word(text: str, rng: random.Random, change: Callable[[str, random.Random], str]) -> str:
    words = text.split(" ")
    chosen = _target_words(text, rng)
    return " ".join(change(w, rng) if i in chosen else w for i, w in enumerate(words))


def leet(text: str, rng: random.Random) -> str:
    """Swap letters for look-alike digits and symbols."""
    return _per_word(text, rng, lambda w, r: "".join(_LEET.get(c, c) if r.random() < 0.7 else c for c in w))


def homoglyphs(text: str, rng: random.Random) -> str:
    """Swap Latin letters for Cyrillic twins."""
    return _per_word(text, rng, lambda w, r: "".join(_HOMOGLYPH.get(c, c) for c in w))


def zero_width(text: str, rng: random.Random) -> str:
    """Hide zero-width characters inside words."""
    return _per_word(text, rng, lambda w, r: r.choice(_ZERO_WIDTH).join(w))


def spaced(text: str, rng: random.Random) -> str:
    """Spell words out with spaces or dots between the letters."""
    sep = rng.choice([" ", ".", "-", "*"])
    return _per_word(text, rng, lambda w, r: sep.join(w))


def zalgo(text: str, rng: random.Random) -> str:
    """Pile combining marks onto letters."""
    return "".join(ch + "".join(rng.choice(_ZALGO) for _ in range(rng.randint(0, 2))) for ch in text)


def stretched(text: str, rng: random.Random) -> str:
    """Repeat a vowel in each disguised word."""

    def stretch(word: str, r: random.Random) -> str:
        vowels = [i for i, c in enumerate(word) if c in "aeiou"]
        if not vowels:
            return word
        i = r.choice(vowels)
        return word[: i + 1] + word[i] * r.randint(2, 5) + word[i + 1 :]

    return _per_word(text, rng, stretch)


def markup(text: str, rng: random.Random) -> str:
    """Wrap the message in Discord spoiler, bold or inline-code markup."""
    wrap = rng.choice(["||{}||", "**{}**", "`{}`", "__{}__", "~~{}~~"])
    return wrap.format(text)


VARIANTS: dict[str, Callable[[str, random.Random], str]] = {
    "leet": leet,
    "homoglyph": homoglyphs,
    "zero_width": zero_width,
    "spaced": spaced,
    "zalgo": zalgo,
    "stretched": stretched,
    "markup": markup,
}


def evasion_variants(text: str, seed: int = 0) -> dict[str, str]:
    """One disguised copy of ``text`` per evasion technique, deterministic for a seed."""
    rng = random.Random(f"{seed}:{text}")
    return {name: make(text, rng) for name, make in VARIANTS.items()}


def random_variant(text: str, rng: random.Random) -> str:
    """One randomly chosen disguise (for training augmentation)."""
    return rng.choice(list(VARIANTS.values()))(text, rng)


#: Endings a chat message may have; drawn without regard to the label (see ``redraw_ending``).
ENDINGS = ("", ".", "!", "!!", "!!!", "?", "...")
_TRAILING_PUNCTUATION = re.compile(r"[\s.!?…]+$")


def redraw_ending(text: str, rng: random.Random) -> str:
    """The same words with a randomly drawn ending ("", ".", "!", "!!!", "?", "...").

    Why: our own kind rows end in "!" twice as often as our unkind ones, and the model learned it:
    "go kill yourself!!!" scored under the nudge cut-off that "go kill yourself" clears. Redrawing
    the ending of a share of rows, kind and unkind alike, leaves punctuation no label to carry.
    """
    words = _TRAILING_PUNCTUATION.sub("", text)
    return words + rng.choice(ENDINGS) if words else text
