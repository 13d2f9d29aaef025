"""One import at a time, across processes: a single lock row in the store.

The holder refreshes ``heartbeat_at`` as it goes; a lock whose heartbeat is older
than ``stale_after`` belonged to a process that died, and may be taken over (the
importer's batches are atomic, so the next import simply completes the work).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select, update

from storage.models import IMPORT_LOCK_TABLE, utcnow

STALE_AFTER = dt.timedelta(minutes=5)
HEARTBEAT_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class LockHolder:
    holder: str
    requested_by: str | None
    source: str | None
    started_at: dt.datetime | None


def acquire(
    engine: Engine, holder: str, requested_by: str | None, source: str, stale_after: dt.timedelta = STALE_AFTER
) -> LockHolder | None:
    """Take the lock; None on success, else who holds it."""
    now = utcnow()
    c = IMPORT_LOCK_TABLE.c
    with engine.begin() as conn:
        taken = conn.execute(
            update(IMPORT_LOCK_TABLE)
            .where(c.id == 1, or_(c.holder.is_(None), c.heartbeat_at < now - stale_after))
            .values(
                holder=holder[:100], requested_by=requested_by, source=source[:1000], started_at=now, heartbeat_at=now
            )
        )
        if taken.rowcount == 1:
            return None
    return current_holder(engine)


def current_holder(engine: Engine) -> LockHolder | None:
    c = IMPORT_LOCK_TABLE.c
    with engine.connect() as conn:
        row = conn.execute(select(c.holder, c.requested_by, c.source, c.started_at).where(c.id == 1)).first()
    if row is None or row.holder is None:
        return None
    return LockHolder(row.holder, row.requested_by, row.source, row.started_at)


def heartbeat(engine: Engine, holder: str) -> bool:
    """Refresh the lock; False if ``holder`` no longer holds it."""
    c = IMPORT_LOCK_TABLE.c
    with engine.begin() as conn:
        result = conn.execute(
            update(IMPORT_LOCK_TABLE).where(c.id == 1, c.holder == holder).values(heartbeat_at=utcnow())
        )
        return result.rowcount == 1


def release(engine: Engine, holder: str) -> None:
    c = IMPORT_LOCK_TABLE.c
    with engine.begin() as conn:
        conn.execute(
            update(IMPORT_LOCK_TABLE)
            .where(c.id == 1, c.holder == holder)
            .values(holder=None, requested_by=None, source=None, started_at=None, heartbeat_at=None)
        )


class ImportBusy(Exception):
    """Another import holds the lock."""

    def __init__(self, holder: LockHolder) -> None:
        since = f" since {holder.started_at:%Y-%m-%d %H:%M} UTC" if holder.started_at else ""
        super().__init__(f"An import is already running: {holder.source}, started by {holder.requested_by}{since}.")
        self.holder = holder


class ImportLockLost(Exception):
    """The lock was taken over (this process looked dead): the import must stop."""


@contextlib.contextmanager
def holding(
    engine: Engine,
    holder: str,
    requested_by: str | None,
    source: str,
    beat_every: dt.timedelta = HEARTBEAT_EVERY,
) -> Iterator[threading.Event]:
    """Hold the import lock for the duration, refreshing it from a thread so that a long
    download or batch never makes a live import look dead. Yields an event that is set if
    the lock is lost anyway; the import should then stop (see ``ImportLockLost``)."""
    held = acquire(engine, holder, requested_by, source)
    if held is not None:
        raise ImportBusy(held)
    stop = threading.Event()
    lost = threading.Event()

    def beat() -> None:
        while not stop.wait(beat_every.total_seconds()):
            if not heartbeat(engine, holder):
                lost.set()
                return

    thread = threading.Thread(target=beat, name="import-lock-heartbeat", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()
        release(engine, holder)
