import pytest

from config import SettingsError, load_settings


def test_defaults_need_nothing(monkeypatch, tmp_path):
    for name in ("LIGHTHOUSE_DATABASE_URL", "LIGHTHOUSE_SLACK_BOT_TOKEN", "LIGHTHOUSE_DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = load_settings(_env_file=None)
    # The user's data folder, whatever the current folder; it is created when the database first opens.
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'lighthouse-bot' / 'lighthouse.db'}"
    assert not (tmp_path / "data").exists()
    assert not settings.slack_enabled and not settings.discord_enabled


def test_a_sqlite_file_in_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(SettingsError, match=r"LIGHTHOUSE_DATABASE_URL: the folder .*missing does not exist"):
        load_settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("admins", ["bob", "slack:", "teams:U1", "slack:U1,bob"])
def test_admins_without_a_platform_are_refused(admins):
    with pytest.raises(SettingsError, match=r"^LIGHTHOUSE_ADMINS: .* should be platform:user-id"):
        load_settings(_env_file=None, admins=admins)


def test_console_downloads_must_be_a_folder(tmp_path):
    assert load_settings(_env_file=None, console_downloads=tmp_path).console_downloads == tmp_path
    with pytest.raises(SettingsError, match="LIGHTHOUSE_CONSOLE_DOWNLOADS: .* is not a folder"):
        load_settings(_env_file=None, console_downloads=tmp_path / "nope")


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
    assert settings.database_url.endswith("/lighthouse-bot/lighthouse.db")
