"""One import at a time, across processes, with takeover of a dead holder's lock."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sqlalchemy import Engine, select

from storage.import_lock import INTERRUPTED, acquire, current_holder, heartbeat, release, this_host
from storage.importer import start_run
from storage.models import IMPORT_RUN_TABLE


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


def dead_pid() -> int:
    """The pid of a process that ran on this host and has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def run_status(engine: Engine, run_id: int) -> tuple[str, list[str]]:
    with engine.connect() as conn:
        row = conn.execute(
            select(IMPORT_RUN_TABLE.c.status, IMPORT_RUN_TABLE.c.errors).where(IMPORT_RUN_TABLE.c.id == run_id)
        ).one()
    return row.status, list(row.errors)


def test_a_lock_held_by_a_dead_process_on_this_host_is_taken_over_at_once(engine: Engine) -> None:
    pid = dead_pid()
    assert acquire(engine, f"cli:{this_host()}:{pid}", "cli", "/srv/hansard", pid=pid) is None
    run_id = start_run(engine, "/srv/hansard", "cli")  # the dead import's run, left 'running'
    # Fresh heartbeat, default staleness: only the dead pid lets the lock go.
    assert acquire(engine, "cli:next", "cli", "/srv/hansard") is None
    holder = current_holder(engine)
    assert holder is not None and holder.holder == "cli:next"
    status, errors = run_status(engine, run_id)
    assert status == "failed" and errors == [INTERRUPTED]


def test_a_live_holder_on_this_host_keeps_the_lock(engine: Engine) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert acquire(engine, "cli:alive", "cli", "/srv/hansard", pid=child.pid) is None
        run_id = start_run(engine, "/srv/hansard", "cli")
        held = acquire(engine, "cli:next", "cli", "/srv/hansard")
        assert held is not None and held.holder == "cli:alive"
        assert run_status(engine, run_id) == ("running", [])
    finally:
        child.kill()
        child.wait()
    # Killed and reaped: now provably dead.
    assert acquire(engine, "cli:next", "cli", "/srv/hansard") is None
    assert run_status(engine, run_id)[0] == "failed"


def test_a_holder_on_another_host_waits_for_its_heartbeat_to_go_stale(engine: Engine) -> None:
    pid = dead_pid()  # gone here, but that says nothing about a process on another host
    assert acquire(engine, "bot:elsewhere", "alice", "twfy", host="elsewhere.example", pid=pid) is None
    run_id = start_run(engine, "twfy", "alice")
    held = acquire(engine, "cli:next", "cli", "/srv/hansard")
    assert held is not None and held.holder == "bot:elsewhere"
    assert run_status(engine, run_id) == ("running", [])
    assert acquire(engine, "cli:next", "cli", "/srv/hansard", stale_after=dt.timedelta(seconds=-1)) is None
    assert run_status(engine, run_id) == ("failed", [INTERRUPTED])
