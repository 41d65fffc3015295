"""Process settings: secrets from the environment (.env), defaults from ``config/*.toml``.

Validated once at start-up; a bad value stops the bot with a message that names the key and what
is allowed, because a typo in a threshold should never silently disable moderation.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "defaults.toml"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SYNC_MODES = ("global", "guild", "off")
MODEL_BACKENDS = ("default", "fake", "hf")
#: ``model.runtime``: "onnx" = fused int8 ONNX Runtime (default), "torch" = torch with dynamic int8
#: linears (the fallback), "torch-fp32". The one list: settings validate against it, the CLI offers
#: it, ``open_engine`` implements it.
MODEL_RUNTIMES = ("onnx", "torch", "torch-fp32")
DEFAULT_RUNTIME = "onnx"


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the key."""


@dataclass(frozen=True)
class ModelSettings:
    """How the be-kind scorer is loaded."""

    backend: str = "default"
    runtime: str = DEFAULT_RUNTIME  # fused int8 ONNX Runtime; "torch": int8 linears; "torch-fp32"
    model_path: str = ""
    label_map: dict[str, str] = field(default_factory=dict)
    max_batch: int = 32
    max_queue: int = 1024
    threads: int = 1


@dataclass(frozen=True)
class KindnessSettings:
    """Default be-kind policy; guilds override these at run time."""

    nudge_threshold: float | None = None  # None: from the model card
    hide_threshold: float | None = None  # None: hiding off
    nudge_window_minutes: int = 10
    outcome_window_minutes: int = 30


@dataclass(frozen=True)
class CatchUpSettings:
    """What Primum scores after a restart or a session reset: messages it missed while away."""

    messages: int = 50  # at most this many recent messages per channel (0: no catch-up)
    minutes: int = 30  # and none older than this
    nudge_minutes: int = 10  # a missed message older than this is scored and counted, never nudged
    heat_minutes: int = 2  # only missed messages this recent feed de-escalation (no slowmode for old heat)


