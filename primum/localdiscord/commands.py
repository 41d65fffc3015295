"""Building APPLICATION_COMMAND interaction data from the commands the bot registered.

Only what Discord's client would let a user submit is accepted: unknown or missing options,
out-of-range values, bad choices and commands hidden by ``default_member_permissions`` raise
:class:`ControlError` instead of reaching the bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ControlError
from .ids import Perm
from .models import JSON, Role, User
from .models import Member as MemberModel
from .payloads import channel_payload, member_payload, role_payload, user_payload
from .world import World


class OptionType:
    """Application command option types."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


def as_id(value: Any) -> int:
    """Accept an int, a numeric string or a model with ``id``/``user_id``."""
    if isinstance(value, User | Role):
        return value.id
    if isinstance(value, MemberModel):
        return value.user_id
    if isinstance(value, bool):
        raise ControlError(f"{value!r} is not an id")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{value!r} is not an id") from None


def check_visible(world: World, cmd: JSON, guild_id: int | None, user_id: int) -> None:
    """Enforce ``default_member_permissions`` and ``contexts`` like the Discord client does."""
    if guild_id is None:
        contexts = cmd.get("contexts")
        if cmd.get("guild_id") or cmd.get("dm_permission") is False or (contexts is not None and 1 not in contexts):
            raise ControlError(f"/{cmd['name']} is not available in DMs")
        return
    contexts = cmd.get("contexts")
    if contexts is not None and 0 not in contexts:
        raise ControlError(f"/{cmd['name']} is not available in servers")
    required = cmd.get("default_member_permissions")
    if required is None:
        return
    needed = int(required)
    have = world.guild_permissions(guild_id, user_id)
    if have & Perm.ADMINISTRATOR or have == Perm.ALL:
        return
    if needed == 0 or have & needed != needed:
        raise ControlError(f"/{cmd['name']} needs permissions {needed} that user {user_id} lacks")


