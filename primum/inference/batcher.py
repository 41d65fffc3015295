"""Micro-batching off the event loop: one worker thread, a bounded queue, backpressure.

Why: a transformer forward pass costs nearly the same for 1 or 16 short messages, so requests that
arrive while a batch is running are gathered into the next batch. The model runs in one dedicated
thread, never on the event loop, and a full queue raises ``Overloaded`` at once instead of letting
latency grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from primum.inference.protocol import Overloaded, ScorerUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BatchStats:
    """Counters for tests and the bench: how requests were grouped."""

    batches: int = 0
    items: int = 0
    rejected: int = 0
    sizes: list[int] = field(default_factory=list)


class MicroBatcher(Generic[T, R]):
    """Feed items to ``fn`` (blocking, runs in ``executor``) in batches of at most ``max_batch``."""

    def __init__(
        self,
        fn: Callable[[list[T]], list[R]],
        executor: Executor,
        *,
        max_batch: int = 32,
        max_queue: int = 1024,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if max_batch < 1 or max_queue < 1:
            raise ValueError("max_batch and max_queue must be at least 1")
        self._fn = fn
        self._executor = executor
        self.max_batch = max_batch
        self.max_queue = max_queue
        self._on_error = on_error
        self._pending: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = BatchStats()

    @property
    def queued(self) -> int:
        """Items waiting for a batch (not counting the one running)."""
        return len(self._pending)

    async def submit(self, items: Sequence[T]) -> list[R]:
        """Queue items and wait for their results, in order; raise Overloaded when the queue is full."""
        if self._closed:
            raise ScorerUnavailable("batcher is closed")
        if not items:
            return []
        if len(self._pending) + len(items) > self.max_queue:
            self.stats.rejected += len(items)
            raise Overloaded(f"scoring queue full ({len(self._pending)}/{self.max_queue})")
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[R]] = []
        for item in items:
            future: asyncio.Future[R] = loop.create_future()
            self._pending.append((item, future))
            futures.append(future)
        self._ensure_worker()
        assert self._wakeup is not None
        self._wakeup.set()
        return list(await asyncio.gather(*futures))

    def _ensure_worker(self) -> None:
        if self._task is None or self._task.done():
            self._wakeup = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="primum-microbatcher")

    async def _run(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while not self._closed:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch: list[tuple[T, asyncio.Future[R]]] = []
            while self._pending and len(batch) < self.max_batch:
                item, future = self._pending.popleft()
                if not future.done():  # skip callers that gave up
                    batch.append((item, future))
            if not batch:
                continue
            self.stats.batches += 1
            self.stats.items += len(batch)
            self.stats.sizes.append(len(batch))
            try:
                results = await loop.run_in_executor(self._executor, self._fn, [item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"scorer returned {len(results)} results for {len(batch)} inputs")
            except Exception as error:  # the model crashed: fail this batch, tell the owner
                log.exception("scoring batch of %d failed", len(batch))
                if self._on_error is not None:
                    self._on_error(error)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(ScorerUnavailable(f"scoring failed: {error}"))
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Stop the worker; anything still queued fails with ScorerUnavailable."""
        self._closed = True
        while self._pending:
            _, future = self._pending.popleft()
            if not future.done():
                future.set_exception(ScorerUnavailable("scorer closed"))
        if self._task is not None:
            if self._wakeup is not None:
                self._wakeup.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
