import pytest

from config import SettingsError, load_settings


def test_defaults_need_nothing(monkeypatch):
    for name in ("LIGHTHOUSE_DATABASE_URL", "LIGHTHOUSE_SLACK_BOT_TOKEN", "LIGHTHOUSE_DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///lighthouse.db"
    assert not settings.slack_enabled and not settings.discord_enabled


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"database_url": "not a url"}, "LIGHTHOUSE_DATABASE_URL"),
        ({"database_url": "sqlite:///x.db"}, "LIGHTHOUSE_DATABASE_URL"),
        ({"slack_bot_token": "xoxp-123"}, "LIGHTHOUSE_SLACK_BOT_TOKEN"),
        ({"discord_shards": "many"}, "LIGHTHOUSE_DISCORD_SHARDS"),
    ],
)
def test_malformed_settings_name_the_setting(overrides, named):
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **overrides)
    assert named in str(error.value)


def test_secrets_never_show_in_repr():
    settings = load_settings(_env_file=None, slack_bot_token="xoxb-secret-value", discord_token="abc.def.ghi")
    assert "secret-value" not in repr(settings) and "abc.def.ghi" not in repr(settings)


def test_lists_from_environment(monkeypatch):
    monkeypatch.setenv("LIGHTHOUSE_ADMINS", "slack:U1, console:alice")
    monkeypatch.setenv("LIGHTHOUSE_REMINDER_OFFSETS_HOURS", "48,2")
    settings = load_settings(_env_file=None)
    assert settings.admins == ["slack:U1", "console:alice"]
    assert settings.reminder_offsets_hours == [48.0, 2.0]
    assert settings.is_admin("console", "alice")


def test_the_example_env_file_loads_as_it_is(tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".env.example"
    settings = load_settings(_env_file=example)
    assert not settings.slack_enabled and not settings.discord_enabled
    assert settings.database_url == "sqlite+aiosqlite:///lighthouse.db"
