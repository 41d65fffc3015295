"""A tiny discord.py bot used only to exercise the local Discord (not Primum's real cogs)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands

from primum.localdiscord.client import default_intents, fast_client_kwargs

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
CONDITIONS = ["diabetes insipidus", "diabetes mellitus", "diverticulitis", "asthma", "angina"]


class ReportModal(discord.ui.Modal, title="Report a concern"):
    details: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(label="What happened?", min_length=5)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Report received: {self.details.value}", ephemeral=True)


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.votes = 0

    @discord.ui.button(label="Agree", custom_id="vote:agree", style=discord.ButtonStyle.success)
    async def agree(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        self.votes += 1
        await interaction.response.edit_message(content=f"{self.votes} vote(s)", view=self)


class TinyBot(discord.Client):
    """Registers a few commands of every kind and records what it saw."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=default_intents(), **fast_client_kwargs())
        self.tree = app_commands.CommandTree(self)
        self.guild_id = guild_id
        self.seen: list[discord.Message] = []
        self.all_messages: list[discord.Message] = []
        self.edits: list[tuple[str, str]] = []
        self.dm_errors: list[int] = []
        self.joined: list[int] = []
        self.left: list[int] = []
        self.resumed = 0
        self.ready_count = 0
        self._register()

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.add_command(self._guild_only_command(), guild=guild)
        await self.tree.sync()
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def on_resumed(self) -> None:
        self.resumed += 1

    async def on_member_join(self, member: discord.Member) -> None:
        self.joined.append(member.id)

    async def on_member_remove(self, member: discord.Member) -> None:
        self.left.append(member.id)

    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        self.edits.append((before.content, after.content))

    async def on_message(self, message: discord.Message) -> None:
        self.all_messages.append(message)
        if message.author.bot:
            return
        self.seen.append(message)
        if message.content == "ping":
            await message.reply("pong")
        elif message.content == "dm me":
            try:
                await message.author.send("Hello from the bot, in private.")
            except discord.Forbidden as exc:
                self.dm_errors.append(exc.code)
        elif message.content == "boom":
            raise RuntimeError("listener exploded")

    def _guild_only_command(self) -> app_commands.Command[Any, ..., None]:
        @app_commands.command(name="guildping", description="A guild-scoped command")
        async def guildping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("guild pong")

        return guildping

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Repeat text")
        async def echo(interaction: discord.Interaction, text: str, private: bool = False) -> None:
            await interaction.response.send_message(text, ephemeral=private)

        @tree.command(description="Set slowmode")
        async def slow(interaction: discord.Interaction, seconds: app_commands.Range[int, 0, 21600]) -> None:
            await interaction.response.defer(thinking=True)
            assert isinstance(interaction.channel, discord.TextChannel)
            await interaction.channel.edit(slowmode_delay=seconds)
            await interaction.followup.send(f"Slowmode is now {seconds}s")

        @tree.command(description="Time a member out")
        @app_commands.default_permissions(moderate_members=True)
        async def timeout(interaction: discord.Interaction, member: discord.Member,
                          minutes: app_commands.Range[int, 1, 40320]) -> None:
            try:
                await member.timeout(timedelta(minutes=minutes), reason="cooling off")
            except discord.Forbidden as exc:
                await interaction.response.send_message(f"Cannot: {exc.code}", ephemeral=True)
                return
            await interaction.response.send_message(f"{member.display_name} timed out", ephemeral=True)

        role = app_commands.Group(name="role", description="Manage roles")

        @role.command(name="add", description="Add a role")
        async def role_add(interaction: discord.Interaction, member: discord.Member, role: discord.Role) -> None:
            await member.add_roles(role)
            await interaction.response.send_message("added", ephemeral=True)

        @role.command(name="remove", description="Remove a role")
        async def role_remove(interaction: discord.Interaction, member: discord.Member, role: discord.Role) -> None:
            await member.remove_roles(role)
            await interaction.response.send_message("removed", ephemeral=True)

        tree.add_command(role)

        @tree.command(description="Report something privately")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(ReportModal())

        @tree.command(description="Start a vote")
        async def vote(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("0 vote(s)", view=VoteView())

        @tree.command(description="Delete recent messages")
        async def purge(interaction: discord.Interaction, count: app_commands.Range[int, 1, 100]) -> None:
            await interaction.response.defer(ephemeral=True)
            assert isinstance(interaction.channel, discord.TextChannel)
            deleted = await interaction.channel.purge(limit=count)
            await interaction.followup.send(f"Deleted {len(deleted)}", ephemeral=True)

        @tree.command(description="Post a chart")
        async def chart(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Weekly kindness").set_image(url="attachment://chart.png")
            await interaction.response.send_message(embed=embed, file=discord.File(io.BytesIO(PNG), "chart.png"))

        @tree.command(description="Look up a condition")
        async def condition(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @condition.autocomplete("name")
        async def condition_complete(interaction: discord.Interaction, current: str
                                     ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=c, value=c) for c in CONDITIONS if c.startswith(current)]

        @tree.context_menu(name="Report user")
        async def report_user(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"Reported {member.display_name}", ephemeral=True)

        @tree.context_menu(name="Flag message")
        async def flag_message(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"Flagged: {message.content}", ephemeral=True)
