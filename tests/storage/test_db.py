"""SQLite connection set-up: what a new database gets, and that an older one keeps working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text

from storage.db import SQLITE_PAGE_SIZE, make_engine, migrate
from storage.importer import import_paths
from tests.conftest import DATA

SAMPLE = DATA / "samples" / "CONTRIBUTION_622898.txt"


def _pragma(engine: Engine, name: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar_one()


def test_a_new_sqlite_database_gets_big_pages_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(engine)
    assert _pragma(engine, "page_size") == SQLITE_PAGE_SIZE != 4096
    assert _pragma(engine, "journal_mode") == "wal"
    assert _pragma(engine, "foreign_keys") == 1
    engine.dispose()


def test_a_database_made_with_small_pages_keeps_them_and_imports(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as made_elsewhere:
        made_elsewhere.execute("PRAGMA page_size=4096")
        made_elsewhere.execute("CREATE TABLE placeholder (x)")
        made_elsewhere.execute("DROP TABLE placeholder")
    made_elsewhere.close()
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    assert _pragma(engine, "page_size") == 4096
    assert import_paths(engine, [SAMPLE]).new == 1
    engine.dispose()
