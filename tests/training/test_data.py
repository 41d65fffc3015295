"""Label mapping from public data and our files, evasion variants, and the train/dev separation."""

import csv
import random

import pytest

from primum.inference.textnorm import normalize
from primum.training.augment import VARIANTS, evasion_variants, random_variant
from primum.training.data import augment, load_own
from primum.training.rows import LABELS, profanity_label


def _write(path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category", "kind", "split"])
        writer.writerows(rows)


def test_own_rows_map_to_multilabel_targets(tmp_path) -> None:
    _write(tmp_path / "kindness_unkind.csv", [
        ["Did they skip pharmacology at your school?", "1", "belittling", "condescension", "train"],
        ["Watch your back", "1", "threat", "career_threat", "dev"],
    ])
    _write(tmp_path / "kindness_benign.csv", [
        ["Crap, the OR got bumped again.", "0", "none", "venting", "train"],
    ])
    rows = {r.text: r for r in load_own(tmp_path)}
    belittle = dict(zip(LABELS, rows["Did they skip pharmacology at your school?"].targets, strict=True))
    assert belittle == {"unkind": 1.0, "insult": 0.0, "belittling": 1.0, "identity_attack": 0.0, "threat": 0.0,
                        "profanity": 0.0}
    assert rows["Watch your back"].split == "dev"
    venting = dict(zip(LABELS, rows["Crap, the OR got bumped again."].targets, strict=True))
    assert venting["unkind"] == 0.0 and venting["profanity"] == 1.0  # profanity alone is not unkind


def test_public_mapping_rules(tmp_path) -> None:
    from primum.training.data import load_convabuse, load_davidson, load_madlibs, load_toxigen

    root = tmp_path
    (root / "davidson").mkdir()
    with (root / "davidson" / "labeled_data.csv").open("w", newline="") as h:
        w = csv.writer(h)
        w.writerow(["", "count", "hate_speech", "offensive_language", "neither", "class", "tweet"])
        w.writerow([0, 3, 3, 0, 0, 0, "hate tweet"])
        w.writerow([1, 3, 0, 3, 0, 1, "offensive damn tweet"])
        w.writerow([2, 3, 0, 0, 3, 2, "nice tweet"])
    (root / "convabuse").mkdir()
    header = ["user"] + [f"Annotator1_is_abuse.{v}" for v in ("1", "0", "-1", "-2", "-3")] + [
        "Annotator1_intellectual", "Annotator1_racist", "Annotator1_target.individual"]
    for name in ("ConvAbuseEMNLPtrain.csv", "ConvAbuseEMNLPvalid.csv"):
        with (root / "convabuse" / name).open("w", newline="") as h:
            w = csv.writer(h)
            w.writerow(header)
            w.writerow(["you are stupid", 0, 0, 0, 1, 0, 1, 0, 1])
            w.writerow(["hello bot", 1, 0, 0, 0, 0, 0, 0, 0])
            w.writerow(["hmm", 0, 1, 0, 0, 0, 0, 0, 0])  # ambiguous: dropped
    (root / "toxigen").mkdir()
    with (root / "toxigen" / "toxigen_prompt_sentences_unique.csv").open("w", newline="") as h:
        w = csv.writer(h)
        w.writerow(["text", "label", "group"])
        w.writerow(["group x is bad", 1, "x"])
        w.writerow(["group x cooks food", 0, "x"])
    (root / "jigsaw_bias_madlibs").mkdir()
    with (root / "jigsaw_bias_madlibs" / "bias_madlibs_77k.csv").open("w", newline="") as h:
        w = csv.writer(h)
        w.writerow(["Text", "Label", "Template"])
        w.writerow(["Being gay is wonderful.", "NOT_BAD", "being_adj"])
        w.writerow(["Sam is a vile deaf", "BAD", "name_adj"])

    rng = random.Random(0)
    dav = {r.text: dict(zip(LABELS, r.targets, strict=True)) for r in load_davidson(root, rng)}
    assert dav["hate tweet"]["identity_attack"] == 1.0
    assert "offensive damn tweet" not in dav  # v7: "offensive" taught tweet style, it is not trained on
    assert dav["nice tweet"]["unkind"] == 0.0
    conv = load_convabuse(root)
    assert {r.split for r in conv} == {"train", "dev"}
    stupid = next(r for r in conv if r.text == "you are stupid")
    assert dict(zip(LABELS, stupid.targets, strict=True))["belittling"] == 1.0
    assert all(r.text != "hmm" for r in conv)
    tox = {r.text: r.targets for r in load_toxigen(root)}
    assert tox["group x is bad"][LABELS.index("identity_attack")] == 1.0
    assert tox["group x cooks food"][0] == 0.0
    mad = {r.text: r.targets for r in load_madlibs(root, rng)}
    assert mad["Being gay is wonderful."][0] == 0.0
    assert mad["Sam is a vile deaf"][LABELS.index("identity_attack")] == 1.0


def test_augment_only_adds_train_variants(tmp_path) -> None:
    _write(tmp_path / "kindness_benign.csv", [["kill the infection", "0", "none", "clinical", "train"],
                                              ["wound care today", "0", "none", "clinical", "dev"]])
    rows = augment(load_own(tmp_path))
    assert sum(r.split == "dev" for r in rows) == 1
    assert sum(r.split == "train" for r in rows) == 2


def test_evasion_variants_are_deterministic_and_normalise_back() -> None:
    text = "you are a complete idiot and a moron"
    first, second = evasion_variants(text, seed=1), evasion_variants(text, seed=1)
    assert first == second
    assert set(first) == set(VARIANTS)
    assert all(v != text for v in first.values())
    for name in ("homoglyph", "zero_width", "zalgo", "spaced", "markup"):
        assert normalize(first[name]) == text, name
    assert random_variant(text, random.Random(0)) != text


def test_profanity_word_list() -> None:
    assert profanity_label("what a shitty day") == 1.0
    assert profanity_label("the hell of night shift") == 1.0
    assert profanity_label("assess the class") == 0.0


def test_every_kindness_file_is_read_and_near_duplicates_of_dev_are_not_trained_on(tmp_path) -> None:
    from primum.training.data import drop_near_duplicates

    _write(tmp_path / "kindness_dev2.csv", [
        ["nobody was rude to you at sign-out, you're being hysterical", "1", "belittling", "gaslighting", "dev"],
    ])
    _write(tmp_path / "kindness_extra.csv", [
        ["You're being hysterical, nobody was rude to you at sign-out.", "1", "belittling", "gaslighting", "train"],
        ["Nobody was rude at sign-out; I checked with the charge nurse.", "0", "none", "civil", "train"],
    ])
    _write(tmp_path / "notes.csv", [["not ours", "1", "insult", "x", "train"]])
    rows = load_own(tmp_path)
    assert {r.text for r in rows} >= {"Nobody was rude at sign-out; I checked with the charge nurse."}
    assert all(r.text != "not ours" for r in rows)
    kept = {r.text for r in drop_near_duplicates(rows)}
    assert "You're being hysterical, nobody was rude to you at sign-out." not in kept
    assert "Nobody was rude at sign-out; I checked with the charge nurse." in kept
    assert "nobody was rude to you at sign-out, you're being hysterical" in kept  # the dev row stays


def test_withheld_dev_rows_are_neither_trained_on_nor_evaluated(tmp_path) -> None:
    from primum.training.data import load_all

    shown = "congrats on finally reading a paper, @sam"
    _write(tmp_path / "kindness_dev2.csv", [
        [shown, "1", "belittling", "sarcasm", "dev"],
        ["you're wrong about the dose, check the renal function", "0", "none", "civil_disagreement", "dev"],
    ])
    _write(tmp_path / "kindness_train.csv", [
        ["Congrats on finally reading a paper, Sam!", "1", "belittling", "sarcasm", "train"],
        ["thanks for covering my shift", "0", "none", "friendly", "train"],
    ])
    (tmp_path / "dev_withheld.txt").write_text(shown + "\n", encoding="utf-8")
    public = tmp_path / "public"
    for folder, name, header in (
        ("davidson", "labeled_data.csv", ["class", "tweet"]),
        ("convabuse", "ConvAbuseEMNLPtrain.csv", ["user"]),
        ("convabuse", "ConvAbuseEMNLPvalid.csv", ["user"]),
        ("toxigen", "toxigen_prompt_sentences_unique.csv", ["text", "label"]),
        ("jigsaw_bias_madlibs", "bias_madlibs_77k.csv", ["Text", "Label"]),
    ):
        (public / folder).mkdir(parents=True, exist_ok=True)
        with (public / folder / name).open("w", newline="") as handle:
            csv.writer(handle).writerow(header)
    own = {r.text: r.split for r in load_all(public, tmp_path) if r.source == "own"}
    assert own[shown] == "withheld"
    assert "Congrats on finally reading a paper, Sam!" not in own  # a near copy of a withheld row
    assert own["thanks for covering my shift"] == "train"
    assert own["you're wrong about the dose, check the renal function"] == "dev"


def test_training_normalises_train_rows_and_leaves_dev_rows_for_the_engine() -> None:
    from primum.training.rows import Example
    from primum.training.rows import make_targets as _targets
    from primum.training.train import split_for_training

    rows = [
        Example("you 1d10t", _targets(1.0, prof=0.0, insult=1.0), "own", "insult", "train"),
        Example("> only a quote", _targets(0.0, prof=0.0), "own", "civil", "train"),
        Example("what a completeee m o r o n", _targets(1.0, prof=0.0, insult=1.0), "own", "insult", "dev"),
        Example("", _targets(0.0, prof=0.0), "own", "civil", "dev"),
    ]
    train, dev = split_for_training(rows)
    assert [r.text for r in train] == ["you idiot"]  # the quote-only row has no words of its author
    assert [r.text for r in dev] == ["what a completeee m o r o n"]  # scored raw, as the bot does


def test_late_readings_in_training_are_a_recipe_choice() -> None:
    from primum.training.rows import Example
    from primum.training.rows import make_targets as _targets
    from primum.training.train import split_for_training

    rows = [Example("pt called me a b*tch and left AMA", _targets(0.0, prof=1.0), "own", "civil", "train")]
    assert [r.text for r in split_for_training(rows)[0]] == ["pt called me a b*tch and left AMA"]  # as shipped
    assert [r.text for r in split_for_training(rows, late_readings=True)[0]] == ["pt called me a bitch and left AMA"]


@pytest.mark.parametrize(("text", "words"), [
    ("go kill yourself!!!", "go kill yourself"),
    ("Thanks so much.", "Thanks so much"),
    ("really?! …", "really"),
    ("no ending", "no ending"),
])
def test_redraw_ending_keeps_the_words_and_draws_an_ending(text: str, words: str) -> None:
    from primum.training.augment import ENDINGS, redraw_ending

    rng = random.Random(1)
    drawn = {redraw_ending(text, rng) for _ in range(200)}
    assert drawn == {words + ending for ending in ENDINGS}


def test_redraw_ending_leaves_punctuation_only_text() -> None:
    from primum.training.augment import redraw_ending

    assert redraw_ending("!!!", random.Random(0)) == "!!!"


def test_endings_are_redrawn_for_train_rows_of_either_label_only() -> None:
    from primum.training.data import redraw_endings
    from primum.training.rows import Example
    from primum.training.rows import make_targets as _targets

    rows = [
        Example(f"row {i}.", _targets(float(i % 2), prof=0.0), "own", "civil", "train" if i < 400 else "dev")
        for i in range(500)
    ]
    assert redraw_endings(rows, 0.0) == rows
    redrawn = redraw_endings(rows, 0.5, seed=3)
    assert redrawn == redraw_endings(rows, 0.5, seed=3)  # deterministic for a seed
    changed = [old for old, new in zip(rows, redrawn, strict=True) if old.text != new.text]
    assert all(r.split == "train" for r in changed)
    kind = sum(r.unkind == 0.0 for r in changed)
    assert 60 < kind < len(changed) - 60  # kind and unkind rows alike
    assert all(new.text.startswith(old.text[:-1]) for old, new in zip(rows, redrawn, strict=True))


def test_a_later_stage_reads_its_own_files_beside_every_kindness_file(tmp_path) -> None:
    (tmp_path / "stage2").mkdir()
    _write(tmp_path / "kindness_base.csv", [["thanks for the sign-out", "0", "none", "friendly", "train"]])
    _write(tmp_path / "stage2" / "kindness_later.csv",
           [["they should all be lined up and shot", "1", "threat", "call", "train"]])
    assert [r.text for r in load_own(tmp_path)] == ["thanks for the sign-out"]  # the first stage never sees them
    later = {r.text: r for r in load_own(tmp_path, ["stage2/kindness_later.csv"])}
    assert set(later) == {"thanks for the sign-out", "they should all be lined up and shot"}
    assert later["they should all be lined up and shot"].origin == "kindness_later"
