"""Accountable moderation: every action is an append-only case that members can see and appeal.

A thin adapter over :class:`primum.services.moderation.ModerationService`: Discord members become
:class:`~primum.domain.moderation_rules.Party` values, the service decides and records, and this cog
does the Discord side (delete, kick, ban, DMs, review cards, the transparency channel, the weekly
report). Each part is its own module, so fixing one flow means reading one file:

* ``cogs/_moderation_base.py``      who is who, the review channel, posting, the ``/mod`` group;
* ``cogs/_moderation_standing.py``  ``/standing``;
* ``cogs/_moderation_appeals.py``   ``/appeal``, review cards, reminders, ``/mod decide``;
* ``cogs/_moderation_cases.py``     ``/case show|list|amend``;
* ``cogs/_moderation_actions.py``   ``/mod note|kick|ban|confirm`` (two moderators for a physician);
* ``cogs/_moderation_hide.py``      ``/mod hide`` and the "Hide message" context menu;
* ``cogs/_moderation_settings.py``  ``/mod-settings`` and the weekly owners' report;
* ``cogs/moderation_tools.py``      ``/mod warn|unban|tempban|purge`` (a cog of its own).

Commands: ``/standing`` and ``/appeal`` (everyone), ``/case show|list|amend`` and ``/mod kick|ban|
note|hide|confirm|decide`` (moderators), the "Hide message" context menu (moderators) and
``/mod-settings`` (owners). Every command checks ranks at run time as well as through
``default_member_permissions``.

Other features put their actions on the record with one line::

    self.bot.dispatch("primum_action", ActionRecord(guild_id, "slowmode", channel_id, None, reason, ...))
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._moderation_actions import ActionCommands
from cogs._moderation_appeals import AppealCommands
from cogs._moderation_cases import CaseCommands
from cogs._moderation_hide import HideCommands
from cogs._moderation_settings import SettingsCommands
from cogs._moderation_standing import StandingCommands
from cogs._moderation_views import AppealButton, ConfirmButton
from primum.domain.case_events import action_from_event
from primum.domain.cases import ActionRecord, InvalidInput
from primum.domain.conflict import interactions_from_message
from primum.runtime.tasks import BackgroundTasks

if TYPE_CHECKING:
    from primum.app import PrimumBot

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0


class Moderation(StandingCommands, AppealCommands, CaseCommands, ActionCommands, HideCommands, SettingsCommands):
    """Cases, standing, appeals, two-moderator removals, transparency and the owners' report.

    Each part lives in its own module (``cogs/_moderation_*.py``); this class puts them together
    and runs what belongs to the whole: loading, the sweep and recording other features' actions.
    """

    def __init__(self, bot: PrimumBot) -> None:
        super().__init__(bot)
        self._tasks = BackgroundTasks("moderation", log)
        self._hide_menu = app_commands.ContextMenu(name="Hide message", callback=self._hide_context)
        self._hide_menu.default_permissions = discord.Permissions(manage_messages=True)
        self._hide_menu.guild_only = True

    # --- life cycle -------------------------------------------------------------------------------
    async def cog_load(self) -> None:
        """Register the persistent buttons, the context menu, the transparency hook and the sweep."""
        self.bot.add_dynamic_items(ConfirmButton, AppealButton)
        self.bot.tree.add_command(self._hide_menu)
        self.case_log.add_hook(self._post_transparency)
        self.bot.events.subscribe(self._case_for_event)
        self._tasks.spawn(self._sweep_forever(), "moderation-sweep")

    async def cog_unload(self) -> None:
        """Undo cog_load."""
        await self._tasks.cancel_all()
        self.case_log.remove_hook(self._post_transparency)
        self.bot.events.unsubscribe(self._case_for_event)
        self.bot.tree.remove_command(self._hide_menu.name, type=discord.AppCommandType.message)
        self.bot.remove_dynamic_items(ConfirmButton, AppealButton)

    async def _sweep_forever(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("moderation sweep failed; retrying in %.0f s", SWEEP_SECONDS, exc_info=True)
            await asyncio.sleep(SWEEP_SECONDS)

    async def sweep(self) -> None:
        """Appeal reminders, expired removal requests, old interaction records and the weekly report.

        Restart-safe: every deadline is stored, so a sweep after downtime catches up. Tests call it
        directly after moving a fake clock.
        """
        for appeal in await self.service.due_reminders():
            await self._remind(appeal)
        for confirmation in await self.service.expire_confirmations():
            await self._close_card(confirmation.review_channel_id, confirmation.review_message_id,
                                   f"Request #{confirmation.id} expired without a second moderator.")
        await self.service.prune_interactions()
        await self.service.expire_statements()
        for guild in self.bot.guilds:
            await self._maybe_weekly_report(guild)

    # --- other features' actions ------------------------------------------------------------------
    def _case_for_event(self, event: dict[str, Any]) -> None:
        """Put hides, slowmodes, cooldowns and verification decisions on the record as cases."""
        if event.get("source") == "bot-process":
            return  # another process's bot records its own actions
        action = action_from_event(event)
        if action is not None:
            self.bot.dispatch("primum_action", action)

    @commands.Cog.listener()
    async def on_primum_action(self, action: ActionRecord | dict[str, Any]) -> None:
        """Record an action another feature dispatched with ``bot.dispatch("primum_action", ...)``."""
        try:
            await self.case_log.record_action(action)
        except InvalidInput as error:
            log.warning("an action could not be put on the record: %s", error)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Remember who replied to or mentioned whom (ids and times only) for the conflict check."""
        if message.guild is None or message.author.bot:
            return
        replied_to: int | None = None
        if message.reference is not None:
            resolved = message.reference.resolved
            if isinstance(resolved, discord.Message):
                replied_to = resolved.author.id
            elif message.reference.message_id is not None:
                cached = discord.utils.get(self.bot.cached_messages, id=message.reference.message_id)
                replied_to = cached.author.id if cached is not None else None
        mentioned = [user.id for user in message.mentions if not user.bot]
        found = interactions_from_message(message.channel.id, message.author.id, self.bot.clock.now(), replied_to,
                                          mentioned)
        if found:
            await self.service.interactions.add_many(message.guild.id, found)


async def setup(bot: PrimumBot) -> None:
    """Load the Moderation cog."""
    await bot.add_cog(Moderation(bot))
