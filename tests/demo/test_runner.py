"""The runner's kept databases (``primum demo --keep-db``): one file, or one per scenario in a folder."""

from pathlib import Path

from primum.demo.runner import kept_db_targets


def test_kept_databases_are_one_file_or_one_per_scenario(tmp_path: Path) -> None:
    assert kept_db_targets(["kindness"], tmp_path / "demo.sqlite3") == {"kindness": tmp_path / "demo.sqlite3"}
    both = kept_db_targets(["kindness", "restart"], tmp_path / "demo")
    folder = tmp_path / "demo"
    assert both == {"kindness": folder / "kindness.sqlite3", "restart": folder / "restart.sqlite3"}


async def test_a_scenario_never_waits_on_an_earlier_scenarios_events(tmp_path: Path) -> None:
    """One sink serves every scenario of a run; the second must not read the first one's case."""
    from types import SimpleNamespace

    from primum.demo.runner import Demo
    from primum.runtime.events import EventSink

    events = EventSink()
    events.emit("case", kind="ban", number=2)  # the earlier scenario's ban
    stack = SimpleNamespace(events=events)
    transcript = SimpleNamespace(pump=lambda: None)
    demo = Demo(stack, transcript, workdir=tmp_path)  # type: ignore[arg-type]
    events.emit("case", kind="ban", number=3)  # this scenario's
    found = await demo.wait_event("case", 1.0, where=lambda e: e["kind"] == "ban")
    assert found["number"] == 3
