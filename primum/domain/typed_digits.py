"""Numbers as members type or paste them (an NPI, an e-mail code).

Why more than ASCII spaces: a number copied from a web page, a PDF or an e-mail often carries a
no-break space or a zero-width character, and a phone keyboard may type full-width digits. Each is
the same number, and an error such as "remove letters and symbols" would name nothing the member
can see.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories removed from typed numbers: dashes of every kind and invisible format characters.
_DROPPED_CATEGORIES = frozenset({"Pd", "Cf"})


def plain_digits(text: str) -> str:
    """``text`` without whitespace, dots, dashes or invisible characters, every decimal digit as 0-9.

    Anything else (letters, symbols) is kept, so the caller can say what is wrong.
    """
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isspace() or ch == "." or unicodedata.category(ch) in _DROPPED_CATEGORIES:
            continue
        kept.append(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch)
    return "".join(kept)
