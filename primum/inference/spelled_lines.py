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


#: Three or more lines of one letter each (or an apostrophe; a closing mark may follow a letter), blank
#: lines between them setting words apart: a message written down the screen, letter by letter.
_COLUMN_LINE = r"[ \t]*(?:[A-Za-z]['’.!?,]?|['’])[ \t]*"
_LETTER_COLUMN = re.compile(rf"^{_COLUMN_LINE}(?:\n(?:[ \t]*\n)*{_COLUMN_LINE}){{2,}}$", re.MULTILINE)


def read_letter_columns(text: str) -> str:
    """``text`` with each run of one-letter lines read as one line of words (a late reading).

    Why: written one letter per line, an insult reached the encoder as a column of letters it
    reads as nothing ("s\\nh\\nu\\nt ..." scored 0.11 against 0.99 written out). A blank line in
    the column is the gap between two words; without any, the letters become one word, which
    ``split_run_together`` may then split. Three one-letter lines at least, so a short list
    ("A\\nB") stays a list.

    >>> read_letter_columns("g\\no\\n\\na\\nw\\na\\ny")
    'go away'
    """

    def read(match: re.Match[str]) -> str:
        words = re.split(r"\n[ \t]*\n(?:[ \t]*\n)*", match.group(0).strip())
        return " ".join("".join(line.strip() for line in word.split("\n")) for word in words)

    return _LETTER_COLUMN.sub(read, text)
