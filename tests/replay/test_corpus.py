"""The shipped conversation splits and the civil messages ``primum train`` holds to the civil target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from primum.replay.corpus import batch_of, civil_texts, load_split


def _write(folder: Path, name: str, meta: dict[str, object], messages: list[dict[str, object]]) -> None:
    lines = [json.dumps({"meta": meta}), *(json.dumps(m) for m in messages)]
    (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_civil_texts_follow_the_replay_definition(tmp_path: Path) -> None:
    split = tmp_path / "calibration"
    split.mkdir()
    _write(split, "a-civil", {"id": "a", "civil": True}, [
        {"author": "ann", "text": "unmarked in a civil thread", "after": 0},
        {"author": "bo", "text": "marked either", "after": 5, "expect": "either"},
    ])
    _write(split, "b-fight", {"id": "b", "civil": False}, [
        {"author": "cy", "text": "marked ok", "after": 0, "expect": "ok"},
        {"author": "di", "text": "marked nudge", "after": 5, "expect": "nudge"},
        {"author": "ed", "text": "unmarked in an uncivil thread", "after": 5},
    ])
    texts = civil_texts(load_split("calibration", tmp_path))
    assert texts == ["unmarked in a civil thread", "marked ok"]


def test_the_shipped_splits_load_and_dev_is_separate() -> None:
    calibration = load_split("calibration")
    dev = load_split("dev")
    assert len(calibration) >= 40 and len(dev) >= 20
    assert {h.meta.split for h in calibration} == {"calibration"}
    assert {h.meta.split for h in dev} == {"dev"}
    shared = set(civil_texts(calibration)) & set(civil_texts(dev))
    assert all(len(text.split()) <= 2 for text in shared)  # only reactions ("👍") may repeat


def test_an_unknown_split_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown split"):
        load_split("train")


@pytest.mark.parametrize(
    ("name", "batch"),
    [
        ("civil_debate-single-payer-01", "first"),
        ("pileon-do-omt-b1", "b1"),
        ("escalation-caa-scope-h1b", "h1"),
        ("escalation-caa-scope-h1a", "h1"),
        ("slow_burn-call-swap-c2", "c2"),
        ("banter-team-b12", "first"),  # not a batch suffix
    ],
)
def test_batch_of_reads_the_writing_batch_from_the_name(name: str, batch: str) -> None:
    assert batch_of(name) == batch


def test_every_shipped_dev_conversation_belongs_to_a_known_batch() -> None:
    batches = {batch_of(history.name) for history in load_split("dev")}
    assert "first" in batches and {"b1", "d1", "e1", "f1", "g1", "h1"} <= batches
