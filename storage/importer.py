"""The importer: input files -> parsed records -> batched, idempotent upserts.

Design:
- Parsing is pure and runs in worker processes for large imports, so that
  parsing and writing use both cores. A worker turns each file into compact
  rows: tuples of column values already serialised for the database, with
  their content hash. Those are cheap to send back, and the importer process
  is left with the writing.
- Writing uses bulk statements in batches, one transaction per batch, with the
  batch's full-text index entries: a batch is either wholly in, index included,
  or not at all. An import killed at any moment leaves a consistent store, and
  running it again completes it.
- On SQLite new rows go in with one executemany and reach the FTS5 index in one
  ``INSERT ... SELECT`` per batch (see `_SQLITE_INDEX_NEW_ROWS`); changed rows go
  through the update trigger. On PostgreSQL new rows go in with ``COPY`` (the
  tsvector is a generated column), over one connection per core for large
  imports (`_PostgresPipeline`), and the planner's statistics are refreshed
  after a big import.
- Rows are keyed by URI; a content hash of the parsed record decides between
  new, updated and unchanged. A file that fails to parse touches nothing.
- Memory is bounded by the batch size: directories are walked lazily and only
  a bounded amount of parsed input is in flight.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import json.encoder
import logging
import multiprocessing
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from storage.models import (
    CONTRIBUTION_SUBJECT_TABLE,
    CONTRIBUTION_TABLE,
    DEBATE_TABLE,
    IMPORT_RUN_TABLE,
    MEMBER_TABLE,
    SUBJECT_TABLE,
    utcnow,
)
from storage.parser import parse_contribution
from storage.records import ParsedContribution, ParseError, Reference
from storage.reference_data import MemberDirectory, bundled_data_dir
from storage.sources import MAX_FILE_BYTES, SourceFile, _from_path, is_archive, iter_source_files
from storage.twfy import looks_like_twfy, parse_twfy_file
from storage.votes_store import import_divisions

BATCH_SIZE = 10_000
# Below this many files the worker processes cost more than they save.
PARALLEL_THRESHOLD = 2000
MAX_STORED_ERRORS = 1000
SNIFF_BYTES = 4096
# One task for a worker: this many files, or fewer when they are big (TWFY XML).
CHUNK_FILES = 200
CHUNK_BYTES = 1 << 20
# Input bytes handed to the workers and not yet written: bounds memory.
INFLIGHT_BYTES = 24 << 20
# After writing this many rows on PostgreSQL, refresh the planner's statistics.
ANALYZE_AFTER_ROWS = 10_000
# SQLite: the importer's page cache (kB): holds the indexes' hot pages at a million rows
# (+16% rows/s there over 64 MB) and keeps the importer well under 400 MB.
SQLITE_IMPORT_CACHE_KB = 160 * 1024
# SQLite: how much the write-ahead log may hold before the importer copies it into the
# database (SQLite's default is 1000 pages: 4-16 MB, less than one batch writes). Pages
# that every batch changes (the indexes' upper levels) are then copied once per 256 MB,
# not once per batch: +8% rows/s at 100,000 rows.
SQLITE_IMPORT_WAL_BYTES = 256 << 20
# PostgreSQL: the GIN pending list's limit (kB) while importing; measured best of 4-512 MB.
GIN_PENDING_LIST_KB = 32 * 1024
# Ids or URIs per lookup query (each query takes them as one JSON or array parameter).
MAX_PARAMS = 30_000

CONTRIBUTION = CONTRIBUTION_TABLE
MEMBER = MEMBER_TABLE
DEBATE = DEBATE_TABLE
SUBJECT = SUBJECT_TABLE
CONTRIBUTION_SUBJECT = CONTRIBUTION_SUBJECT_TABLE
IMPORT_RUN = IMPORT_RUN_TABLE

logger = logging.getLogger(__name__)

_BILL_TITLE = re.compile(r"\bBill\b", re.IGNORECASE)


@dataclass(slots=True)
class FileOutcome:
    """What parsing one input file gave: its records, or the error that stopped it."""

    name: str
    records: list[ParsedContribution] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class ImportSummary:
    run_id: int
    files_done: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


ProgressCallback = Callable[[ImportSummary], None]


# --- parsing (pure; runs in a worker process for big imports) -------------------------------

_members: MemberDirectory | None = None


def _member_directory() -> MemberDirectory | None:
    """The bundled member list, loaded once per process, for TWFY speakers' parties."""
    global _members
    if _members is None:
        path = bundled_data_dir() / "members_flat.csv"
        if path.is_file():
            _members = MemberDirectory.from_csv(path)
    return _members


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_source_file(source: SourceFile) -> FileOutcome:
    """Parse one file in either format, detected by content."""
    if source.error is not None:
        return FileOutcome(source.name, error=f"{source.name}:0: {source.error}")
    try:
        data = source.read()
    except OSError as exc:
        return FileOutcome(source.name, error=f"{source.name}:0: cannot read file: {exc.strerror}")
    head = data[:SNIFF_BYTES]
    try:
        if looks_like_twfy(head):
            return FileOutcome(source.name, records=list(parse_twfy_file(data, source.name, _member_directory())))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = _line_of_offset(data, exc.start)
            raise ParseError(source.name, line, "expected UTF-8 text") from None
        # Anything that is not TWFY XML is read as a contribution page; the parser
        # says where and why when it is neither.
        return FileOutcome(source.name, records=[parse_contribution(text, source.name)])
    except ParseError as exc:
        return FileOutcome(source.name, error=str(exc))


