"""Background tasks: a shutdown never hangs on a task that swallowed one cancellation."""

import asyncio
import logging

import pytest

from primum.runtime.tasks import BackgroundTasks, cancel_and_wait


async def _swallows_cancellations(times: int, ended: list[str]) -> None:
    """A timer loop hit by Python 3.11's wait_for race: the first ``times`` cancellations are lost."""
    lost = 0
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if lost < times:
                lost += 1
                continue
            ended.append("cancelled")
            raise


async def test_cancel_all_cancels_again_a_task_that_swallowed_the_first_cancellation() -> None:
    ended: list[str] = []
    tasks = BackgroundTasks("test")
    task = tasks.spawn(_swallows_cancellations(2, ended), "timer-loop")
    await asyncio.sleep(0)
    await asyncio.wait_for(tasks.cancel_all(), timeout=10)
    assert task.cancelled() and ended == ["cancelled"]
    assert len(tasks) == 0


async def test_a_task_that_never_ends_is_logged_and_left_behind(caplog: pytest.LogCaptureFixture) -> None:
    stop = asyncio.Event()

    async def stubborn() -> None:
        while not stop.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(cancel_and_wait([task], grace_s=0.01, rounds=3), timeout=10)
    assert not task.done()
    assert "ignored cancellation: stubborn" in caplog.text
    stop.set()
    task.cancel()
    await asyncio.wait([task], timeout=1)
    assert task.done()


async def test_a_failed_task_is_retrieved_and_cancelling_it_is_harmless() -> None:
    async def fails() -> None:
        raise ValueError("boom")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    await cancel_and_wait([task])
    assert isinstance(task.exception(), ValueError)
