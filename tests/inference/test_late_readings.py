"""Masked words, and text upside down, backwards or in flag letters, read the way people read them."""

import pytest

from primum.inference.addressing import drop_leading_address
from primum.inference.masked_links import read_masked_links
from primum.inference.masked_words import MASKED_STEMS, read_masked
from primum.inference.run_together import split_run_together
from primum.inference.shouting import read_shouted_ends
from primum.inference.spelled_lines import read_spelled_lines
from primum.inference.textnorm import normalize
from primum.inference.turned_text import read_backwards, read_boxed_letters, read_regional_letters, read_upside_down

VOCAB = frozenset(
    {
        "disability",
        "christian",
        "patient",
        "you",
        "idiot",
        "shut",
        "up",
        "stupid",
        "go",
        "kill",
        "the",
        "is",
        "words",
        "wordy",
        "its",
        "itt",
        "no",
        "way",
        "on",
        "am",
        "ward",
        "we",
        "are",
        "ok",
        "bp",
        "hr",
    }
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sh*t up you st*pid b*tch", "shit up you stupid bitch"),  # not italics between the stars
        ("f*** off", "fuck off"),
        ("F*CK YOU", "FUCK YOU"),
        ("s**t happens", "shit happens"),  # the list's order settles a mask with two readings
        ("k*ll yourself", "kill yourself"),
        ("bullsh*t, all of it", "bullshit, all of it"),  # a listed word inside a longer one
        ("motherf**king idiot", "motherfucking idiot"),
        ("(f*cking) great", "(fucking) great"),
        ("**f*ck** this", "**fuck** this"),  # bold around a mask
        ("j*ws control", "jews control"),
        ("chr*stian", "christian"),  # the only vocabulary word that fits
        ("dis*bility", "disability"),
    ],
)
def test_masked_words_are_read(raw: str, expected: str) -> None:
    assert read_masked(raw, VOCAB) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "*really* good",  # emphasis, not a mask
        "**bold** text",
        "word* see the footnote",  # a trailing star is a footnote as often as a mask
        "it* ok",
        "2*3=6 and 4 * 5",
        "****ty",  # no letter shown: nothing to read
        "bull****",  # "l****" is not "loser": a word started inside needs half its letters shown
    ],
)
def test_what_is_not_a_mask_stays(raw: str) -> None:
    assert read_masked(raw, VOCAB) == raw


def test_a_mask_with_several_vocabulary_readings_stays() -> None:
    assert read_masked("w*rds", VOCAB | {"wards"}) == "w*rds"
    assert read_masked("w*rds", VOCAB) == "words"


def test_vocabulary_lookups_are_bounded_per_message() -> None:
    many = " ".join(f"x{'*' * (i % 7 + 1)}y{i}" for i in range(500))
    assert read_masked(many, VOCAB) == many


def test_every_listed_word_reads_back_from_its_usual_mask() -> None:
    for stem in MASKED_STEMS:
        masked = stem[0] + "*" * (len(stem) - 1)
        reading = read_masked(masked)
        assert reading[0] == stem[0] and "*" not in reading  # the first listed word that fits
    assert read_masked("id*ot") == "idiot" and read_masked("m*slims") == "muslims"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ɥɔʇᴉq pᴉdnʇs noʎ dn ʇnɥs", "shut up you stupid bitch"),
        ("¡ʇoᴉpᴉ", "idiot!"),
        ("fine\nʇoᴉpᴉ uɐ ǝɹ,noʎ", "fine\nyou're an idiot"),  # line by line
        ("the schwa ǝ in IPA", "the schwa ǝ in IPA"),  # one turned letter is not turned text
    ],
)
def test_upside_down_text_is_turned_back(raw: str, expected: str) -> None:
    assert read_upside_down(raw) == expected


