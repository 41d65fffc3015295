"""``primum demo`` as a user runs it: a subprocess, a transcript, an events file, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from primum.demo.scenarios import discover_scenarios

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _demo(*args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def test_basics_scenario_writes_ready_and_an_answered_command(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    result = _demo("--scenario", "basics", "--model", "fake", "--events", str(events_file))
    assert result.returncode == 0, result.stderr
    assert "ran /status" in result.stdout
    assert "Primum answered (only you can see this): Be-kind model" in result.stdout
    events = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]
    assert [e["type"] for e in events][:2] == ["ready", "command"]
    assert all({"type", "t"} <= set(e) for e in events)
    assert all(e["t"].endswith("+00:00") for e in events)


def test_unknown_scenario_is_a_clear_error() -> None:
    result = _demo("--scenario", "nonsense", "--model", "fake")
    assert result.returncode == 2
    assert "unknown scenario nonsense; choose from: basics" in result.stderr


def test_every_scenario_is_listed() -> None:
    result = _demo("--list")
    assert result.returncode == 0
    for name in discover_scenarios():
        assert name in result.stdout


def test_interactive_mode_lets_a_person_type_as_a_member() -> None:
    script = "you are an idiot\n:as Rajesh Patel\n:in clinical-cases\nK 3.1, replacing orally\n/status\n:quit\n"
    result = subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", "--interactive", "--model", "fake"], cwd=ROOT, input=script,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#general  Dr. Amara Okafor: you are an idiot" in out
    assert "event nudge (category=insult" in out
    assert "#clinical-cases  Dr. Rajesh Patel: K 3.1, replacing orally" in out
    assert "Dr. Rajesh Patel ran /status" in out
    assert "Primum answered (only you can see this): Be-kind model: **ready**" in out


def test_interactive_options_take_several_words_and_bad_ones_are_explained() -> None:
    script = (":as Nadia Haddad\n/kind test text:you are an idiot\n/kind test colour:blue\n"
              '/kind test text:"unfinished\n:quit\n')
    result = subprocess.run(
        [sys.executable, "-m", "primum.cli", "demo", "--interactive", "--model", "fake"], cwd=ROOT, input=script,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dr. Nadia Haddad ran /kind test text:you are an idiot" in out
    assert "Primum followed up (private): Overall **0.82**" in out
    assert "! /kind test has no option 'colour'; it has: text" in out
    assert "! could not read the command: No closing quotation" in out


def test_keep_db_leaves_a_database_that_primum_report_can_chart(tmp_path: Path) -> None:
    kept = tmp_path / "demo.sqlite3"
    result = _demo("--scenario", "basics", "--model", "fake", "--keep-db", str(kept))
    assert result.returncode == 0, result.stderr
    assert f"primum report --db {kept} --out report/" in result.stdout
    report = subprocess.run([sys.executable, "-m", "primum.cli", "report", "--db", str(kept), "--out",
                             str(tmp_path / "report")], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report" / "nudges_by_week.png").stat().st_size > 1000
    again = _demo("--scenario", "basics", "--model", "fake", "--keep-db", str(kept))
    assert again.returncode == 2 and "would overwrite" in again.stderr


def test_owners_scenario_reviews_a_mistake_and_lifts_a_timed_ban(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    result = _demo("--scenario", "owners", "--model", "fake", "--events", str(events_file))
    assert result.returncode == 0, result.stderr
    types = [json.loads(line)["type"] for line in events_file.read_text(encoding="utf-8").splitlines()]
    for kind in ("nudge_report", "report_digest", "report_verdict", "tempban", "tempban_lifted"):
        assert kind in types, kind
    assert "Primum → #mod-log: **1 nudge(s) reported as a mistake**" in result.stdout
    assert "thinks the note was fair" in result.stdout
    assert "ran /mod warn member:Dr. Rajesh Patel" in result.stdout