# --- rows: a record as the row the writer stores -------------------------------------------


def member_key(house: str | None, name: str) -> str:
    return f"{(house or '').lower()}|{name.lower()}"


DEBATE_TITLE_CHARS = 500
MEMBER_NAME_CHARS = 255
MEMBER_PARTY_CHARS = 128


def debate_key(title: str, session: str | None) -> str:
    return f"{title.lower()}|{(session or '').lower()}"


# The columns a worker fills, in this order, then the ones the writer adds.
_PARSED_COLUMNS = (
    "uri",
    "contribution_id",
    "title",
    "member_name",
    "party",
    "house",
    "houses",
    "sitting_date",
    "debate_title",
    "debate_types",
    "contribution_type",
    "references",
    "session",
    "chamber",
    "subjects",
    "index_timestamp",
    "text",
    "extra",
    "content_hash",
    "source",
)
_COLUMNS = (*_PARSED_COLUMNS, "member_id", "debate_id", "import_run_id", "imported_at")
_HASH = _PARSED_COLUMNS.index("content_hash")
_SITTING_DATE = _PARSED_COLUMNS.index("sitting_date")
_INDEX_TIMESTAMP = _PARSED_COLUMNS.index("index_timestamp")
_PARSED = len(_PARSED_COLUMNS)
# After the columns a packed row carries what the writer needs to find or create
# the member, debate and subjects: member key and row, debate key and row, subjects.
_MEMBER_KEY, _MEMBER_ROW, _DEBATE_KEY, _DEBATE_ROW, _SUBJECTS = range(_PARSED, _PARSED + 5)

# One parsed contribution ready for the writer (see above), and one parsed file:
# (name, error, rows).
PackedRow = tuple[Any, ...]
PackedOutcome = tuple[str, str | None, list[PackedRow]]
# A source file as sent to a worker: (name, path, data, error, size). A plain file goes
# by path, with the size it had when the walk saw it, and is read by the worker; the
# size also measures what the job costs in flight.
_Job = tuple[str, str | None, bytes | None, str | None, int]

# The JSON columns hold what SQLAlchemy's JSON type writes: json.dumps(value). The
# small lists are written here with json's own C string encoder, which is several
# times faster than a json.dumps call per value and gives the same text.
_json = json.dumps
_json_string = json.encoder.encode_basestring_ascii


