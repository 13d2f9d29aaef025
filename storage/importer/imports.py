"""An import: input paths walked, parsed (in workers when there are many) and written in batches."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine

from storage.importer.parse import member_directory
from storage.importer.postgres_writer import PostgresPipeline, PostgresWriter, finish_import
from storage.importer.rows import PackedOutcome
from storage.importer.runs import ImportSummary, ProgressCallback, finish_run, start_run
from storage.importer.sources import Job, iter_jobs, read_job
from storage.importer.sqlite_writer import SqliteWriter
from storage.importer.workers import parse_all, worker_count
from storage.importer.writer import Writer
from storage.votes_store import import_divisions

BATCH_SIZE = 10_000
# Below this many files the worker processes cost more than they save.
PARALLEL_THRESHOLD = 2000


def make_writer(engine: Engine, run_id: int) -> Writer:
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return PostgresWriter(engine, run_id)
    if dialect == "sqlite":
        return SqliteWriter(engine, run_id)
    raise RuntimeError(f"unsupported database: {dialect}")


def import_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    requested_by: str | None = None,
    progress: ProgressCallback | None = None,
    parallel: bool | None = None,
    batch_size: int | None = None,
    label: str | None = None,
    shown_as: Mapping[Path, str] | None = None,
) -> ImportSummary:
    """Import every file below ``paths``, in order. Failed files are reported, never fatal.

    ``label`` names the source in the import-run record (default: the paths). ``shown_as``
    names a path where messages and stored rows would name it: a download by its URL, not
    the temporary file it was saved in.
    """
    batch_size = batch_size or BATCH_SIZE
    source_label = label or ", ".join(str(p) for p in paths)
    summary = ImportSummary(run_id=start_run(engine, source_label, requested_by))
    writer = make_writer(engine, summary.run_id)
    jobs: Iterable[Job] = iter_jobs(paths, shown_as)
    if parallel is None:
        # Worth the workers only for many files: look at no more than that many to decide.
        head = list(itertools.islice(jobs, PARALLEL_THRESHOLD))
        parallel = len(head) >= PARALLEL_THRESHOLD
        jobs = itertools.chain(head, jobs)
    pipeline = PostgresPipeline(writer, worker_count()) if parallel and isinstance(writer, PostgresWriter) else None
    write_batch = pipeline.submit if pipeline is not None else writer.write_batch
    pending: list[PackedOutcome] = []
    pending_rows = 0
    try:
        for outcome in parse_all(jobs, parallel, engine.dialect.name):
            summary.files_done += 1
            if outcome.error is not None:
                summary.failed += 1
                summary.errors.append(outcome.error)
                continue
            pending.append(outcome)
            pending_rows += len(outcome.rows)
            if pending_rows >= batch_size:
                write_batch(pending, summary)
                pending, pending_rows = [], 0
                if progress is not None:
                    progress(summary)
        if pending:
            write_batch(pending, summary)
        if pipeline is not None:
            pipeline.finish()
        files = (read_job(job) for job in iter_jobs(paths, shown_as))
        summary.errors.extend(import_divisions(engine, files, member_directory()).warnings)
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
    if isinstance(writer, PostgresWriter):
        finish_import(engine, summary.new + summary.updated)
    return summary
