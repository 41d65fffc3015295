"""The real be-kind scorer: loads a model once in a worker thread and scores through the micro-batcher.

``load_scorer(settings)`` is the one factory the bot calls. Nothing here imports torch at module
level; the engine imports it inside the worker thread when the model loads.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primum.inference.batcher import MicroBatcher
from primum.inference.protocol import (
    KindnessScore,
    Scorer,
    ScorerState,
    ScorerStatus,
    ScorerUnavailable,
    Thresholds,
)
from primum.settings import DEFAULT_RUNTIME

if TYPE_CHECKING:
    from primum.inference.engine import RawScore
    from primum.settings import ModelSettings, Settings

log = logging.getLogger(__name__)

#: A loader returns (predict function, version, shipped thresholds); it runs in the worker thread.
Loader = Callable[[], tuple[Callable[[list[str]], "list[RawScore]"], str, Thresholds]]


class TransformerScorer(ScorerStatus):
    """``Scorer`` over any blocking ``predict(list[str])``: one worker thread, micro-batching, DEGRADED on failure."""

    def __init__(
        self,
        loader: Loader,
        *,
        version: str = "unknown",
        thresholds: Thresholds | None = None,
        max_batch: int = 32,
        max_queue: int = 1024,
    ) -> None:
        self._loader = loader
        self._version = version
        self._thresholds = thresholds or Thresholds(nudge=0.5, hide=None)
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._state = ScorerState.LOADING
        self._executor: ThreadPoolExecutor | None = None
        self._batcher: MicroBatcher[str, RawScore] | None = None
        self._predict: Callable[[list[str]], list[RawScore]] | None = None
        self.error: str | None = None

    @property
    def version(self) -> str:
        """Model id and weights digest from the model card."""
        return self._version

    @property
    def batcher(self) -> MicroBatcher[str, RawScore] | None:
        """The micro-batcher (for stats in tests and the bench)."""
        return self._batcher

    async def start(self) -> None:
        """Load the model in the worker thread; on any failure log it and enter DEGRADED."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="primum-infer")
        self._state = ScorerState.LOADING
        loop = asyncio.get_running_loop()
        try:
            predict, version, thresholds = await loop.run_in_executor(self._executor, self._loader)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            self._state = ScorerState.DEGRADED
            log.error("be-kind model failed to load; scorer DEGRADED, messages will not be scored: %s", self.error)
            return
        self._predict, self._version, self._thresholds = predict, version, thresholds
        self._batcher = MicroBatcher(
            predict, self._executor, max_batch=self._max_batch, max_queue=self._max_queue, on_error=self._crashed
        )
        self._state = ScorerState.READY
        log.info("be-kind model %s ready (nudge %.3f)", version, thresholds.nudge)

    def _crashed(self, error: BaseException) -> None:
        self.error = f"{type(error).__name__}: {error}"
        self._state = ScorerState.DEGRADED
        log.error("be-kind model crashed; scorer DEGRADED: %s", self.error)

    async def score(self, texts: Sequence[str]) -> list[KindnessScore]:
        """Score texts in order; ScorerUnavailable when not READY, Overloaded when the queue is full."""
        if self._state is not ScorerState.READY or self._batcher is None:
            raise ScorerUnavailable(f"scorer is {self._state}")
        raw = await self._batcher.submit(list(texts))
        return [self._wrap(r) for r in raw]

    def _wrap(self, raw: RawScore) -> KindnessScore:
        own = None if raw.unlifted is None else self._wrap(raw.unlifted)
        return KindnessScore(score=raw.score, categories=dict(raw.categories), model_version=self._version,
                             model_only=own, lifted_by=raw.lifted_by)

    async def close(self) -> None:
        """Stop the batcher, the worker thread, and drop the model."""
        if self._batcher is not None:
            await self._batcher.close()
        self._batcher = None
        self._predict = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._state is ScorerState.READY:
            self._state = ScorerState.LOADING


def runtime_from_env() -> str:
    """``PRIMUM_MODEL_RUNTIME``: "onnx" (default), "torch" (int8 linears) or "torch-fp32"."""
    return os.environ.get("PRIMUM_MODEL_RUNTIME", DEFAULT_RUNTIME).strip().lower() or DEFAULT_RUNTIME


