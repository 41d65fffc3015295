"""Discord's errors as the de-escalation service's, in one place (``cogs._deescalation_port``)."""

from unittest.mock import Mock

import discord
import pytest

from cogs._deescalation_port import discord_errors
from primum.services.deescalation_port import ActionFailed, ActionRefused, TargetGone


def _http_error(kind: type[discord.HTTPException], status: int) -> discord.HTTPException:
    return kind(Mock(status=status, reason="x"), "x")


@pytest.mark.parametrize(
    ("raised", "refused", "expected", "text"),
    [
        (_http_error(discord.NotFound, 404), "no permission", TargetGone, "gone"),
        (_http_error(discord.Forbidden, 403), "no permission", ActionRefused, "no permission"),
        (_http_error(discord.Forbidden, 403), None, ActionFailed, "HTTP 403"),
        (_http_error(discord.HTTPException, 503), "no permission", ActionFailed, "HTTP 503"),
    ],
)
def test_discord_errors_become_the_services(raised, refused, expected, text):
    with pytest.raises(expected, match=text) as caught, discord_errors(gone="gone", refused=refused):
        raise raised
    assert caught.value.__cause__ is raised


def test_other_errors_pass_through():
    with pytest.raises(ValueError, match="bug"), discord_errors(gone="gone"):
        raise ValueError("bug")
