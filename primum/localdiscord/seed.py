"""A realistic physician community to run the bot against (demo and e2e tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from .ids import Perm
from .server import LocalDiscord

MODERATOR_PERMS = (
    Perm.MODERATE_MEMBERS | Perm.MANAGE_MESSAGES | Perm.KICK_MEMBERS | Perm.BAN_MEMBERS
    | Perm.VIEW_AUDIT_LOG | Perm.MANAGE_NICKNAMES | Perm.MANAGE_THREADS
)
BOT_PERMS = (
    Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS | Perm.MANAGE_MESSAGES | Perm.MODERATE_MEMBERS | Perm.MANAGE_CHANNELS
    | Perm.MANAGE_ROLES | Perm.KICK_MEMBERS | Perm.BAN_MEMBERS | Perm.MANAGE_THREADS
    | Perm.CREATE_PUBLIC_THREADS | Perm.CREATE_PRIVATE_THREADS | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.USE_EXTERNAL_EMOJIS | Perm.MANAGE_NICKNAMES
)

PHYSICIANS = [
    ("amara.okafor", "Dr. Amara Okafor"),
    ("raj.patel.md", "Dr. Rajesh Patel"),
    ("elena.vasquez", "Dr. Elena Vasquez"),
    ("sam.whitfield", "Dr. Samuel Whitfield"),
    ("mei.lin.chen", "Dr. Mei-Lin Chen"),
    ("jonas.berg", "Dr. Jonas Berg"),
    ("fatima.alrashid", "Dr. Fatima Al-Rashid"),
    ("david.kowalski", "Dr. David Kowalski"),
    ("grace.mensah", "Dr. Grace Mensah"),
    ("tom.oconnell", "Dr. Thomas O'Connell"),
]
MODERATORS = [("nadia.haddad", "Dr. Nadia Haddad"), ("marcus.reid", "Dr. Marcus Reid")]
OWNER = ("priya.raman", "Dr. Priya Raman")
NEWCOMER = ("new.resident", "Alex Kim")


@dataclass
class PhysicianServer:
    """Ids of everything :func:`seed_physician_server` created."""

    guild_id: int
    owner_id: int
    bot_id: int
    channels: dict[str, int]
    roles: dict[str, int]
    physicians: dict[str, int]
    moderators: dict[str, int]
    unverified: dict[str, int]
    everyone_role_id: int
    members: dict[str, int] = field(default_factory=dict)

    def channel(self, name: str) -> int:
        """Channel id by name (``"general"`` or ``"#general"``)."""
        return self.channels[name.lstrip("#")]

    def user(self, display_name: str) -> int:
        """Member id by display name, e.g. ``"Dr. Amara Okafor"``."""
        return self.members[display_name]

    @property
    def general(self) -> int:
        """#general."""
        return self.channels["general"]

    @property
    def mod_log(self) -> int:
        """#mod-log."""
        return self.channels["mod-log"]

    @property
    def review_queue(self) -> int:
        """#review-queue (private to moderators and the bot)."""
        return self.channels["review-queue"]

    @property
    def physician_ids(self) -> list[int]:
        """Verified physicians (not moderators or the owner)."""
        return list(self.physicians.values())


def seed_physician_server(server: LocalDiscord, *, name: str = "Primum Physicians") -> PhysicianServer:
    """Create "Primum Physicians": channels, roles (bot below Admin, above Moderator) and members.

    Call before the bot connects: the guild then arrives complete in GUILD_CREATE.
    """
    owner = server.create_user(OWNER[0], global_name=OWNER[1])
    guild = server.create_guild(name, owner_id=owner.id)
    everyone = guild.roles[guild.id]
    unverified = server.create_role("Unverified", permissions=0, position=1)
    verified = server.create_role("Verified Physician", permissions=0, position=2, color=0x2E86AB, hoist=True)
    moderator = server.create_role("Moderator", permissions=MODERATOR_PERMS, position=3, color=0x8E44AD,
                                   hoist=True, mentionable=True)
    bot_role = server.create_role(server.world.users[server.bot_user_id].display_name, permissions=BOT_PERMS,
                                  position=4, bot_id=server.bot_user_id)
    admin = server.create_role("Owner/Admin", permissions=Perm.ADMINISTRATOR, position=5, color=0xC0392B,
                               hoist=True)
    server.world.guild(guild.id).members[owner.id].roles.append(admin.id)

    # @everyone sees only #verify; verified physicians see the community channels.
    everyone.permissions = Perm.EVERYONE_DEFAULT & ~Perm.VIEW_CHANNEL
    community = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.READ_MESSAGE_HISTORY
    from .models import Overwrite

    def public(extra: list[Overwrite] | None = None) -> list[Overwrite]:
        return [Overwrite(verified.id, 0, allow=community), Overwrite(moderator.id, 0, allow=community),
                *(extra or [])]

    channels = {
        "general": server.create_channel("general", topic="Introductions and hallway talk", overwrites=public()),
        "clinical-cases": server.create_channel("clinical-cases", topic="De-identified cases only. No PHI.",
                                                overwrites=public()),
        "politics": server.create_channel("politics", topic="Health policy. Argue ideas, not people.",
                                          overwrites=public()),
        "venting": server.create_channel("venting", topic="A place to decompress. Be gentle.",
                                         overwrites=public()),
        "verify": server.create_channel("verify", topic="Start here: /verify with your NPI",
                                        overwrites=[Overwrite(guild.id, 0, allow=community)]),
        "mod-log": server.create_channel("mod-log", private=True, allow_roles=[moderator.id, bot_role.id]),
        "review-queue": server.create_channel("review-queue", private=True,
                                              allow_roles=[moderator.id, bot_role.id]),
        "transparency": server.create_channel(
            "transparency", topic="Weekly moderation statistics",
            overwrites=public([Overwrite(guild.id, 0, deny=Perm.SEND_MESSAGES),
                               Overwrite(bot_role.id, 0, allow=community)])),
    }
    server.default_channel_id = channels["general"].id

    joined = server.world.now() - timedelta(days=400)
    members: dict[str, int] = {OWNER[1]: owner.id}
    physicians: dict[str, int] = {}
    for i, (username, display) in enumerate(PHYSICIANS):
        user = server.create_user(username, global_name=display)
        server.add_member(user.id, roles=[verified.id], joined_at=joined + timedelta(days=9 * i))
        physicians[display] = members[display] = user.id
    moderators: dict[str, int] = {}
    for username, display in MODERATORS:
        user = server.create_user(username, global_name=display)
        server.add_member(user.id, roles=[verified.id, moderator.id], joined_at=joined - timedelta(days=30))
        moderators[display] = members[display] = user.id
    newcomer = server.create_user(NEWCOMER[0], global_name=NEWCOMER[1])
    server.add_member(newcomer.id, roles=[unverified.id], joined_at=server.world.now() - timedelta(hours=2))
    members[NEWCOMER[1]] = newcomer.id
    server.add_member(server.bot_user_id, roles=[bot_role.id], joined_at=joined)

    return PhysicianServer(
        guild_id=guild.id,
        owner_id=owner.id,
        bot_id=server.bot_user_id,
        channels={n: c.id for n, c in channels.items()},
        roles={r.name: r.id for r in (everyone, unverified, verified, moderator, bot_role, admin)},
        physicians=physicians,
        moderators=moderators,
        unverified={NEWCOMER[1]: newcomer.id},
        everyone_role_id=everyone.id,
        members=members,
    )
