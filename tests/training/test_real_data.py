"""Real-text loaders: splits by hash, label mapping per source, per-source balance, long posts, the report."""

import csv
import math

from primum.training.real_data import (
    balance_weights,
    load_heldout,
    load_own_real,
    load_public_real,
    load_real,
    long_benign,
    real_split,
)
from primum.training.real_report import real_report, real_targets_met
from primum.training.report import choose_thresholds
from primum.training.rows import Example
from primum.training.rows import make_targets as _targets


def _normalized(public, source: str, rows: list[tuple[str, str, str]]) -> None:
    (public / source).mkdir(parents=True, exist_ok=True)
    with (public / source / "normalized.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category"])
        writer.writerows(rows)


def test_split_is_stable_and_mostly_train() -> None:
    splits = [real_split(f"comment number {i}", "gab_hate_corpus") for i in range(4000)]
    assert splits == [real_split(f"comment number {i}", "gab_hate_corpus") for i in range(4000)]
    share = {name: splits.count(name) / len(splits) for name in ("train", "calib", "dev")}
    assert 0.82 < share["train"] < 0.88
    assert 0.06 < share["calib"] < 0.09
    assert 0.06 < share["dev"] < 0.09


def test_profanity_only_positives_teach_no_unkindness(tmp_path) -> None:
    _normalized(tmp_path, "gab_hate_corpus", [
        ("what a fucking great day", "1", "ghc_vo_train"),
        ("those people are vermin", "1", "ghc_hdvo_train"),
        ("nice weather", "0", "ghc_none_train"),
    ])
    _normalized(tmp_path, "ruddit", [("fucking stand up dude", "1", "ruddit_offensive_ge0.35")])
    _normalized(tmp_path, "stormfront", [("they are all animals", "1", "stormfront_hate")])
    rows = {r.text: r for r in load_public_real(tmp_path)}
    assert rows["what a fucking great day"].unkind is None
    assert rows["what a fucking great day"].targets[-1] == 1.0  # still teaches profanity
    assert rows["fucking stand up dude"].unkind is None
    assert rows["those people are vermin"].unkind == 1.0
    assert rows["nice weather"].unkind == 0.0
    assert rows["they are all animals"].targets[3] == 1.0  # identity_attack


def test_own_labelled_rows_keep_their_category_and_drop_unclear(tmp_path) -> None:
    with (tmp_path / "real_goemotions_labelled.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category", "row", "labeller"])
        writer.writerow(["learn to read, genius", "1", "belittling", "1", "a"])
        writer.writerow(["this is a stupid idea", "0", "none", "2", "a"])
        writer.writerow(["Omar", "0", "unclear", "3", "a"])
    rows = {r.text: r for r in load_own_real(tmp_path)}
    assert set(rows) == {"learn to read, genius", "this is a stupid idea"}
    assert rows["learn to read, genius"].targets[2] == 1.0  # belittling
    assert rows["this is a stupid idea"].unkind == 0.0


def _labelled_file(path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "category", "row", "labeller"])
        writer.writerows([(*row, str(i), "e") for i, row in enumerate(rows)])


def test_heldout_rows_are_never_trained_on_and_change_no_training_row(tmp_path) -> None:
    public, data = tmp_path / "public", tmp_path / "data"
    data.mkdir()
    _normalized(public, "goemotions", [(f"an ordinary comment number {i}", "0", "") for i in range(300)])
    _labelled_file(data / "real_goemotions_labelled.csv",
                   [(f"labelled comment {i}", str(i % 2), "insult" if i % 2 else "none") for i in range(200)])
    before = [r for r in load_real(public, data) if r.split == "train"]
    _labelled_file(data / "heldout_goemotions_labelled.csv",
                   [(f"held out comment {i}", str(i % 2), "belittling" if i % 2 else "none") for i in range(400)]
                   + [("who knows", "0", "unclear")])
    after = load_real(public, data)
    assert [r for r in after if r.split == "train"] == before
    heldout = [r for r in after if r.origin == "heldout_goemotions_labelled"]
    assert len(heldout) == 400 and {r.split for r in heldout} == {"calib", "dev"}
    assert 150 < sum(r.split == "dev" for r in heldout) < 250
    assert {r.source for r in heldout} == {"goemotions_labelled"}
    assert [r.text for r in load_heldout(data)] == [r.text for r in heldout]


def _row(text: str, source: str, unkind: float, split: str = "train") -> Example:
    return Example(text, _targets(unkind, prof=0.0), source, "x", split)