class OptionBuilder:
    """Turns Python values into typed option payloads and the ``resolved`` map."""

    def __init__(self, world: World, guild_id: int | None, channel_id: int) -> None:
        self.world = world
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, JSON]] = {}
        self.attachments: list[tuple[int, str, bytes, str | None]] = []

    def _resolve_user(self, user_id: int) -> None:
        user = self.world.users.get(user_id)
        if user is None:
            raise ControlError(f"unknown user {user_id}")
        self.resolved.setdefault("users", {})[str(user_id)] = user_payload(user)
        if self.guild_id is not None:
            member = self.world.guilds[self.guild_id].members.get(user_id)
            if member is not None:
                data = member_payload(self.world, member, with_user=False)
                data["permissions"] = str(self.world.channel_permissions(self.channel_id, user_id))
                self.resolved.setdefault("members", {})[str(user_id)] = data

    def _resolve_role(self, role_id: int) -> None:
        if self.guild_id is None or role_id not in self.world.guilds[self.guild_id].roles:
            raise ControlError(f"unknown role {role_id}")
        role = self.world.guilds[self.guild_id].roles[role_id]
        self.resolved.setdefault("roles", {})[str(role_id)] = role_payload(role)

    def _resolve_channel(self, channel_id: int, allowed: list[int] | None) -> None:
        channel = self.world.channels.get(channel_id)
        if channel is None or channel.guild_id != self.guild_id:
            raise ControlError(f"unknown channel {channel_id}")
        if allowed and channel.type not in allowed:
            raise ControlError(f"channel {channel_id} has type {channel.type}, option allows {allowed}")
        full = channel_payload(self.world, channel)
        data: JSON = {k: full[k] for k in ("id", "type", "name", "parent_id", "thread_metadata") if k in full}
        data["permissions"] = str(self.world.channel_permissions(channel_id, 0) or Perm.ALL)
        self.resolved.setdefault("channels", {})[str(channel_id)] = data

    def value(self, opt: JSON, raw: Any, *, focused: bool = False) -> JSON:
        """One option payload ``{name, type, value}`` after Discord's client-side checks."""
        type_ = int(opt["type"])
        name = opt["name"]
        out: JSON = {"name": name, "type": type_}
        if focused:
            out.update(value=str(raw), focused=True)
            return out
        value: Any
        if type_ == OptionType.STRING:
            value = str(raw)
            if "min_length" in opt and len(value) < int(opt["min_length"]):
                raise ControlError(f"{name}: shorter than {opt['min_length']}")
            if len(value) > int(opt.get("max_length", 6000)):
                raise ControlError(f"{name}: longer than {opt.get('max_length', 6000)}")
        elif type_ in (OptionType.INTEGER, OptionType.NUMBER):
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ControlError(f"{name}: {raw!r} is not a number")
            if type_ == OptionType.INTEGER and (not isinstance(raw, int) or abs(raw) > 2**53):
                raise ControlError(f"{name}: {raw!r} is not an integer")
            value = raw
            if opt.get("min_value") is not None and value < opt["min_value"]:
                raise ControlError(f"{name}: {value} is below min_value {opt['min_value']}")
            if opt.get("max_value") is not None and value > opt["max_value"]:
                raise ControlError(f"{name}: {value} is above max_value {opt['max_value']}")
        elif type_ == OptionType.BOOLEAN:
            if not isinstance(raw, bool):
                raise ControlError(f"{name}: {raw!r} is not a boolean")
            value = raw
        elif type_ == OptionType.USER:
            uid = as_id(raw)
            self._resolve_user(uid)
            value = str(uid)
        elif type_ == OptionType.ROLE:
            rid = as_id(raw)
            self._resolve_role(rid)
            value = str(rid)
        elif type_ == OptionType.MENTIONABLE:
            mid = as_id(raw)
            if mid in self.world.users:
                self._resolve_user(mid)
            else:
                self._resolve_role(mid)
            value = str(mid)
        elif type_ == OptionType.CHANNEL:
            cid = as_id(raw)
            self._resolve_channel(cid, opt.get("channel_types"))
            value = str(cid)
        elif type_ == OptionType.ATTACHMENT:
            if not (isinstance(raw, tuple) and len(raw) in (2, 3)):
                raise ControlError(f"{name}: pass (filename, bytes[, content_type])")
            filename, data = str(raw[0]), bytes(raw[1])
            content_type = str(raw[2]) if len(raw) == 3 else None
            att_id = self.world.snowflakes.next()
            self.attachments.append((att_id, filename, data, content_type))
            value = str(att_id)
        else:
            raise ControlError(f"{name}: unsupported option type {type_}")
        choices = opt.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ControlError(f"{name}: {value!r} is not one of the choices")
        out["value"] = value
        return out

    def options(self, schema: list[JSON], values: Mapping[str, Any], focused: str | None = None) -> list[JSON]:
        """Leaf options in the order the command declares them."""
        by_name = {o["name"]: o for o in schema}
        unknown_names = set(values) - set(by_name)
        if unknown_names:
            raise ControlError(f"unknown option(s) {sorted(unknown_names)}; command has {sorted(by_name)}")
        out = []
        for opt in schema:
            name = opt["name"]
            if name not in values:
                if opt.get("required") and name != focused and focused is None:
                    raise ControlError(f"missing required option {name!r}")
                continue
            out.append(self.value(opt, values[name], focused=name == focused))
        return out


def find_command(commands: list[JSON], name: str, type_: int) -> JSON:
    """A registered command by name and type, or ControlError listing what exists."""
    for cmd in commands:
        if cmd["name"] == name and int(cmd.get("type", 1)) == type_:
            return cmd
    names = sorted(c["name"] for c in commands if int(c.get("type", 1)) == type_)
    raise ControlError(f"the bot did not register a type-{type_} command {name!r}; registered: {names}")


def walk_path(cmd: JSON, path: list[str]) -> tuple[list[JSON], list[tuple[str, int]]]:
    """Descend ``group sub`` names; return the leaf option schema and the path of (name, type)."""
    schema: list[JSON] = cmd.get("options") or []
    chain: list[tuple[str, int]] = []
    for part in path:
        node = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
        if node is None:
            subs = [o["name"] for o in schema if o["type"] in (1, 2)]
            raise ControlError(f"/{cmd['name']} has no subcommand {part!r}; it has {subs}")
        chain.append((part, int(node["type"])))
        schema = node.get("options") or []
    if any(o["type"] in (1, 2) for o in schema):
        subs = [o["name"] for o in schema if o["type"] in (1, 2)]
        raise ControlError(f"/{cmd['name']} {' '.join(path)} needs a subcommand: {subs}")
    return schema, chain


def nest(chain: list[tuple[str, int]], leaf: list[JSON]) -> list[JSON]:
    """Wrap leaf options in their subcommand / group layers."""
    options = leaf
    for name, type_ in reversed(chain):
        options = [{"name": name, "type": type_, "options": options}]
    return options

