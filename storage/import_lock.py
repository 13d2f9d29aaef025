"""One import at a time, across processes: a single lock row in the store.

The holder refreshes ``heartbeat_at`` as it goes; a lock whose heartbeat is older
than ``stale_after`` belonged to a process that died, and may be taken over (the
importer's batches are atomic, so the next import simply completes the work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select, update

from storage.models import IMPORT_LOCK_TABLE, utcnow

STALE_AFTER = dt.timedelta(minutes=5)


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


def heartbeat(engine: Engine, holder: str) -> None:
    c = IMPORT_LOCK_TABLE.c
    with engine.begin() as conn:
        conn.execute(update(IMPORT_LOCK_TABLE).where(c.id == 1, c.holder == holder).values(heartbeat_at=utcnow()))


def release(engine: Engine, holder: str) -> None:
    c = IMPORT_LOCK_TABLE.c
    with engine.begin() as conn:
        conn.execute(
            update(IMPORT_LOCK_TABLE)
            .where(c.id == 1, c.holder == holder)
            .values(holder=None, requested_by=None, source=None, started_at=None, heartbeat_at=None)
        )
