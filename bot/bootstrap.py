"""The composition root: from Settings to the engine, the schema and the cores.

The CLI, the console and the Discord bot all start here, and this is the only
module of the shell (beside settings, for the default database address) that
knows the storage layer exists.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from bot.settings import Settings
from commands.admin import AdminCore, ImportSource
from commands.core import HansardCore
from commands.digest import DigestCore, DigestSettings
from storage.db import make_engine, migrate
from storage.reference_data import bundled_data_dir


def process_name(role: str = "bot") -> str:
    """Who this process is, in locks and claims shared with other processes."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}"


def open_engine(database_url: str) -> Engine:
    """The engine for ``database_url``, with its schema brought up to date."""
    engine = make_engine(database_url)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    migrate(engine)
    return engine


def bundled_import_paths() -> list[Path]:
    """The real Hansard bundled with the bot, for the demo."""
    data = bundled_data_dir()
    return [data / "samples", data / "hansard_twfy_xml_2010"]


@dataclass(frozen=True, slots=True)
class Cores:
    """Every use case of one process, over one store."""

    hansard: HansardCore
    digests: DigestCore
    admin: AdminCore

    @property
    def engine(self) -> Engine:
        return self.hansard.engine


def make_cores(settings: Settings, engine: Engine, role: str, hansard: HansardCore | None = None) -> Cores:
    """The cores for ``engine``; ``role`` names this process in locks and delivery claims."""
    hansard = hansard or HansardCore(engine, excerpt_length=settings.excerpt_length)
    name = process_name(role)
    digests = DigestCore(hansard, DigestSettings(grace=dt.timedelta(minutes=settings.digest_grace_minutes)), name)
    admin = AdminCore(
        hansard,
        [
            ImportSource(key, source.location, source.schedule, source.since)
            for key, source in settings.import_sources.items()
        ],
        holder=name,
        fetch_timeout=settings.fetch_timeout_seconds,
        max_download_bytes=settings.max_download_mb * 1024 * 1024,
    )
    return Cores(hansard, digests, admin)
