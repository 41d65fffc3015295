"""De-escalation settings: overrides per guild and channel, validation, reset, the alert channel."""

from pathlib import Path

import pytest

from primum.domain.ladder_config import LadderConfigError
from tests.services.deescalation_world import CHANNEL, GUILD, OTHER_CHANNEL, OWNER, heated_exchange, running_world


@pytest.fixture
async def world(tmp_path: Path):
    async with running_world(tmp_path / "p.sqlite3") as w:
        yield w


async def test_configuration_per_guild_and_channel(world):
    await world.service.configure(GUILD, {"slowmode_seconds": 90}, actor_id=OWNER)
    await world.service.configure(GUILD, {"steps": ["notice"]}, actor_id=OWNER, channel_id=OTHER_CHANNEL)
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 90
    other = await world.service.config_for(GUILD, OTHER_CHANNEL)
    assert other.slowmode_seconds == 90 and [str(s) for s in other.steps] == ["notice"]
    with pytest.raises(LadderConfigError, match="slowmode_seconds"):
        await world.service.configure(GUILD, {"slowmode_seconds": 50_000}, actor_id=OWNER)
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 90
    await heated_exchange(world)
    assert world.port.slowmode[CHANNEL] == 90
    assert await world.service.reset_config(GUILD, actor_id=OWNER) is True
    assert (await world.service.config_for(GUILD, CHANNEL)).slowmode_seconds == 30



async def test_alert_channel_is_chosen_and_cleared(world):
    assert await world.service.alert_channel(GUILD) is None
    await world.service.set_alert_channel(GUILD, 555, actor_id=OWNER)
    assert await world.service.alert_channel(GUILD) == 555
    await world.service.set_alert_channel(GUILD, None, actor_id=OWNER)
    assert await world.service.alert_channel(GUILD) is None


async def test_an_invalid_stored_value_falls_back_to_the_defaults(world):
    await world.service.settings.overrides.set(GUILD, {"slowmode_seconds": 99_999}, now=world.clock.now())
    config = await world.service.config_for(GUILD, CHANNEL)
    assert config == world.service.base_config()


async def test_settings_changes_are_recorded_with_who_and_why(world):
    await world.service.configure(GUILD, {"slowmode_seconds": 90}, actor_id=OWNER)
    assert await world.service.reset_config(GUILD, actor_id=OWNER) is True
    assert await world.service.reset_config(GUILD, actor_id=OWNER) is False  # nothing left: nothing recorded
    entries = await world.service.record.for_guild(GUILD)
    assert [(e.action, e.actor_id, e.reason) for e in entries] == [
        ("config", OWNER, "settings changed"), ("config", OWNER, "settings reset")]
