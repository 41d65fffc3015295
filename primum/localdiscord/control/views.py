"""What a test can look at: messages, DMs, interactions, members, channels, requests and problems."""

from __future__ import annotations

import re
from datetime import datetime

from primum.localdiscord.models import Channel, Interaction, Member, Message, RequestRecord, Role, SpecViolation

from .base import ControlBase


class Views(ControlBase):
    """Read-only views of the world and of the server's records."""

    def messages(self, channel_id: int, *, include_deleted: bool = False,
                 include_ephemeral: bool = True) -> list[Message]:
        """Messages in a channel, oldest first."""
        return [m for m in self.world.messages.values() if m.channel_id == channel_id
                and (include_deleted or not m.deleted) and (include_ephemeral or not m.ephemeral)]

    def bot_messages(self, channel_id: int | None = None, *, include_deleted: bool = False) -> list[Message]:
        """What the bot posted (in one channel, or everywhere), oldest first."""
        return [m for m in self.world.messages.values() if m.author_id == self.bot_user_id
                and (channel_id is None or m.channel_id == channel_id) and (include_deleted or not m.deleted)]

    def dms_to(self, user_id: int) -> list[Message]:
        """DMs the bot sent to a user."""
        cid = self.world.dm_by_user.get(user_id)
        return [] if cid is None else self.bot_messages(cid)

    def interaction(self, interaction_id: int) -> Interaction:
        """An interaction record by id."""
        return self.interactions[interaction_id]

    def original_message(self, interaction: Interaction | int) -> Message | None:
        """The message the interaction's response created or updated (None for modal/autocomplete)."""
        rec = self._interaction_record(interaction)
        return self.world.messages.get(rec.original_message_id) if rec.original_message_id else None

    def followups(self, interaction: Interaction | int) -> list[Message]:
        """Followup messages sent for an interaction (excluding the one that replaced a deferral)."""
        rec = self._interaction_record(interaction)
        return [self.world.messages[i] for i in rec.followup_ids]

    def channel(self, channel_id: int) -> Channel:
        """A channel's current state."""
        return self.world.channel(channel_id)

    def slowmode(self, channel_id: int) -> int:
        """Current ``rate_limit_per_user`` of a channel."""
        return self.world.channel(channel_id).rate_limit_per_user

    def member(self, user_id: int, *, guild_id: int | None = None) -> Member | None:
        """A member's current state, or None if not (any more) in the guild."""
        return self._guild(guild_id).members.get(user_id)

    def timeout_until(self, user_id: int, *, guild_id: int | None = None) -> datetime | None:
        """When the member's timeout ends (None if not timed out)."""
        member = self.member(user_id, guild_id=guild_id)
        if member is None or not self.world.is_timed_out(member):
            return None
        return member.communication_disabled_until

    def role_names(self, user_id: int, *, guild_id: int | None = None) -> list[str]:
        """Names of a member's roles."""
        guild = self._guild(guild_id)
        member = guild.members.get(user_id)
        return [guild.roles[r].name for r in member.roles if r in guild.roles] if member else []

    def find_role(self, name: str, *, guild_id: int | None = None) -> Role:
        """A role by exact name."""
        for role in self._guild(guild_id).roles.values():
            if role.name == name:
                return role
        raise KeyError(name)

    def find_channel(self, name: str, *, guild_id: int | None = None) -> Channel:
        """A channel by name (with or without '#')."""
        for channel in self._guild(guild_id).channels.values():
            if channel.name == name.lstrip("#"):
                return channel
        raise KeyError(name)

    def requests_to(self, method: str, path_regex: str, *, since: int = 0) -> list[RequestRecord]:
        """Logged requests matching method and path regex."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests[since:] if r.method == method.upper() and pattern.search(r.path)]

    def take_spec_violations(self) -> list[SpecViolation]:
        """Return and forget recorded violations (for tests that provoke one on purpose)."""
        out, self.spec_violations = self.spec_violations, []
        return out

    def problems(self) -> list[str]:
        """Everything that should fail a test: spec violations, unhandled routes, internal errors."""
        return ([f"OpenAPI violation: {v}" for v in self.spec_violations]
                + [f"unhandled route: {u}" for u in self.unhandled]
                + [f"localdiscord bug: {e}" for e in self.internal_errors])

    def assert_clean(self) -> None:
        """Raise AssertionError listing :meth:`problems`, if any."""
        found = self.problems()
        if found:
            raise AssertionError("local Discord saw problems:\n  " + "\n  ".join(found))
