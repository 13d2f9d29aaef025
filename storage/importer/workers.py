"""Parse workers: files read, parsed and packed in other processes, results in input order.

Parsing is pure, so for large imports it runs in worker processes while the
importer process writes: both cores busy, and only compact packed rows sent back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from storage.importer.rows import PackedOutcome, as_packed_outcome, as_packed_row, parse_packed
from storage.importer.sources import Job, as_job, read_job
from storage.twfy_versions import FileVersion

# One task for a worker: this many files, or fewer when they are big (TWFY XML).
CHUNK_FILES = 200
CHUNK_BYTES = 1 << 20
# Input bytes handed to the workers and not yet written: bounds memory.
INFLIGHT_BYTES = 24 << 20
# How much lower the parse workers' scheduling priority is than the importer's.
WORKER_NICENESS = 5


def worker_count() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def start_worker() -> None:
    """Runs in each parse worker first: a lower priority than the process that writes.

    Writing, not parsing, is an import's bottleneck: at a lower priority the workers
    use what the writer leaves, and the bot stays responsive during an import.
    """
    if hasattr(os, "nice"):
        # Where that is not allowed, the workers parse at the same priority.
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)


# A chunk crosses between processes as plain tuples: a named tuple's own pickling costs a
# Python call per file and per row on each side (see bench/README.md).
_PlainOutcome = tuple[str, str | None, list[tuple[Any, ...]], FileVersion | None]


def _parse_chunk(jobs: list[tuple[Any, ...]], dialect: str) -> list[_PlainOutcome]:
    """A worker's task: read, parse and pack a chunk of files."""
    results: list[_PlainOutcome] = []
    for job in map(as_job, jobs):
        name, error, rows, version = parse_packed(read_job(job), dialect)
        results.append((name, error, list(map(tuple, rows)), version))
    return results


def _received(results: list[_PlainOutcome]) -> Iterator[PackedOutcome]:
    for name, error, rows, version in results:
        yield as_packed_outcome((name, error, list(map(as_packed_row, rows)), version))


def parse_all(jobs: Iterable[Job], parallel: bool, dialect: str) -> Iterator[PackedOutcome]:
    """Every file parsed and packed, in order."""
    if not parallel:
        for job in jobs:
            yield parse_packed(read_job(job), dialect)
        return
    # spawn, not fork: the parent may hold threads (progress display) and open connections.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=context, initializer=start_worker)
    # Chunks in flight, oldest first, with their input sizes: results come back in order,
    # and the workers keep parsing ahead while a batch is written, up to INFLIGHT_BYTES.
    inflight: deque[tuple[Future[list[_PlainOutcome]], int]] = deque()
    inflight_bytes = 0
    try:
        chunk: list[Job] = []
        chunk_bytes = 0
        for job in jobs:
            chunk.append(job)
            chunk_bytes += job.size
            if len(chunk) < CHUNK_FILES and chunk_bytes < CHUNK_BYTES:
                continue
            inflight.append((pool.submit(_parse_chunk, list(map(tuple, chunk)), dialect), chunk_bytes))
            inflight_bytes += chunk_bytes
            chunk, chunk_bytes = [], 0
            while inflight_bytes >= INFLIGHT_BYTES:
                done, done_bytes = inflight.popleft()
                inflight_bytes -= done_bytes
                yield from _received(done.result())
        if chunk:
            inflight.append((pool.submit(_parse_chunk, list(map(tuple, chunk)), dialect), chunk_bytes))
        while inflight:
            yield from _received(inflight.popleft()[0].result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
