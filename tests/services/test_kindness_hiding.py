# mypy: disable-error-code="union-attr"
"""A hide a crash interrupted is finished on start, each step exactly once.

A hide deletes a far-worse message, returns its text to the author by DM and posts to the mod-log.
The port below "crashes" (a BaseException the service does not catch, as a SIGKILL would end the
process) right after one of those side effects landed in Discord; a new service on the same
database then runs its start-up sweep. The message must be deleted once, the text returned once,
the mod-log told once, and nothing happen again on later sweeps.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from primum.inference.fake import FakeScorer
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.kindness import KindnessService, MessageFacts
from primum.settings import KindnessSettings
from primum.storage import Database, GuildSettingsRepository
from primum.storage.kindness import KindnessRepository
from tests.services.test_kindness_service import A, FakePort, G, facts

THREAT = "I will end your career"


class Crash(BaseException):
    """The process died here (nothing in Primum catches it)."""


@dataclass
class CrashingPort(FakePort):
    crash_after: str = ""  # "delete", "dm" or "modlog": die right after that side effect landed

    def _maybe_crash(self, step: str) -> None:
        if self.crash_after == step:
            self.crash_after = ""
            raise Crash(step)

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        if message_id in self.deleted:
            return False  # already gone
        self.deleted.append(message_id)
        self._maybe_crash("delete")
        return True

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        sent = await super().send_dm(user_id, content, attachment)
        self._maybe_crash("dm")
        return sent

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        posted = await super().post_modlog(guild_id, content)
        self._maybe_crash("modlog")
        return posted


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "hide.sqlite3")
    try:
        yield database
    finally:
        await database.close()


async def start(db: Database, clock: FakeClock, port: CrashingPort) -> KindnessService:
    """A (re)started process: a new service on the same database, the same Discord."""
    service = KindnessService(
        repo=KindnessRepository(db), guild_settings=GuildSettingsRepository(db),
        settings=KindnessSettings(hide_threshold=0.9), scorer=FakeScorer(), clock=clock,
        events=EventSink(clock=clock), port=port, retry_delays_s=(0.0,), overload_delays_s=(0.0,),
    )
    await service.scorer.start()
    return service


async def crash_mid_hide(db: Database, clock: FakeClock, port: CrashingPort) -> MessageFacts:
    """A process hides a message and dies at the port's crash point; return the message."""
    first = await start(db, clock, port)
    message = facts(clock)
    with pytest.raises(Crash):
        await first.handle_message(message, THREAT)
    return message


@pytest.mark.parametrize("crash_after", ["delete", "dm", "modlog"])
async def test_a_hide_interrupted_by_a_crash_is_finished_once_on_start(db, crash_after: str) -> None:
    clock, port = FakeClock(), CrashingPort(crash_after=crash_after)
    message = await crash_mid_hide(db, clock, port)

    clock.advance(seconds=30)
    restarted = await start(db, clock, port)
    await restarted.sweep()  # the start-up sweep
    await restarted.sweep()  # and a later one: nothing happens twice

    assert port.deleted == [message.message_id]
    returned = [text for user, text in port.dms if user == A]
    assert len(returned) == 1 and THREAT in returned[0]
    assert len(port.modlog) == 1 and f"message {message.message_id}" in port.modlog[0]
    assert "text returned by DM: yes" in port.modlog[0] and THREAT not in port.modlog[0]
    hide = await restarted.hides.hide_by_message(message.message_id)
    assert hide.stage == "done" and hide.returned and hide.deleted and hide.modlog_message_id == 1
    assert (await restarted.records.user_data(G, A)).texts == []  # the author has it: nothing kept
    assert [e["resumed"] for e in restarted.events.of_type("hide")] == [True]


async def test_a_resumed_hide_keeps_the_text_for_an_author_whose_dms_are_closed(db) -> None:
    clock, port = FakeClock(), CrashingPort(crash_after="delete")
    port.dm_closed.add(A)
    await crash_mid_hide(db, clock, port)
    clock.advance(seconds=30)
    restarted = await start(db, clock, port)
    await restarted.sweep()
    kept = (await restarted.records.user_data(G, A)).texts
    assert [(t.purpose, t.text) for t in kept] == [("return", THREAT)]
    assert "text returned by DM: no" in port.modlog[0] and len(port.modlog) == 1


async def test_a_hide_in_flight_is_not_resumed_by_a_concurrent_sweep(db) -> None:
    clock, port = FakeClock(), CrashingPort()
    service = await start(db, clock, port)
    message = facts(clock)
    await service.handle_message(message, THREAT)
    await service.sweep()
    clock.advance(minutes=5)
    await service.sweep()
    assert port.deleted == [message.message_id] and len(port.dms) == 1 and len(port.modlog) == 1
    assert [e.get("resumed") for e in service.events.of_type("hide")] == [None]


async def test_a_forgotten_member_s_interrupted_hide_returns_nothing(db) -> None:
    clock, port = FakeClock(), CrashingPort(crash_after="delete")
    await crash_mid_hide(db, clock, port)
    restarted = await start(db, clock, port)
    await restarted.records.forget(G, A, actor_id=A)  # the hide row and its kept text are gone
    clock.advance(seconds=30)
    await restarted.sweep()
    assert port.dms == [] and port.modlog == []
