"""Read text written upside down, backwards, or in emoji letters (flags, 🅸🅳🅸🅾🆃), the right way round.

Each is a way to write an insult that people read at a glance and a model does not: "ɥɔʇᴉq",
"toidi uoy", 🇮🇩🇮🇴🇹, 🅘🅓🅘🅞🅣. Each is undone only when the text clearly is one (see each function), so
ordinary text, IPA in a linguistics aside or a single flag keeps its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Container

#: Letters turned 180°, as upside-down text generators write them, with what they read as.
_TURNED: dict[str, str] = {
    "ɐ": "a",
    "q": "b",
    "ɔ": "c",
    "p": "d",
    "ǝ": "e",
    "ɟ": "f",
    "ƃ": "g",
    "ɥ": "h",
    "ᴉ": "i",
    "ı": "i",
    "ɾ": "j",
    "ʞ": "k",
    "ɯ": "m",
    "u": "n",
    "d": "p",
    "b": "q",
    "ɹ": "r",
    "ʇ": "t",
    "n": "u",
    "ʌ": "v",
    "ʍ": "w",
    "ʎ": "y",
    "∀": "A",
    "Ɔ": "C",
    "Ǝ": "E",
    "Ⅎ": "F",
    "⅁": "G",
    "ſ": "J",
    "Ʞ": "K",
    "˥": "L",
    "Ԁ": "P",
    "Ԛ": "Q",
    "┴": "T",
    "∩": "U",
    "Λ": "V",
    "⅄": "Y",
    "¿": "?",
    "¡": "!",
    "˙": ".",
    "'": ",",
    ",": "'",
}
#: Characters that occur only in turned text (the rest of ``_TURNED`` are ordinary letters).
_TURNED_ONLY = frozenset(ch for ch in _TURNED if not ch.isascii())
_REGIONAL_A = 0x1F1E6
_REGIONAL_RUN = re.compile("[\U0001f1e6-\U0001f1ff]{2,}")
_WORD = re.compile(r"[A-Za-z]+")


def _spelled(match: re.Match[str]) -> str:
    import emoji  # only here: importing it costs about 0.1 s and 7 MB, and most processes never need it

    run = match.group(0)
    pairs = [run[i : i + 2] for i in range(0, len(run), 2)]
    if len(run) % 2 == 0 and all(emoji.is_emoji(pair) for pair in pairs):
        return run  # a row of flags (🇺🇸🇺🇸🇮🇱)
    return "".join(chr(ord(ch) - _REGIONAL_A + ord("a")) for ch in run)


def read_regional_letters(text: str) -> str:
    """🇩🇺🇲🇧 -> "dumb": two or more regional-indicator letters that are not a flag or a row of flags.

    A pair is a flag (🇺🇸) when Unicode lists it as one (the ``emoji`` package's table of valid
    flag sequences), so 🇺🇵 spells "up" while 🇺🇸🇮🇱 stays two flags.
    """
    if text.isascii():
        return text
    return _REGIONAL_RUN.sub(_spelled, text)


#: Letters in boxes and circles that NFKC leaves as they are (negative circled and squared, 🅘 and
#: 🅸) or turns into "(i)" (parenthesised); NFKC itself reads the plain circled and squared ones.
_BOXED = re.compile("[\U0001f150-\U0001f169\U0001f170-\U0001f189\U0001f110-\U0001f129\u249c-\u24b5]")


def _unboxed(match: re.Match[str]) -> str:
    import unicodedata

    name = unicodedata.name(match.group(0), "")  # e.g. "NEGATIVE SQUARED LATIN CAPITAL LETTER I"
    letter = name.rsplit(" ", 1)[-1] if " LETTER " in name else match.group(0)
    return letter.lower() if "SMALL" in name else letter


def read_boxed_letters(text: str) -> str:
    """🅸🅳🅸🅾🆃 -> "IDIOT", 🅘🅓🅘🅞🅣 -> "IDIOT", ⒤⒟⒤⒪⒯ -> "idiot": letters in boxes and circles read as letters.

    Unicode names each one after its letter, so the name says what it reads as (🅱 is read "B" too,
    as the meme means it).
    """
    if text.isascii():
        return text
    return _BOXED.sub(_unboxed, text)


def read_upside_down(text: str) -> str:
    """ "ɥɔʇᴉq pᴉdnʇs" -> "stupid bitch", line by line.

    A line is turned back when at least three of its letters, and a quarter of them, exist only in
    turned text; then the whole line is reversed and every letter read turned back (so "p" and "d",
    "n" and "u" swap as well).
    """
    if text.isascii():
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        letters = [ch for ch in line if ch.isalpha()]
        turned = sum(ch in _TURNED_ONLY for ch in letters)
        if turned >= 3 and turned * 4 >= len(letters):
            lines[i] = "".join(_TURNED.get(ch, ch) for ch in reversed(line))
    return "\n".join(lines)


def read_backwards(text: str, known: Container[str] | None) -> str:
    """ "hctib diputs uoy" -> "you stupid bitch", line by line, when reading it backwards makes words.

    A line is reversed when it has at least two words of two or more letters, at least two thirds are
    known words reversed, reversing at least doubles the known words and makes at least two more
    ("toidi na era uoy" has two words as written: "na", "era"). (The vocabulary lacks some common
    words, "yourself" among them.)
    """
    if known is None:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        words = [w.lower() for w in _WORD.findall(line) if len(w) >= 2]
        if len(words) < 2:
            continue
        forward = sum(w in known for w in words)
        backward = sum(w[::-1] in known for w in words)
        if backward >= 2 * forward and backward * 3 >= len(words) * 2 and backward - forward >= 2:
            lines[i] = line[::-1]
    return "\n".join(lines)
