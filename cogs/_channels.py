"""Finding a feature's text channel: the one a server configured, else the first with a default name."""

from __future__ import annotations

import discord

#: The default names of the moderators' log channel, when a server configured none.
MODLOG_NAMES = ("mod-log", "mod_log", "modlog")


def find_text_channel(
    guild: discord.Guild, channel_id: int | None, names: tuple[str, ...]
) -> discord.TextChannel | None:
    """The configured text channel when it still exists, else the first text channel called one of ``names``."""
    if channel_id is not None:
        channel = guild.get_channel(channel_id)
        if isinstance(channel, discord.TextChannel):
            return channel
    for name in names:
        found = discord.utils.get(guild.text_channels, name=name)
        if found is not None:
            return found
    return None