@dataclass(frozen=True)
class DeescalationSettings:
    """Default de-escalation ladder values."""

    slowmode_seconds: int = 30
    slowmode_minutes: int = 10
    cooldown_minutes: int = 10
    grace_minutes: int = 5  # time to read and act on a nudge before a cooldown can count


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail for verification codes (optional)."""

    host: str = ""
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    starttls: bool = True


@dataclass(frozen=True)
class Settings:
    """Everything the process needs to start."""

    token: str = field(default="", repr=False)
    dev_guild_id: int | None = None
    database_path: Path = Path("data/primum.sqlite3")
    log_level: str = "INFO"
    sync_commands: str = "global"
    model: ModelSettings = field(default_factory=ModelSettings)
    kindness: KindnessSettings = field(default_factory=KindnessSettings)
    deescalation: DeescalationSettings = field(default_factory=DeescalationSettings)
    catch_up: CatchUpSettings = field(default_factory=CatchUpSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    #: New servers start in observe mode for this many days (0: never).
    observe_new_server_days: int = 7
    nppes_base_url: str = "https://npiregistry.cms.hhs.gov/api/"
    #: How long a member's form waits for the registry before the request waits in the background.
    nppes_quick_timeout_s: float = 3.0

    @property
    def has_token(self) -> bool:
        """Whether a real Discord token was given (otherwise Primum runs the demo)."""
        return bool(self.token)


def _choice(section: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or value.upper() not in {a.upper() for a in allowed}:
        raise SettingsError(f"{where}.{key} = {value!r} is not allowed; use one of: {', '.join(allowed)}")
    return value.upper() if allowed == LOG_LEVELS else value.lower()


def _int(section: Mapping[str, Any], key: str, default: int, where: str, low: int, high: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{where}.{key} = {value!r} is not allowed; use a whole number from {low} to {high}")
    return value


def _threshold(section: Mapping[str, Any], key: str, where: str, keyword: str) -> float | None:
    value = section.get(key, keyword)
    if value == keyword:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < float(value) <= 1.0:
        raise SettingsError(
            f"{where}.{key} = {value!r} is not allowed; use a number in (0, 1] or {keyword!r}"
        )
    return float(value)


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = data.get(name, {})
    if not isinstance(section, Mapping):
        raise SettingsError(f"[{name}] must be a table")
    return section


KNOWN_KEYS: dict[str, set[str]] = {
    "bot": {"database_path", "log_level", "sync_commands"},
    "model": {"backend", "runtime", "model_path", "label_map", "max_batch", "max_queue", "threads"},
    "kindness": {"nudge_threshold", "hide_threshold", "nudge_window_minutes", "outcome_window_minutes"},
    "deescalation": {"slowmode_seconds", "slowmode_minutes", "cooldown_minutes", "grace_minutes"},
    "catch_up": {"messages", "minutes", "nudge_minutes", "heat_minutes"},
    "observe": {"new_server_days"},
    "verification": {"nppes_base_url"},
}


def _check_unknown(data: Mapping[str, Any]) -> None:
    for name, section in data.items():
        if name not in KNOWN_KEYS:
            raise SettingsError(f"unknown section [{name}]; known sections: {', '.join(sorted(KNOWN_KEYS))}")
        for key in section:
            if key not in KNOWN_KEYS[name]:
                allowed = ", ".join(sorted(KNOWN_KEYS[name]))
                raise SettingsError(f"unknown key {name}.{key}; known keys in [{name}]: {allowed}")


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = {name: dict(section) for name, section in base.items()}
    for name, section in override.items():
        if not isinstance(section, Mapping):
            raise SettingsError(f"[{name}] must be a table")
        merged.setdefault(name, {}).update(section)
    return merged


def parse_settings(data: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Build validated settings from parsed TOML tables and environment variables."""
    _check_unknown(data)
    bot = _section(data, "bot")
    model = _section(data, "model")
    kind = _section(data, "kindness")
    deesc = _section(data, "deescalation")
    verification = _section(data, "verification")
    catch_up = _section(data, "catch_up")

    label_map = model.get("label_map", {})
    if not isinstance(label_map, Mapping) or not all(isinstance(v, str) for v in label_map.values()):
        raise SettingsError("model.label_map must be a table of label = category strings")

    dev_guild = env.get("DISCORD_DEV_GUILD_ID", "").strip()
    if dev_guild and not dev_guild.isdigit():
        raise SettingsError(f"DISCORD_DEV_GUILD_ID = {dev_guild!r} is not allowed; use a numeric guild id")
    smtp_port = env.get("SMTP_PORT", "587").strip() or "587"
    if not smtp_port.isdigit():
        raise SettingsError(f"SMTP_PORT = {smtp_port!r} is not allowed; use a port number")

    db_path = env.get("PRIMUM_DATABASE") or bot.get("database_path", "data/primum.sqlite3")
    if not isinstance(db_path, str) or not db_path:
        raise SettingsError("bot.database_path must be a non-empty path")

    nudge = _threshold(kind, "nudge_threshold", "kindness", "model")
    hide = _threshold(kind, "hide_threshold", "kindness", "off")
    if nudge is not None and hide is not None and hide < nudge:
        raise SettingsError(f"kindness.hide_threshold = {hide} must be at least kindness.nudge_threshold = {nudge}")

    return Settings(
        token=env.get("DISCORD_TOKEN", "").strip(),
        dev_guild_id=int(dev_guild) if dev_guild else None,
        database_path=Path(db_path),
        log_level=_choice({"log_level": env.get("LOG_LEVEL") or bot.get("log_level", "INFO")}, "log_level",
                          LOG_LEVELS, "INFO", "bot"),
        sync_commands=_choice(bot, "sync_commands", SYNC_MODES, "global", "bot"),
        model=ModelSettings(
            backend=_choice({"backend": env.get("PRIMUM_MODEL_BACKEND") or model.get("backend", "default")},
                            "backend", MODEL_BACKENDS, "default", "model"),
            runtime=_choice({"runtime": env.get("PRIMUM_MODEL_RUNTIME") or model.get("runtime", DEFAULT_RUNTIME)},
                            "runtime", MODEL_RUNTIMES, DEFAULT_RUNTIME, "model"),
            model_path=str(model.get("model_path", "")),
            label_map={str(k): str(v) for k, v in label_map.items()},
            max_batch=_int(model, "max_batch", 32, "model", 1, 512),
            max_queue=_int(model, "max_queue", 1024, "model", 1, 100_000),
            threads=_int(model, "threads", 1, "model", 1, 64),
        ),
        kindness=KindnessSettings(
            nudge_threshold=nudge,
            hide_threshold=hide,
            nudge_window_minutes=_int(kind, "nudge_window_minutes", 10, "kindness", 0, 10_080),
            outcome_window_minutes=_int(kind, "outcome_window_minutes", 30, "kindness", 1, 10_080),
        ),
        deescalation=DeescalationSettings(
            slowmode_seconds=_int(deesc, "slowmode_seconds", 30, "deescalation", 1, 21_600),
            slowmode_minutes=_int(deesc, "slowmode_minutes", 10, "deescalation", 1, 1_440),
            cooldown_minutes=_int(deesc, "cooldown_minutes", 10, "deescalation", 1, 40_320),
            grace_minutes=_int(deesc, "grace_minutes", 5, "deescalation", 1, 120),
        ),
        catch_up=CatchUpSettings(
            messages=_int(catch_up, "messages", 50, "catch_up", 0, 100),
            minutes=_int(catch_up, "minutes", 30, "catch_up", 1, 1_440),
            nudge_minutes=_int(catch_up, "nudge_minutes", 10, "catch_up", 0, 1_440),
            heat_minutes=_int(catch_up, "heat_minutes", 2, "catch_up", 0, 1_440),
        ),
        observe_new_server_days=_int(_section(data, "observe"), "new_server_days", 7, "observe", 0, 365),
        smtp=SmtpSettings(
            host=env.get("SMTP_HOST", ""),
            port=int(smtp_port),
            username=env.get("SMTP_USERNAME", ""),
            password=env.get("SMTP_PASSWORD", ""),
            sender=env.get("SMTP_FROM", ""),
            starttls=env.get("SMTP_STARTTLS", "true").lower() not in {"0", "false", "no"},
        ),
        nppes_base_url=env.get("NPPES_BASE_URL") or str(
            verification.get("nppes_base_url", "https://npiregistry.cms.hhs.gov/api/")
        ),
    )


def load_settings(
    config_files: list[Path] | None = None,
    env: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """Read ``config/defaults.toml`` (plus optional overrides) and the environment, then validate.

    ``.env`` is loaded into the process environment first (python-dotenv) unless ``env`` is given.
    """
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(dotenv_path or Path.cwd() / ".env", override=False)
        env = os.environ
    files = config_files if config_files is not None else [DEFAULT_CONFIG]
    extra = env.get("PRIMUM_CONFIG")
    if extra and config_files is None:
        files = [*files, Path(extra)]
    data: dict[str, Any] = {}
    for path in files:
        try:
            with path.open("rb") as handle:
                data = _merge(data, tomllib.load(handle))
        except FileNotFoundError as error:
            raise SettingsError(f"config file not found: {path}") from error
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path} is not valid TOML: {error}") from error
    return parse_settings(data, env)
