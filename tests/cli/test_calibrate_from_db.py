"""``primum calibrate --from-db``: observe mode's Correct / Wrong verdicts become a threshold."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from primum.cli import main
from primum.storage import Database
from primum.storage.policy import PolicyRepository

T0 = datetime(2026, 3, 1, tzinfo=UTC)


async def _seed(path: Path, rows: list[tuple[str, float, str | None]]) -> None:
    db = await Database.open(path)
    repo = PolicyRepository(db)
    for i, (action, score, verdict) in enumerate(rows):
        report = await repo.add_report(guild_id=1, channel_id=2, message_id=100 + i, author_id=5, action=action,
                                       category="insult", score=score, threshold=0.7, model_version="m1",
                                       created_at=T0)
        assert report is not None
        if verdict is not None:
            await repo.set_verdict(report.id, verdict, 9, T0)
    await db.close()


def test_calibrate_from_db_uses_the_verdicts(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    rows = [("nudge", 0.72, "wrong"), ("nudge", 0.75, "wrong"), ("nudge", 0.78, "wrong"),
            ("nudge", 0.9, "correct"), ("nudge", 0.95, "correct"), ("hide", 0.99, "correct"),
            ("nudge", 0.74, None),  # unanswered: not an example
            ("slowmode", 3.5, "wrong")]  # about a conversation, not a score: left out
    asyncio.run(_seed(path, rows))
    assert main(["calibrate", "--from-db", str(path), "--target-fpr", "0.0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["n_pos"], result["n_neg"]) == (3, 3)
    assert 0.78 <= result["threshold"] < 0.9 and result["fpr"] == 0.0 and result["recall"] == 1.0


def test_calibrate_from_db_needs_wrong_verdicts(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite3"
    asyncio.run(_seed(path, [("nudge", 0.9, "correct")]))
    assert main(["calibrate", "--from-db", str(path)]) == 2
    assert "needs verdicts of 'Wrong'" in capsys.readouterr().err


def test_calibrate_without_a_source_says_so(capsys) -> None:
    assert main(["calibrate"]) == 2
    assert "needs a CSV file or --from-db" in capsys.readouterr().err
