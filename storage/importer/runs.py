"""Import runs: the import_run record of each import, and its counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, insert, update

from storage.models import IMPORT_RUN_TABLE, utcnow

MAX_STORED_ERRORS = 1000


@dataclass(slots=True)
class ImportSummary:
    run_id: int
    files_done: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    # TheyWorkForYou re-issues: rows a newer version dropped, and rows of files older than the day's stored version.
    removed: int = 0
    superseded: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0


ProgressCallback = Callable[[ImportSummary], None]


def start_run(engine: Engine, source: str, requested_by: str | None = None) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(IMPORT_RUN_TABLE).values(
                source=source[:1000], requested_by=requested_by, status="running", started_at=utcnow(), errors=[]
            )
        )
        run_id = result.inserted_primary_key
        assert run_id is not None
        return int(run_id[0])


def save_counts(conn: Connection, summary: ImportSummary) -> None:
    """The run's counts as ``summary`` has them, in the caller's transaction."""
    conn.execute(
        update(IMPORT_RUN_TABLE)
        .where(IMPORT_RUN_TABLE.c.id == summary.run_id)
        .values(
            files_done=summary.files_done,
            new=summary.new,
            updated=summary.updated,
            unchanged=summary.unchanged,
            failed=summary.failed,
            errors=summary.errors[:MAX_STORED_ERRORS],
        )
    )


def finish_run(engine: Engine, summary: ImportSummary, status: str) -> None:
    with engine.begin() as conn:
        save_counts(conn, summary)
        conn.execute(
            update(IMPORT_RUN_TABLE)
            .where(IMPORT_RUN_TABLE.c.id == summary.run_id)
            .values(status=status, finished_at=utcnow())
        )
