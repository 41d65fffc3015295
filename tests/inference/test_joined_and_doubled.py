"""Words joined by underscores or dots, letters written down the screen, every letter typed twice:
read the way a reader reads them, without touching handles, doses, abbreviations or lists."""

import pytest

from primum.inference.doubled_letters import read_doubled_letters
from primum.inference.joined_words import read_joined_words
from primum.inference.spelled_lines import read_letter_columns
from primum.inference.textnorm import normalize

VOCAB = frozenset({"you", "are", "a", "an", "idiot", "shut", "up", "go", "kill", "yourself", "fool",
                   "meeting", "at", "noon", "book", "see", "llama", "nobody", "likes", "good"})


@pytest.mark.parametrize(("raw", "expected"), [
    ("go_kill_yourself", "go kill yourself"),
    ("shut__up you_idiot", "shut up you idiot"),
    ("see pt_list_v2 tomorrow", "see pt list v2 tomorrow"),
    ("Nobody.likes.you.", "Nobody likes you."),
    ("what.a.clown", "what a clown"),
    ("@dr_lee and @ravi.p.fm agree", "@dr_lee and @ravi.p.fm agree"),  # handles name someone as typed
    ("e.g. the U.S.A. and q.i.d. dosing", "e.g. the U.S.A. and q.i.d. dosing"),  # single letters
    ("Dr.Smith gave 0.5 mg, see notes.pdf", "Dr.Smith gave 0.5 mg, see notes.pdf"),  # two parts only
    ("__underlined__ and _italic_", "__underlined__ and _italic_"),  # no word on both sides
])
def test_words_joined_by_underscores_or_dots_are_read_apart(raw: str, expected: str) -> None:
    assert read_joined_words(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("s\nh\nu\nt\n\nu\np", "shut up"),
    ("g\no\n \nk\ni\nl\nl", "go kill"),  # a line of spaces is a gap too
    ("y\no\nu\n'\nr\ne", "you're"),
    ("first line\ni\nd\ni\no\nt\nlast line", "first line\nidiot\nlast line"),
    ("A\nB", "A\nB"),  # two one-letter lines: a short list stays a list
    ("yes\nno\nok", "yes\nno\nok"),  # words, not letters
])
def test_a_message_written_one_letter_per_line_is_read_as_its_words(raw: str, expected: str) -> None:
    assert read_letter_columns(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("YYoouu aarree aa ffooooll", "You are a fool"),
    ("sshhuutt uupp", "shut up"),
    ("AA meeting at noon", "AA meeting at noon"),  # no longer word was doubled: "AA" stays
    ("book a llama", "book a llama"),  # not all pairs
    ("aaaa", "aaaa"),  # one letter stretched: squeeze_repeats' business
    ("zzxxqqvv", "zzxxqqvv"),  # read once it is no known word either
])
def test_a_word_with_every_letter_typed_twice_is_read_once(raw: str, expected: str) -> None:
    assert read_doubled_letters(raw, VOCAB) == expected


def test_doubled_letters_are_left_alone_without_a_vocabulary() -> None:
    assert read_doubled_letters("sshhuutt uupp", None) == "sshhuutt uupp"


def test_a_word_the_tokenizer_spells_in_pieces_is_read_once_from_the_corpus() -> None:
    assert read_doubled_letters("yyoouu mmoorroonn", VOCAB) == "you mmoorroonn"
    assert read_doubled_letters("yyoouu mmoorroonn", VOCAB, lambda: {"moron"}) == "you moron"


@pytest.mark.parametrize("raw", [
    "go_kill_yourself",
    "go.kill.yourself",
    "g\no\n\nk\ni\nl\nl\n\ny\no\nu\nr\ns\ne\nl\nf",
    "ggoo kkiillll yyoouurrsseellff",
])
def test_normalize_reads_each_as_a_late_reading(raw: str) -> None:
    assert normalize(raw, VOCAB) == "go kill yourself"
    assert normalize(raw, VOCAB, late_readings=False) != "go kill yourself"  # as the shipped encoder trained
