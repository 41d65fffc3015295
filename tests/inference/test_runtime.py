"""The async runtime: micro-batching, backpressure, ordering, off-loop inference, DEGRADED state."""

import asyncio
import threading
import time

import pytest

from primum.inference.batcher import MicroBatcher
from primum.inference.engine import RawScore
from primum.inference.protocol import CATEGORIES, Overloaded, ScorerState, ScorerUnavailable, Thresholds
from primum.inference.transformer import TransformerScorer, load_scorer
from primum.settings import ModelSettings, Settings


class SlowModel:
    """A blocking fake model that records batches and the thread it ran on."""

    def __init__(self, delay_s: float = 0.05, fail: bool = False) -> None:
        self.delay_s = delay_s
        self.fail = fail
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, texts: list[str]) -> list[RawScore]:
        self.threads.add(threading.current_thread().name)
        self.gate.wait(5)
        time.sleep(self.delay_s)
        if self.fail:
            raise RuntimeError("boom")
        self.batches.append(list(texts))
        return [RawScore(float(len(t)) / 100, dict.fromkeys(CATEGORIES, 0.0)) for t in texts]


def _scorer(model: SlowModel, **kwargs) -> TransformerScorer:
    def loader():
        return model, "test-model-1", Thresholds(nudge=0.3, hide=0.8)

    return TransformerScorer(loader, **kwargs)


async def test_results_in_order_and_versioned() -> None:
    scorer = _scorer(SlowModel(delay_s=0))
    await scorer.start()
    try:
        texts = ["a" * n for n in (5, 1, 30, 12)]
        scores = await scorer.score(texts)
        assert [s.score for s in scores] == [0.05, 0.01, 0.30, 0.12]
        assert all(s.model_version == "test-model-1" for s in scores)
        assert scorer.thresholds == Thresholds(nudge=0.3, hide=0.8)
        assert await scorer.score([]) == []
    finally:
        await scorer.close()


async def test_requests_arriving_during_a_batch_form_the_next_batch() -> None:
    model = SlowModel(delay_s=0.05)
    scorer = _scorer(model, max_batch=8)
    await scorer.start()
    try:
        model.gate.clear()  # hold the first batch inside the model
        first = asyncio.create_task(scorer.score(["first"]))
        await asyncio.sleep(0.05)
        rest = [asyncio.create_task(scorer.score([f"msg {i}"])) for i in range(5)]
        await asyncio.sleep(0.02)
        model.gate.set()
        results = await asyncio.gather(first, *rest)
        assert [r[0].score for r in results] == [0.05] + [0.05] * 5
        assert model.batches == [["first"], [f"msg {i}" for i in range(5)]]
        assert scorer.batcher is not None
        assert scorer.batcher.stats.sizes == [1, 5]
    finally:
        await scorer.close()


async def test_max_batch_splits_large_requests_keeping_order() -> None:
    model = SlowModel(delay_s=0)
    scorer = _scorer(model, max_batch=3)
    await scorer.start()
    try:
        texts = [f"{i:02d}" + "x" * i for i in range(8)]
        scores = await scorer.score(texts)
        assert [round(s.score * 100) for s in scores] == [len(t) for t in texts]
        assert [len(b) for b in model.batches] == [3, 3, 2]
    finally:
        await scorer.close()


async def test_inference_runs_off_the_event_loop_in_one_worker_thread() -> None:
    model = SlowModel(delay_s=0.2)
    scorer = _scorer(model)
    await scorer.start()
    try:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        await scorer.score(["hello"])
        await scorer.score(["again"])
        tick_task.cancel()
        assert ticks >= 20  # the loop kept running during 0.4 s of "inference"
        assert len(model.threads) == 1
        (name,) = model.threads
        assert name.startswith("primum-infer")
        assert name != threading.current_thread().name
    finally:
        await scorer.close()


async def test_backpressure_raises_overloaded_when_queue_full() -> None:
    model = SlowModel(delay_s=0)
    scorer = _scorer(model, max_batch=1, max_queue=3)
    await scorer.start()
    try:
        model.gate.clear()
        running = asyncio.create_task(scorer.score(["in model"]))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(scorer.score(["q1", "q2", "q3"]))
        await asyncio.sleep(0)
        with pytest.raises(Overloaded):
            await scorer.score(["one too many"])
        model.gate.set()
        assert len(await running) == 1
        assert len(await queued) == 3
        assert scorer.batcher is not None and scorer.batcher.stats.rejected == 1
        assert len(await scorer.score(["fine again"])) == 1
    finally:
        await scorer.close()


async def test_load_failure_enters_degraded_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    def loader():
        raise FileNotFoundError("adapter.safetensors missing")

    scorer = TransformerScorer(loader)
    assert scorer.state == "loading"
    await scorer.start()  # must not raise
    assert scorer.state is ScorerState.DEGRADED
    assert "adapter.safetensors missing" in (scorer.error or "")
    assert any("DEGRADED" in r.getMessage() for r in caplog.records)
    with pytest.raises(ScorerUnavailable):
        await scorer.score(["anything"])
    await scorer.close()


async def test_crash_during_inference_degrades() -> None:
    model = SlowModel(delay_s=0, fail=True)
    scorer = _scorer(model)
    await scorer.start()
    try:
        with pytest.raises(ScorerUnavailable):
            await scorer.score(["x"])
        assert scorer.state is ScorerState.DEGRADED
        with pytest.raises(ScorerUnavailable):
            await scorer.score(["y"])
    finally:
        await scorer.close()


async def test_score_before_start_is_unavailable() -> None:
    scorer = _scorer(SlowModel())
    with pytest.raises(ScorerUnavailable):
        await scorer.score(["x"])


async def test_close_fails_queued_requests() -> None:
    model = SlowModel(delay_s=0)
    scorer = _scorer(model, max_batch=1)
    await scorer.start()
    model.gate.clear()
    running = asyncio.create_task(scorer.score(["in model"]))
    await asyncio.sleep(0.05)
    waiting = asyncio.create_task(scorer.score(["queued"]))
    await asyncio.sleep(0)
    model.gate.set()
    await scorer.close()
    assert len(await running) == 1
    with pytest.raises(ScorerUnavailable):
        await waiting


async def test_microbatcher_rejects_bad_sizes() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="at least 1"):
        MicroBatcher(lambda xs: xs, pool, max_batch=0)


def test_load_scorer_fake_backend() -> None:
    from primum.inference.fake import FakeScorer

    assert isinstance(load_scorer(Settings(model=ModelSettings(backend="fake"))), FakeScorer)


async def test_load_scorer_hf_without_path_degrades() -> None:
    scorer = load_scorer(Settings(model=ModelSettings(backend="hf", model_path="")))
    await scorer.start()
    assert scorer.state is ScorerState.DEGRADED
    await scorer.close()


async def test_load_scorer_default_with_missing_model_dir_degrades(tmp_path) -> None:
    scorer = load_scorer(ModelSettings(backend="default"), model_dir=tmp_path)
    assert scorer.version == "unknown"
    await scorer.start()
    assert scorer.state is ScorerState.DEGRADED
    await scorer.close()


def test_load_scorer_default_reads_card_without_importing_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from primum.inference.transformer import load_scorer; from primum.settings import ModelSettings;"
        "s = load_scorer(ModelSettings(backend='default')); "
        "print(s.version, s.thresholds.nudge, s.thresholds.hide, s.state, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    version, nudge, hide, state, torch_loaded = out.stdout.split()
    assert version.startswith("bekind-")
    assert 0 < float(nudge) < float(hide) <= 1.0
    assert state == "loading"
    assert torch_loaded == "False"
