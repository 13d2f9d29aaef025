"""One import at a time, across processes, with takeover of a dead holder's lock."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from storage.import_lock import acquire, current_holder, heartbeat, release


def test_one_holder_at_a_time(engine: Engine) -> None:
    assert acquire(engine, "a", "alice", "source-1") is None
    held = acquire(engine, "b", "bob", "source-2")
    assert held is not None and (held.holder, held.requested_by, held.source) == ("a", "alice", "source-1")
    heartbeat(engine, "a")
    release(engine, "b")  # not the holder: changes nothing
    assert current_holder(engine) is not None
    release(engine, "a")
    assert current_holder(engine) is None
    assert acquire(engine, "b", "bob", "source-2") is None


def test_a_dead_holders_lock_is_taken_over(engine: Engine) -> None:
    assert acquire(engine, "dead", "alice", "source-1") is None
    assert acquire(engine, "b", "bob", "source-2", stale_after=dt.timedelta(hours=1)) is not None
    assert acquire(engine, "b", "bob", "source-2", stale_after=dt.timedelta(seconds=-1)) is None
    holder = current_holder(engine)
    assert holder is not None and holder.holder == "b"
