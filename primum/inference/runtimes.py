"""The model runtimes Primum can score on (``model.runtime``): one place that knows them all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primum.inference.engine import MODEL_DIR, Engine, card_thresholds
from primum.inference.lists import list_floor
from primum.settings import DEFAULT_RUNTIME, MODEL_RUNTIMES


def open_engine(
    model_dir: Path = MODEL_DIR, threads: int = 1, runtime: str = DEFAULT_RUNTIME
) -> tuple[Engine, dict[str, Any]]:
    """The shipped model on the chosen runtime (one place that knows the runtimes)."""
    if runtime not in MODEL_RUNTIMES:
        raise ValueError(f"unknown model runtime {runtime!r}; use one of: {', '.join(MODEL_RUNTIMES)}")
    if runtime == "onnx":
        from primum.inference.onnx_backend import load_onnx_engine

        loaded = load_onnx_engine(model_dir, threads=threads)
    else:
        loaded = Engine.from_model_dir(model_dir, threads=threads, quantize=runtime == "torch")
    engine, card = loaded
    if card.get("thresholds"):
        cut = card_thresholds(card, runtime)
        engine.lift_floor = list_floor(cut.nudge, cut.hide)
    _freeze_loaded_objects()
    return loaded


def _freeze_loaded_objects() -> None:
    """Move everything loaded so far out of the cyclic garbage collector's reach (``gc.freeze``).

    Why: torch, transformers, scikit-learn and the n-gram tables leave about 250,000 long-lived
    objects, and each full collection walked them all (about 150 ms on 2 cores), stalling the
    scorer mid-burst. Frozen objects are still freed by reference counting; only cycles among them
    would linger, and a process loads its model once.
    """
    import gc

    gc.collect()
    gc.freeze()


def runtime_version(version: str, runtime: str) -> str:
    """Model version as reported in scores: the default runtime reports the card's version."""
    suffix = {DEFAULT_RUNTIME: "", "torch": "+torch-int8", "torch-fp32": "+fp32"}.get(runtime, f"+{runtime}")
    return f"{version}{suffix}"
