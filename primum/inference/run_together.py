"""Split words run together to dodge a filter ("youareanidiot", "gokillyourself") back into words.

Only a run of three or more words that hides one of the words people mask (``MASKED_STEMS``, four
letters or more) is split: that is the disguise. Two are a compound as often, and split they lose
their sting ("shitbag" scores 0.94, "shit bag" 0.33). Everything else long and unknown stays as typed, because a
word segmenter also cuts drug names into scraps ("apixaban" -> "a pix a ban").

The split itself comes from ``wordsegment`` (word and word-pair frequencies from a web corpus), which
keeps real words whole ("cockroaches", "painkillers", "hellish") where a split into the fewest
vocabulary words would not.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection
from functools import lru_cache

from primum.inference.masked_words import MASKED_STEMS

#: Listed words of four letters or more ("ass" and "die" hide in too many words), identity words left
#: out: "Islamophobic" is a compound, not a disguise.
_STEMS = tuple(stem for stem in MASKED_STEMS if len(stem) >= 4 and stem not in {"muslim", "islam"})
_RUN = re.compile(r"(?<![@\w])[A-Za-z]{7,40}\b")  # not an @handle: a name is not the author's words
_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], list[str]]:
    """``wordsegment.segment``, its tables loaded once (about half a second, on first need)."""
    import wordsegment

    with _load_lock:
        if not wordsegment.UNIGRAMS:
            wordsegment.load()
    return wordsegment.segment  # type: ignore[no-any-return]


def split_run_together(text: str, known: Collection[str] | None) -> str:
    """``text`` with each run-together word that hides a masked-list word split into its words.

    ``known``: the tokenizer's words; a known word ("assassins", "overkill") is never split.
    """
    if known is None:
        return text

    def split(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        if lower in known or not any(stem in lower for stem in _STEMS):
            return token
        words = _segmenter()(lower)
        if len(words) < 3 or not any(word.startswith(_STEMS) for word in words):
            return token
        return " ".join(words)

    return _RUN.sub(split, text)
