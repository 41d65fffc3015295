"""Words with every letter typed twice ("iiddiioott"), read as the word they double."""

from __future__ import annotations

import re
from collections.abc import Callable, Container

#: A word of four letters or more made of letter pairs only: "ssttuuppiidd", "YYoouu".
_DOUBLED_WORD = re.compile(r"\b(?:([A-Za-z])\1)(?:([A-Za-z])\2)+\b")
#: A one-letter word typed twice ("aa", "II"), read once only beside longer doubled words.
_DOUBLED_LETTER = re.compile(r"\b([AaIi])\1\b")
#: Longer words read once before the one-letter words of the message are.
_MIN_READ = 2


def read_doubled_letters(
    text: str, known: Container[str] | None, corpus: Callable[[], Container[str]] | None = None
) -> str:
    """``text`` with each word that types every letter twice read once (a late reading).

    Why: doubling every letter keeps a word readable to people and out of a word filter's and the
    tokenizer's reach ("sshhuutt uupp" scored 0.10, against 0.99 written plainly);
    ``squeeze_repeats`` shortens only runs of three. A word is read once only when that reading is
    known word (``known``: lower-case words, or the words ``corpus()`` returns, loaded only when a
    word is all pairs: "moron" is no tokenizer word) and the word as typed is none, and it has two
    different letters at least ("aaaa" is a stretch, left to ``squeeze_repeats``). "aa" and "II"
    are read as "a" and "I" only in a message where two longer words were read once ("AA
    meeting" stays). Without ``known`` nothing changes.

    >>> read_doubled_letters("YYoouu aarree aa mmoorroonn, good", {"you", "are", "a", "moron", "good"})
    'You are a moron, good'
    >>> read_doubled_letters("AA meeting at noon", {"a", "meeting", "at", "noon"})
    'AA meeting at noon'
    """
    if known is None or not _DOUBLED_WORD.search(text):
        return text
    vocabularies = (known, corpus()) if corpus is not None else (known,)

    read = 0

    def once(match: re.Match[str]) -> str:
        nonlocal read
        word, single = match.group(0).lower(), match.group(0)[::2]
        if len(set(word)) < 2 or any(word in words for words in vocabularies):
            return match.group(0)
        if not any(single.lower() in words for words in vocabularies):
            return match.group(0)
        read += 1
        return single

    text = _DOUBLED_WORD.sub(once, text)
    return _DOUBLED_LETTER.sub(r"\1", text) if read >= _MIN_READ else text