def default_loader(model_dir: Path | None = None, threads: int = 1, runtime: str = DEFAULT_RUNTIME) -> Loader:
    """Loader for the shipped model (base encoder from the pip package + fine-tuned weights in the repo).

    ``runtime="onnx"`` (the default) builds its int8 file on first use; when onnxruntime is missing
    or the build fails (a read-only cache, a full disk), it falls back to the torch runtime with a
    warning, and the torch runtime's own thresholds, rather than leave the server without a model.
    """

    def load() -> tuple[Callable[[list[str]], list[RawScore]], str, Thresholds]:
        from primum.inference.engine import MODEL_DIR, card_thresholds
        from primum.inference.runtimes import open_engine, runtime_version

        folder = model_dir or MODEL_DIR
        chosen = runtime
        if chosen == "onnx":
            from primum.inference import onnx_backend

            if not onnx_backend.available():
                log.warning("model.runtime is onnx but onnxruntime/onnx are not installed; using torch")
                chosen = "torch"
            else:
                try:
                    engine, card = open_engine(folder, threads=threads, runtime=chosen)
                except (OSError, RuntimeError, ValueError) as error:
                    log.warning("could not build the ONNX model (%s); using the torch runtime", type(error).__name__)
                    chosen = "torch"
                else:
                    return engine.predict, runtime_version(str(card["version"]), chosen), card_thresholds(card, chosen)
        engine, card = open_engine(folder, threads=threads, runtime=chosen)
        return engine.predict, runtime_version(str(card["version"]), chosen), card_thresholds(card, chosen)

    return load


def hf_loader(model_path: str, label_map: dict[str, str], thresholds: Thresholds, threads: int = 1) -> Loader:
    """Loader for a Hugging Face sequence-classification model (id or local path)."""

    def load() -> tuple[Callable[[list[str]], list[RawScore]], str, Thresholds]:
        from primum.inference.engine import Engine

        if not model_path:
            raise ValueError("model.backend = 'hf' needs model.model_path (a model id or local path)")
        if not label_map:
            raise ValueError("model.label_map must map the model's labels to Primum categories")
        engine = Engine.from_hf(model_path, label_map, threads=threads)
        return engine.predict, f"hf:{model_path}", thresholds

    return load


def _default_identity(model_dir: Path | None, runtime: str = DEFAULT_RUNTIME) -> tuple[str, Thresholds]:
    from primum.inference.engine import MODEL_DIR, card_thresholds, read_card

    try:
        card = read_card(model_dir or MODEL_DIR)
    except (OSError, ValueError):
        return "unknown", Thresholds(nudge=0.5, hide=None)
    return str(card.get("version", "unknown")), card_thresholds(card, runtime)


def load_scorer(settings: Settings | ModelSettings, *, model_dir: Path | None = None) -> Scorer:
    """Build (not start) the scorer the settings ask for.

    Reads ``model.backend`` ("fake", "default", "hf", or directly a model id/path), ``model.model_path``,
    ``model.label_map``, ``model.max_batch``, ``model.max_queue``, ``model.threads`` and, for foreign
    models that have no card, ``kindness.nudge_threshold``/``hide_threshold``; ``model.runtime`` (or
    the environment variable ``PRIMUM_MODEL_RUNTIME``) picks the runtime ("onnx" by default).
    Call ``await start()``.
    """
    model = settings.model if hasattr(settings, "model") else settings
    kindness: Any = getattr(settings, "kindness", None)
    backend = model.backend
    if backend == "fake":
        from primum.inference.fake import FakeScorer

        return FakeScorer()
    if backend == "default":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the shipped model never touches the network
        runtime = getattr(model, "runtime", None) or runtime_from_env()
        version, thresholds = _default_identity(model_dir, runtime)
        loader = default_loader(model_dir, model.threads, runtime)
    else:
        path = model.model_path if backend == "hf" else backend
        nudge = getattr(kindness, "nudge_threshold", None) or 0.5
        hide = getattr(kindness, "hide_threshold", None)
        thresholds = Thresholds(nudge=nudge, hide=hide)
        version = f"hf:{path}"
        loader = hf_loader(path, dict(model.label_map), thresholds, model.threads)
    return TransformerScorer(
        loader, version=version, thresholds=thresholds, max_batch=model.max_batch, max_queue=model.max_queue
    )
