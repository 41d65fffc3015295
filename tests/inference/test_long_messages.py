"""Long messages: one unkind sentence still shows, but more pieces are not more chances to trip."""

import math

import pytest

from primum.inference.engine import Engine, long_text_scores
from primum.inference.protocol import CATEGORIES

LABELS = ["unkind", *CATEGORIES]


@pytest.fixture(scope="module")
def tokenizer():
    from primum.inference.net import load_tokenizer

    return load_tokenizer()


def _engine(tokenizer, penalty: float) -> Engine:
    """A deterministic network: a row with "idiot" is clearly unkind, one with "whatever" borderline."""
    import torch

    idiot = tokenizer.convert_tokens_to_ids("idiot")
    meh = tokenizer.convert_tokens_to_ids("whatever")

    def forward(ids, mask):
        rows = []
        for row in ids.tolist():
            logit = 6.0 if idiot in row else 1.0 if meh in row else -4.0
            rows.append([logit] * len(LABELS))
        return torch.tensor(rows)

    return Engine(tokenizer, forward, LABELS, max_length=128, stride=32, long_penalty=penalty)


SENTENCE = "The patient was discharged on day three with follow-up in clinic next week."


def _long(extra: str, at_end: bool = True) -> str:
    body = [SENTENCE] * 14
    body.insert(len(body) if at_end else 0, extra)
    return " ".join(body)


def test_penalty_divides_odds_by_the_number_of_rows() -> None:
    import torch

    logits = torch.tensor([[2.0], [0.0], [-1.0], [-3.0]])
    (score,) = long_text_scores(logits, 1.0).tolist()
    assert math.isclose(score, 1 / (1 + math.exp(-(2.0 - math.log(4)))), rel_tol=1e-6)
    (plain,) = long_text_scores(logits, 0.0).tolist()
    assert math.isclose(plain, 1 / (1 + math.exp(-2.0)), rel_tol=1e-6)


def test_a_borderline_sentence_deep_in_a_long_message_no_longer_trips(tokenizer) -> None:
    text = _long("whatever, the plan was fine I guess.")
    short = "whatever, the plan was fine I guess."
    plain, fair = _engine(tokenizer, 0.0), _engine(tokenizer, 1.0)
    assert plain.predict([text])[0].score > 0.7  # the old plain maximum: one more chance to trip
    assert fair.predict([text])[0].score < 0.5
    assert fair.predict([short])[0].score > 0.7  # said on its own, it is scored as before


def test_one_clearly_unkind_sentence_in_a_long_message_is_still_caught(tokenizer) -> None:
    fair = _engine(tokenizer, 1.0)
    for at_end in (True, False):
        assert fair.predict([_long("Honestly you are an idiot.", at_end)])[0].score > 0.95


def test_short_messages_are_untouched_by_the_penalty(tokenizer) -> None:
    texts = ["you idiot", "whatever", "thanks for covering"]
    assert [s.score for s in _engine(tokenizer, 0.0).predict(texts)] == [
        s.score for s in _engine(tokenizer, 1.0).predict(texts)
    ]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        # a trailing fragment without words joins the group before it, so this message stays one piece
        ("Honestly I think the new scope-of-practice bill is a mistake, and here is why. (12)", []),
        # a short sentence next to a long one stands alone: it may be the whole point of the message
        ("Wow. The patient was discharged on day three with follow-up in clinic early next week.",
         ["Wow.", "The patient was discharged on day three with follow-up in clinic early next week."]),
        ("Great discussion on the anticoagulation guidelines today, thanks all for the comments. Kill yourself.",
         ["Great discussion on the anticoagulation guidelines today, thanks all for the comments.", "Kill yourself."]),
        # short sentences side by side are packed together
        (
            "The patient was discharged on day three with follow-up in clinic next week. "
            "Her labs were normal at the visit. You are an idiot.",
            ["The patient was discharged on day three with follow-up in clinic next week.",
             "Her labs were normal at the visit. You are an idiot."],
        ),
        # an abbreviation's full stop ends no sentence: "Dr." and "p.o." never stand alone
        ("I discussed the CT with Dr. Patel this morning, and she agreed the lesion is stable since the prior. Fine.",
         ["I discussed the CT with Dr. Patel this morning, and she agreed the lesion is stable since the prior.",
          "Fine."]),
        ("Started apixaban 5 mg p.o. b.i.d. on Monday for the new afib, and the pt. tolerated it well so far. Thanks.",
         ["Started apixaban 5 mg p.o. b.i.d. on Monday for the new afib, and the pt. tolerated it well so far.",
          "Thanks."]),
        # a sentence that starts without a full stop before it is still a sentence
        ("go kill yourself Great discussion on the anticoagulation guidelines today, thanks all for this.",
         ["go kill yourself", "Great discussion on the anticoagulation guidelines today, thanks all for this."]),
        # ... but a mid-sentence "I" or a name is no sentence start
        ("honestly the new rota is better than I expected and Patel agrees, though nights are still rough for us",
         []),
        ("the lecture ran long and you know I think the slides were too dense for the residents anyway",
         []),
        # ... unless the "I" follows a word that ends a clause: a new sentence typed without its full stop
        ("shut up you stupid bitch I reviewed the CT with radiology and the lesion looks stable since March",
         ["shut up you stupid bitch", "I reviewed the CT with radiology and the lesion looks stable since March"]),
        # every line is at least one piece
        ("first line of a fairly long post about the call schedule\nsecond line of it, also about call",
         ["first line of a fairly long post about the call schedule", "second line of it, also about call"]),
    ],
)
def test_sentence_groups(text: str, pieces: list[str]) -> None:
    from primum.inference.engine import split_long

    assert split_long(text, 80) == pieces


def _diluting_engine(tokenizer) -> Engine:
    """A network that mean-pools like the real one: its logit grows with the share of "idiot" tokens in a row."""
    import torch

    idiot = tokenizer.convert_tokens_to_ids("idiot")

    def forward(ids, mask):
        rows = []
        for row, real in zip(ids.tolist(), mask.sum(1).tolist(), strict=True):
            share = row.count(idiot) / real
            rows.append([40.0 * share - 4.0] * len(LABELS))
        return torch.tensor(rows)

    return Engine(tokenizer, forward, LABELS, max_length=128, stride=32, long_penalty=1.0, segment_chars=80)


@pytest.mark.parametrize("where", ["start", "middle", "end", "start without a full stop"])
def test_a_one_word_insult_beside_long_kind_sentences_is_caught(tokenizer, where: str) -> None:
    kind = ("Great discussion on the anticoagulation guidelines today, thanks all for the thoughtful comments.",
            "I reviewed the CT with radiology this morning and the lesion looks stable compared with March.")
    parts = {"start": ["Idiot.", *kind], "middle": [kind[0], "Idiot.", kind[1]], "end": [*kind, "Idiot."],
             "start without a full stop": ["you idiot", *kind]}[where]
    engine = _diluting_engine(tokenizer)
    engine.segment_chars = 10_000  # one row for the whole message: "Idiot." is one token in forty
    assert engine.predict([" ".join(parts)])[0].score < 0.5
    engine.segment_chars = 80
    assert engine.predict([" ".join(parts)])[0].score > 0.95
    assert engine.predict([" ".join(kind)])[0].score < 0.05
