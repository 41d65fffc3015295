"""Words joined by underscores or dots instead of spaces, read as the words they are."""

from __future__ import annotations

import re

#: An underscore (or a few) between two letters or digits: "go_kill_yourself", "dr_smith".
_UNDERSCORE_JOIN = re.compile(r"(?<=[A-Za-z0-9])_+(?=[A-Za-z0-9])")
#: A word with an underscore in it that is not an @handle ("@ortho_mendez" names someone).
_UNDERSCORED_TOKEN = re.compile(r"(?<![\w@])[A-Za-z0-9]\w*_\w*[A-Za-z0-9]")
#: Three or more runs of letters joined by single dots, at least two of them two letters long or
#: more ("Nobody.likes.you."); "e.g.", "U.S.A." and "q.i.d." are single letters, left to
#: ``join_separated_letters``, and "Dr.Smith" or "v2.1" are not three words.
_DOT_JOIN = re.compile(r"(?<![\w.@])[A-Za-z]+(?:\.[A-Za-z]+){2,}\.?(?![\w.])")


def read_joined_words(text: str) -> str:
    """``text`` with underscores between words, and dots between three or more words, read as spaces
    (a late reading).

    Why: "go_kill_yourself" reached the encoder as one unknown string and scored 0.66 against 0.99
    written with spaces; joining words is an old way past a word filter. An underscore between two
    words never carries meaning a reader needs (snake_case names, ``_italics_``), so every one is
    read as a space, except in an @handle (a typed name: this step leaves it whole); a dot is read
    so only inside a run of three words or more, which a sentence, a dose or an abbreviation never
    is. A bare host name ("en.wikipedia.org") becomes its words, which say the same to the model.

    >>> read_joined_words("shut_up_you_idiot, see pt_list.csv @dr_lee")
    'shut up you idiot, see pt list.csv @dr_lee'
    >>> read_joined_words("Nobody.likes.you. e.g. Dr.Smith gave 0.5 mg")
    'Nobody likes you. e.g. Dr.Smith gave 0.5 mg'
    """
    text = _UNDERSCORED_TOKEN.sub(lambda match: _UNDERSCORE_JOIN.sub(" ", match.group(0)), text)

    def spaced(match: re.Match[str]) -> str:
        token = match.group(0)
        end = "." if token.endswith(".") else ""
        parts = token.rstrip(".").split(".")
        if sum(len(part) >= 2 for part in parts) < 2:
            return token
        return " ".join(parts) + end

    return _DOT_JOIN.sub(spaced, text)