def _json_scalar(value: str | int | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _json_string(value)
    return str(int(value))


def _json_strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(map(_json_string, values)) + "]"


def _json_references(references: Sequence[Reference]) -> str:
    return (
        "["
        + ", ".join(
            [
                f'{{"volume": {_json_scalar(r.volume)}, "start_column": {_json_scalar(r.start_column)}, '
                f'"end_column": {_json_scalar(r.end_column)}, "suffix": {_json_scalar(r.suffix)}, '
                f'"raw": {_json_scalar(r.raw)}}}'
                for r in references
            ]
        )
        + "]"
    )


def _sqlite_bind_processor(column: Any) -> Callable[[Any], Any]:
    """SQLAlchemy's own conversion of a column's values for SQLite, so stored values read back as usual."""
    processor = column.type._cached_bind_processor(sqlite.dialect())
    assert processor is not None
    return cast(Callable[[Any], Any], processor)


_sqlite_date = _sqlite_bind_processor(CONTRIBUTION.c.sitting_date)
_sqlite_datetime = _sqlite_bind_processor(CONTRIBUTION.c.index_timestamp)


def content_hash(values: tuple[Any, ...]) -> str:
    """The hash that tells a changed record from an unchanged one: of its stored content, in column order.

    Each value (a str, int, date, datetime or None) is written with its length in
    front, so no two different tuples give the same text.
    """
    # Written out as a loop, each value turned into text once: twice as fast as the
    # one-line comprehension over f"{len(str(value))}:{value}", and the same text.
    parts: list[str] = []
    append = parts.append
    for value in values:
        if value is None:
            append("-")
            continue
        if value.__class__ is not str:
            value = str(value)
        append(str(len(value)))
        append(":")
        append(value)
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _pack(record: ParsedContribution, source: str, dialect: str) -> PackedRow:
    """A record as a packed row: column values as the database stores them, then what the writer needs."""
    houses = _json_strings(record.houses)
    debate_types = _json_strings(record.debate_types)
    references = _json_references(record.references)
    subjects = _json_strings(record.subjects)
    extra = _json(record.extra) if record.extra else "{}"
    sitting_date = record.sitting_date
    index_timestamp = record.index_timestamp
    house = record.house
    member = record.member
    values: tuple[Any, ...] = (
        record.uri,
        record.contribution_id,
        record.title,
        member,
        record.party,
        house,
        houses,
        sitting_date,
        record.debate_title,
        debate_types,
        record.contribution_type,
        references,
        record.session,
        record.chamber,
        subjects,
        index_timestamp,
        record.text,
        extra,
    )
    digest = content_hash(values)
    if dialect == "sqlite":
        # SQLite has no date types: stored as SQLAlchemy would store them.
        values = (
            *values[:_SITTING_DATE],
            _sqlite_date(sitting_date),
            *values[_SITTING_DATE + 1 : _INDEX_TIMESTAMP],
            _sqlite_datetime(index_timestamp),
            *values[_INDEX_TIMESTAMP + 1 :],
        )
    member_fields: tuple[str, str | None, str | None, str | None] | None = None
    if member:
        person = None
        if record.member_ref:
            directory = _member_directory()
            found = directory.by_member_ref(record.member_ref) if directory is not None else None
            person = found.person_ref if found else None
        # The member table's name is an indexed key: cut to its column (the contribution keeps it whole).
        party = record.party[:MEMBER_PARTY_CHARS] if record.party else None
        member_fields = (member[:MEMBER_NAME_CHARS], house, party, person)
    # A debate's title is an indexed key: cut to the column's length (the contribution keeps it whole).
    title_for_debate = (record.debate_title or record.title)[:DEBATE_TITLE_CHARS]
    debate_fields = (
        (title_for_debate, record.session, bool(_BILL_TITLE.search(title_for_debate))) if title_for_debate else None
    )
    return (
        *values,
        digest,
        source[:1000],
        member_key(house, member[:MEMBER_NAME_CHARS]) if member else None,
        member_fields,
        debate_key(title_for_debate, record.session) if title_for_debate else None,
        debate_fields,
        record.subjects,
    )


def _parse_packed(source: SourceFile, dialect: str) -> PackedOutcome:
    outcome = parse_source_file(source)
    if outcome.error is not None:
        return outcome.name, outcome.error, []
    return outcome.name, None, [_pack(record, outcome.name, dialect) for record in outcome.records]


def _read_file(path: str, size: int) -> bytes | None:
    """The bytes of a file, or None if it is larger than MAX_FILE_BYTES (it may have grown since the walk).

    ``size`` is the file's size when the walk saw it: asking for one byte more
    finds the end in the same read, so a file costs an open, a read and a close
    (Python's ``open().read()`` makes nine calls to the system, and takes twice the time).
    A file that has changed size since is read to its end.
    """
    expected = max(0, min(size, MAX_FILE_BYTES))
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(handle, expected + 1)
        if len(data) == expected:
            return data
        parts, total = [data], len(data)
        while total <= MAX_FILE_BYTES and (more := os.read(handle, 1 << 20)):
            parts.append(more)
            total += len(more)
        return None if total > MAX_FILE_BYTES else b"".join(parts)
    finally:
        os.close(handle)


def _read_job(job: _Job) -> SourceFile:
    """A job as a source file, its bytes read here (by the worker that parses it)."""
    name, path, data, error, size = job
    if path is not None:
        try:
            data = _read_file(path, size)
        except OSError:
            return SourceFile(name, path=Path(path))  # parse_source_file reports why
        if data is None:
            return SourceFile(name, error=f"file larger than {MAX_FILE_BYTES} bytes")
    return SourceFile(name, data=data, error=error)


def _parse_chunk(jobs: list[_Job], dialect: str) -> list[PackedOutcome]:
    """A worker's task: read, parse and pack a chunk of files."""
    return [_parse_packed(_read_job(job), dialect) for job in jobs]


def _job_of(source: SourceFile) -> _Job:
    """A source as sent to a worker."""
    if source.path is not None and source.data is None and source.error is None:
        try:
            size = os.stat(source.path).st_size
        except OSError:
            size = 0
        return (source.name, str(source.path), None, None, size)
    return (source.name, None, source.data, source.error, len(source.data or b""))


def _walk_files(directory: str) -> Iterator[str]:
    """The files below ``directory`` in the order of ``sorted(Path(directory).rglob("*"))``, lazily.

    Hidden names (".x") are skipped, with everything below them, and symlinked
    directories are not followed, as `storage.sources.iter_source_files` does;
    but only one directory's names are held at a time, not a Path per file.
    """
    names: list[str] = []
    subdirectories: set[str] = set()
    others: set[str] = set()  # neither a directory nor a plain file: symlinks, sockets...
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                names.append(entry.name)
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirectories.add(entry.name)
                    elif not entry.is_file(follow_symlinks=False):
                        others.add(entry.name)
                except OSError:
                    others.add(entry.name)
    except OSError:
        return
    names.sort()
    for name in names:
        path = os.path.join(directory, name)
        if name in subdirectories:
            yield from _walk_files(path)
        elif name not in others or os.path.isfile(path):
            yield path


def _iter_jobs(paths: Iterable[Path]) -> Iterator[_Job]:
    """What `iter_source_files` gives, as jobs; directories are walked lazily.

    Memory stays flat with millions of files, and a plain file costs one stat and
    no Path. Archives and files too big to read go through `storage.sources`.
    """
    for root in paths:
        if not root.is_dir():
            for source in iter_source_files([root]):
                yield _job_of(source)
            continue
        for path in _walk_files(str(root)):
            if not is_archive(path):
                try:
                    size = os.stat(path).st_size
                except OSError:  # gone since the walk listed it, say: the worker's read reports why
                    size = 0
                if size <= MAX_FILE_BYTES:
                    yield (path, path, None, None, size)
                    continue
            for source in _from_path(Path(path)):
                yield _job_of(source)


def _worker_count() -> int:
    return max(1, min(2, os.cpu_count() or 1))


# How much lower the parse workers' scheduling priority is than the importer's.
WORKER_NICENESS = 5


def _start_worker() -> None:
    """Runs in each parse worker first: a lower priority than the process that writes.

    Writing, not parsing, is an import's bottleneck (on PostgreSQL, the server's
    writing): with two workers and the writer on two cores, the writer would get
    two thirds of a core while the workers parse ahead. At a lower priority they
    use what it leaves. It also keeps the bot responsive during an import.
    """
    if hasattr(os, "nice"):
        # Where that is not allowed, the workers parse at the same priority.
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)


