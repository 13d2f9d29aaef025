"""Settings from environment variables and an optional ``.env`` file."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import default_database_url


def _split_ids(value: object) -> object:
    """Accept "1,2 3" from the environment as well as a list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(",", " ").split()]
    if isinstance(value, int):
        return [value]
    return value


class SourceSettings(BaseModel):
    """An import source: a directory, an archive file, an http(s) URL of an archive or file,
    or a TheyWorkForYou mirror (a local or http(s) folder with a changedates.txt), followed incrementally."""

    location: str
    schedule: str | None = Field(default=None, description="Cron expression (minute hour day month weekday), UTC.")
    since: dt.date | None = Field(
        default=None, description="For a TheyWorkForYou mirror: only files of sittings from this date on."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, description="The bot's token (needed by `run` and `sync`).")
    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    admin_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Discord user ids allowed to run admin commands."
    )
    dev_guild_id: int | None = Field(default=None, description="Guild to sync commands to while developing.")
    admin_guild_id: int | None = Field(default=None, description="If set, admin commands exist only there.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    shard_count: int | None = Field(default=None, description="Total shards across all processes.")
    shard_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Shards this process runs (with SHARD_COUNT)."
    )
    digest_grace_minutes: int = Field(
        default=360, ge=1, description="A digest missed while the bot was down is still posted this late."
    )
    import_sources: dict[str, SourceSettings] = Field(
        default_factory=dict,
        description="Named import sources as JSON: "
        '{"commons": {"location": "/data/hansard", "schedule": "0 6 * * *"}}.',
    )
    fetch_timeout_seconds: float = Field(default=60.0, gt=0, description="Time limit for downloading an HTTP source.")
    max_download_mb: int = Field(default=512, gt=0, description="Size limit for downloading an HTTP source.")
    excerpt_length: int = Field(default=700, ge=120, le=1000, description="Longest excerpt, in characters.")

    @field_validator("admin_user_ids", "shard_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        return _split_ids(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
