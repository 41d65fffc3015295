"""Split words run together to dodge a filter ("youareanidiot", "gokillyourself") back into words.

Only a run of three or more words that hides one of the words people mask (``MASKED_STEMS``, four
letters or more) is split: that is the disguise. Two are a compound as often, and split they lose
their sting ("shitbag" scores 0.94, "shit bag" 0.33). Everything else long and unknown stays as
typed, because a word segmenter also cuts drug names into scraps ("apixaban" -> "a pix a ban").

The split itself comes from ``wordsegment`` (word frequencies from a web corpus), which keeps real
words whole ("cockroaches", "painkillers", "hellish") where a split into the fewest vocabulary words
would not.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection

from primum.inference.masked_words import MASKED_STEMS

#: Listed words of four letters or more ("ass" and "die" hide in too many words), identity words left
#: out: "Islamophobic" is a compound, not a disguise.
_STEMS = tuple(stem for stem in MASKED_STEMS if len(stem) >= 4 and stem not in {"muslim", "islam"})
_RUN = re.compile(r"(?<![@\w])[A-Za-z]{7,40}\b")  # not an @handle: a name is not the author's words
#: Distinct words segmented per message (about 10 ms each): bounds the work a crafted message can cause.
_MAX_SEGMENTED = 16
#: Most frequent words kept from wordsegment's 333,000: all its tables cost about 95 MB, these 30 MB,
#: and a run of everyday words splits the same.
_TOP_WORDS = 100_000
_load_lock = threading.Lock()
_segment: Callable[[str], list[str]] | None = None


def _segmenter() -> Callable[[str], list[str]]:
    """A word segmenter on wordsegment's commonest words, loaded once (about half a second, on first need).

    Word pairs are left out too: they cost 60 MB and change no split of the disguises above.
    """
    global _segment
    with _load_lock:
        if _segment is not None:
            return _segment
        import heapq

        import wordsegment

        segmenter = wordsegment.Segmenter()
        with open(segmenter.UNIGRAMS_FILENAME, encoding="utf-8") as counts:
            rows = (line.split("\t") for line in counts)
            top = heapq.nlargest(_TOP_WORDS, ((float(count), word) for word, count in rows))
        segmenter.unigrams.update((word, count) for count, word in top)
        segmenter.total = segmenter.TOTAL
        segmenter.limit = segmenter.LIMIT
        _segment = segmenter.segment
        return _segment


def split_run_together(text: str, known: Collection[str] | None) -> str:
    """``text`` with each run-together word that hides a masked-list word split into its words.

    ``known``: the tokenizer's words; a known word ("assassins", "overkill") is never split.
    """
    if known is None:
        return text
    segmented: dict[str, list[str]] = {}

    def split(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        if lower in known or not any(stem in lower for stem in _STEMS):
            return token
        if lower not in segmented:
            if len(segmented) >= _MAX_SEGMENTED:
                return token
            segmented[lower] = _segmenter()(lower)
        words = segmented[lower]
        if len(words) < 3 or not any(word.startswith(_STEMS) for word in words):
            return token
        if any(len(word) == 1 and word not in "ai" for word in words):  # "fuck t ards": scraps, not words
            return token
        return " ".join(words)

    return _RUN.sub(split, text)
