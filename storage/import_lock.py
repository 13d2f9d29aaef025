"""One import at a time, across processes: a single lock row in the store.

The holder refreshes ``heartbeat_at`` as it goes; a lock whose heartbeat is older
than ``stale_after`` belonged to a process that died, and may be taken over (the
importer's batches are atomic, so the next import simply completes the work).
The lock also records the holder's host and pid: a holder on this host whose
process is gone is provably dead, and is taken over at once. Either way the dead
holder's unfinished import runs are closed as failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, or_, select, update

from storage.models import IMPORT_LOCK_TABLE, IMPORT_RUN_TABLE, utcnow

STALE_AFTER = dt.timedelta(minutes=5)
HEARTBEAT_EVERY = dt.timedelta(seconds=30)
# Recorded in the import_run rows of a holder that died, beside status "failed".
INTERRUPTED = "interrupted: the importing process stopped before the import finished"


@dataclass(frozen=True, slots=True)
class LockHolder:
    holder: str
    requested_by: str | None
    source: str | None
    started_at: dt.datetime | None


def this_host() -> str:
    """Where pids mean the same processes as here: the host name, and the pid namespace where the system says
    (two containers may share a host name, never a pid namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return socket.gethostname()[:255]
    return f"{socket.gethostname()[:200]} {namespace}"


def process_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this host (a zombie, killed but not yet reaped, is dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return True  # cannot tell: leave it to the heartbeat
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return True


def acquire(
    engine: Engine,
    holder: str,
    requested_by: str | None,
    source: str,
    stale_after: dt.timedelta = STALE_AFTER,
    *,
    host: str | None = None,
    pid: int | None = None,
) -> LockHolder | None:
    """Take the lock; None on success, else who holds it.

    ``host`` and ``pid`` say where the taker runs (by default, this process).
    A free lock, a stale one, or one whose holder ran on this host in a process
    that is gone, is taken; the runs the dead holder left open are closed as failed.
    """
    now = utcnow()
    host = this_host() if host is None else host
    pid = os.getpid() if pid is None else pid
    c = IMPORT_LOCK_TABLE.c
    values = dict(
        holder=holder[:100],
        requested_by=requested_by,
        source=source[:1000],
        started_at=now,
        heartbeat_at=now,
        host=host[:255],
        pid=pid,
    )
    with engine.begin() as conn:
        previous = conn.execute(select(c.holder, c.started_at, c.host, c.pid).where(c.id == 1)).first()
        if previous is None:
            raise RuntimeError("the import_lock row is missing: run hansard-bot db-upgrade")
        free_or_stale = or_(c.holder.is_(None), c.heartbeat_at < now - stale_after)
        dead_here = (
            previous.holder is not None
            and previous.host == host
            and previous.pid is not None
            and previous.pid != pid
            and not process_alive(previous.pid)
        )
        # Compare-and-set on what was read: two takers never both win.
        condition = (
            (c.holder == previous.holder) & (c.pid == previous.pid) & (c.host == previous.host)
            if dead_here
            else free_or_stale
        )
        taken = conn.execute(update(IMPORT_LOCK_TABLE).where(c.id == 1, condition).values(**values))
        if taken.rowcount == 1:
            if previous.holder is not None and previous.started_at is not None:
                _close_dead_runs(conn, previous.started_at)
            return None
    return current_holder(engine)


def _close_dead_runs(conn: Connection, since: dt.datetime) -> None:
    """Runs still 'running' that began under the dead holder's lock: nobody will finish them."""
    r = IMPORT_RUN_TABLE.c
    for run_id, errors in conn.execute(
        select(r.id, r.errors).where(r.status == "running", r.started_at >= since)
    ).all():
        conn.execute(
            update(IMPORT_RUN_TABLE)
            .where(r.id == run_id)
            .values(status="failed", finished_at=utcnow(), errors=[*(errors or []), INTERRUPTED])
        )


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
