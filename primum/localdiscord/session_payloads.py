"""What a client receives when it logs in and connects: the application, READY and GUILD_CREATE."""

from __future__ import annotations

from .ids import iso
from .models import JSON, ChannelType, Guild, User
from .payloads import channel_payload, member_payload, role_payload, user_payload
from .world import World


def guild_create_payload(world: World, guild: Guild, bot_id: int) -> JSON:
    """A full GUILD_CREATE: every member is included so discord.py never needs to chunk."""
    me = guild.members.get(bot_id)
    channels = [c for c in guild.channels.values() if c.type not in ChannelType.THREADS]
    threads = [c for c in guild.channels.values() if c.type in ChannelType.THREADS and not c.archived]
    text = [c for c in channels if c.type == ChannelType.GUILD_TEXT]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": "A private community for verified physicians.",
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "verification_level": 2,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "features": ["COMMUNITY"],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": str(text[0].id) if text else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_members": 500000,
        "max_presences": None,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "nsfw": False,
        "nsfw_level": 0,
        "incidents_data": None,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "soundboard_sounds": [],
        "joined_at": iso(me.joined_at) if me else iso(world.now()),
        "large": False,
        "unavailable": False,
        "lazy": True,
        "member_count": len(guild.members),
        "members": [member_payload(world, m) for m in guild.members.values()],
        "channels": [channel_payload(world, c) for c in channels],
        "threads": [channel_payload(world, c) for c in threads],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "embedded_activities": [],
        "activity_instances": [],
        "application_command_counts": {},
        "latest_onboarding_question_id": None,
        "hub_type": None,
        "home_header": None,
        "version": 0,
    }


def application_payload(app_id: int, bot: User, owner: User) -> JSON:
    """GET /oauth2/applications/@me; discord.py's AppInfo indexes most of these keys."""
    return {
        "id": str(app_id),
        "name": bot.username,
        "icon": None,
        "description": "Keeps a physician community kind.",
        "summary": "",
        "type": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 1 << 15 | 1 << 19 | 1 << 23,
        "owner": user_payload(owner),
        "team": None,
        "bot": user_payload(bot),
        "hook": True,
        "is_monetized": False,
        "is_verified": False,
        "is_discoverable": False,
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "redirect_uris": [],
        "rpc_origins": [],
        "integration_types_config": {"0": {}},
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
    }


def ready_payload(
    *,
    bot: User,
    app_id: int,
    guild_ids: list[int],
    session_id: str,
    resume_url: str,
) -> JSON:
    """READY: guilds start unavailable and arrive as GUILD_CREATE right after."""
    return {
        "v": 10,
        "user": {**user_payload(bot), "verified": True, "mfa_enabled": False, "email": None},
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": {"id": str(app_id), "flags": 1 << 15 | 1 << 19 | 1 << 23},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "user_settings": {},
        "auth_session_id_hash": "",
        "_trace": ['["primum-localdiscord",{"micros":0}]'],
    }