def _flags(word: str) -> str:
    return "".join(chr(0x1F1E6 + ord(ch) - ord("a")) for ch in word)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (_flags("idiot") + " lol", "idiot lol"),
        ("moving to " + _flags("us"), "moving to " + _flags("us")),  # a flag stays a flag
        (_flags("usus") + "🦅" + _flags("usil"), _flags("usus") + "🦅" + _flags("usil")),  # and a row of flags
        (_flags("dumb"), "dumb"),  # "du" and "mb" are no flags
        ("shut " + _flags("up"), "shut up"),
        (_flags("i"), _flags("i")),  # one letter alone is left as it is
    ],
)
def test_flag_letters_are_read(raw: str, expected: str) -> None:
    assert read_regional_letters(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("diputs uoy pu tuhs", "shut up you stupid"),
        ("toidi uoy", "you idiot"),
        ("first line is fine\ntoidi uoy", "first line is fine\nyou idiot"),
        ("no way", "no way"),  # known words as written
        ("ok", "ok"),  # one word is never enough
        ("bp ok, hr ok", "bp ok, hr ok"),
        ("Zyrtec Xarelto", "Zyrtec Xarelto"),  # unknown either way
        # two of its words are words as written ("na", "era"); reversed, all four are
        ("TOIDI NA ERA UOY", "YOU ARE AN IDIOT"),
        ("an era of you", "an era of you"),  # forwards it is already words
    ],
)
def test_backwards_lines_are_reversed(raw: str, expected: str) -> None:
    assert read_backwards(raw, VOCAB) == expected


def test_backwards_needs_a_vocabulary() -> None:
    assert read_backwards("toidi uoy", None) == "toidi uoy"


@pytest.mark.parametrize(("raw", "expected"), [
    ("you are an 🅸🅳🅸🅾🆃", "you are an IDIOT"),
    ("🅘🅓🅘🅞🅣", "IDIOT"),
    ("⒤⒟⒤⒪⒯", "idiot"),
    ("🄸🄳🄸🄾🅃", "IDIOT"),
    ("🆗 see you at 7", "🆗 see you at 7"),  # a squared word, not a letter
    ("plain text", "plain text"),
])
def test_boxed_letters_are_read(raw: str, expected: str) -> None:
    assert normalize(read_boxed_letters(raw)) == expected


def test_normalize_reads_them_and_training_can_leave_them_out() -> None:
    raw = "sh*t up you st*pid " + _flags("idiot")
    assert normalize(raw, VOCAB) == "shit up you stupid idiot"
    assert normalize(raw, VOCAB, late_readings=False) == "sht up you stpid " + _flags("idiot")
    assert normalize("toidi uoy", VOCAB) == "you idiot"
    assert normalize("ɥɔʇᴉq pᴉdnʇs", VOCAB) == "stupid bitch"
    assert normalize("⒤⒟⒤⒪⒯", VOCAB) == "idiot"
    assert normalize("🅱️endies", VOCAB, late_readings=False) == "🅱endies"  # as the shipped recipe trained


@pytest.mark.parametrize(("raw", "expected"), [
    ("shutupyoustupidbitch", "shut up you stupid bitch"),
    ("youareanidiot", "you are an idiot"),
    ("gokillyourself now", "go kill yourself now"),
    ("#idiotsthelotofthem", "#idiots the lot of them"),
    ("shitbag", "shitbag"),  # two words are a compound: split, it would lose its sting
    ("Fucktards", "Fucktards"),  # a split with a stray letter ("fuck t ards") is scraps
    ("apixaban and Xarelto", "apixaban and Xarelto"),  # no listed word inside: never segmented
    ("pheochromocytoma", "pheochromocytoma"),
    ("overkill", "overkill"),
    ("@youareanidiot hi", "@youareanidiot hi"),  # a handle is a name
    ("Islamophobicnonsense", "Islamophobicnonsense"),  # identity words are no cue
    ("youidiot", "you idiot"),  # two words are a disguise when the first is "you"
    # no listed word: twelve letters or more, split only into common words
    ("Nobodylikesyou.", "nobody likes you."),
    ("iwillfindwhereyouliveandhurtyou", "i will find where you live and hurt you"),
    ("youareaworthlessidiotandeveryonehereknowsit", "you area worthless idiot and everyone here knows it"),
    ("pancreaticoduodenectomy", "pancreaticoduodenectomy"),  # scraps ("o", "de", "nec"): left as typed
    ("hemoglobinopathy", "hemoglobinopathy"),  # "opa" is too rare to be a word here
    ("#sabarimalaverdict", "#sabarimalaverdict"),
    ("castorated", "castorated"),  # under twelve letters
    ("nitrofurantoin 100 mg", "nitrofurantoin 100 mg"),  # common words, but none of them a person
])
def test_run_together_words_hiding_a_listed_word_are_split(raw: str, expected: str) -> None:
    assert split_run_together(raw, VOCAB | {"overkill"}) == expected


