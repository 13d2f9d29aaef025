"""Shared fixtures: stores on SQLite and PostgreSQL, and the bundled real data.

PostgreSQL tests run against ``HANSARD_TEST_POSTGRES_URL`` (default: the local
server with trust auth). Where it cannot be reached they are skipped with the
reason shown, unless ``HANSARD_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which
turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from storage.db import make_engine, migrate
from storage.importer import import_paths
from storage.reference_data import bundled_data_dir

POSTGRES_ADMIN_URL = os.environ.get(
    "HANSARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("HANSARD_REQUIRE_POSTGRES") == "1"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = bundled_data_dir()
TABLES = (
    "division_vote, division, delivery, subscription, contribution_subject, contribution, subject, member, debate, "
    "import_run, feed_position, twfy_redirect, twfy_day_version"
)


def bundled_paths() -> list[Path]:
    return [DATA / "samples", DATA / "hansard_twfy_xml_2010"]


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this test session, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        message = (
            f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({type(exc).__name__}); "
            "set HANSARD_TEST_POSTGRES_URL to run these tests"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"hansard_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine_session(postgres_server_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_server_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> Engine:
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE import_lock SET holder = NULL, heartbeat_at = NULL"))
    return engine


def sqlite_copy(source: Engine, path: Path) -> Engine:
    """A copy of a SQLite store in its own file: cheaper than importing the same data again."""
    with source.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(str(source.url.database), path)
    return make_engine(f"sqlite:///{path}")


def _new_sqlite(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated store on each back end."""
    if request.param == "sqlite":
        sqlite_engine = _new_sqlite(tmp_path / "test.db")
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        yield _empty_postgres(request.getfixturevalue("postgres_engine_session"))


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = _new_sqlite(tmp_path / "test.db")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bundled_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The bundled real data imported once into SQLite; tests must not write to it."""
    engine = _new_sqlite(tmp_path_factory.mktemp("bundled") / "bundled.db")
    summary = import_paths(engine, bundled_paths(), requested_by="tests")
    assert summary.ok, summary.errors
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bundled_postgres(postgres_server_url: str) -> Iterator[Engine]:
    """The bundled real data imported once into its own PostgreSQL database."""
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    name = f"{admin.url.database}_bundled"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    migrate(engine)
    summary = import_paths(engine, bundled_paths(), requested_by="tests")
    assert summary.ok, summary.errors
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def bundled_store(request: pytest.FixtureRequest) -> Engine:
    """The bundled real data on each back end (read-only)."""
    fixture = "bundled_sqlite" if request.param == "sqlite" else "bundled_postgres"
    engine: Engine = request.getfixturevalue(fixture)
    return engine
