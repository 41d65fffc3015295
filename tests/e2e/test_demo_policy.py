"""The be-kind and de-escalation demos still show their actions, and the new policy guarantees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _run(scenario: str, tmp_path: Path) -> tuple[str, list[dict[str, object]]]:
    events_file = tmp_path / f"{scenario}.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", "--scenario", scenario, "--model", "fake",
         "--events", str(events_file)], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]


def test_kindness_demo_shows_a_nudge_a_kept_message_and_a_case_dm(tmp_path: Path) -> None:
    out, events = _run("kindness", tmp_path)
    types = [e["type"] for e in events]
    assert "nudge" in types and "hide" in types
    assert [e["outcome"] for e in events if e["type"] == "nudge_outcome"] == ["revised", "kept"]
    assert "cooldown" not in types and "slowmode" not in types  # nudges are never sanctions
    assert any(e["type"] == "sanction_notice" and e["via"] == "dm" for e in events)
    assert "it stays up and nothing happens to you for it" in out
    nudges = [e for e in events if e["type"] == "nudge"]
    assert any(e["category"] == "identity_attack" for e in nudges)  # the coded jab
    assert any(e["category"] == "threat" for e in nudges)  # the call for violence against refugees
    assert "threat_alert" in types  # ... which alerts the moderators, hiding off
    assert "No nudge for the colleague who called it out." in out


def test_deescalation_demo_one_sharp_line_is_only_nudged_and_observe_mode_reports(tmp_path: Path) -> None:
    _out, events = _run("deescalation", tmp_path)
    types = [e["type"] for e in events]
    first_nudge = types.index("nudge")
    second_nudge = types.index("nudge", first_nudge + 1)
    assert "heat_notice" not in types[first_nudge:second_nudge]  # the sharp line alone: only its nudge
    assert types.count("heat_notice") == 1 and types.count("slowmode") == 1 and "slowmode_lifted" in types
    assert "cooldown" not in types and "mod_alert" not in types
    report = next(e for e in events if e["type"] == "observe_report")
    assert report["action"] == "nudge"
    assert [e["verdict"] for e in events if e["type"] == "observe_verdict"] == ["wrong"]