def _parse_all(jobs: Iterable[_Job], parallel: bool, dialect: str) -> Iterator[PackedOutcome]:
    """Every file parsed and packed, in order."""
    if not parallel:
        for job in jobs:
            yield _parse_packed(_read_job(job), dialect)
        return
    # spawn, not fork: the parent may hold threads (progress display) and open connections.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=_worker_count(), mp_context=context, initializer=_start_worker)
    # Chunks in flight, oldest first, with their input sizes: results come back in order,
    # and the workers keep parsing ahead while a batch is written, up to INFLIGHT_BYTES.
    inflight: deque[tuple[Future[list[PackedOutcome]], int]] = deque()
    inflight_bytes = 0
    try:
        chunk: list[_Job] = []
        chunk_bytes = 0
        for job in jobs:
            chunk.append(job)
            chunk_bytes += job[-1]
            if len(chunk) < CHUNK_FILES and chunk_bytes < CHUNK_BYTES:
                continue
            inflight.append((pool.submit(_parse_chunk, chunk, dialect), chunk_bytes))
            inflight_bytes += chunk_bytes
            chunk, chunk_bytes = [], 0
            while inflight_bytes >= INFLIGHT_BYTES:
                done, done_bytes = inflight.popleft()
                inflight_bytes -= done_bytes
                yield from done.result()
        if chunk:
            inflight.append((pool.submit(_parse_chunk, chunk, dialect), chunk_bytes))
        while inflight:
            yield from inflight.popleft()[0].result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- writing ---------------------------------------------------------------------------------


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


