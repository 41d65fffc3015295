"""Training batches: seeded shuffled epochs, and length buckets that cut padding without dropping rows."""

import random
from collections import Counter

from primum.training.rows import Example
from primum.training.train import TrainConfig, _batches


def _rows(n: int) -> tuple[list[Example], list[int]]:
    rng = random.Random(7)
    lengths = [rng.randint(3, 64) for _ in range(n)]
    rows = [Example(f"row {i}", (0.0,) * 6, "own", "k", "train") for i in range(n)]
    return rows, lengths


def test_without_buckets_each_epoch_is_one_seeded_shuffle() -> None:
    rows, _ = _rows(64)
    cfg = TrainConfig(steps=4, batch_size=16, bucket=0, seed=3)
    batches = _batches(rows, cfg)
    expected = rows[:]
    random.Random(3).shuffle(expected)
    assert [r for b in batches for r in b] == expected
    assert _batches(rows, cfg) == batches


def test_buckets_pad_less_and_still_show_every_row_once_per_window() -> None:
    rows, lengths = _rows(800)
    length_of = {r.text: n for r, n in zip(rows, lengths, strict=True)}
    plain = _batches(rows, TrainConfig(steps=50, batch_size=16, bucket=0))
    bucketed = _batches(rows, TrainConfig(steps=50, batch_size=16, bucket=25), lengths)

    def padded(batches: list[list[Example]]) -> int:
        return sum(len(b) * max(length_of[r.text] for r in b) for b in batches)

    assert len(bucketed) == 50 and all(len(b) == 16 for b in bucketed)
    assert padded(bucketed) < 0.6 * padded(plain)
    seen = Counter(r.text for b in bucketed for r in b)
    assert set(seen.values()) == {1}  # 800 rows, 50 x 16: one epoch, nothing dropped or doubled
    assert bucketed == _batches(rows, TrainConfig(steps=50, batch_size=16, bucket=25), lengths)
    first_window = [length_of[r.text] for b in bucketed[:25] for r in b]
    assert first_window != sorted(first_window)  # batches are shuffled after sorting


def test_a_later_stage_draws_its_new_rows_more_often_and_each_older_row_once() -> None:
    from primum.training.train import drawn_rows

    old = [Example(f"old {i}", (0.0,) * 6, "own", "k", "train", origin="kindness_base") for i in range(6)]
    new = [Example(f"new {i}", (1.0,) * 6, "own", "k", "train", origin="kindness_later") for i in range(2)]
    rows = old + new
    assert drawn_rows(rows, TrainConfig()) == rows
    assert drawn_rows(rows, TrainConfig(extra_files=("stage2/kindness_later.csv",), extra_repeat=1)) == rows
    drawn = Counter(r.text for r in drawn_rows(rows, TrainConfig(extra_files=("stage2/kindness_later.csv",),
                                                                  extra_repeat=4)))
    assert {t: drawn[t] for t in ("old 0", "new 0", "new 1")} == {"old 0": 1, "new 0": 4, "new 1": 4}
    assert sum(drawn.values()) == 6 + 2 * 4
