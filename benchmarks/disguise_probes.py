"""How often a plain insult is still caught once disguised, hidden in a long message, quoted or fenced.

    python benchmarks/disguise_probes.py     # the shipped model at its own nudge threshold (about 1 minute)

Each of a handful of clearly unkind lines is sent plain and in every disguise below; the table gives,
per disguise, how many are still at or over the nudge threshold, and the same for kind lines (which
no disguise should push over it). The lines are few and written for this probe: it finds holes (a
disguise that catches far fewer than plain text), it is not a recall estimate.

Read the long-paragraph rows with the lines in mind: a long message is cut into pieces at sentence
ends, and where a sentence opens without a full stop before it ("go kill yourself Great discussion
..."), so an insult stands alone. A mid-sentence "I" opens a sentence only after a word that ends
a clause ("... you moron I reviewed"), not after "because", "and" or "you know" (cutting at every
"I" split "... because I'm an idiot" off kind messages).
Scoring 7-word windows of such long sentences as well (session 18) caught 6 of these 10, but it
lifted quoted insults out of their context: counter-speech dev rows flagged went from 1.7% to 8.1%,
and real benign posts over 60 words from 0% to 1.3%. It was not kept.

Mended in session 20 (each measured on real calib rows and replay messages first, where it
changed no flag): a capital "I" after a word that ends a clause opens a sentence ("between": 3 of
10 caught before), runs of exclamation marks read as a full stop (7 of 10), and words run
together from common words about a person are split ("nobodylikesyou"; no spaces: 5 of 10). A
single "!" still lowers the model's score a little (see the model card).

Mended in session 22, after probing 27 more disguises: words joined by underscores (5 of 10 caught
before) or by dots (8 of 10), one letter per line (0 of 10) and every letter typed twice (0 of 10)
are read back (``joined_words``, ``spelled_lines.read_letter_columns``, ``doubled_letters``); on the
real calib and dev rows and every replay message they changed no flag. So did a slip of the keys
in a listed insult ("idoit", "colwn", "stupd", split in two, "id iot", or without its vowels where
four letters or more are left, "stpd btch": ``misspelled_insults``); the same slips in any other word
are left to the model (on the probe's lines: two letters swapped 8 of 10, one dropped 7, a space inside 8,
vowels dropped 3), because reading slips back in any word made "slut" of "scut" work and
"whore" of "whove", and a skeleton of three letters would turn "mrn" (a medical record number) into
"moron".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from primum.inference.engine import card_thresholds  # noqa: E402
from primum.inference.runtimes import open_engine  # noqa: E402
from primum.settings import DEFAULT_RUNTIME  # noqa: E402

UNKIND = (
    "you are a worthless idiot and everyone here knows it",
    "shut up you stupid bitch",
    "go kill yourself",
    "you're a fucking moron",
    "nobody respects you, you pathetic loser",
    "I will find where you live and hurt you",
    "women are too dumb to be surgeons",
    "You idiot.",
    "What a clown you are.",
    "Nobody likes you.",
)
KIND = (
    "thanks for covering my shift, I owe you one",
    "I disagree, the evidence for early antibiotics there is weak",
    "the patient was discharged on day three with clinic follow-up",
    "Great point.",
    "Ask Dr. Patel, she ran that trial.",
)
PARAGRAPHS = (
    "Great discussion on the anticoagulation guidelines today, thanks all for the thoughtful comments.",
    "I reviewed the CT with radiology this morning and the lesion looks stable compared with March.",
)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _masked(text: str) -> str:
    """The first vowel after the first letter of each longer word starred ("st*pid", "k*ll")."""
    return re.sub(r"[A-Za-z]{4,}", lambda m: re.sub(r"(?<=.)[aeiou]", "*", m.group(0), count=1), text)


_TURNED = dict(zip("abcdefghijklmnopqrstuvwxyz.", "ɐqɔpǝɟƃɥᴉɾʞlɯuodbɹsʇnʌʍxʎz˙", strict=True))


def _upside_down(text: str) -> str:
    return "".join(_TURNED.get(c, c) for c in reversed(text.lower()))


def _flag_letters(text: str) -> str:
    """Letters as regional indicators, a zero-width space between them so they do not merge into flags."""
    return "".join(chr(0x1F1E6 + ord(c) - 97) + "\u200b" if "a" <= c <= "z" else c for c in text.lower())


def _boxed_letters(text: str) -> str:
    """Letters in black boxes (🅸🅳🅸🅾🆃), which NFKC does not read."""
    return "".join(chr(0x1F170 + ord(c) - 97) if "a" <= c <= "z" else c for c in text.lower())


def _vowels_dropped(text: str) -> str:
    """Vowels after the first letter of each longer word dropped ("stpd", "btch")."""
    return re.sub(r"[A-Za-z]{4,}", lambda m: m.group(0)[0] + re.sub(r"[aeiou]", "", m.group(0)[1:]), text)


def _in_longest_word(text: str, slip: Callable[[str], str]) -> str:
    """``slip`` applied to the longest word (letters only) of ``text``: a typo where it hurts most."""
    words = re.findall(r"[A-Za-z]+", text)
    longest = max(words, key=len)
    return text.replace(longest, slip(longest), 1) if len(longest) >= 4 else text


DISGUISES: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "upper case": str.upper,
    "leetspeak": lambda s: s.replace("o", "0").replace("i", "1").replace("e", "3").replace("a", "4"),
    "spaced letters": " ".join,
    "zero-width joins": "\u200b".join,
    "Cyrillic look-alikes": lambda s: s.translate(str.maketrans("oaecp", "оаеср")),
    "full-width": _fullwidth,
    "stretched": lambda s: s.replace("o", "ooo").replace("i", "iii"),
    "spoiler": lambda s: f"||{s}||",
    "bold": lambda s: f"**{s}**",
    "inline code": lambda s: f"`{s}`",
    "code block": lambda s: f"```\n{s}\n```",
    "alone in a quote": lambda s: f"> {s}",
    "one word per line": lambda s: "\n".join(s.split()),
    "emoji between words": lambda s: " 🙂 ".join(s.split()),
    "after a long kind paragraph": lambda s: f"{PARAGRAPHS[0]} {s}",
    "before a long kind paragraph": lambda s: f"{s} {PARAGRAPHS[0]}",
    "between two kind paragraphs": lambda s: f"{PARAGRAPHS[0]} {s} {PARAGRAPHS[1]}",
    "right-to-left override": lambda s: "\u202e" + s[::-1],
    "masked letters (st*pid)": _masked,
    "symbols for letters ($, @, !)": lambda s: s.replace("a", "@").replace("s", "$").replace("i", "!"),
    "Greek look-alikes": lambda s: s.translate(str.maketrans("oaeiy", "οαειγ")),
    "small capitals": lambda s: s.translate(str.maketrans("abdeghijklmnoprtuwy", "ᴀʙᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀᴛᴜᴡʏ")),
    "upside down": _upside_down,
    "written backwards": lambda s: s[::-1],
    "flag letters": _flag_letters,
    "boxed letters": _boxed_letters,
    "a mention first": lambda s: f"<@123456789012345678> {s}",
    "exclamation marks": lambda s: s.rstrip(".") + "!!!",
    "no spaces": lambda s: s.replace(" ", ""),
    "masked link": lambda s: f"[{s}](https://example.com/a)",
    "underscores for spaces": lambda s: s.replace(" ", "_"),
    "dots for spaces": lambda s: s.replace(" ", "."),
    "one letter per line": "\n".join,
    "every letter doubled": lambda s: "".join(c * 2 if c.isalpha() else c for c in s),
    "vowels dropped": _vowels_dropped,
    "two letters swapped in the longest word": lambda s: _in_longest_word(s, lambda w: w[:1] + w[2] + w[1] + w[3:]),
    "a letter dropped from the longest word": lambda s: _in_longest_word(s, lambda w: w[:2] + w[3:]),
    "a space inside the longest word": lambda s: _in_longest_word(s, lambda w: w[:2] + " " + w[2:]),
}


def _cases() -> Iterator[tuple[str, int, str]]:
    for name, disguise in DISGUISES.items():
        for text in UNKIND:
            yield name, 1, disguise(text)
        for text in KIND:
            yield name, 0, disguise(text)


def main() -> None:
    engine, card = open_engine(threads=2, runtime=DEFAULT_RUNTIME)
    nudge = card_thresholds(card, DEFAULT_RUNTIME).nudge
    cases = list(_cases())
    scores = [raw.score for raw in engine.predict_many([text for _, _, text in cases])]
    print(f"\nnudge threshold {nudge}\n")
    print("| disguise | unkind caught | kind flagged |\n|---|---|---|")
    for name in DISGUISES:
        caught = [s >= nudge for (n, label, _), s in zip(cases, scores, strict=True) if n == name and label == 1]
        flagged = [s >= nudge for (n, label, _), s in zip(cases, scores, strict=True) if n == name and label == 0]
        print(f"| {name} | {sum(caught)} of {len(caught)} | {sum(flagged)} of {len(flagged)} |")


if __name__ == "__main__":
    main()