_SQLITE_INSERT = f"INSERT INTO contribution (id, {_quoted(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
# New rows reach the full-text index in one statement per batch: FTS5 writes its pending
# index data out at every statement, and per-row statements (a trigger) would build the
# index out of thousands of tiny segments that it then has to merge.
_SQLITE_INDEX_NEW_ROWS = (
    "INSERT INTO contribution_fts(rowid, title, text) SELECT id, title, text FROM contribution WHERE id >= ?"
)
# Changed rows go through a staging table into one UPDATE ... FROM, for the same reason
# (the update trigger re-indexes them).
_STAGE = "_contribution_stage"
_SQLITE_STAGE_DDL = f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (row_id, {_quoted(_COLUMNS)})"
_SQLITE_STAGE_INSERT = f"INSERT INTO temp.{_STAGE} VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
_SQLITE_UPDATE = (
    "UPDATE main.contribution SET "
    + ", ".join(f'"{name}" = s."{name}"' for name in _COLUMNS)
    + f" FROM temp.{_STAGE} AS s WHERE contribution.id = s.row_id"
)
_POSTGRES_COPY = f"COPY contribution (id, {_quoted(_COLUMNS)}) FROM STDIN"
_POSTGRES_UPDATE = "UPDATE contribution SET " + ", ".join(f'"{name}" = %s' for name in _COLUMNS) + " WHERE id = %s"


@dataclass(slots=True)
class _BatchPlan:
    """One batch as the writer will store it: rows as (id, *columns), and (row id, subject id) links."""

    unchanged: int
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)

    def count_into(self, summary: ImportSummary) -> None:
        summary.new += len(self.inserts)
        summary.updated += len(self.updates)
        summary.unchanged += self.unchanged

    def added_to(self, summary: ImportSummary) -> ImportSummary:
        """The counts ``summary`` will have once this batch is committed."""
        counted = dataclasses.replace(summary)
        self.count_into(counted)
        return counted


