"""Split words run together to dodge a filter ("youareanidiot", "nobodylikesyou") back into words.

Two kinds of run are split. One that hides a word people mask (``MASKED_STEMS``, four letters or
more) is split into three or more words, or into two when the first is "you" ("youidiot"): two
words are otherwise a compound as often, and split they lose their sting ("shitbag" scores 0.94,
"shit bag" 0.33). A run of twelve letters or more that hides no such word is split only into three or
more common words, one of them a person ("nobodylikesyou", "iwillfindwhereyouliveandhurtyou"; the
model read them as one unknown word and scored them 0.41 and 0.13), because a word segmenter also
cuts drug names into scraps ("pancreaticoduodenectomy" -> "pancreatic o duo de nec to my") and
even into words ("nitrofurantoin" -> "nitro fur an to in").
Everything else long and unknown stays as typed.

The split itself comes from ``wordsegment`` (word frequencies from a web corpus), which keeps real
words whole ("cockroaches", "painkillers", "hellish") where a split into the fewest vocabulary words
would not.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Collection, Container

from primum.inference.masked_words import MASKED_STEMS

#: Listed words of four letters or more ("ass" and "die" hide in too many words), identity words left
#: out: "Islamophobic" is a compound, not a disguise.
_STEMS = tuple(stem for stem in MASKED_STEMS if len(stem) >= 4 and stem not in {"muslim", "islam"})
_RUN = re.compile(r"(?<![@\w])[A-Za-z]{7,60}\b")  # not an @handle: a name is not the author's words
#: Distinct words segmented per message (about 10 ms each): bounds the work a crafted message can cause.
_MAX_SEGMENTED = 16
#: Most frequent words kept from wordsegment's 333,000: all its tables cost about 95 MB, these 30 MB,
#: and a run of everyday words splits the same.
_TOP_WORDS = 100_000
#: A run that hides no listed word: at least this long, and split only into words this common in
#: wordsegment's corpus ("clown" 3.1 million; the scraps of drug names, "saba", "opa", under it) or short words.
_PLAIN_MIN_LETTERS = 12
_COMMON_COUNT = 2_000_000
_SHORT_WORDS = frozenset({
    "a", "i", "an", "am", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no", "of",
    "on", "or", "so", "to", "up", "us", "we",
})
#: A plain run is read as words only when they speak to or of people: split drug names have none
#: ("nitrofurantoin" -> "nitro fur an to in").
_PERSON_WORDS = frozenset({
    "you", "your", "yours", "youre", "yourself", "ur", "i", "im", "me", "my", "we", "our", "us", "they", "them",
    "their", "nobody", "everyone", "everybody", "somebody", "someone",
})
#: "youidiot": a two-word run is a disguise, not a compound, when it opens with "you".
_YOU = frozenset({"you", "your", "ur", "u", "youre", "yours"})
_load_lock = threading.Lock()
_segment: Callable[[str], list[str]] | None = None
#: The segmenter's own word counts (its ``unigrams``), set when it loads.
_counts: dict[str, float] = {}


def _segmenter() -> Callable[[str], list[str]]:
    """A word segmenter on wordsegment's commonest words, loaded once (about half a second, on first need).

    Word pairs are left out too: they cost 60 MB and change no split of the disguises above.
    """
    global _segment, _counts
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
        _counts = segmenter.unigrams  # the same table, not a copy of 100,000 entries
        _segment = segmenter.segment
        return _segment


def split_run_together(text: str, known: Collection[str] | None) -> str:
    """``text`` with each run-together word split into its words, where the split reads as a
    disguise (see the module's docstring).

    ``known``: the tokenizer's words; a known word ("assassins", "overkill") is never split.
    """
    if known is None:
        return text
    segmented: dict[str, list[str]] = {}

    def split(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        listed = any(stem in lower for stem in _STEMS)
        if lower in known or not (listed or len(lower) >= _PLAIN_MIN_LETTERS):
            return token
        if not listed and lower in _loaded_counts():  # a word of the corpus ("methylprednisolone"): no run
            return token
        if lower not in segmented:
            if len(segmented) >= _MAX_SEGMENTED:
                return token
            segmented[lower] = _segment_cached(lower)
        words = segmented[lower]
        return " ".join(words) if (_listed_split(words) if listed else _plain_split(words)) else token

    return _RUN.sub(split, text)


@functools.lru_cache(maxsize=4096)
def _segment_cached(run: str) -> list[str]:
    """A run's split, remembered: a server repeats its long drug names, and a split costs about 3 ms."""
    return _segmenter()(run)


def _loaded_counts() -> dict[str, float]:
    """wordsegment's word counts, loaded with the segmenter."""
    _segmenter()
    return _counts


def corpus_words() -> Container[str]:
    """The words of wordsegment's web corpus (its 100,000 commonest), for readings that need to know
    a word the tokenizer spells in pieces ("moron")."""
    return _loaded_counts().keys()


def _listed_split(words: list[str]) -> bool:
    """Whether a split of a run hiding a listed word reads as a disguise: three words or more (or
    "you" and the listed word), one of them listed, and no stray letters ("fuck t ards" is scraps)."""
    if not any(word.startswith(_STEMS) for word in words):
        return False
    if any(len(word) == 1 and word not in "ai" for word in words):
        return False
    return len(words) >= 3 or (len(words) == 2 and words[0] in _YOU)


def _plain_split(words: list[str]) -> bool:
    """Whether a split of a run hiding no listed word reads as words run together: three or more,
    each short and everyday or common in the corpus, one of them a person ("you", "nobody")."""
    return len(words) >= 3 and not _PERSON_WORDS.isdisjoint(words) and all(
        word in _SHORT_WORDS or (len(word) >= 3 and _loaded_counts().get(word, 0.0) >= _COMMON_COUNT)
        for word in words
    )