def test_run_together_needs_a_vocabulary() -> None:
    assert split_run_together("youareanidiot", None) == "youareanidiot"


@pytest.mark.parametrize(("raw", "expected"), [
    ("<@123456789012345678> Nobody likes you.", "Nobody likes you."),
    ("<@!42>, <@43>: you idiot", "you idiot"),
    ("thanks <@42> for covering", "thanks <@42> for covering"),  # inside the sentence it stays
    ("<@42>", "<@42>"),  # a bare mention is left for the markup pass
])
def test_a_leading_mention_is_an_address_not_content(raw: str, expected: str) -> None:
    assert drop_leading_address(raw) == expected


def test_normalize_drops_the_address_and_keeps_inner_mentions() -> None:
    assert normalize("<@42> thanks <@43> for covering", VOCAB) == "thanks @user for covering"
    assert normalize("<@42> thanks", VOCAB, late_readings=False) == "@user thanks"


def test_segmenting_is_bounded_per_message() -> None:
    endings = ["now", "today", "again", "really", "honestly", "clearly", "totally", "always", "forever", "still",
               "sadly", "truly", "simply", "mostly", "surely", "plainly", "openly", "deeply", "fully", "badly"]
    words = [f"youareanidiot{ending}" for ending in endings]
    out = split_run_together(" ".join(words), VOCAB).split(" ")
    assert out.count("idiot") == 16  # the first 16 distinct runs are split, the rest left as typed
    assert out[-1] == words[-1]



@pytest.mark.parametrize(("raw", "expected"), [
    ("Nobody likes you!!!", "Nobody likes you."),
    ("go kill yourself!!!1!", "go kill yourself."),
    ("wow!! congrats!!! see you at 7", "wow. congrats. see you at 7"),
    ("great job!", "great job!"),  # one "!" is left: read as a full stop it cost more than it caught
    ("st!!p!d", "st!!p!d"),  # inside a word it is leetspeak, left to undo_leet
])
def test_runs_of_exclamation_marks_read_as_a_full_stop(raw: str, expected: str) -> None:
    assert read_shouted_ends(raw) == expected


def test_normalize_reads_shouted_ends_only_as_a_late_reading() -> None:
    assert normalize("Nobody likes you!!!", VOCAB) == "Nobody likes you."
    assert normalize("Nobody likes you!!!", VOCAB, late_readings=False) == "Nobody likes you!!!"


@pytest.mark.parametrize(("raw", "expected"), [
    ("[you idiot](https://example.com)", "you idiot"),
    ("see [the guideline](https://acc.org/x) first", "see the guideline first"),
    ("[the article](https://en.wikipedia.org/wiki/X_(y)) says", "the article says"),
    ("[a](b) and [c] (https://d.e)", "[a](b) and [c] (https://d.e)"),  # no address, or not a link: left
])
def test_masked_links_read_as_the_words_they_show(raw: str, expected: str) -> None:
    assert read_masked_links(raw) == expected


def test_normalize_reads_a_masked_insult_not_half_a_link() -> None:
    assert normalize("[you idiot](https://example.com)", VOCAB) == "you idiot"


def test_a_stretched_word_the_tokenizer_spells_in_pieces_comes_back_from_the_corpus() -> None:
    # "moron" is no tokenizer word, so only the corpus (a late reading) tells "moron" from "mooron"
    assert "moron" not in VOCAB
    assert normalize("you are a moooooron", VOCAB) == "you are a moron"
    assert normalize("you are a moooooron", VOCAB, late_readings=False) == "you are a mooron"


@pytest.mark.parametrize(("raw", "expected"), [
    ("g o   k i l l   y o u r s e l f", "go kill yourself"),
    ("y o u   a r e   a n   i d i o t!", "you are an idiot!"),
    ("first line\ng o   a w a y", "first line\ngo away"),
    ("A  B  C", "A  B  C"),  # single letters only: a list, not spelled words
    ("see  you  at 5", "see  you  at 5"),  # words, not letters
])
def test_a_line_spelled_letter_by_letter_is_read_as_its_words(raw: str, expected: str) -> None:
    assert read_spelled_lines(raw) == expected


def test_normalize_reads_spelled_two_letter_words_only_as_a_late_reading() -> None:
    assert normalize("g o   k i l l   y o u r s e l f", VOCAB) == "go kill yourself"
    assert normalize("g o   k i l l   y o u r s e l f", VOCAB, late_readings=False) == "g o kill yourself"
