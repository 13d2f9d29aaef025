"""Engine set-up and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Each SQLite connection's page cache (kB).
SQLITE_CACHE_KB = 64 * 1024
# Bytes per page of a new SQLite database.
SQLITE_PAGE_SIZE = 16 * 1024


def default_database_url() -> str:
    """SQLite in the user's data directory: works with zero set-up."""
    data_dir = Path(user_data_dir("hansard-bot", appauthor=False))
    return f"sqlite:///{data_dir / 'hansard.db'}"


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str, value: str | None) -> bool:
    """SQLite's REGEXP operator, which SQLite leaves to the application to define."""
    return value is not None and _compiled(pattern).search(value) is not None


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function("regexp", 2, _regexp, deterministic=True)
    cursor = dbapi_connection.cursor()
    # Pages of 16 kB rather than 4 kB suit the big full-text index and rows of a few kB: an
    # import spent half as much time in the kernel and ~10% less CPU per row in all at 600,000
    # rows (bench/README.md). Only a new, empty database takes it (before WAL mode writes the
    # first page); an existing one keeps its page size and ignores this.
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    # WAL lets searches read while an import writes; NORMAL is durable enough in WAL mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A writer holding the lock (an import) makes readers wait rather than fail.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (else ``DATABASE_URL``, else the default SQLite file)."""
    url = url or os.environ.get("DATABASE_URL") or default_database_url()
    parsed = make_url(url)
    if parsed.drivername == "postgresql" or parsed.drivername == "postgres":
        # Plain postgresql:// would pick psycopg2, which we do not install.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def database_size_bytes(engine: Engine) -> int | None:
    from sqlalchemy import text

    with engine.connect() as conn:
        if is_postgres(engine):
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        database = engine.url.database
        if database and database != ":memory:":
            path = Path(database)
            return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return None
