"""Be-kind's Discord side effects done with discord.py: the :class:`KindnessPort` the service calls.

Every Discord failure is mapped onto the service's three kinds (closed DMs, transient, refused).
Looking back for a send a crash may have hidden (a nudge's buttons, a returned text, a mod-log
post) reads the last :data:`LOOKBACK` messages of the DM or channel.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from cogs._be_kind_views import BUTTONS, custom_id, nudge_view
from cogs._channels import MODLOG_NAMES, find_text_channel
from primum.services.kindness import KindnessService
from primum.services.kindness_port import DeliveryFailed, DeliveryRefused, DmClosed, Place
from primum.storage.kindness import NudgeRecord

if TYPE_CHECKING:
    from primum.app import PrimumBot

DM_CLOSED_CODE = 50007
#: How many recent messages to look through for an already-sent nudge, DM or post before sending it again.
LOOKBACK = 50


def _transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, aiohttp.ClientError | OSError | TimeoutError)


class DiscordKindnessPort:
    """The service's Discord side effects, done with discord.py."""

    def __init__(self, bot: PrimumBot, service: KindnessService) -> None:
        self.bot = bot
        self.service = service

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        """Names from the cache and a jump link (never fails)."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        return Place(
            guild_name=guild.name if guild is not None else "this server",
            channel_name=f"#{channel.name}" if channel is not None else "a channel",
            jump_url=f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}",
        )

    async def _user(self, user_id: int) -> discord.User:
        user = self.bot.get_user(user_id)
        return user if user is not None else await self.bot.fetch_user(user_id)

    async def _call(self, what: str, coro: Any) -> Any:
        """Await a Discord call, mapping failures onto the service's three kinds."""
        try:
            return await coro
        except discord.Forbidden as error:
            if error.code == DM_CLOSED_CODE:
                raise DmClosed(what) from error
            raise DeliveryRefused(f"{what}: forbidden ({error.code})") from error
        except discord.NotFound as error:
            raise DeliveryRefused(f"{what}: not found ({error.code})") from error
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError, OSError) as error:
            if _transient(error):
                raise DeliveryFailed(f"{what}: {type(error).__name__}: {error}") from error
            raise DeliveryRefused(f"{what}: {error}") from error
        except RuntimeError as error:
            # aiohttp's "Session is closed": the bot stopped mid-call. The row stays pending and the
            # sweep delivers it after the restart, instead of discord.py logging a crash.
            if self.bot.is_closed():
                raise DeliveryFailed(f"{what}: the bot is shutting down") from error
            raise

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        """DM the author with the buttons."""
        user = await self._call("fetch user", self._user(nudge.author_id))
        await self._call("nudge DM", user.send(content, view=nudge_view(nudge.id)))

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        """A reply that mentions nobody and deletes itself after a minute."""
        channel = self.bot.get_channel(nudge.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryRefused(f"channel {nudge.channel_id} is not available")
        reference = discord.MessageReference(
            message_id=nudge.message_id, channel_id=nudge.channel_id, guild_id=nudge.guild_id,
            fail_if_not_exists=False,
        )
        await self._call(
            "nudge note",
            channel.send(content, reference=reference, mention_author=False, delete_after=60,
                         allowed_mentions=discord.AllowedMentions.none(), view=nudge_view(nudge.id)),
        )

    async def find_sent_nudge(self, nudge: NudgeRecord) -> str | None:
        """Look for this nudge's buttons among Primum's recent DMs to the author, then in its channel."""
        me = self.bot.user
        if me is None:
            raise DeliveryFailed("not connected")
        user = await self._call("fetch user", self._user(nudge.author_id))
        dm = user.dm_channel or await self._call("open DM", user.create_dm())
        if await self._call("DM history", _has_nudge(dm.history(limit=LOOKBACK), me.id, nudge.id)):
            return "dm"
        channel = self.bot.get_channel(nudge.channel_id)
        if isinstance(channel, discord.abc.Messageable):
            after = discord.Object(nudge.message_id)
            history = channel.history(limit=LOOKBACK, after=after, oldest_first=True)
            with contextlib.suppress(DeliveryRefused):  # no history permission: nothing to find there
                if await self._call("channel history", _has_nudge(history, me.id, nudge.id)):
                    return "channel"
        return None

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        """Delete a message; False if it is already gone."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            raise DeliveryRefused(f"channel {channel_id} is not available")
        try:
            await self._call("delete", channel.get_partial_message(message_id).delete())
        except DeliveryRefused as error:
            if isinstance(error.__cause__, discord.NotFound):
                return False
            raise
        return True

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        """DM someone; an attachment goes as a text file. False when DMs are closed."""
        try:
            user = await self._call("fetch user", self._user(user_id))
            file = discord.File(io.BytesIO(attachment.encode("utf-8")), "message.txt") if attachment else None
            if file is not None:
                await self._call("DM", user.send(content, file=file))
            else:
                await self._call("DM", user.send(content))
        except DmClosed:
            return False
        return True

    async def find_dm(self, user_id: int, after: datetime, content: str) -> bool:
        """Whether Primum DMed exactly ``content`` to the user since ``after``."""
        me = self.bot.user
        if me is None:
            raise DeliveryFailed("not connected")
        user = await self._call("fetch user", self._user(user_id))
        dm = user.dm_channel or await self._call("open DM", user.create_dm())
        history = dm.history(limit=LOOKBACK, after=after)
        return bool(await self._call("DM history", _has_post(history, me.id, lambda m: m.content == content)))

    async def find_modlog_post(self, guild_id: int, after: datetime, marker: str) -> tuple[int, int] | None:
        """Primum's mod-log post since ``after`` that contains ``marker``."""
        me = self.bot.user
        if me is None:
            raise DeliveryFailed("not connected")
        channel = await self._modlog_channel(guild_id)
        if channel is None:
            return None
        history = channel.history(limit=LOOKBACK, after=after)
        found = await self._call("mod-log history", _has_post(history, me.id, lambda m: marker in m.content))
        return (channel.id, found.id) if found is not None else None

    async def _modlog_channel(self, guild_id: int) -> discord.TextChannel | None:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None
        return find_text_channel(guild, (await self.service.policy(guild_id)).modlog_channel_id, MODLOG_NAMES)

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        """Post in the mod-log (the configured channel, else one named #mod-log)."""
        channel = await self._modlog_channel(guild_id)
        if channel is None:
            return None
        message = await self._call(
            "mod-log post", channel.send(content, allowed_mentions=discord.AllowedMentions.none())
        )
        return channel.id, message.id

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        """Replace a mod-log post's content."""
        channel = self.bot.get_channel(channel_id)
        if isinstance(channel, discord.TextChannel):
            await self._call("mod-log edit", channel.get_partial_message(message_id).edit(content=content))


async def _has_post(history: AsyncIterator[discord.Message], bot_id: int,
                    wanted: Callable[[discord.Message], bool]) -> discord.Message | None:
    """The first of these messages that Primum sent and that is the one ``wanted``."""
    async for message in history:
        if message.author.id == bot_id and wanted(message):
            return message
    return None


async def _has_nudge(history: AsyncIterator[discord.Message], bot_id: int, nudge_id: int) -> bool:
    """Whether one of these messages is Primum's nudge ``nudge_id`` (its buttons carry the id)."""
    wanted = {custom_id(response, nudge_id) for response in BUTTONS}
    async for message in history:
        if message.author.id != bot_id:
            continue
        for row in message.components:
            children = getattr(row, "children", [row])
            if any(getattr(child, "custom_id", None) in wanted for child in children):
                return True
    return False


