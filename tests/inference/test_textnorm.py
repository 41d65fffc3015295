"""Text normalisation tables: every disguise undone, clinical text left alone."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primum.inference import textnorm
from primum.inference.textnorm import normalize

EVASIONS = [
    ("NFKC fullwidth", "ｙｏｕ ｉｄｉｏｔ", "you idiot"),
    ("math bold", "𝐢𝐝𝐢𝐨𝐭", "idiot"),
    ("cyrillic homoglyphs", "you іdіоt", "you idiot"),
    ("greek homoglyphs", "mοrοn", "moron"),
    ("all-lookalike word", "сосо", "coco"),
    ("zero width space", "id\u200biot", "idiot"),
    ("zero width joiner + bom", "mo\u200dro\ufeffn", "moron"),
    ("soft hyphen", "stu\u00adpid", "stupid"),
    ("zalgo", "i̸̢d̷i̴o̵t̶", "idiot"),
    ("leet digits", "you 1d10t", "you idiot"),
    ("leet symbols", "a$$hole", "asshole"),
    ("leet bang inside word", "sh!t", "shit"),
    ("spaced letters", "what a m o r o n", "what a moron"),
    ("dotted letters", "i.d.i.o.t", "idiot"),
    ("dashed letters", "i-d-i-o-t", "idiot"),
    ("stretched vowel", "stuuuuupid", "stupid"),
    ("stretched keeps double", "sooooo", "soo"),
]

CLINICAL = [
    ("doses", "Give 5mg IV then 10ml/h", "Give 5mg IV then 10ml/h"),
    ("lab codes", "B12 low, SpO2 92%, HbA1c 7.5%", "B12 low, SpO2 92%, HbA1c 7.5%"),
    ("covid", "COVID-19 and covid19 in the 2nd trimester", "COVID-19 and covid19 in the 2nd trimester"),
    ("exclamation", "Great catch!", "Great catch!"),  # not leetspeak for "i"
    ("exclamations", "Great catch!!", "Great catch."),  # a run reads as a full stop (read_shouted_ends)
    ("handle", "@john thanks", "@john thanks"),
    ("accents stripped", "café résumé", "cafe resume"),
    ("genuine russian kept", "привет коллеги", "привет коллеги"),
    ("abbreviation", "e.g. the U.S. data", "e.g. the U.S. data"),
]

DISCORD = [
    ("user mention", "hi <@123456>", "hi @user"),
    ("nick mention", "hi <@!123456>", "hi @user"),
    ("a leading mention is an address", "<@123456> hi", "hi"),
    ("role mention", "<@&42> team", "@role team"),
    ("channel mention", "see <#99>", "see #channel"),
    ("custom emoji", "nice <:thumbs_up:1234>", "nice thumbs up"),
    ("animated emoji", "<a:party_parrot:5>", "party parrot"),
    ("url", "read https://example.org/x?y=1 now", "read now"),
    ("inline code", "run `make test` please", "run make test please"),
    ("code block", "look:\n```py\nidiot = 1\n```\ndone", "look:\ndone"),
    ("code block of a log", "here:\n```\nERROR 500 at /api/v1\n```", "here:"),
    ("code block of prose is read", "```you are all morons```", "you are all morons"),
    ("prose code block with a language tag", "```txt\nyou are all morons\n```", "you are all morons"),
    ("spoiler", "||you idiot||", "you idiot"),
    ("bold", "**really** good", "really good"),
    ("quote dropped", "> you are an idiot\nI disagree with that", "I disagree with that"),
    ("indented quote dropped", "  > quoted\nmine", "mine"),
    ("block quote drops rest", "mine\n>>> quoted\nstill quoted", "mine"),
    ("a lone quote is the author's post", "> you idiot", "you idiot"),
    ("a lone block quote too", ">>> you idiot\nand the rest", "you idiot\nand the rest"),
    ("quote with only a reaction", "> you idiot\n😂", "you idiot\n😂"),
    ("timestamp", "at <t:1700000000:R>", "at"),
]


@pytest.mark.parametrize(("name", "raw", "expected"), EVASIONS + CLINICAL + DISCORD)
def test_normalize(name: str, raw: str, expected: str) -> None:
    assert normalize(raw) == expected, name


@pytest.mark.parametrize("text", [raw for _, raw, _ in EVASIONS + CLINICAL + DISCORD])
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a\u200bb", "ab"), ("a\u2060b\u2062c", "abc"), ("x\U000e0041y", "xy"), ("ok\ufe0f", "ok")],
)
def test_strip_invisible(raw: str, expected: str) -> None:
    assert textnorm.strip_invisible(raw) == expected


def test_training_drops_a_lone_quote() -> None:
    # public rows that open with ">" are replies whose line breaks were lost: training leaves them out
    assert normalize("> you idiot", keep_lone_quote=False) == ""
    assert normalize("> you idiot\nI disagree", keep_lone_quote=False) == "I disagree"


def test_quote_mid_message_only_drops_quoted_lines() -> None:
    text = "first\n> quoted insult\nsecond"
    assert textnorm.drop_quoted_lines(text) == "first\nsecond"


def test_long_text_is_kept_whole() -> None:
    text = "word " * 900
    assert normalize(text).count("word") == 900


KNOWN = frozenset({"complete", "good", "nobody", "so", "stupid", "your", "cool", "soon"})


@pytest.mark.parametrize(("raw", "expected"), [
    ("you are a completeee idiot", "you are a complete idiot"),
    ("noboooooody respects youuuuuur opinion", "nobody respects your opinion"),
    ("goooood catch", "good catch"),
    ("sooooo tired", "so tired"),
    ("stuuuupiiiid", "stupid"),
    ("a cooool case", "a cool case"),
    ("zzzzzz", "zz"),  # not a known word either way: the default rule
    ("Completeee nonsense", "Complete nonsense"),
])
def test_known_words_bring_stretched_words_back_whole(raw: str, expected: str) -> None:
    assert normalize(raw, KNOWN) == expected
    assert normalize(raw) == normalize(raw, frozenset())  # no vocabulary: the plain rule


def test_engine_knows_the_tokenizers_whole_words() -> None:
    from primum.inference.engine import known_words

    class Tokenizer:
        def get_vocab(self) -> dict[str, int]:
            return {"complete": 1, "##ly": 2, "[CLS]": 3, "a": 4, "Good": 5, "b12": 6}

    assert known_words(Tokenizer()) == {"complete", "good"}
    assert known_words(object()) == frozenset()


LEET_KNOWN = frozenset(
    {"that", "from", "when", "with", "don", "she", "idiot", "intern", "hell", "kill", "ta", "bis", "sis"}
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("7h47 is wh3n it starts", "that is when it starts"),  # short tokens the plain rules take for codes
    ("fr0m you w17h love", "from you with love"),
    ("d0n'7 bother", "don't bother"),
    ("$h3'$ the worst", "she's the worst"),
    ("what an 1d10t", "what an idiot"),
    ("go to he11", "go to hell"),  # "1" read as "l" because "hell" is a word and "heii" is not
    ("k1ll the infection", "kill the infection"),
    ("B12 and SpO2 and q4h", "B12 and SpO2 and q4h"),  # codes: no reading is a word
    ("t4 was low", "t4 was low"),  # "ta" is a word, but too short to trust
    ("5mg at 3am on the 1st", "5mg at 3am on the 1st"),  # doses, times and ordinals are never read
    ("@b1s said so", "@b1s said so"),  # a handle stays a handle
    ("ask @doc1 first", "ask @doc1 first"),
    ("the 1nt3rn was great", "the intern was great"),
])
def test_known_words_read_leetspeak(raw: str, expected: str) -> None:
    assert normalize(raw, LEET_KNOWN) == expected


def test_leetspeak_reading_is_bounded() -> None:
    token = "1" * 12 + "x"  # 2**12 readings if unbounded: left to the plain rules
    assert normalize(token, LEET_KNOWN) == normalize(token)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u202etoidi na era uoy", "you are an idiot"),  # right-to-left override: shown reversed
        ("you are \u202etoidi na\u202c ok", "you are an idiot ok"),
        ("\u202dyou are kind\u202c", "you are kind"),  # left-to-right override changes nothing here
        ("שלום עליכם", "שלום עליכם"),  # Hebrew without controls keeps its logical order
    ],
)
def test_text_is_read_in_display_order(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yօu are an іdiօt", "you are an idiot"),  # Armenian o, Cyrillic i
        ("ѕtսpid հack", "stupid hack"),  # Cyrillic s, Armenian u and h
        ("Іdiot", "Idiot"),  # TR39's I-prototype is "l"; an upper-case one reads as I
        ("𝐢𝐝𝐢𝐨𝐭", "idiot"),  # mathematical bold (NFKC)
    ],
)
def test_confusables_from_unicode_tr39(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_confusables_table_comes_from_tr39() -> None:
    assert len(textnorm.CONFUSABLES) > 1000
    assert textnorm.CONFUSABLES["օ"] == "o"  # ARMENIAN SMALL LETTER OH, not in the old hand table


def test_pipe_spoiler_fragment_is_stable() -> None:
    once = normalize("||idiot")
    assert once == "idiot"
    assert normalize(once) == once


_ALPHABET = "abcdeiost ADIOT01345789@$!|+*_~`>#:-.\n\u200b\u202e\u202cіօѕ"


@given(st.text(alphabet=_ALPHABET, max_size=40))
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=_ALPHABET, max_size=40))
@settings(max_examples=200, deadline=None)
def test_normalize_with_a_vocabulary_is_idempotent(text: str) -> None:
    known = frozenset({"idiot", "when", "that", "toast", "stoic", "test"})
    once = normalize(text, known)
    assert normalize(once, known) == once


def test_no_ascii_character_is_touched_by_the_unicode_passes() -> None:
    """ASCII text skips NFKC, invisible-character, combining-mark and confusable passes; this holds
    only while none of those would change an ASCII character, which this checks one by one."""
    import unicodedata

    for code in range(128):
        ch = chr(code)
        assert unicodedata.normalize("NFKC", ch) == ch
        assert code not in textnorm._INVISIBLE and unicodedata.category(ch) != "Cf"
        assert all(unicodedata.category(part) not in {"Mn", "Me"} for part in unicodedata.normalize("NFD", ch))
        assert ch not in textnorm.CONFUSABLES and ch not in textnorm._BIDI_CONTROLS

