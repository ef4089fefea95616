"""A malformed configuration stops the bot at start-up with one clear line naming the setting.

Each case runs `python main.py` as an operator would, in an empty folder (no .env), and reads stderr.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from config import SettingsError, load_settings
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env["LIGHTHOUSE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'ok.db'}"
    env["LIGHTHOUSE_INGEST_DEMO_ON_EMPTY"] = "false"
    env["COLUMNS"] = "80"  # a narrow terminal must not wrap the error over several lines
    env.update({f"LIGHTHOUSE_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        input="",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], setting: str, *, mentions: str = "") -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("Configuration error: ") and setting in line
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert mentions in line
    return line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_good_configuration_starts_and_stops_cleanly(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


MALFORMED = [
    ("database_url", "mysql://lighthouse@db/lighthouse", "only sqlite+aiosqlite"),
    ("database_url", "not a url", "not a database URL"),
    ("slack_bot_token", "xoxp-1234-5678-user-token", "xoxb-"),
    ("slack_app_token", "xoxb-1234-5678-bot-token", "xapp-"),
    ("discord_token", "Bot MTA1.GaBc.xyz", "without the 'Bot ' prefix"),
    ("discord_token", "xoxb-1234-5678", "Slack token"),
    ("discord_token", "abc def", "no spaces"),
    ("discord_shards", "lots", "positive whole number"),
]


@pytest.mark.parametrize(("setting", "value", "mentions"), MALFORMED)
def test_malformed_settings_are_named_in_one_line_without_the_value(setting, value, mentions):
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **{setting: value})
    message = str(error.value)
    assert message.startswith(f"LIGHTHOUSE_{setting.upper()}: ") and mentions in message
    assert "\n" not in message and "Value error" not in message
    if "token" in setting:
        assert value not in message  # a wrong token is still a secret


def test_empty_token_settings_mean_unset():
    settings = load_settings(_env_file=None, slack_bot_token="", slack_app_token=" ", discord_token="")
    assert not settings.slack_enabled and not settings.discord_enabled


def test_a_malformed_token_stops_main_with_one_line(tmp_path):
    token = "xoxp-1234-5678-user-token"
    line = assert_one_clear_line(start(tmp_path, slack_bot_token=token), "LIGHTHOUSE_SLACK_BOT_TOKEN", mentions="xoxb-")
    assert token not in line


def test_admins_without_a_platform_stop_main_with_one_line(tmp_path):
    assert_one_clear_line(start(tmp_path, admins="bob"), "LIGHTHOUSE_ADMINS", mentions="platform:user-id")


def test_sqlite_file_in_a_missing_folder_is_not_created_silently(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'typo' / 'data.db'}"
    assert_one_clear_line(start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="does not exist")
    assert not (tmp_path / "typo").exists()


def test_the_default_database_lives_in_the_user_data_folder(tmp_path):
    # Started from two different folders, without LIGHTHOUSE_DATABASE_URL: one community, one database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), LIGHTHOUSE_INGEST_DEMO_ON_EMPTY="false")
    for folder, script in (("one", "profile set country Kenya\n"), ("two", "profile\n")):
        (tmp_path / folder).mkdir()
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py")], input=script, cwd=tmp_path / folder, env=env,
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert "Country: Kenya" in result.stdout
    assert (tmp_path / "data" / "lighthouse-bot" / "lighthouse.db").is_file()
    assert not list((tmp_path / "one").iterdir()) and not list((tmp_path / "two").iterdir())


def test_knowledge_folder_that_is_a_file(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    assert_one_clear_line(
        start(tmp_path, knowledge_dir=str(tmp_path / "notes.md")), "LIGHTHOUSE_KNOWLEDGE_DIR", mentions="is a file"
    )


def test_knowledge_folder_that_does_not_exist_yet_is_fine(tmp_path):
    assert start(tmp_path, knowledge_dir=str(tmp_path / "later")).returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder, whatever its mode")
def test_unreadable_knowledge_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0)
    try:
        assert_one_clear_line(
            start(tmp_path, knowledge_dir=str(folder)), "LIGHTHOUSE_KNOWLEDGE_DIR", mentions="cannot be read"
        )
    finally:
        folder.chmod(0o755)


def test_unreadable_knowledge_folder_is_refused_by_the_validator(tmp_path, monkeypatch):
    # The same check in-process, for runs as root (where no folder is unreadable): listing it fails.
    folder = tmp_path / "locked"
    folder.mkdir()

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("config.settings.os.scandir", denied)
    with pytest.raises(
        SettingsError, match=r"LIGHTHOUSE_KNOWLEDGE_DIR: the folder .* cannot be read \(Permission denied\)"
    ):
        load_settings(_env_file=None, knowledge_dir=folder)


def test_sqlite_path_that_is_a_folder(tmp_path):
    (tmp_path / "data.db").mkdir()
    url = f"sqlite+aiosqlite:///{tmp_path / 'data.db'}"
    assert_one_clear_line(start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="is a folder")


def test_sqlite_folder_that_cannot_be_created(tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    url = f"sqlite+aiosqlite:///{tmp_path / 'blocker' / 'data.db'}"
    assert_one_clear_line(
        start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="is a file, not a folder"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes every file, whatever its mode")
def test_sqlite_file_that_is_not_writable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        url = f"sqlite+aiosqlite:///{folder / 'data.db'}"
        assert_one_clear_line(start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="not writable")
    finally:
        folder.chmod(0o755)


def test_postgres_host_not_answering_names_the_setting_and_hides_the_password(tmp_path):
    url = f"postgresql+asyncpg://lighthouse:s3cret-pw@127.0.0.1:{free_port()}/lighthouse"
    line = assert_one_clear_line(
        start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="cannot connect"
    )
    assert "s3cret-pw" not in line and "127.0.0.1" in line


def test_db_upgrade_gives_the_same_one_line(tmp_path):
    url = f"postgresql+asyncpg://lighthouse@127.0.0.1:{free_port()}/lighthouse"
    assert_one_clear_line(start(tmp_path, "db", "upgrade", database_url=url), "LIGHTHOUSE_DATABASE_URL")


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="LIGHTHOUSE_TEST_POSTGRES_URL is not set")
def test_postgres_database_that_does_not_exist(tmp_path):
    url = make_url(POSTGRES_URL).set(database="lighthouse_no_such_database").render_as_string(hide_password=False)
    assert_one_clear_line(start(tmp_path, database_url=url), "LIGHTHOUSE_DATABASE_URL", mentions="does not exist")


def test_discord_api_unreachable_at_start_up_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/v10"
    line = assert_one_clear_line(
        start(tmp_path, discord_token="fake.discord-token.for-tests", discord_api_url=url, log_level="WARNING"),
        "LIGHTHOUSE_DISCORD_API_URL",
        mentions="cannot reach Discord",
    )
    assert url in line
