"""Emoji read as the words they stand for, so the encoder sees them.

The encoder's vocabulary has no emoji: "IMG help desk 💀💀" reaches it as "img help desk [UNK]", and
"🙄", "🤡" and "❤️" all read the same. Chat carries much of its tone in emoji (an eye-roll after a
colleague's question, a clown at someone), so a recipe may ask for each emoji to be replaced by its
Unicode name ("skull", "clown face", "face with rolling eyes"), which the encoder already knows as
words. The names come from the ``emoji`` package's table (CLDR short names), not a list of our own.

Dropped: skin-tone modifiers and gender signs (a name such as "dark skin tone" would put a word
about skin colour in a message that has none). Left as they are: letters and digits dressed as emoji (flags, enclosed
and keycap letters: ``turned_text`` and NFKC read those as text), and symbols below U+2300 such as
"©", "™" and arrows, which are typography rather than tone.
"""

from __future__ import annotations

import re

#: Skin-tone modifiers (Fitzpatrick types 1-2 to 6), the gender signs that join a person emoji, and
#: the joiner and emoji-style selector (which the normaliser drops before this step anyway).
_DROPPED = re.compile("[\U0001f3fb-\U0001f3ff\u2640\u2642\u200d\ufe0f]")
#: Enclosed letters and digits, regional indicators (flags): text in disguise, read elsewhere.
_LETTER_BLOCK = range(0x1F100, 0x1F200)
#: Below this, "emoji" are typography (©, ®, ™, ‼, arrows) more than tone.
_FIRST_NAMED = 0x2300
_KEYCAP = "\u20e3"


def _named(sequence: str) -> bool:
    first = ord(sequence[0])
    return first >= _FIRST_NAMED and first not in _LETTER_BLOCK and _KEYCAP not in sequence


def _words(sequence: str) -> str:
    import emoji  # only here: importing it costs about 0.1 s and 7 MB

    name = emoji.demojize(sequence, delimiters=("", ""))
    return name.replace("_", " ").replace(":", " ").strip().lower()


def _wordish(ch: str) -> bool:
    """A letter, digit or punctuation mark: text, not a line break or another emoji."""
    return ch.isalnum() or (ch.isascii() and ch.isprintable() and not ch.isspace())


def drop_separator_emoji(text: str) -> str:
    """``text`` without emoji used as spaces: one emoji set between words (or punctuation) two or
    more times.

    "you 🙂 are 🙂 an 🙂 idiot" is a known disguise; named, each emoji would add three words
    between the insult's words ("slightly smiling face") and dilute it, and as [UNK] it did the
    same. The clapping meme ("great 👏 job 👏 team") reads the same without them.

    >>> drop_separator_emoji("you 🙂 are 🙂 an 🙂 idiot")
    'you are an idiot'
    """
    if text.isascii():
        return text
    import emoji

    found = emoji.emoji_list(text)
    between: dict[str, list[tuple[int, int]]] = {}
    for match in found:
        start, stop = match["match_start"], match["match_end"]
        before, after = text[:start].rstrip(" "), text[stop:].lstrip(" ")
        if before and after and _wordish(before[-1]) and _wordish(after[0]):
            between.setdefault(match["emoji"], []).append((start, stop))
    spans = sorted(span for spans in between.values() if len(spans) >= 2 for span in spans)
    if not spans:
        return text
    parts: list[str] = []
    end = 0
    for start, stop in spans:
        parts.append(text[end:start] + " ")
        end = stop
    parts.append(text[end:])
    return re.sub(r" {2,}", " ", "".join(parts))


def name_emoji(text: str) -> str:
    """``text`` with each emoji replaced by its name; a run of one emoji repeated is named once.

    >>> name_emoji("IMG help desk 💀💀 need that pinned")
    'IMG help desk skull need that pinned'
    """
    if text.isascii():
        return text
    import emoji

    listed = emoji.emoji_list(text)
    if not any(_named(m["emoji"]) for m in listed):
        return text
    dropped = _DROPPED.sub("", text)
    if dropped != text:  # the positions moved: list them again
        text, listed = dropped, emoji.emoji_list(dropped)
    found = [m for m in listed if _named(m["emoji"])]
    parts: list[str] = []
    end = 0
    previous = ""
    for match in found:
        start, stop, sequence = match["match_start"], match["match_end"], match["emoji"]
        between = text[end:start]
        if sequence == previous and not between.strip():
            end = stop  # the same emoji again, right after: one name says it
            continue
        parts.append(between)
        parts.append(f" {_words(sequence)} ")
        end, previous = stop, sequence
    parts.append(text[end:])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip()
