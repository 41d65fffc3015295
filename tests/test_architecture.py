"""Layering: pure code never pulls in discord, and the core never pulls in torch."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    base = ROOT / package.replace(".", "/")
    return sorted(
        f"{package}.{path.stem}" for path in base.glob("*.py") if path.stem != "__init__"
    )


def _imports_in_fresh_interpreter(module: str, forbidden: str) -> bool:
    code = f"import sys, {module}; print({forbidden!r} in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.strip() == "True"


@pytest.mark.parametrize("module", ["primum.domain", *_modules("primum.domain"), "primum.storage", "primum.settings"])
def test_pure_modules_do_not_import_discord(module: str) -> None:
    assert not _imports_in_fresh_interpreter(module, "discord"), f"{module} imports discord"


@pytest.mark.parametrize("module", ["bot", "primum.app", "primum.cli", "primum.inference"])
def test_core_does_not_import_torch_at_start(module: str) -> None:
    assert not _imports_in_fresh_interpreter(module, "torch"), f"{module} imports torch at import time"
