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
    assert load_settings(_env_file=None, console_downloads=tmp_path).console.downloads == tmp_path
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


# --- the platforms' sections -----------------------------------------------------------------------------
# Every platform variable the README and .env.example document, a valid value, and where it lands.
PLATFORM_VARIABLES = {
    "LIGHTHOUSE_SLACK_BOT_TOKEN": ("xoxb-1-2", lambda s: s.slack.bot_token.get_secret_value(), "xoxb-1-2"),
    "LIGHTHOUSE_SLACK_APP_TOKEN": ("xapp-1-2", lambda s: s.slack.app_token.get_secret_value(), "xapp-1-2"),
    "LIGHTHOUSE_SLACK_SIGNING_SECRET": ("s3cret", lambda s: s.slack.signing_secret.get_secret_value(), "s3cret"),
    "LIGHTHOUSE_SLACK_HOST": ("0.0.0.0", lambda s: s.slack.host, "0.0.0.0"),
    "LIGHTHOUSE_SLACK_PORT": ("3210", lambda s: s.slack.port, 3210),
    "LIGHTHOUSE_SLACK_API_URL": ("http://127.0.0.1:9/api/", lambda s: s.slack.api_url, "http://127.0.0.1:9/api/"),
    "LIGHTHOUSE_SLACK_COMMAND": ("/beacon", lambda s: s.slack.command, "/beacon"),
    "LIGHTHOUSE_SLACK_THREAD_LOGGING": ("false", lambda s: s.slack.thread_logging, False),
    "LIGHTHOUSE_DISCORD_TOKEN": ("abc.def.ghi", lambda s: s.discord.token.get_secret_value(), "abc.def.ghi"),
    "LIGHTHOUSE_DISCORD_SHARDS": ("4", lambda s: s.discord.shards, "4"),
    "LIGHTHOUSE_DISCORD_SHARD_IDS": ("2, 3", lambda s: s.discord.shard_ids, [2, 3]),
    "LIGHTHOUSE_DISCORD_INTRO_CHANNEL_ID": ("123456", lambda s: s.discord.intro_channel_id, 123456),
    "LIGHTHOUSE_DISCORD_API_URL": ("http://127.0.0.1:9/api", lambda s: s.discord.api_url, "http://127.0.0.1:9/api"),
    "LIGHTHOUSE_CONSOLE_USER": ("wanjiru", lambda s: s.console.user, "wanjiru"),
    "LIGHTHOUSE_CONSOLE_DOWNLOADS": ("/", lambda s: str(s.console.downloads), "/"),
}


def documented_variables() -> set[str]:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = (root / "README.md").read_text(encoding="utf-8") + (root / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"LIGHTHOUSE_[A-Z0-9_]*[A-Z0-9]", text))


def test_every_documented_platform_variable_is_known():
    documented = {name for name in documented_variables() if name.split("_")[1] in ("SLACK", "DISCORD", "CONSOLE")}
    assert documented == set(PLATFORM_VARIABLES)


def test_every_documented_variable_is_a_setting(monkeypatch):
    from config import Settings

    top_level = {f"LIGHTHOUSE_{name.upper()}" for name in Settings.model_fields}
    not_settings = {"LIGHTHOUSE_TEST_POSTGRES_URL", "LIGHTHOUSE_E5_QUERY_THREADS"}  # read by tests / the engine
    assert documented_variables() - not_settings <= top_level | set(PLATFORM_VARIABLES)


def test_platform_variables_from_the_environment_reach_their_sections(monkeypatch):
    for name, (value, _, _) in PLATFORM_VARIABLES.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    assert {name: read(settings) for name, (_, read, _) in PLATFORM_VARIABLES.items()} == {
        name: expected for name, (_, _, expected) in PLATFORM_VARIABLES.items()
    }
    assert settings.slack_enabled and settings.discord_enabled


def test_platform_keys_in_a_dotenv_file_reach_their_sections(monkeypatch, tmp_path):
    for name in PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, (value, _, _) in PLATFORM_VARIABLES.items()))
    settings = load_settings(_env_file=env_file)
    assert {name: read(settings) for name, (_, read, _) in PLATFORM_VARIABLES.items()} == {
        name: expected for name, (_, _, expected) in PLATFORM_VARIABLES.items()
    }


def test_the_environment_wins_over_the_dotenv_file_and_a_keyword_over_both(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("LIGHTHOUSE_SLACK_PORT=3001\nLIGHTHOUSE_SLACK_HOST=10.0.0.1\nLIGHTHOUSE_CONSOLE_USER=ana\n")
    monkeypatch.setenv("LIGHTHOUSE_SLACK_PORT", "3002")
    settings = load_settings(_env_file=env_file)
    assert (settings.slack.port, settings.slack.host, settings.console.user) == (3002, "10.0.0.1", "ana")
    assert load_settings(_env_file=env_file, slack_port=3003).slack.port == 3003


@pytest.mark.parametrize(
    ("name", "value", "mentions"),
    [
        ("LIGHTHOUSE_SLACK_PORT", "0", "greater than or equal to 1"),
        ("LIGHTHOUSE_SLACK_PORT", "http", "valid integer"),
        ("LIGHTHOUSE_SLACK_COMMAND", "lighthouse", "should match pattern"),
        ("LIGHTHOUSE_SLACK_THREAD_LOGGING", "perhaps", "valid boolean"),
        ("LIGHTHOUSE_SLACK_APP_TOKEN", "xoxb-1", "xapp-"),
        ("LIGHTHOUSE_DISCORD_INTRO_CHANNEL_ID", "general", "valid integer"),
        ("LIGHTHOUSE_DISCORD_SHARD_IDS", "0", "LIGHTHOUSE_DISCORD_SHARDS"),
        ("LIGHTHOUSE_CONSOLE_DOWNLOADS", "/no/such/folder", "is not a folder"),
    ],
)
def test_an_invalid_platform_variable_is_named_in_one_line(monkeypatch, name, value, mentions):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    message = str(error.value)
    assert message.startswith(f"{name}: ") and mentions in message and "\n" not in message


def test_a_list_item_keeps_its_index_in_the_name(monkeypatch):
    monkeypatch.setenv("LIGHTHOUSE_DISCORD_SHARDS", "4")
    monkeypatch.setenv("LIGHTHOUSE_DISCORD_SHARD_IDS", "1,x")
    with pytest.raises(SettingsError, match=r"^LIGHTHOUSE_DISCORD_SHARD_IDS\.1: "):
        load_settings(_env_file=None)
