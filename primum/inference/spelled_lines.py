"""Lines spelled out letter by letter, read as the words they spell."""

from __future__ import annotations

import re

#: A line spelled out letter by letter, words set apart by wider gaps: "g o   k i l l   y o u r s e l f".
_SPELLED_LINE = re.compile(
    r"^[ \t]*[A-Za-z](?: [A-Za-z])*(?:[ \t]{2,}[A-Za-z](?: [A-Za-z])*)+[ \t]*[.!?]*[ \t]*$", re.MULTILINE
)


def read_spelled_lines(text: str) -> str:
    """``text`` with each line spelled out letter by letter read as its words (a late reading).

    Why: ``join_separated_letters`` needs three letters, so the two-letter words of such a line
    stayed apart ("g o kill yourself", 0.89). Only a whole line of single letters with wider gaps
    between words is read this way; ordinary text never looks like that.

    >>> read_spelled_lines("g o   k i l l   y o u r s e l f")
    'go kill yourself'
    """

    def read(match: re.Match[str]) -> str:
        line = match.group(0).strip()
        words = [word.replace(" ", "") for word in re.split(r"[ \t]{2,}", line)]
        return " ".join(words) if any(len(word) > 1 for word in words) else match.group(0)

    return _SPELLED_LINE.sub(read, text)
