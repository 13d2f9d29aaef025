"""The PostgreSQL writer (COPY; the tsvector is a generated column) and its pipeline of connections."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from storage.importer.rows import COLUMNS, PackedOutcome
from storage.importer.runs import ImportSummary, save_counts
from storage.importer.writer import STORED_COLUMNS_SQL, BatchPlan, Writer

# The GIN pending list's limit (kB) while importing; measured best of 4-512 MB (bench/README.md).
GIN_PENDING_LIST_KB = 32 * 1024
# After writing this many rows, refresh the planner's statistics.
ANALYZE_AFTER_ROWS = 10_000

_COPY = f"COPY contribution ({STORED_COLUMNS_SQL}) FROM STDIN"
_UPDATE = "UPDATE contribution SET " + ", ".join(f'"{name}" = %s' for name in COLUMNS) + " WHERE id = %s"

logger = logging.getLogger(__name__)


class PostgresWriter(Writer):
    def __init__(self, engine: Engine, run_id: int) -> None:
        super().__init__(engine, run_id)
        self.lz4: bool | None = None  # can the server compress with lz4?

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Nothing to put back: each batch has its own connection."""

    def _insert_ignore(self, table: Table) -> Any:
        return postgresql.insert(table).on_conflict_do_nothing()

    def _upsert(self, table: Table, key: Sequence[str]) -> Any:
        statement = postgresql.insert(table)
        updated = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
        return statement.on_conflict_do_update(index_elements=list(key), set_=updated)

    def _stored_by_uri(self, cursor: Any, uris: list[str]) -> Iterator[tuple[str, int, str]]:
        cursor.execute("SELECT uri, id, content_hash FROM contribution WHERE uri = ANY(%s)", (uris,))
        yield from cursor.fetchall()

    def _reserve_ids(self, cursor: Any, count: int) -> list[int]:
        if not count:
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('contribution', 'id')) FROM generate_series(1, %s)", (count,)
        )
        return sorted(row_id for (row_id,) in cursor.fetchall())

    def _store(self, cursor: Any, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        if not (inserts or updates):
            return
        if self.lz4 is None:
            cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            found = cursor.fetchone()
            self.lz4 = bool(found and found[0])
        # New index entries wait in the GIN index's pending list and join the index in bulk
        # when it fills: a bigger list makes fewer, larger merges (`finish_import` merges the
        # rest). lz4 compresses long texts for a fraction of pglz's cost. This transaction only.
        cursor.execute(f"SET LOCAL gin_pending_list_limit = {GIN_PENDING_LIST_KB}")
        if self.lz4:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        if inserts:
            with cursor.copy(_COPY) as copy:
                for values in inserts:
                    copy.write_row(values)
        if updates:
            cursor.executemany(_UPDATE, [(*values[1:], values[0]) for values in updates])

    def _unlink_subjects(self, cursor: Any, row_ids: list[int]) -> None:
        cursor.execute("DELETE FROM contribution_subject WHERE contribution_id = ANY(%s)", (row_ids,))


def finish_import(engine: Engine, rows_written: int) -> None:
    """After a big import: fresh planner statistics, and the index's pending list merged."""
    if rows_written < ANALYZE_AFTER_ROWS:
        return
    # Autovacuum, which refreshes the statistics (how common each word is), may be off or late.
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE contribution, member, debate")
    try:
        with engine.begin() as conn:
            # Searches scan the pending list of new index entries in full.
            conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_contribution_search_vector'::regclass)")
    except DBAPIError as exc:  # e.g. a role that does not own the index: vacuum will merge it
        logger.warning("could not merge the search index's pending list: %s", exc.orig)


class ImportAbandoned(Exception):
    """A batch rolled back because an earlier one failed."""


class PostgresPipeline:
    """Batches written over several connections at once, committed in order.

    Most of PostgreSQL's work per row is the generated tsvector, done by the backend
    that inserts the row: one connection per core puts more than one core to it. The
    dispatching thread plans each batch (lookups, members, debates, subjects, and the
    new rows' ids, reserved in batch order) and hands the writing to a thread with its
    own connection. Batches commit in the order they were planned, so the committed
    rows always hold every id below the newest one (the digests take new contributions
    by id). Two batches with a URI in common are never in flight together.
    """

    def __init__(self, writer: PostgresWriter, connections: int) -> None:
        self.writer = writer
        self.connections = connections
        self.threads = ThreadPoolExecutor(max_workers=connections, thread_name_prefix="import-writer")
        self.inflight: deque[tuple[Future[None], set[str]]] = deque()
        self.turn = threading.Condition()
        self.planned = 0
        self.committed = 0
        self.failed = False
        self.error: BaseException | None = None  # the first batch's failure that stopped the others

    def _wait_for_oldest(self) -> None:
        """Wait for the oldest batch in flight; raises the failure that stopped the import, if any."""
        try:
            self.inflight.popleft()[0].result()
        except ImportAbandoned:
            if self.error is not None:
                raise self.error from None
            raise

    def submit(self, outcomes: Sequence[PackedOutcome], summary: ImportSummary) -> None:
        uris = {row.uri for outcome in outcomes for row in outcome.rows}
        # A TheyWorkForYou version may update or remove rows of any earlier batch: it waits for them all.
        versioned = any(outcome.version is not None for outcome in outcomes)
        while self.inflight and (
            versioned
            or len(self.inflight) >= self.connections
            or any(not uris.isdisjoint(other) for _, other in self.inflight)
        ):
            self._wait_for_oldest()
        with self.writer.engine.begin() as conn:
            plan = self.writer.plan(conn, outcomes)
        self.inflight.append((self.threads.submit(self._write, plan, self.planned, summary), uris))
        self.planned += 1

    def _write(self, plan: BatchPlan, order: int, summary: ImportSummary) -> None:
        committed = False
        try:
            with self.writer.engine.begin() as conn:
                self.writer.write(conn, plan)
                with self.turn:
                    self.turn.wait_for(lambda: self.committed == order or self.failed)
                    if self.failed:
                        raise ImportAbandoned("another batch of this import failed")
                save_counts(conn, plan.added_to(summary))
            plan.count_into(summary)  # once committed; the next batch waits for it
            committed = True
        except ImportAbandoned:
            raise
        except BaseException as exc:
            with self.turn:
                self.error = self.error or exc
            raise
        finally:
            with self.turn:
                if committed:
                    self.committed += 1
                else:
                    self.failed = True
                self.turn.notify_all()

    def finish(self) -> None:
        """Wait for every batch; raises the first failure."""
        try:
            while self.inflight:
                self._wait_for_oldest()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Stop: batches not yet committed roll back. Waits for the threads."""
        with self.turn:
            self.failed = self.failed or bool(self.inflight)
            self.turn.notify_all()
        self.threads.shutdown(wait=True)
        self.inflight.clear()
