"""Direct messages to a member: one place that knows which failures mean "DMs closed"."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord

log = logging.getLogger(__name__)


async def send_dm(client: discord.Client, user_id: int, content: str, **kwargs: Any) -> bool:
    """DM someone; False (logged at INFO) when their DMs are closed, or when they cannot be reached."""
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        await user.send(content, **kwargs)
    except discord.Forbidden:
        log.info("could not DM user %d (DMs closed)", user_id)
        return False
    except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
        log.warning("could not DM user %d: %s", user_id, error)
        return False
    return True
