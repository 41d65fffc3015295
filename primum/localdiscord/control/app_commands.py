"""Using the bot's application commands: slash commands, autocomplete and context-menu apps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from primum.localdiscord import commands as cmds
from primum.localdiscord.errors import ControlError
from primum.localdiscord.models import JSON, Channel, Interaction
from primum.localdiscord.payloads import attachment_payload, message_payload

from .base import ControlBase


class AppCommands(ControlBase):
    """A member runs a command the bot registered, the way the Discord client would send it."""

    def _visible_commands(self, guild_id: int | None) -> list[JSON]:
        scoped = self.world.guilds[guild_id].commands if guild_id is not None else []
        return [*scoped, *self.global_commands]

    def _command_context(self, user_id: int, channel_id: int | None) -> tuple[Channel, int | None]:
        channel = self.world.channel(channel_id or self._default_channel())
        if channel.guild_id is not None and user_id not in self.world.guild(channel.guild_id).members:
            raise ControlError(f"user {user_id} is not a member")
        return channel, channel.guild_id

    def _usable_command(self, user_id: int, guild_id: int | None, name: str, type_: int) -> JSON:
        cmd = cmds.find_command(self._visible_commands(guild_id), name, type_)
        cmds.check_visible(self.world, cmd, guild_id, user_id)
        return cmd

    def invoke_slash(self, user_id: int, command: str, options: Mapping[str, Any] | None = None, *,
                     channel_id: int | None = None) -> Interaction:
        """A user runs ``/command [group] [sub]`` with typed ``options`` (ids for users/roles/channels)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        name, *path = command.strip().lstrip("/").split()
        cmd = self._usable_command(user_id, guild_id, name, 1)
        schema, chain = cmds.walk_path(cmd, path)
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        leaf = builder.options(schema, options or {})
        data = self._command_data(cmd, cmds.nest(chain, leaf), builder, channel.id)
        return self._new_interaction(2, user_id, channel.id, data, name=" ".join([name, *path]))

    def _command_data(self, cmd: JSON, options: list[JSON], builder: cmds.OptionBuilder,
                      channel_id: int) -> JSON:
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": cmd["type"]}
        if options:
            data["options"] = options
        for att_id, filename, blob, ctype in builder.attachments:
            att = self.bodies.attachment(channel_id, att_id, filename, ctype, blob)
            builder.resolved.setdefault("attachments", {})[str(att_id)] = attachment_payload(att)
        if builder.resolved:
            data["resolved"] = builder.resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    def autocomplete(self, user_id: int, command: str, options: Mapping[str, Any], focused: str, *,
                     channel_id: int | None = None) -> Interaction:
        """The Discord client asks for choices while ``focused`` is being typed (value is partial)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        name, *path = command.strip().lstrip("/").split()
        cmd = self._usable_command(user_id, guild_id, name, 1)
        schema, chain = cmds.walk_path(cmd, path)
        target = next((o for o in schema if o["name"] == focused), None)
        if target is None or not target.get("autocomplete"):
            raise ControlError(f"option {focused!r} of /{command} has no autocomplete")
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        leaf = builder.options(schema, options, focused=focused)
        data = self._command_data(cmd, cmds.nest(chain, leaf), builder, channel.id)
        return self._new_interaction(4, user_id, channel.id, data)

    def invoke_user_command(self, user_id: int, name: str, target_id: int, *,
                            channel_id: int | None = None) -> Interaction:
        """A user picks an app from another member's context menu (Apps → ``name``)."""
        channel, guild_id = self._command_context(user_id, channel_id)
        cmd = self._usable_command(user_id, guild_id, name, 2)
        builder = cmds.OptionBuilder(self.world, guild_id, channel.id)
        builder.value({"name": "target", "type": cmds.OptionType.USER}, target_id)
        data = self._command_data(cmd, [], builder, channel.id)
        data["target_id"] = str(target_id)
        return self._new_interaction(2, user_id, channel.id, data, name=name)

    def invoke_message_command(self, user_id: int, name: str, message_id: int) -> Interaction:
        """A user picks an app from a message's context menu."""
        target = self._live_message(message_id)
        channel, guild_id = self._command_context(user_id, target.channel_id)
        cmd = self._usable_command(user_id, guild_id, name, 3)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 3, "target_id": str(message_id),
                      "resolved": {"messages": {str(message_id): message_payload(
                          self.world, target, interactions=self.interaction_metadata)}}}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._new_interaction(2, user_id, channel.id, data, name=name)