def test_balance_brings_every_source_towards_the_same_positive_share() -> None:
    rows = [_row(f"a{i}", "rare", 1.0 if i < 10 else 0.0) for i in range(100)]
    rows += [_row(f"b{i}", "common", 1.0 if i < 60 else 0.0) for i in range(100)]
    weighted = balance_weights(rows, share=0.3, cap=10.0)

    def share(source: str) -> float:
        pos = sum(r.weight for r in weighted if r.source == source and r.unkind == 1.0)
        return pos / sum(r.weight for r in weighted if r.source == source)

    assert math.isclose(share("rare"), 0.3, abs_tol=1e-9)
    assert math.isclose(share("common"), 0.3, abs_tol=1e-9)


def test_upweighting_is_capped() -> None:
    rows = [_row(f"a{i}", "rare", 1.0 if i == 0 else 0.0) for i in range(1000)]
    assert max(r.weight for r in balance_weights(rows, share=0.3, cap=3.0)) == 3.0


def test_long_benign_posts_are_kind_and_from_one_source() -> None:
    rows = [_row(f"reddit comment {i}", "goemotions", 0.0) for i in range(50)]
    rows += [_row(f"gab post {i}", "gab_hate_corpus", 0.0) for i in range(50)]
    rows += [_row("you absolute idiot", "gab_hate_corpus", 1.0)]
    posts = long_benign(rows, seed=1, n=40)
    assert len(posts) == 40
    for post in posts:
        assert post.unkind == 0.0 and post.split == "train"
        assert "idiot" not in post.text
        prefix = "reddit comment" if post.source == "goemotions" else "gab post"
        assert post.text.count(prefix) >= 3


def test_real_report_per_source_and_by_length() -> None:
    rows = [_row("short kind", "goemotions", 0.0), _row(" ".join(["word"] * 70), "goemotions", 0.0),
            _row("hateful post", "stormfront", 1.0), _row("forum chat", "stormfront", 0.0)]
    report = real_report(rows, [0.1, 0.9, 0.8, 0.2], nudge=0.5)
    assert report["sources"]["goemotions"]["fpr"] == 0.5
    assert report["sources"]["stormfront"]["auc"] == 1.0
    assert report["benign_by_length"][">60 words"] == {"fpr": 1.0, "n": 1}
    assert report["benign_by_length"]["0-10 words"] == {"fpr": 0.0, "n": 2}
    met = real_targets_met(report)
    assert met["real_goemotions_benign<=2%"] is False
    assert met["real_stormfront_benign<=5%"] is True


def test_thresholds_respect_the_real_sources_calib_rows() -> None:
    own = {"own_all_benign": [i / 1000 for i in range(1000)]}
    loose = choose_thresholds(own)["nudge"]
    strict = choose_thresholds({**own, "real_calib:goemotions": [0.99] * 30 + [0.0] * 970},
                               extra_targets={"real_calib:goemotions": 0.02})["nudge"]
    assert strict > loose
    assert strict > 0.99


def test_all_real_calib_rows_together_hold_the_strictest_ceiling() -> None:
    """Each source under its own ceiling, yet 4% of all real benign text flagged: the pooled rows decide."""
    from primum.training.calibration import _choose_on

    rows: list[Example] = []
    scores: list[float] = []
    for source in ("implicit_hate", "hatexplain"):
        for i in range(500):  # 4% of each source at 0.97, under its 10% ceiling (x 0.75 margin)
            rows.append(_row(f"{source} kind post {i}", source, 0.0, split="calib"))
            scores.append(0.97123 if i < 20 else i / 1000)
    rows.append(_row("our civil dev row", "own", 0.0, split="dev"))
    scores.append(0.1)
    nudge = _choose_on(rows, scores)["nudge"]
    assert nudge > 0.97123  # the pooled 4% is over 0.75 x 2%, so the threshold rises above those rows


def test_civil_chat_of_the_calibration_conversations_holds_the_civil_target() -> None:
    """Our written civil rows all pass, but 5% of real chat messages score 0.95123: the chat decides."""
    from primum.training.calibration import _choose_on

    rows = [_row(f"our civil dev row {i}", "own", 0.0, split="dev") for i in range(400)]
    scores = [i / 1000 for i in range(400)]
    chat = [0.95123 if i < 20 else 0.2 for i in range(400)]
    without = _choose_on(rows, scores)["nudge"]
    with_chat = _choose_on(rows, scores, chat)["nudge"]
    assert without < 0.95123
    assert with_chat > 0.95123  # 5% is over 0.75 x 3%, so the threshold rises above those messages
    chat_ok = [0.95123 if i < 8 else 0.2 for i in range(400)]  # 2%: under 2.25%, the rows decide
    assert _choose_on(rows, scores, chat_ok)["nudge"] == without
