"""The runner's kept databases (``primum demo --keep-db``): one file, or one per scenario in a folder."""

from pathlib import Path

from primum.demo.runner import kept_db_targets


def test_kept_databases_are_one_file_or_one_per_scenario(tmp_path: Path) -> None:
    assert kept_db_targets(["kindness"], tmp_path / "demo.sqlite3") == {"kindness": tmp_path / "demo.sqlite3"}
    both = kept_db_targets(["kindness", "restart"], tmp_path / "demo")
    folder = tmp_path / "demo"
    assert both == {"kindness": folder / "kindness.sqlite3", "restart": folder / "restart.sqlite3"}
