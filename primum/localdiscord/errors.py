"""Discord-shaped errors: REST handlers raise them, the middleware renders them."""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    """An HTTP error with Discord's JSON body ``{code, message, errors?}``."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


def form_error(field: str, code: str, message: str) -> DiscordError:
    """400 50035 Invalid Form Body naming one field, as Discord nests it."""
    node: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        node = {part: node}
    return DiscordError(400, 50035, "Invalid Form Body", node)


def missing_permissions() -> DiscordError:
    """403 50013, Discord's answer to any action the bot lacks rights or hierarchy for."""
    return DiscordError(403, 50013, "Missing Permissions")


def not_in_dms() -> DiscordError:
    """403 50003, Discord's answer to a guild-only action on a DM channel."""
    return DiscordError(403, 50003, "Cannot execute action on a DM channel")


def unknown(kind: str) -> DiscordError:
    """404 with the right 100xx code for an unknown object."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "Webhook": 10015,
        "Ban": 10026,
        "User": 10013,
        "interaction": 10062,
        "application command": 10063,
    }
    return DiscordError(404, codes[kind], f"Unknown {kind}")


class ControlError(Exception):
    """A control-API request that a real Discord client would not let a user make."""
