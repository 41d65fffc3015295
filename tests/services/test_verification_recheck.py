"""The periodic registry re-check without Discord: stand-in registry, temp DB, a fake clock.

A change is reported once, an NPI the registry did not answer for stays due, the interval follows
the server's setting, and two passes at once (the periodic one and an owner's) never report the
same finding twice.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from primum.domain.verification import ReviewAction
from primum.integrations.email_code import SmtpCodeSender
from primum.integrations.nppes import NppesClient
from primum.integrations.nppes_standin import DEMO_PHYSICIAN, NppesStandIn, demo_registry
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.verification import Submission, VerificationService
from primum.settings import SmtpSettings
from primum.storage import Database
from primum.storage.verification import VerificationRepository

GUILD = 100
World = tuple[VerificationService, FakeClock, EventSink, None]


@pytest.fixture
async def registry() -> AsyncIterator[NppesStandIn]:
    async with demo_registry() as server:
        yield server


@pytest.fixture
async def world(tmp_path: Path, registry: NppesStandIn) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "v.sqlite3")
    clock = FakeClock()
    events = EventSink(clock=clock)

    async def no_sleep(_: float) -> None:
        return None

    nppes = NppesClient(registry.url, clock=clock, timeout_s=1.0, attempts=2, backoff_s=0.0, sleep=no_sleep)
    service = VerificationService(VerificationRepository(db), nppes, SmtpCodeSender(SmtpSettings()), clock, events)
    yield service, clock, events, None
    await nppes.close()
    await db.close()


def _form(user: int = 1) -> Submission:
    return Submission(GUILD, user, "Amara Okafor-Reyes", DEMO_PHYSICIAN, "Cardiology", "NY")


async def test_periodic_recheck_alerts_once_and_is_restart_safe(world, registry: NppesStandIn) -> None:
    service, clock, events, _inbox = world
    result = await service.submit(_form())
    assert result.request is not None
    await service.decide(result.request.id, ReviewAction.APPROVE, 50)
    assert (await service.recheck()).checked == 0  # not due yet
    clock.advance(days=31)
    registry.fail_next(2, status=500)
    report = await service.recheck()
    assert report.unavailable == 1 and report.checked == 0  # left due for the next pass
    report = await service.recheck()
    assert report.checked == 1 and report.findings == []
    clock.advance(days=31)
    registry.deactivate(DEMO_PHYSICIAN)
    report = await service.recheck()
    assert [finding.registry_status for finding in report.findings] == ["deactivated"]
    assert events.of_type("verification_recheck")[-1]["registry_status"] == "deactivated"
    clock.advance(days=31)
    assert (await service.recheck()).findings == []  # alerted once, not every month
    stored = await service.repo.get(result.request.id)
    assert stored is not None and stored.last_checked_at == clock.now()


async def test_recheck_interval_follows_guild_setting(world) -> None:
    service, clock, *_ = world
    await service.update_config(GUILD, by=9, recheck_days=7)
    result = await service.submit(_form())
    assert result.request is not None
    await service.decide(result.request.id, ReviewAction.APPROVE, 50)
    clock.advance(timedelta(days=8).total_seconds())
    assert (await service.recheck()).checked == 1


async def test_two_passes_at_once_report_a_finding_once(world: World, registry: NppesStandIn) -> None:
    service, clock, events, _ = world
    result = await service.submit(_form())
    assert result.request is not None
    await service.decide(result.request.id, ReviewAction.APPROVE, 50)
    clock.advance(days=31)
    registry.deactivate(DEMO_PHYSICIAN)
    registry.hang_next(2, seconds=0.3)  # both passes would be inside a slow lookup at the same time
    first, second = await asyncio.gather(service.recheck(), service.recheck())
    assert len(first.findings) + len(second.findings) == 1
    assert len(events.of_type("verification_recheck")) == 1
    assert registry.lookups(DEMO_PHYSICIAN) == 2  # the submission's lookup and one re-check lookup
