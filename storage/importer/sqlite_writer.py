"""The SQLite writer: one connection set up for bulk writes, FTS5 entries per batch."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import sqlite

from storage.importer.rows import COLUMNS, sqlite_datetime
from storage.importer.writer import STORED_COLUMNS_SQL, Writer, quoted
from storage.models import utcnow

# The importer's page cache (kB): holds the indexes' hot pages at a million rows
# (see bench/README.md) and keeps the importer well under 400 MB.
SQLITE_IMPORT_CACHE_KB = 160 * 1024
# How much the write-ahead log may hold before the importer copies it into the database
# (SQLite's default, 1000 pages, is less than one batch writes; see bench/README.md).
SQLITE_IMPORT_WAL_BYTES = 256 << 20

_PLACEHOLDERS = ", ".join("?" * (len(COLUMNS) + 1))
_INSERT = f"INSERT INTO contribution ({STORED_COLUMNS_SQL}) VALUES ({_PLACEHOLDERS})"
# New rows reach the full-text index in one statement per batch: FTS5 writes its pending
# index data out at every statement, and per-row statements (a trigger) would build the
# index out of thousands of tiny segments that it then has to merge.
_INDEX_NEW_ROWS = (
    "INSERT INTO contribution_fts(rowid, title, text) SELECT id, title, text FROM contribution WHERE id >= ?"
)
# Changed rows go through a staging table into one UPDATE ... FROM, for the same reason
# (the update trigger re-indexes them).
_STAGE = "_contribution_stage"
_STAGE_DDL = f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (row_id, {quoted(COLUMNS)})"
_STAGE_INSERT = f"INSERT INTO temp.{_STAGE} VALUES ({_PLACEHOLDERS})"
_UPDATE = (
    "UPDATE main.contribution SET "
    + ", ".join(f'"{name}" = s."{name}"' for name in COLUMNS)
    + f" FROM temp.{_STAGE} AS s WHERE contribution.id = s.row_id"
)


class SqliteWriter(Writer):
    def __init__(self, engine: Engine, run_id: int) -> None:
        super().__init__(engine, run_id)
        self.connection: Connection | None = None
        self.settings: dict[str, Any] = {}  # the connection's own, for `close` to put back

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All batches use one connection set up for bulk writes.

        A bigger page cache, so each batch does not read back the index pages the
        one before it wrote. No foreign key checks: every member, debate and subject
        id comes from rows just found or inserted in the same transaction, and the
        checks cost a tenth of the writer's CPU. Fewer, larger checkpoints. `close`
        puts the connection's own settings back.
        """
        if self.connection is None:
            conn = self.engine.connect()
            page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
            settings = {
                "cache_size": -SQLITE_IMPORT_CACHE_KB,
                "foreign_keys": 0,
                "wal_autocheckpoint": SQLITE_IMPORT_WAL_BYTES // page_size,
            }
            self.settings = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in settings}
            for name, value in settings.items():
                conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
            conn.commit()
            self.connection = conn
        with self.connection.begin():
            yield self.connection

    def close(self) -> None:
        conn = self.connection
        if conn is None:
            return
        # Back to the connection's own settings rather than closing it: an in-memory
        # database lives and dies with its one connection.
        for name, value in self.settings.items():
            conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
        # The log back into the database, and the log file emptied (it grew up to SQLITE_IMPORT_WAL_BYTES).
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.commit()
        conn.close()
        self.connection = None

    def _insert_ignore(self, table: Table) -> Any:
        return sqlite.insert(table).on_conflict_do_nothing()

    def _upsert(self, table: Table, key: Sequence[str]) -> Any:
        statement = sqlite.insert(table)
        updated = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
        return statement.on_conflict_do_update(index_elements=list(key), set_=updated)

    def _stored_by_uri(self, cursor: Any, uris: list[str]) -> Iterator[tuple[str, int, str]]:
        cursor.execute(
            "SELECT uri, id, content_hash FROM contribution WHERE uri IN (SELECT value FROM json_each(?))",
            (json.dumps(uris),),
        )
        yield from cursor.fetchall()

    def _reserve_ids(self, cursor: Any, count: int) -> list[int]:
        if not count:
            return []
        # The ids SQLite would give. A write comes first: pysqlite begins the transaction
        # at the first write, which takes the database's write lock, so no other writer
        # can add a row between reading max(id) and this batch's inserts.
        cursor.execute("UPDATE import_run SET status = status WHERE id = ?", (self.run_id,))
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM contribution")
        first_id = int(cursor.fetchone()[0])
        return list(range(first_id, first_id + count))

    def _now(self) -> Any:
        return sqlite_datetime(utcnow())

    def _store(self, cursor: Any, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        if inserts:
            cursor.executemany(_INSERT, inserts)
            cursor.execute(_INDEX_NEW_ROWS, (inserts[0][0],))
        if updates:
            cursor.execute(_STAGE_DDL)
            cursor.executemany(_STAGE_INSERT, updates)
            cursor.execute(_UPDATE)
            cursor.execute(f"DELETE FROM temp.{_STAGE}")

    def _unlink_subjects(self, cursor: Any, row_ids: list[int]) -> None:
        cursor.execute(
            "DELETE FROM contribution_subject WHERE contribution_id IN (SELECT value FROM json_each(?))",
            (json.dumps(row_ids),),
        )
