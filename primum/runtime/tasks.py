"""Background tasks a component owns: kept alive by a strong reference, failures logged, cancelled together.

``asyncio.create_task`` keeps only a weak reference to its task, so a fire-and-forget task can be
garbage-collected mid-flight, and an exception it raises is only reported when the task is collected.
:class:`BackgroundTasks` holds each task until it ends and logs a failure at ERROR with its name::

    self._tasks = BackgroundTasks("verification", log)
    self._tasks.spawn(self._after_ready(), "verification-ready")
    ...
    await self._tasks.cancel_all()   # on unload
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_log = logging.getLogger(__name__)


class BackgroundTasks:
    """A set of running tasks; ``label`` names their owner in the log (``"<label> task <name> failed"``)."""

    def __init__(self, label: str, logger: logging.Logger | None = None) -> None:
        self.label = label
        self._log = logger or _log
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Start ``coro`` as a task named ``name`` and keep it until it ends."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._log.error("%s task %s failed", self.label, task.get_name(), exc_info=task.exception())

    def abandon(self) -> None:
        """Cancel every task without waiting (what a crash does)."""
        for task in list(self._tasks):
            task.cancel()

    async def cancel_all(self) -> None:
        """Cancel every task and wait until they have ended (never waits on the calling task itself)."""
        current = asyncio.current_task()
        await cancel_and_wait([task for task in self._tasks if task is not current], self._log)

    def __len__(self) -> int:
        return len(self._tasks)


async def cancel_and_wait(tasks: list[asyncio.Task[Any]], logger: logging.Logger | None = None, *,
                          grace_s: float = 1.0, rounds: int = 10) -> None:
    """Cancel ``tasks`` and wait until they end, cancelling again any that swallowed the cancellation.

    Why: on Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as its
    inner wait finishes (a timer loop then goes round again), so a single cancel-and-gather may wait
    forever and a shutdown hangs. After ``rounds`` tries the survivors are logged and left behind.
    """
    pending = {task for task in tasks if not task.done()}
    for _ in range(rounds):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=grace_s)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: the owner logs failures; asyncio need not warn at collection
    if pending:
        (logger or _log).error("%d task(s) ignored cancellation: %s", len(pending),
                               ", ".join(sorted(task.get_name() for task in pending)))
