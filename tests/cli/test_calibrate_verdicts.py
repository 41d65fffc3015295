"""``primum calibrate --from-db``: moderators' verdicts on reports become a threshold (no text, no model run)."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primum.cli import main
from primum.cli.calibration_db import rescore
from primum.inference.engine import read_card
from primum.storage import Database
from primum.storage.kindness import KindnessRepository
from primum.storage.report_reviews import CalibrationExample, KeptText, ReportReviewRepository

T0 = datetime(2026, 12, 1, tzinfo=UTC)


async def _seed(path: Path, rows: list[tuple[float, str]], version: str) -> None:
    db = await Database.open(path)
    kindness, reviews = KindnessRepository(db), ReportReviewRepository(db)
    try:
        for index, (score, verdict) in enumerate(rows):
            nudge = await kindness.claim_nudge(
                guild_id=1, channel_id=2, message_id=100 + index, author_id=500 + index, category="belittling",
                score=score, threshold=0.57, model_version=version, created_at=T0, deadline=T0 + timedelta(hours=1),
            )
            assert await kindness.report_mistake(nudge, T0)
            report = (await kindness.open_reports(1, limit=100))[-1]
            item = await reviews.item(report.id)
            assert await reviews.decide(item, verdict, 9, T0)
    finally:
        await db.close()


def test_verdicts_give_a_threshold_and_the_command_that_applies_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    version = str(read_card()["version"])
    rows = [(0.6, "mistake"), (0.64, "mistake"), (0.7, "mistake"), (0.85, "fair"), (0.9, "fair"), (0.97, "fair")]
    asyncio.run(_seed(path, rows, version))
    assert main(["calibrate", "--from-db", str(path), "--target-fpr", "0"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert (result["n_pos"], result["n_neg"]) == (3, 3)
    assert 0.7 <= result["threshold"] < 0.85 and result["fpr"] == 0.0 and result["recall"] == 1.0
    assert "/kind-settings threshold action:nudge value:" in captured.err


def test_verdicts_on_another_model_version_are_named_and_can_be_left_out(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    asyncio.run(_seed(path, [(0.6, "mistake"), (0.9, "fair")], "an-older-model"))
    assert main(["calibrate", "--from-db", str(path)]) == 0
    assert "other model versions (an-older-model)" in capsys.readouterr().err
    assert main(["calibrate", "--from-db", str(path), "--this-model-only"]) == 2
    assert "holds no verdicts for model" in capsys.readouterr().err


def test_a_missing_database_or_no_source_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["calibrate", "--from-db", str(tmp_path / "none.sqlite3")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["calibrate"]) == 2
    assert "needs a CSV file or --from-db" in capsys.readouterr().err


async def _seed_with_text(path: Path, rows: list[tuple[float, str, str]], version: str) -> None:
    """Verdicts from a server whose owner opted in to keeping the message text (``/kind-reports text``)."""
    db = await Database.open(path)
    kindness, reviews = KindnessRepository(db), ReportReviewRepository(db)
    try:
        for index, (score, verdict, text) in enumerate(rows):
            nudge = await kindness.claim_nudge(
                guild_id=1, channel_id=2, message_id=100 + index, author_id=500 + index, category="belittling",
                score=score, threshold=0.57, model_version=version, created_at=T0, deadline=T0 + timedelta(hours=1),
            )
            assert await kindness.report_mistake(nudge, T0)
            item = await reviews.item((await kindness.open_reports(1, limit=100))[-1].id)
            kept = KeptText(text, 500 + index, datetime.now(UTC) + timedelta(days=7)) if text else None
            assert await reviews.decide(item, verdict, 9, T0, kept)
    finally:
        await db.close()


def test_rescore_uses_the_kept_text_and_no_other(tmp_path: Path) -> None:
    examples = [CalibrationExample(1, "report_review", 0.6, "insult", 0, "old", "kind words"),
                CalibrationExample(1, "report_review", 0.9, "insult", 1, "old", None)]
    seen: list[list[str]] = []

    def score(texts: list[str]) -> list[float]:
        seen.append(texts)
        return [0.1 for _ in texts]

    rescored, count = rescore(examples, score, "new")
    assert count == 1 and seen == [["kind words"]]
    assert [(e.score, e.model_version) for e in rescored] == [(0.1, "new"), (0.9, "old")]


@pytest.mark.model
def test_calibrate_rescores_verdicts_whose_text_the_owner_kept(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    rows = [(0.9, "mistake", "I read the trial differently; the NNT was 40."),
            (0.2, "fair", "Did they even teach you pharmacology, you idiot?"),
            (0.5, "fair", "")]  # no text kept: its stored score from the old model cannot be compared
    asyncio.run(_seed_with_text(path, rows, "an-older-model"))
    assert main(["calibrate", "--from-db", str(path), "--this-model-only"]) == 2  # nothing from this model yet
    capsys.readouterr()
    assert main(["calibrate", "--from-db", str(path), "--rescore", "--this-model-only", "--target-fpr", "0"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert "scored 2 verdict(s) again" in captured.err
    assert (result["n_pos"], result["n_neg"]) == (1, 1)  # the two with text, now scored by the model in use
    assert result["recall"] == 1.0  # the model tells the insult from the civil remark the old scores had backwards
