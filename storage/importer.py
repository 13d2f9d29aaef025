"""The importer: input files -> parsed records -> batched, idempotent upserts.

Design:
- Parsing is pure and runs in a worker process for large imports, so that
  parsing and writing use both cores.
- Writing uses Core bulk statements in batches, one transaction per batch. The
  full-text index is maintained by the database in the same transaction
  (triggers on SQLite, a generated column on PostgreSQL), so a batch is either
  wholly in, index included, or not at all: an import killed at any moment
  leaves a consistent store, and running it again completes it.
- Rows are keyed by URI; a content hash of the parsed record decides between
  new, updated and unchanged. A file that fails to parse touches nothing.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

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
from storage.records import ParsedContribution, ParseError
from storage.reference_data import MemberDirectory, bundled_data_dir
from storage.sources import SourceFile, iter_source_files
from storage.twfy import looks_like_twfy, parse_twfy_file

BATCH_SIZE = 2000
# Below this many files the worker process costs more than it saves.
PARALLEL_THRESHOLD = 2000
MAX_STORED_ERRORS = 1000
SNIFF_BYTES = 4096

CONTRIBUTION = CONTRIBUTION_TABLE
MEMBER = MEMBER_TABLE
DEBATE = DEBATE_TABLE
SUBJECT = SUBJECT_TABLE
CONTRIBUTION_SUBJECT = CONTRIBUTION_SUBJECT_TABLE
IMPORT_RUN = IMPORT_RUN_TABLE

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


def _parse_all(sources: Iterable[SourceFile], parallel: bool) -> Iterator[FileOutcome]:
    if not parallel:
        yield from map(parse_source_file, sources)
        return
    # spawn, not fork: the parent may hold threads (progress display) and open connections.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1) - 1), mp_context=context) as pool:
        # map() keeps the order, and bounded chunks keep memory flat.
        pending: list[SourceFile] = []
        for source in sources:
            pending.append(source)
            if len(pending) >= BATCH_SIZE * 4:
                yield from pool.map(parse_source_file, pending, chunksize=256)
                pending = []
        if pending:
            yield from pool.map(parse_source_file, pending, chunksize=256)


# --- rows ------------------------------------------------------------------------------------


def contribution_row(record: ParsedContribution) -> dict[str, Any]:
    """The stored columns of a record (without the ids that the store assigns)."""
    return {
        "uri": record.uri,
        "contribution_id": record.contribution_id,
        "title": record.title,
        "member_name": record.member,
        "party": record.party,
        "house": record.house,
        "houses": list(record.houses),
        "sitting_date": record.sitting_date,
        "debate_title": record.debate_title,
        "debate_types": list(record.debate_types),
        "contribution_type": record.contribution_type,
        "references": [
            {
                "volume": r.volume,
                "start_column": r.start_column,
                "end_column": r.end_column,
                "suffix": r.suffix,
                "raw": r.raw,
            }
            for r in record.references
        ],
        "session": record.session,
        "chamber": record.chamber,
        "subjects": list(record.subjects),
        "index_timestamp": record.index_timestamp,
        "paragraphs": list(record.paragraphs),
        "text": record.text,
        "extra": dict(record.extra),
    }


def content_hash(row: dict[str, Any]) -> str:
    canonical = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def member_key(house: str | None, name: str) -> str:
    return f"{(house or '').lower()}|{name.lower()}"


def debate_key(title: str, session: str | None) -> str:
    return f"{title.lower()}|{(session or '').lower()}"


# --- writing ---------------------------------------------------------------------------------


class _Writer:
    """Upserts batches of records; caches the ids of members, debates and subjects."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self.member_ids: dict[str, int] = {}
        self.debate_ids: dict[str, int] = {}
        self.subject_ids: dict[str, int] = {}

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

    def write_batch(self, records: Sequence[tuple[ParsedContribution, str]], summary: ImportSummary) -> None:
        # The last version of a URI in a batch wins, as it would across batches.
        by_uri: dict[str, tuple[dict[str, Any], ParsedContribution]] = {}
        for record, source in records:
            row = contribution_row(record)
            row["content_hash"] = content_hash(row)
            row["source"] = source[:1000]
            by_uri[record.uri] = (row, record)

        with self.engine.begin() as conn:
            existing = {
                uri: (row_id, digest)
                for uri, row_id, digest in conn.execute(
                    select(CONTRIBUTION.c.uri, CONTRIBUTION.c.id, CONTRIBUTION.c.content_hash).where(
                        CONTRIBUTION.c.uri.in_(list(by_uri))
                    )
                )
            }
            changed = {
                uri: pair
                for uri, pair in by_uri.items()
                if uri not in existing or existing[uri][1] != pair[0]["content_hash"]
            }
            unchanged = len(by_uri) - len(changed)

            members: dict[str, dict[str, Any]] = {}
            debates: dict[str, dict[str, Any]] = {}
            subjects: dict[str, dict[str, Any]] = {}
            directory = _member_directory()
            for _, record in changed.values():
                if record.member:
                    key = member_key(record.house, record.member)
                    person = None
                    if record.member_ref and directory is not None:
                        found = directory.by_member_ref(record.member_ref)
                        person = found.person_ref if found else None
                    members.setdefault(
                        key,
                        {
                            "member_key": key,
                            "name": record.member,
                            "house": record.house,
                            "party": record.party,
                            "person_ref": person,
                        },
                    )
                debate_title = record.debate_title or record.title
                if debate_title:
                    key = debate_key(debate_title, record.session)
                    debates.setdefault(
                        key,
                        {
                            "debate_key": key,
                            "title": debate_title[:500],
                            "session": record.session,
                            "is_bill": bool(_BILL_TITLE.search(debate_title)),
                        },
                    )
                for name in record.subjects:
                    subjects.setdefault(name, {"name": name[:255]})

            self._resolve(conn, MEMBER, "member_key", self.member_ids, members)
            self._resolve(conn, DEBATE, "debate_key", self.debate_ids, debates)
            self._resolve(conn, SUBJECT, "name", self.subject_ids, subjects)

            now = utcnow()
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for uri, (row, record) in changed.items():
                row["member_id"] = (
                    self.member_ids.get(member_key(record.house, record.member)) if record.member else None
                )
                debate_title = record.debate_title or record.title
                row["debate_id"] = (
                    self.debate_ids.get(debate_key(debate_title, record.session)) if debate_title else None
                )
                row["import_run_id"] = self.run_id
                row["imported_at"] = now
                if uri in existing:
                    row["row_id"] = existing[uri][0]
                    updates.append(row)
                else:
                    inserts.append(row)

            if inserts:
                conn.execute(insert(CONTRIBUTION), inserts)
            if updates:
                values: dict[str, Any] = {name: bindparam(name) for name in updates[0] if name != "row_id"}
                conn.execute(
                    update(CONTRIBUTION).where(CONTRIBUTION.c.id == bindparam("row_id")).values(values),
                    updates,
                )
                conn.execute(
                    delete(CONTRIBUTION_SUBJECT).where(
                        CONTRIBUTION_SUBJECT.c.contribution_id.in_([row["row_id"] for row in updates])
                    )
                )
            self._link_subjects(conn, changed, existing)

            summary.new += len(inserts)
            summary.updated += len(updates)
            summary.unchanged += unchanged
            self._save_counts(conn, summary)

    def _link_subjects(
        self,
        conn: Connection,
        changed: dict[str, tuple[dict[str, Any], ParsedContribution]],
        existing: dict[str, tuple[int, str]],
    ) -> None:
        with_subjects = [uri for uri, (_, record) in changed.items() if record.subjects]
        if not with_subjects:
            return
        # (Not dict(result): a Result has keys(), so dict() would read it as a mapping.)
        ids: dict[str, int] = {
            uri: row_id
            for uri, row_id in conn.execute(
                select(CONTRIBUTION.c.uri, CONTRIBUTION.c.id).where(CONTRIBUTION.c.uri.in_(with_subjects))
            )
        }
        links = {
            (ids[uri], self.subject_ids[name])
            for uri in with_subjects
            for name in changed[uri][1].subjects
            if uri in ids and name in self.subject_ids
        }
        if links:
            conn.execute(
                insert(CONTRIBUTION_SUBJECT),
                [{"contribution_id": c, "subject_id": s} for c, s in sorted(links)],
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
    sources = list(iter_source_files(paths)) if parallel is None else iter_source_files(paths)
    if parallel is None:
        assert isinstance(sources, list)
        parallel = len(sources) >= PARALLEL_THRESHOLD
    pending: list[tuple[ParsedContribution, str]] = []
    try:
        for outcome in _parse_all(sources, parallel):
            summary.files_done += 1
            if outcome.error is not None:
                summary.failed += 1
                summary.errors.append(outcome.error)
            pending.extend((record, outcome.name) for record in outcome.records)
            if len(pending) >= batch_size:
                writer.write_batch(pending, summary)
                pending = []
                if progress is not None:
                    progress(summary)
        if pending:
            writer.write_batch(pending, summary)
        if progress is not None:
            progress(summary)
    except BaseException:
        finish_run(engine, summary, "interrupted")
        raise
    finish_run(engine, summary, "succeeded" if summary.ok else "completed_with_errors")
    return summary
