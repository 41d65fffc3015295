"""Settings: defaults load, bad values are named with what is allowed."""

from pathlib import Path

import pytest

from primum.settings import DEFAULT_CONFIG, SettingsError, load_settings, parse_settings


def test_shipped_defaults_load_without_a_token() -> None:
    settings = load_settings(env={})
    assert not settings.has_token
    assert settings.model.backend == "default"
    assert settings.kindness.nudge_threshold is None  # from the model card
    assert settings.kindness.hide_threshold is None  # hiding off by default
    assert settings.database_path == Path("data/primum.sqlite3")


def test_environment_overrides_and_token_is_not_in_repr() -> None:
    settings = load_settings(
        env={"DISCORD_TOKEN": "abc.def.ghi", "PRIMUM_DATABASE": "/tmp/x.sqlite3", "LOG_LEVEL": "debug",
             "PRIMUM_MODEL_BACKEND": "fake", "DISCORD_DEV_GUILD_ID": "42"}
    )
    assert settings.has_token
    assert settings.database_path == Path("/tmp/x.sqlite3")
    assert settings.log_level == "DEBUG"
    assert settings.model.backend == "fake"
    assert settings.model.runtime == "onnx"  # the default: fused int8 on ONNX Runtime
    assert settings.dev_guild_id == 42
    assert load_settings(env={"PRIMUM_MODEL_RUNTIME": "torch"}).model.runtime == "torch"
    assert "abc.def.ghi" not in repr(settings)


def test_empty_environment_values_fall_back_to_config() -> None:
    settings = load_settings(env={"LOG_LEVEL": "", "PRIMUM_MODEL_BACKEND": "", "DISCORD_TOKEN": ""})
    assert settings.log_level == "INFO"
    assert settings.model.backend == "default"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bot": {"log_level": "LOUD"}}, "bot.log_level = 'LOUD' is not allowed; use one of: DEBUG, INFO"),
        ({"bot": {"sync_commands": "sometimes"}}, "bot.sync_commands = 'sometimes' is not allowed"),
        ({"model": {"backend": "gpt"}}, "model.backend = 'gpt' is not allowed; use one of: default, fake, hf"),
        (
            {"model": {"runtime": "tensorrt"}},
            "model.runtime = 'tensorrt' is not allowed; use one of: onnx, torch, torch-fp32",
        ),
        ({"model": {"max_batch": 0}}, "model.max_batch = 0 is not allowed; use a whole number from 1 to 512"),
        ({"kindness": {"nudge_threshold": 1.5}}, "kindness.nudge_threshold = 1.5 is not allowed"),
        ({"kindness": {"nudge_threshold": 0.8, "hide_threshold": 0.5}}, "must be at least"),
        ({"deescalation": {"slowmode_seconds": 50000}}, "deescalation.slowmode_seconds = 50000"),
        ({"bot": {"colour": "red"}}, "unknown key bot.colour; known keys in [bot]"),
        ({"extras": {}}, "unknown section [extras]"),
    ],
)
def test_bad_values_name_the_key_and_the_allowed_values(data: dict, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(data, {})
    assert message in str(caught.value)


def test_bad_dev_guild_id_is_named() -> None:
    with pytest.raises(SettingsError, match="DISCORD_DEV_GUILD_ID"):
        parse_settings({}, {"DISCORD_DEV_GUILD_ID": "my-server"})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[bot\nlog_level = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="broken.toml is not valid TOML"):
        load_settings(config_files=[DEFAULT_CONFIG, broken], env={})


def test_override_file_merges_over_defaults(tmp_path: Path) -> None:
    override = tmp_path / "override.toml"
    override.write_text('[kindness]\nhide_threshold = 0.95\n', encoding="utf-8")
    settings = load_settings(config_files=[DEFAULT_CONFIG, override], env={})
    assert settings.kindness.hide_threshold == 0.95
    assert settings.kindness.nudge_window_minutes == 10


def test_catch_up_window_is_configurable_and_validated() -> None:
    settings = parse_settings({"catch_up": {"messages": 20, "minutes": 60, "nudge_minutes": 5}}, {})
    assert (settings.catch_up.messages, settings.catch_up.minutes, settings.catch_up.nudge_minutes) == (20, 60, 5)
    assert settings.catch_up.heat_minutes == 2
    assert load_settings(env={}).catch_up.messages == 50
    with pytest.raises(SettingsError, match=r"catch_up\.messages"):
        parse_settings({"catch_up": {"messages": 500}}, {})
    with pytest.raises(SettingsError, match="catch_up.window"):
        parse_settings({"catch_up": {"window": 5}}, {})