class _Writer:
    """Upserts batches of packed rows; caches the ids of members, debates and subjects."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self.postgres = engine.dialect.name == "postgresql"
        self.member_ids: dict[str, int] = {}
        self.debate_ids: dict[str, int] = {}
        self.subject_ids: dict[str, int] = {}
        self.lz4: bool | None = None  # PostgreSQL: can the server compress with lz4?
        self.sqlite_connection: Connection | None = None
        self.sqlite_settings: dict[str, Any] = {}  # the connection's own, for `close` to put back

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A batch's transaction. On SQLite all batches use one connection set up for bulk writes.

        A bigger page cache: at a million rows the indexes outgrow the usual one,
        and each batch would read back the index pages the one before it had. No
        foreign key checks: the writer takes every member, debate and subject id
        from rows it has just found or inserted in the same transaction, and the
        checks cost about a tenth of its CPU (three lookups a row). Checkpoints
        after SQLITE_IMPORT_WAL_BYTES of log, not the usual 1000 pages. `close`
        puts the connection's own settings back, so none of this outlives the import.
        """
        if self.postgres:
            with self.engine.begin() as conn:
                yield conn
            return
        if self.sqlite_connection is None:
            conn = self.engine.connect()
            page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
            settings = {
                "cache_size": -SQLITE_IMPORT_CACHE_KB,
                "foreign_keys": 0,
                "wal_autocheckpoint": SQLITE_IMPORT_WAL_BYTES // page_size,
            }
            self.sqlite_settings = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in settings}
            for name, value in settings.items():
                conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
            conn.commit()
            self.sqlite_connection = conn
        with self.sqlite_connection.begin():
            yield self.sqlite_connection

    def close(self) -> None:
        conn = self.sqlite_connection
        if conn is not None:
            # Back to the connection's own settings (SQLite frees the cache pages over its size)
            # rather than closing it: an in-memory database lives and dies with its one connection.
            for name, value in self.sqlite_settings.items():
                conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
            # The log back into the database, and the log file emptied: it grew up to
            # SQLITE_IMPORT_WAL_BYTES, and SQLite would otherwise keep it at that size.
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.commit()
            conn.close()
            self.sqlite_connection = None

    def _insert_ignore(self, table: Any) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        raise RuntimeError(f"unsupported database: {dialect}")

    def _resolve(
        self,
        conn: Connection,
        table: Any,
        key_column: str,
        cache: dict[str, int],
        wanted: dict[str, dict[str, Any]],
    ) -> None:
        """Make sure every key in ``wanted`` has a row, and its id is in ``cache``."""
        missing = [key for key in wanted if key not in cache]
        if not missing:
            return
        column = table.c[key_column]
        for key, row_id in conn.execute(select(column, table.c.id).where(column.in_(missing))):
            cache[key] = row_id
        to_insert = [wanted[key] for key in missing if key not in cache]
        if to_insert:
            conn.execute(self._insert_ignore(table), to_insert)
            keys = [row[key_column] for row in to_insert]
            for key, row_id in conn.execute(select(column, table.c.id).where(column.in_(keys))):
                cache[key] = row_id

    def _ids_by_uri(self, cursor: Any, uris: list[str]) -> dict[str, tuple[int, str]]:
        """(id, content hash) of the stored rows among ``uris``: one query per chunk, one parameter each."""
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(uris), MAX_PARAMS):
            chunk = uris[start : start + MAX_PARAMS]
            if self.postgres:
                cursor.execute("SELECT uri, id, content_hash FROM contribution WHERE uri = ANY(%s)", (chunk,))
            else:
                cursor.execute(
                    "SELECT uri, id, content_hash FROM contribution WHERE uri IN (SELECT value FROM json_each(?))",
                    (_json(chunk),),
                )
            for uri, row_id, digest in cursor.fetchall():
                found[uri] = (row_id, digest)
        return found

    def write_batch(self, rows: Sequence[PackedRow], summary: ImportSummary) -> None:
        """Plan and write one batch in one transaction."""
        with self._transaction() as conn:
            plan = self.plan(conn, rows)
            self.write(conn, plan)
            self._save_counts(conn, plan.added_to(summary))
        plan.count_into(summary)  # once committed

    def plan(self, conn: Connection, rows: Sequence[PackedRow]) -> _BatchPlan:
        """Which rows are new, changed or unchanged; their members, debates and subjects; the new rows' ids."""
        # The last version of a URI in a batch wins, as it would across batches.
        by_uri: dict[str, PackedRow] = {}
        for row in rows:
            by_uri[row[0]] = row
        cursor = conn.connection.cursor()
        existing = self._ids_by_uri(cursor, list(by_uri))
        changed: list[PackedRow] = []
        for uri, row in by_uri.items():
            stored = existing.get(uri)
            if stored is None or stored[1] != row[_HASH]:
                changed.append(row)

        members: dict[str, dict[str, Any]] = {}
        debates: dict[str, dict[str, Any]] = {}
        subjects: dict[str, dict[str, Any]] = {}
        for row in changed:
            key = row[_MEMBER_KEY]
            if key is not None and key not in members:
                name, house, party, person = row[_MEMBER_ROW]
                members[key] = {"member_key": key, "name": name, "house": house, "party": party, "person_ref": person}
            key = row[_DEBATE_KEY]
            if key is not None and key not in debates:
                title, session, is_bill = row[_DEBATE_ROW]
                debates[key] = {"debate_key": key, "title": title, "session": session, "is_bill": is_bill}
            for name in row[_SUBJECTS]:
                subjects.setdefault(name, {"name": name[:255]})
        self._resolve(conn, MEMBER, "member_key", self.member_ids, members)
        self._resolve(conn, DEBATE, "debate_key", self.debate_ids, debates)
        self._resolve(conn, SUBJECT, "name", self.subject_ids, subjects)

        new_count = sum(1 for row in changed if row[0] not in existing)
        next_id = iter(self._reserve_ids(cursor, new_count))
        now: Any = utcnow()
        if not self.postgres:
            now = _sqlite_datetime(now)
        member_ids, debate_ids, run_id = self.member_ids, self.debate_ids, self.run_id
        plan = _BatchPlan(unchanged=len(by_uri) - len(changed))
        for row in changed:
            stored = existing.get(row[0])
            row_id = next(next_id) if stored is None else stored[0]
            values = (
                row_id,
                *row[:_PARSED],
                None if row[_MEMBER_KEY] is None else member_ids.get(row[_MEMBER_KEY]),
                None if row[_DEBATE_KEY] is None else debate_ids.get(row[_DEBATE_KEY]),
                run_id,
                now,
            )
            (plan.inserts if stored is None else plan.updates).append(values)
            plan.links.extend((row_id, self.subject_ids[name]) for name in row[_SUBJECTS] if name in self.subject_ids)
        return plan

    def _reserve_ids(self, cursor: Any, count: int) -> list[int]:
        """Ids for ``count`` new rows, increasing, above every id given so far."""
        if not count:
            return []
        if self.postgres:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('contribution', 'id')) FROM generate_series(1, %s)", (count,)
            )
            return sorted(row_id for (row_id,) in cursor.fetchall())
        # The ids SQLite would give. A write comes first: pysqlite begins the transaction
        # at the first write, which takes the database's write lock, so no other writer
        # can add a row between reading max(id) and this batch's inserts.
        cursor.execute("UPDATE import_run SET status = status WHERE id = ?", (self.run_id,))
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM contribution")
        first_id = int(cursor.fetchone()[0])
        return list(range(first_id, first_id + count))

    def write(self, conn: Connection, plan: _BatchPlan) -> None:
        """Store a planned batch, with its full-text index entries and subject links."""
        cursor = conn.connection.cursor()
        if self.postgres:
            self._write_postgres(cursor, plan.inserts, plan.updates)
        else:
            self._write_sqlite(cursor, plan.inserts, plan.updates)
        if plan.updates:
            self._unlink_subjects(cursor, [values[0] for values in plan.updates])
        self._link_subjects(conn, plan.links)

    def _write_sqlite(self, cursor: Any, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        if inserts:
            cursor.executemany(_SQLITE_INSERT, inserts)
            cursor.execute(_SQLITE_INDEX_NEW_ROWS, (inserts[0][0],))
        if updates:
            cursor.execute(_SQLITE_STAGE_DDL)
            cursor.executemany(_SQLITE_STAGE_INSERT, updates)
            cursor.execute(_SQLITE_UPDATE)
            cursor.execute(f"DELETE FROM temp.{_STAGE}")

    def _write_postgres(self, cursor: Any, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        if self.lz4 is None:
            cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            found = cursor.fetchone()
            self.lz4 = bool(found and found[0])
        if inserts or updates:
            # New index entries wait in the GIN index's pending list and join the index in
            # bulk when it fills: a bigger list than the 4 MB default makes fewer, larger
            # merges. `import_paths` merges what is left at the end. For this transaction only.
            cursor.execute(f"SET LOCAL gin_pending_list_limit = {GIN_PENDING_LIST_KB}")
        if self.lz4 and (inserts or updates):
            # Long texts are compressed as they are stored: lz4 costs the server a fraction
            # of the default pglz, and reads back the same values. For this transaction only.
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        if inserts:
            with cursor.copy(_POSTGRES_COPY) as copy:
                for values in inserts:
                    copy.write_row(values)
        if updates:
            cursor.executemany(_POSTGRES_UPDATE, [(*values[1:], values[0]) for values in updates])

    def _unlink_subjects(self, cursor: Any, row_ids: list[int]) -> None:
        for start in range(0, len(row_ids), MAX_PARAMS):
            chunk = row_ids[start : start + MAX_PARAMS]
            if self.postgres:
                cursor.execute("DELETE FROM contribution_subject WHERE contribution_id = ANY(%s)", (chunk,))
            else:
                cursor.execute(
                    "DELETE FROM contribution_subject WHERE contribution_id IN (SELECT value FROM json_each(?))",
                    (_json(chunk),),
                )

    def _link_subjects(self, conn: Connection, links: list[tuple[int, int]]) -> None:
        if links:
            conn.execute(
                insert(CONTRIBUTION_SUBJECT),
                [{"contribution_id": c, "subject_id": s} for c, s in sorted(set(links))],
            )

    def _save_counts(self, conn: Connection, summary: ImportSummary) -> None:
        conn.execute(
            update(IMPORT_RUN)
            .where(IMPORT_RUN.c.id == self.run_id)
            .values(
                files_done=summary.files_done,
                new=summary.new,
                updated=summary.updated,
                unchanged=summary.unchanged,
                failed=summary.failed,
                errors=summary.errors[:MAX_STORED_ERRORS],
            )
        )


class _PostgresPipeline:
    """PostgreSQL: batches written over several connections at once, committed in order.

    Most of PostgreSQL's work per row is the generated tsvector (to_tsvector),
    done by the backend that inserts the row: one connection per core puts more
    than one core to it. The dispatching thread plans each batch (lookups,
    members, debates, subjects, and the new rows' ids, reserved in batch order)
    and hands the writing to a thread with its own connection. Each batch is one
    transaction as before, and batches commit in the order they were planned, so
    the committed rows always hold every id below the newest one: the digests
    take new contributions by id and would otherwise skip a late commit. Two
    batches with a URI in common are never in flight together.
    """

    def __init__(self, writer: _Writer, connections: int) -> None:
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

    def submit(self, rows: Sequence[PackedRow], summary: ImportSummary) -> None:
        uris = {row[0] for row in rows}
        while self.inflight and (
            len(self.inflight) >= self.connections or any(not uris.isdisjoint(other) for _, other in self.inflight)
        ):
            self._wait_for_oldest()
        with self.writer.engine.begin() as conn:
            plan = self.writer.plan(conn, rows)
        self.inflight.append((self.threads.submit(self._write, plan, self.planned, summary), uris))
        self.planned += 1

    def _write(self, plan: _BatchPlan, order: int, summary: ImportSummary) -> None:
        committed = False
        try:
            with self.writer.engine.begin() as conn:
                self.writer.write(conn, plan)
                with self.turn:
                    self.turn.wait_for(lambda: self.committed == order or self.failed)
                    if self.failed:
                        raise ImportAbandoned("another batch of this import failed")
                self.writer._save_counts(conn, plan.added_to(summary))
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


class ImportAbandoned(Exception):
    """A batch rolled back because an earlier one failed."""


def start_run(engine: Engine, source: str, requested_by: str | None = None) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(IMPORT_RUN).values(
                source=source[:1000],
                requested_by=requested_by,
                status="running",
                started_at=utcnow(),
                errors=[],
            )
        )
        run_id = result.inserted_primary_key
        assert run_id is not None
        return int(run_id[0])


def finish_run(engine: Engine, summary: ImportSummary, status: str) -> None:
    with engine.begin() as conn:
        _Writer(engine, summary.run_id)._save_counts(conn, summary)
        conn.execute(
            update(IMPORT_RUN).where(IMPORT_RUN.c.id == summary.run_id).values(status=status, finished_at=utcnow())
        )


def import_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    requested_by: str | None = None,
    progress: ProgressCallback | None = None,
    parallel: bool | None = None,
    batch_size: int | None = None,
    label: str | None = None,
) -> ImportSummary:
    """Import every file below ``paths``. Failed files are reported, never fatal.

    ``label`` names the source in the import-run record (default: the paths).
    """
    batch_size = batch_size or BATCH_SIZE
    source_label = label or ", ".join(str(p) for p in paths)
    summary = ImportSummary(run_id=start_run(engine, source_label, requested_by))
    writer = _Writer(engine, summary.run_id)
    jobs: Iterable[_Job] = _iter_jobs(paths)
    if parallel is None:
        # Worth the workers only for many files: look at no more than that many to decide.
        head = list(itertools.islice(jobs, PARALLEL_THRESHOLD))
        parallel = len(head) >= PARALLEL_THRESHOLD
        jobs = itertools.chain(head, jobs)
    pipeline = None
    write_batch = writer.write_batch
    if parallel and writer.postgres:
        pipeline = _PostgresPipeline(writer, _worker_count())
        write_batch = pipeline.submit
    pending: list[PackedRow] = []
    try:
        for _name, error, rows in _parse_all(jobs, parallel, engine.dialect.name):
            summary.files_done += 1
            if error is not None:
                summary.failed += 1
                summary.errors.append(error)
            pending.extend(rows)
            if len(pending) >= batch_size:
                write_batch(pending, summary)
                pending = []
                if progress is not None:
                    progress(summary)
        if pending:
            write_batch(pending, summary)
        if pipeline is not None:
            pipeline.finish()
        summary.errors.extend(import_divisions(engine, paths, _member_directory()).warnings)
        if progress is not None:
            progress(summary)
    except BaseException:
        if pipeline is not None:
            pipeline.abandon()
        writer.close()
        finish_run(engine, summary, "interrupted")
        raise
    writer.close()
    finish_run(engine, summary, "succeeded" if summary.ok else "completed_with_errors")
    if engine.dialect.name == "postgresql" and summary.new + summary.updated >= ANALYZE_AFTER_ROWS:
        # The planner's statistics (how common each word is, above all) are out of date
        # after a big import, and autovacuum, which refreshes them, may be off or late.
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE contribution, member, debate")
        try:
            with engine.begin() as conn:
                # Searches scan the pending list of new index entries (see `_write_postgres`) in full.
                conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_contribution_search_vector'::regclass)")
        except DBAPIError as exc:  # e.g. a role that does not own the index: vacuum will merge it
            logger.warning("could not merge the search index's pending list: %s", exc.orig)
    return summary
