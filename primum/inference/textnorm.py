"""Undo the disguises people use to slip past a filter, and drop what the author did not write.

Pure functions, no I/O: the same ``normalize`` runs before training and before scoring, so the
model only ever sees canonical text. Given the tokenizer's vocabulary, it also reads leetspeak and
stretched words as the real words they spell ("wh3n" -> "when", "completeee" -> "complete"). Each
step is conservative on clinical writing (doses, lab codes such as "B12" or "SpO2" survive),
because a normaliser that invents insults would create false positives that no threshold can fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Container

from primum.inference.addressing import drop_leading_address
from primum.inference.doubled_letters import read_doubled_letters
from primum.inference.emoji_names import drop_separator_emoji, name_emoji
from primum.inference.joined_words import read_joined_words
from primum.inference.masked_links import read_masked_links
from primum.inference.masked_words import read_masked
from primum.inference.misspelled_insults import join_split_insults, read_misspelled_insults
from primum.inference.run_together import corpus_words, split_run_together
from primum.inference.shouting import read_shouted_ends
from primum.inference.spelled_lines import read_letter_columns, read_spelled_lines
from primum.inference.turned_text import read_backwards, read_boxed_letters, read_regional_letters, read_upside_down

#: Characters that render as nothing (or as blank) and are used to split words invisibly.
_INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E,
    0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066,
    0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0x2800, 0x3164, 0xFEFF,
    0xFFA0,
}

#: Look-alikes that Unicode's confusables list (TR39) does not map to a Latin letter but that people
#: use as one: small capitals and the Cyrillic/Greek lower-case letters shaped like them.
_EXTRA_CONFUSABLES: dict[str, str] = {
    "в": "b", "к": "k", "м": "m", "н": "h", "т": "t", "ь": "b", "п": "n", "ӏ": "l", "ё": "e", "ї": "i",
    "Ё": "E", "Ї": "I", "Ԁ": "D", "Ԛ": "Q", "β": "b", "ε": "e", "η": "n", "κ": "k", "τ": "t", "χ": "x",
    "ω": "w", "ς": "s", "ȷ": "j", "ʀ": "r", "ᴀ": "a", "ʙ": "b", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴘ": "p", "ᴛ": "t", "ø": "o", "Ø": "O", "ł": "l",
    "đ": "d", "ħ": "h",
}


def _tr39_confusables() -> dict[str, str]:
    """Non-ASCII characters that Unicode TR39 lists as confusable with one ASCII letter or digit.

    The data ships with the ``confusable-homoglyphs`` package (Unicode's confusables.txt). TR39's
    prototype for every I-shaped letter is "l"; an upper-case one is read as "I" instead, since a
    disguised word is meant to be read, not merely to look alike.
    """
    import json
    from importlib import resources

    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for ch, glyphs in data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        for glyph in glyphs:
            target = glyph.get("c", "")
            if len(target) == 1 and target.isascii() and target.isalpha():
                if target == "l" and ch.isupper():
                    target = "I"
                table[ch] = target
                break
    return table


#: Look-alikes of Latin letters (Cyrillic, Greek, Armenian, Cherokee, mathematical ...): TR39 plus a
#: short supplement.
CONFUSABLES: dict[str, str] = {**_tr39_confusables(), **_EXTRA_CONFUSABLES}

#: Leetspeak symbols, applied only inside tokens that are mostly letters.
LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e", "£": "l",
}

# Discord markup
_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_CODE_LANGUAGE = re.compile(r"^[\w+#.-]*\n")  # ```python
_INLINE_CODE = re.compile(r"`([^`\n]*)`")
_SPOILER = re.compile(r"\|\|(.+?)\|\|", re.DOTALL)
_USER_MENTION = re.compile(r"<@!?\d+>")
_ROLE_MENTION = re.compile(r"<@&\d+>")
_CHANNEL_MENTION = re.compile(r"<#\d+>")
_CUSTOM_EMOJI = re.compile(r"<a?:([A-Za-z0-9_~]+):\d+>")
_TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")
_SLASH_MENTION = re.compile(r"</([\w -]+):\d+>")
_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>]+>?", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*{1,3}|_{2}|~~)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_HEADING = re.compile(r"^\s*(?:#{1,3}|-#)\s+", re.MULTILINE)

# Evasion
_TOKEN = re.compile(r"[^\s]+")
_UNIT_TOKEN = re.compile(
    r"^[+\-]?\d+(?:[.,]\d+)?(?:st|nd|rd|th|mg|mcg|ug|ml|l|g|kg|cm|mm|m|h|hr|hrs|min|mins|s|x|yo|y|yr|yrs|mo|wk|wks|d|"
    r"am|pm|k|%|mmhg|iu|u|f|c)?$",
    re.IGNORECASE,
)
_CODE_TOKEN = re.compile(r"^[a-z]{1,4}\d{1,2}[a-z]?$", re.IGNORECASE)  # b12, spo2, co2, pgy3, ms4, t4, covid19
_SEPARATED = re.compile(r"(?<![\w])([A-Za-z]([ .\-_*·•]{1,2})(?:[A-Za-z]\2)+[A-Za-z])(?![\w])")
_HANDLE = re.compile(r"^@\w{3,}$")
_TRAILING_NUMBER = re.compile(r"^[A-Za-z]+-?\d+$")  # covid19, COVID-19, spo2: a code, not leetspeak
_REPEAT = re.compile(r"([A-Za-z])\1{2,}")
_DOUBLE_OK = set("eolstfprmncdgbz")
_WORD = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


#: Explicit bidi embeddings, overrides and isolates: with them, what Discord displays is not the
#: order the characters are stored in (U+202E shows "toidi" as "idiot").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def display_order(text: str) -> str:
    """The text as a reader sees it, when it carries explicit bidi controls (else unchanged).

    Uses the Unicode Bidirectional Algorithm (``python-bidi``) line by line; text without the
    controls, including ordinary Hebrew or Arabic, keeps its logical order.
    """
    if text.isascii() or not any(ch in _BIDI_CONTROLS for ch in text):
        return text
    from bidi import get_display

    return "\n".join(str(get_display(line, base_dir="L")) for line in text.split("\n"))


def strip_invisible(text: str) -> str:
    """Drop zero-width, bidi-control and other invisible format characters."""
    if text.isascii():
        return text  # none of them is ASCII; most messages take this path
    return "".join(
        ch
        for ch in text
        if ord(ch) not in _INVISIBLE
        and not 0xFE00 <= ord(ch) <= 0xFE0F  # variation selectors
        and not 0xE0000 <= ord(ch) <= 0xE007F  # tag characters
        and unicodedata.category(ch) != "Cf"
    )


def strip_combining(text: str) -> str:
    """Remove combining marks (zalgo, accents): the encoder is uncased and accent-stripped anyway."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in {"Mn", "Me"})
    return unicodedata.normalize("NFC", kept)


def drop_quoted_lines(text: str, keep_lone_quote: bool = True) -> str:
    """Remove Discord quotes: ``> line`` quotes one line, ``>>> `` quotes the rest of the message.

    A quote is someone else's words, so counter-speech that quotes abuse to answer it is scored on
    the answer. A message that is nothing but a quote is the author's post, though: with
    ``keep_lone_quote`` it is kept (its quote marks removed), or "> you're an idiot" would pass every
    check.
    """
    kept: list[str] = []
    unquoted: list[str] = []  # every line in order, quote marks removed
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(">>> ") or stripped == ">>>":
            unquoted.extend([stripped[3:], *lines[i + 1 :]])
            break
        if stripped.startswith(">"):
            unquoted.append(stripped[1:])
            continue
        kept.append(line)
        unquoted.append(line)
    if keep_lone_quote and not any(ch.isalpha() for line in kept for ch in line):
        return "\n".join(unquoted)
    return "\n".join(kept)


def _code_block(match: re.Match[str]) -> str:
    """A code block's text when it reads as prose, else nothing: pasted code and logs are not the
    author's words, but a sentence wrapped in backticks is (otherwise backticks hide any insult)."""
    inner = _CODE_LANGUAGE.sub("", match.group(0).strip("`"))
    visible = [ch for ch in inner if not ch.isspace()]
    prose = sum(ch.isalpha() or ch in ".,!?'\"-" for ch in visible)
    words = len(_WORD.findall(inner))
    return f" {inner} " if words >= 2 and prose >= 0.9 * len(visible) else " "


def strip_markup(text: str) -> str:
    """Turn Discord markup into plain words; code blocks and links are not the author's prose."""
    text = _CODE_BLOCK.sub(_code_block, text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _SPOILER.sub(r"\1", text)
    text = _ROLE_MENTION.sub("@role", text)
    text = _USER_MENTION.sub("@user", text)
    text = _CHANNEL_MENTION.sub("#channel", text)
    text = _CUSTOM_EMOJI.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _SLASH_MENTION.sub(r"/\1", text)
    text = _URL.sub(" ", text)
    for _ in range(2):  # nested emphasis such as ***__x__***
        text = _EMPHASIS.sub(r"\2", text)
    return _HEADING.sub("", text)


def map_confusables(text: str) -> str:
    """Map look-alike letters to Latin inside words that are disguised Latin words.

    A word is mapped when it mixes Latin and look-alike letters, or consists only of look-alikes;
    genuine Cyrillic or Greek words (with letters that have no Latin twin) are left alone.
    """
    if text.isascii():
        return text

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        letters = [ch for ch in word if ch.isalpha()]
        if not letters or all(ch.isascii() for ch in letters):
            return word
        has_latin = any(ch.isascii() for ch in letters)
        all_confusable = all(ch.isascii() or ch in CONFUSABLES for ch in letters)
        if all_confusable or has_latin:
            return "".join(CONFUSABLES.get(ch, ch) for ch in word)
        return word

    return re.sub(r"\w+", fix, text)


#: What each leetspeak symbol may stand for, when the tokenizer's vocabulary can say which.
_LEET_READINGS: dict[str, str] = {**LEET, "1": "il", "!": "il", "|": "il"}
#: Endings after an apostrophe in English contractions ("don't", "she's", "we'll").
_CONTRACTION_ENDINGS = frozenset({"t", "s", "re", "ve", "ll", "d", "m"})
_MAX_AMBIGUOUS = 4  # symbols with two readings per token; 2**4 spellings at most


def _readings(part: str) -> list[str]:
    """Every spelling of ``part`` with its leet symbols read as letters (letters kept as typed)."""
    spellings = [""]
    for ch in part:
        options = _LEET_READINGS.get(ch, ch)
        spellings = [s + option for s in spellings for option in options]
    return spellings


def _vocab_deleet(core: str, known: Container[str]) -> str | None:
    """The known word a leet token spells ("7h47" -> "that", "d0n'7" -> "don't"), or None.

    Why the vocabulary: the plain rules must spare codes and doses ("B12", "q4h", "5mg"), so they
    skip short tokens such as "fr0m" or "wh3n" that look like codes; a reading that is a real word
    settles it. Doses and ordinals are never read. The cost: a few codes read as rare words
    ("D50" -> "Dso", "M4s" -> "Mas"; 8 tokens in all our benign rows, none read as an unkind word).
    Guarding letters-then-digits would also spare "gr347" and "wh47", the commonest leet shape.
    """
    if not any(ch in _LEET_READINGS for ch in core) or core.startswith("@") or _UNIT_TOKEN.match(core):
        return None
    if not any(ch.isascii() and ch.isalpha() for ch in core) or core.lower() in known:
        return None
    parts = core.split("'")
    if len(parts) > 2 or not all(ch in _LEET_READINGS or (ch.isascii() and ch.isalpha()) for ch in "".join(parts)):
        return None
    if sum(ch in "1!|" for ch in core) > _MAX_AMBIGUOUS:
        return None
    for head in _readings(parts[0]):
        if head.lower() not in known:
            continue
        if len(parts) == 1 and len(head) >= 3:
            return head
        if len(parts) == 2 and len(head) >= 2:
            for ending in _readings(parts[1]):
                if ending.lower() in _CONTRACTION_ENDINGS:
                    return f"{head}'{ending}"
    return None


def _deleet_token(token: str, known: Container[str] | None = None) -> str:
    core = token.rstrip(".,;:?!\"')]}")
    tail = token[len(core):]
    lead_len = len(core) - len(core.lstrip("\"'([{"))
    lead, core = core[:lead_len], core[lead_len:]
    if known is not None:
        word = _vocab_deleet(core, known)
        if word is not None:
            return lead + word + tail
    letters = sum(ch.isascii() and ch.isalpha() for ch in core)
    leet = sum(ch in LEET for ch in core)
    if not leet or letters < 2 or letters + leet < len(core) * 0.8 + 0.01:
        return token
    if _UNIT_TOKEN.match(core) or _CODE_TOKEN.match(core) or _TRAILING_NUMBER.match(core):
        return token
    if _HANDLE.match(core):
        return token  # an @handle, digits and all ("@doc1")
    if "#" in core or "/" in core:
        return token
    out = []
    for i, ch in enumerate(core):
        if ch in "!|" and not (i + 1 < len(core) and core[i + 1].isalnum()):
            out.append(ch)  # punctuation, not a letter
        else:
            out.append(LEET.get(ch, ch))
    return lead + "".join(out) + tail


def undo_leet(text: str, known: Container[str] | None = None) -> str:
    """Replace digits and symbols standing in for letters ("1d10t" -> "idiot"), sparing doses and codes.

    With ``known`` (lower-case words), a token whose reading is a known word is read that way first.
    """
    return _TOKEN.sub(lambda m: _deleet_token(m.group(0), known), text)


def join_separated_letters(text: str) -> str:
    """Join letters spelled out with spaces or dots ("i d i o t", "i.d.i.o.t") back into a word."""

    def join(match: re.Match[str]) -> str:
        letters = re.sub(r"[^A-Za-z]", "", match.group(1))
        if match.group(2) == " " and letters[0] in "aA" and len(letters) >= 5:
            return f"{letters[0]} {letters[1:]}"  # "a m o r o n": the article stays a word
        return letters

    return _SEPARATED.sub(join, text)


def squeeze_repeats(text: str, known: Container[str] | None = None, corpus: Container[str] | None = None) -> str:
    """Shorten stretched letters ("stuuuupid" -> "stupid", "sooo" -> "soo").

    A run of three or more becomes two for letters English often doubles, else one. With ``known``
    (lower-case words, e.g. the tokenizer's vocabulary) a stretched word becomes whichever of the
    two spellings is a known word: "completeee" -> "complete", "goooood" -> "good". ``corpus``
    (a late reading: a web corpus's common words) decides when neither is known: "moooooron" ->
    "moron", which the tokenizer spells in pieces, not "mooron".
    """

    def squeeze(match: re.Match[str]) -> str:
        ch = match.group(1)
        return ch * 2 if ch.lower() in _DOUBLE_OK else ch

    if known is None:
        return _REPEAT.sub(squeeze, text)

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if not _REPEAT.search(token):
            return token
        default = _REPEAT.sub(squeeze, token)
        candidates = (_REPEAT.sub(r"\1\1", token), _REPEAT.sub(r"\1", token))
        for words in (known, corpus) if corpus is not None else (known,):
            for candidate in candidates:
                if candidate.lower() in words:
                    return candidate
        return default

    return _WORD.sub(word, text)


#: Passes of ``_normalize_once`` at most: one undone disguise can reveal another ("||idiot").
_MAX_PASSES = 4


def normalize(
    text: str,
    known: Collection[str] | None = None,
    *,
    keep_lone_quote: bool = True,
    late_readings: bool = True,
    emoji_names: bool = False,
) -> str:
    """Canonical text for the model: the author's own words, undisguised, markup removed.

    ``known``: lower-case words used to read leetspeak, masks, run-together words, backwards lines and
    stretched letters (see ``undo_leet``, ``read_masked``, ``split_run_together``, ``read_backwards``
    and ``squeeze_repeats``); ``keep_lone_quote``: see ``drop_quoted_lines``. ``late_readings``:
    masked and run-together words, a leading mention (``drop_leading_address``), and text upside
    down, backwards, in flag letters or in boxed letters, emoji set between words as spaces, runs of
    exclamation marks (``read_shouted_ends``), masked links (``read_masked_links``) and lines spelled
    letter by letter (``read_spelled_lines``, ``read_letter_columns``), words joined by underscores or
    dots (``read_joined_words``), every letter typed twice (``read_doubled_letters``) and insults with a
    slip of the keys or split in two (``read_misspelled_insults``, ``join_split_insults``); a training
    recipe may leave them off (``TrainConfig.late_readings``), as the recipe of an encoder trained
    before they existed does.
    ``emoji_names``: emoji read as their names (``name_emoji``), for an encoder whose recipe did the
    same (``TrainConfig.emoji_names``); to one trained without, the names are words it never learned.
    Idempotent: the steps repeat until the text stops changing, so normalising canonical text again
    changes nothing.
    """
    for _ in range(_MAX_PASSES):
        again = _normalize_once(text, known, keep_lone_quote, late_readings, emoji_names)
        if again == text:
            break
        text = again
    return text


def _normalize_once(
    text: str, known: Collection[str] | None, keep_lone_quote: bool, late_readings: bool, emoji_names: bool
) -> str:
    text = display_order(text)
    if late_readings:
        text = read_boxed_letters(text)  # before NFKC, which would turn "⒤" into "(i)"
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(text)
    if late_readings:
        text = read_upside_down(read_regional_letters(text))
    text = _CODE_BLOCK.sub(_code_block, text)  # before quotes: a code block may contain '>' lines
    text = drop_quoted_lines(text, keep_lone_quote)
    if late_readings:
        text = read_masked_links(text)  # before the URL pass of strip_markup cuts the link in half
        text = read_masked(drop_leading_address(text), known)  # before markup: "sh*t ... st*pid" is no italics
    text = strip_markup(text)
    if late_readings:
        text = read_shouted_ends(drop_separator_emoji(text))  # before leetspeak, which reads "1" as "i"
        text = read_joined_words(text)
    if emoji_names:
        text = name_emoji(text)
    text = strip_combining(text)
    text = map_confusables(text)
    text = undo_leet(text, known)
    if late_readings:
        text = read_spelled_lines(read_letter_columns(text))  # before blank lines are squeezed out
    text = join_separated_letters(text)
    if late_readings:
        text = read_doubled_letters(text, known, corpus_words)  # before "kkiillll" is squeezed to "kkiill"
    stretched = late_readings and known and _REPEAT.search(text)  # load the corpus only when it is needed
    text = squeeze_repeats(text, known, corpus_words() if stretched else None)
    if late_readings:
        text = read_misspelled_insults(join_split_insults(text, known), known, corpus_words)
        text = read_backwards(split_run_together(text, known), known)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()
