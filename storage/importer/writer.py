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

from storage.importer.rows import COLUMNS, PackedOutcome
from storage.importer.runs import ImportSummary, save_counts
from storage.importer.versions import Reconciliation, claim_predecessors, reconcile
from storage.models import (
    CONTRIBUTION_SUBJECT_TABLE,
    CONTRIBUTION_TABLE,
    DEBATE_TABLE,
    MEMBER_TABLE,
    SUBJECT_TABLE,
    TWFY_DAY_VERSION_TABLE,
    TWFY_REDIRECT_TABLE,
    utcnow,
)

# Ids or URIs per lookup query (each query takes them as one JSON or array parameter).
MAX_PARAMS = 30_000


@dataclass(slots=True)
class BatchPlan:
    """One batch as the writer will store it: rows as (id, *COLUMNS), and (row id, subject id) links."""

    unchanged: int
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)
    # TheyWorkForYou re-issued days (see `storage.importer.versions`), None for other batches.
    versions: Reconciliation | None = None

    def count_into(self, summary: ImportSummary) -> None:
        summary.new += len(self.inserts)
        summary.updated += len(self.updates)
        summary.unchanged += self.unchanged
        if self.versions is not None:
            summary.removed += len(self.versions.deletes)
            summary.superseded += self.versions.superseded

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

    @abstractmethod
    def _upsert(self, table: Table, key: Sequence[str]) -> Any:
        """An INSERT that updates the row with the same ``key`` columns instead."""

    def write_batch(self, outcomes: Sequence[PackedOutcome], summary: ImportSummary) -> None:
        """Plan and write one batch (whole files) in one transaction."""
        with self.transaction() as conn:
            plan = self.plan(conn, outcomes)
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

    def plan(self, conn: Connection, outcomes: Sequence[PackedOutcome]) -> BatchPlan:
        """Which rows are new, changed or unchanged; their members, debates and subjects; the new rows' ids."""
        versions = reconcile(conn, outcomes) if any(o.version is not None for o in outcomes) else None
        rows = versions.rows if versions is not None else [row for outcome in outcomes for row in outcome.rows]
        # The last version of a URI in a batch wins, as it would across batches.
        by_uri = {row.uri: row for row in rows}
        cursor = conn.connection.cursor()
        existing = self._ids_by_uri(cursor, list(by_uri))
        if versions is not None:
            versioned = [row.uri for outcome in outcomes if outcome.version is not None for row in outcome.rows]
            claim_predecessors(conn, versions, existing, versioned)
            # A newer version's contribution updates its predecessor's row: same id, new address and text.
            existing.update((uri, (row_id, "")) for uri, row_id in versions.claims.items())
        changed = [
            row for uri, row in by_uri.items() if (stored := existing.get(uri)) is None or stored[1] != row.content_hash
        ]
        members: dict[str, dict[str, Any]] = {}
        debates: dict[str, dict[str, Any]] = {}
        subjects: dict[str, dict[str, Any]] = {}
        for row in changed:
            if row.member_key is not None and row.member_key not in members:
                members[row.member_key] = row.member_row()
            if row.debate_key is not None and row.debate_key not in debates:
                debates[row.debate_key] = row.debate_row()
            for name in row.subject_names:
                subjects.setdefault(name, {"name": name[:255]})
        self._resolve(conn, MEMBER_TABLE, "member_key", self.member_ids, members)
        self._resolve(conn, DEBATE_TABLE, "debate_key", self.debate_ids, debates)
        self._resolve(conn, SUBJECT_TABLE, "name", self.subject_ids, subjects)

        new_count = sum(1 for row in changed if row.uri not in existing)
        next_id = iter(self._reserve_ids(cursor, new_count))
        now = self._now()
        member_ids, debate_ids, subject_ids, run_id = self.member_ids, self.debate_ids, self.subject_ids, self.run_id
        plan = BatchPlan(unchanged=len(by_uri) - len(changed), versions=versions)
        for row in changed:
            stored = existing.get(row.uri)
            row_id = next(next_id) if stored is None else stored[0]
            values = (
                row_id,
                *row.columns,
                None if row.member_key is None else member_ids.get(row.member_key),
                None if row.debate_key is None else debate_ids.get(row.debate_key),
                run_id,
                now,
            )
            (plan.inserts if stored is None else plan.updates).append(values)
            plan.links.extend((row_id, subject_ids[name]) for name in row.subject_names if name in subject_ids)
        return plan

    def write(self, conn: Connection, plan: BatchPlan) -> None:
        """Store a planned batch, with its full-text index entries and subject links."""
        cursor = conn.connection.cursor()
        if plan.versions is not None and plan.versions.deletes:
            # Subject links by hand: the SQLite import connection does not enforce foreign keys.
            removed = sorted(plan.versions.deletes)
            self._unlink_subjects(cursor, removed)
            conn.execute(CONTRIBUTION_TABLE.delete().where(CONTRIBUTION_TABLE.c.id.in_(removed)))
        self._store(cursor, plan.inserts, plan.updates)
        if plan.updates:
            self._unlink_subjects(cursor, [values[0] for values in plan.updates])
        self._link_subjects(conn, plan.links)
        if plan.versions is not None:
            self._store_versions(conn, plan.versions)

    def _store_versions(self, conn: Connection, versions: Reconciliation) -> None:
        if versions.redirects:
            conn.execute(
                self._upsert(TWFY_REDIRECT_TABLE, ["old_gid"]),
                [redirect._asdict() for redirect in versions.redirects.values()],
            )
        if versions.day_versions:
            conn.execute(
                self._upsert(TWFY_DAY_VERSION_TABLE, ["series", "day"]),
                [{"series": d.series, "day": d.day, "version": v} for d, v in versions.day_versions.items()],
            )

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
