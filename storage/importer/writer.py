"""Writing batches of packed rows: what both databases' writers share.

A batch is one transaction with its full-text index entries, so an import killed
at any moment leaves a consistent store, and running it again completes it. Rows
are keyed by URI; the content hash decides between new, updated and unchanged.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, select

from storage.importer.rows import COLUMNS, PackedRow
from storage.importer.runs import ImportSummary, save_counts
from storage.models import CONTRIBUTION_SUBJECT_TABLE, DEBATE_TABLE, MEMBER_TABLE, SUBJECT_TABLE, utcnow

# Ids or URIs per lookup query (each query takes them as one JSON or array parameter).
MAX_PARAMS = 30_000


@dataclass(slots=True)
class BatchPlan:
    """One batch as the writer will store it: rows as (id, *COLUMNS), and (row id, subject id) links."""

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


class Writer(ABC):
    """Upserts batches of packed rows; caches the ids of members, debates and subjects."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self.member_ids: dict[str, int] = {}
        self.debate_ids: dict[str, int] = {}
        self.subject_ids: dict[str, int] = {}

    # --- what each database does its own way

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """A batch's transaction."""

    @abstractmethod
    def close(self) -> None:
        """Put back whatever the writer changed in its connections."""

    @abstractmethod
    def _insert_ignore(self, table: Table) -> Any: ...

    @abstractmethod
    def _stored_by_uri(self, cursor: Any, uris: list[str]) -> Iterator[tuple[str, int, str]]:
        """(uri, id, content hash) of the stored rows among ``uris`` (at most MAX_PARAMS)."""

    @abstractmethod
    def _reserve_ids(self, cursor: Any, count: int) -> list[int]:
        """Ids for ``count`` new rows, increasing, above every id given so far."""

    def _now(self) -> Any:
        """The import time as this database stores it."""
        return utcnow()

    @abstractmethod
    def _store(self, cursor: Any, inserts: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]) -> None:
        """Insert and update the batch's rows, with their full-text index entries."""

    @abstractmethod
    def _unlink_subjects(self, cursor: Any, row_ids: list[int]) -> None: ...

    # --- shared

    def write_batch(self, rows: Sequence[PackedRow], summary: ImportSummary) -> None:
        """Plan and write one batch in one transaction."""
        with self.transaction() as conn:
            plan = self.plan(conn, rows)
            self.write(conn, plan)
            save_counts(conn, plan.added_to(summary))
        plan.count_into(summary)  # once committed

    def _resolve(
        self, conn: Connection, table: Table, key: str, cache: dict[str, int], wanted: dict[str, dict[str, Any]]
    ) -> None:
        """Make sure every ``key`` value in ``wanted`` has a row, and its id is in ``cache``."""
        missing = [value for value in wanted if value not in cache]
        if not missing:
            return
        key_column = table.c[key]
        for value, row_id in conn.execute(select(key_column, table.c.id).where(key_column.in_(missing))):
            cache[value] = row_id
        to_insert = [wanted[value] for value in missing if value not in cache]
        if to_insert:
            conn.execute(self._insert_ignore(table), to_insert)
            values = [row[key] for row in to_insert]
            for value, row_id in conn.execute(select(key_column, table.c.id).where(key_column.in_(values))):
                cache[value] = row_id

    def _ids_by_uri(self, cursor: Any, uris: list[str]) -> dict[str, tuple[int, str]]:
        """(id, content hash) of the stored rows among ``uris``: one query per chunk."""
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(uris), MAX_PARAMS):
            for uri, row_id, digest in self._stored_by_uri(cursor, uris[start : start + MAX_PARAMS]):
                found[uri] = (row_id, digest)
        return found

    def plan(self, conn: Connection, rows: Sequence[PackedRow]) -> BatchPlan:
        """Which rows are new, changed or unchanged; their members, debates and subjects; the new rows' ids."""
        # The last version of a URI in a batch wins, as it would across batches.
        by_uri = {row.columns.uri: row for row in rows}
        cursor = conn.connection.cursor()
        existing = self._ids_by_uri(cursor, list(by_uri))
        changed = [
            row
            for uri, row in by_uri.items()
            if (stored := existing.get(uri)) is None or stored[1] != row.columns.content_hash
        ]
        members: dict[str, dict[str, Any]] = {}
        debates: dict[str, dict[str, Any]] = {}
        subjects: dict[str, dict[str, Any]] = {}
        for row in changed:
            if row.member is not None and row.member.member_key not in members:
                members[row.member.member_key] = row.member._asdict()
            if row.debate is not None and row.debate.debate_key not in debates:
                debates[row.debate.debate_key] = row.debate._asdict()
            for name in row.subjects:
                subjects.setdefault(name, {"name": name[:255]})
        self._resolve(conn, MEMBER_TABLE, "member_key", self.member_ids, members)
        self._resolve(conn, DEBATE_TABLE, "debate_key", self.debate_ids, debates)
        self._resolve(conn, SUBJECT_TABLE, "name", self.subject_ids, subjects)

        new_count = sum(1 for row in changed if row.columns.uri not in existing)
        next_id = iter(self._reserve_ids(cursor, new_count))
        now = self._now()
        member_ids, debate_ids, subject_ids, run_id = self.member_ids, self.debate_ids, self.subject_ids, self.run_id
        plan = BatchPlan(unchanged=len(by_uri) - len(changed))
        for row in changed:
            stored = existing.get(row.columns.uri)
            row_id = next(next_id) if stored is None else stored[0]
            values = (
                row_id,
                *row.columns,
                None if row.member is None else member_ids.get(row.member.member_key),
                None if row.debate is None else debate_ids.get(row.debate.debate_key),
                run_id,
                now,
            )
            (plan.inserts if stored is None else plan.updates).append(values)
            plan.links.extend((row_id, subject_ids[name]) for name in row.subjects if name in subject_ids)
        return plan

    def write(self, conn: Connection, plan: BatchPlan) -> None:
        """Store a planned batch, with its full-text index entries and subject links."""
        cursor = conn.connection.cursor()
        self._store(cursor, plan.inserts, plan.updates)
        if plan.updates:
            self._unlink_subjects(cursor, [values[0] for values in plan.updates])
        self._link_subjects(conn, plan.links)

    def _link_subjects(self, conn: Connection, links: list[tuple[int, int]]) -> None:
        if links:
            conn.execute(
                insert(CONTRIBUTION_SUBJECT_TABLE),
                [{"contribution_id": c, "subject_id": s} for c, s in sorted(set(links))],
            )


def quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


# The column list of every statement that stores whole rows: (id, *COLUMNS).
STORED_COLUMNS_SQL = f"id, {quoted(COLUMNS)}"
