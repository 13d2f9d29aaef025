"""Running imports from the bot: in a worker thread, with progress reported at a sensible rate,
and on a schedule for sources that have one. The event loop stays free throughout, so
searches keep being answered while an import runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from commands.admin import AdminCore, ImportSummary, ReimportOutcome

log = logging.getLogger(__name__)

# Progress edits are rate-limited by Discord; one every few seconds is plenty for a person.
PROGRESS_INTERVAL_SECONDS = 2.0

ProgressSink = Callable[[ImportSummary], Awaitable[None]]


async def run_import(
    admin: AdminCore,
    source: str,
    requested_by: str,
    on_progress: ProgressSink | None = None,
    interval: float | None = None,
) -> ReimportOutcome:
    """Re-import ``source`` in a thread, passing progress to ``on_progress`` at most every ``interval``."""
    interval = PROGRESS_INTERVAL_SECONDS if interval is None else interval
    loop = asyncio.get_running_loop()
    latest: list[ImportSummary] = []
    changed = asyncio.Event()

    def progress(summary: ImportSummary) -> None:
        # Called in the import thread: hand a copy over to the event loop.
        loop.call_soon_threadsafe(_publish, replace(summary, errors=list(summary.errors)))

    def _publish(summary: ImportSummary) -> None:
        latest[:] = [summary]
        changed.set()

    task = asyncio.ensure_future(asyncio.to_thread(admin.reimport, source, requested_by, progress))
    last_sent = 0.0
    while not task.done():
        waiter = asyncio.ensure_future(changed.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        changed.clear()
        if task.done() or on_progress is None or not latest:
            continue
        wait_more = interval - (time.monotonic() - last_sent)
        if wait_more > 0:
            # Too soon after the last edit: let the import go on, then show where it got to.
            await asyncio.wait({task}, timeout=wait_more)
            if task.done():
                break
        last_sent = time.monotonic()
        try:
            await on_progress(latest[0])
        except Exception:  # a failed progress edit must not stop the import or its reporting
            log.exception("could not report import progress")
    return await task


CRON_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _standard_weekdays(field: str) -> str:
    """Standard crontab weekdays (0 or 7 = Sunday) as names: APScheduler 3 counts from Monday = 0."""
    if field == "*":
        return field
    names: list[str] = []
    for part in field.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            start, end = body.split("-", 1)
            if not (start.isdigit() and end.isdigit()):
                return field  # names: APScheduler reads them the same way
            first, last = int(start), int(end)
        elif body.isdigit():
            first = last = int(body)
        else:
            return field
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
            raise ValueError(f"bad day of week {part!r}")
        names += [CRON_DAY_NAMES[day % 7] for day in range(first, last + 1, step)]
    return ",".join(dict.fromkeys(names))


def crontab_trigger(expression: str) -> CronTrigger:
    """A trigger for a standard five-field crontab line, in UTC."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab line has 5 fields, not {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_standard_weekdays(weekday), timezone="UTC"
    )


class ImportScheduler:
    """Cron jobs for the sources that carry a schedule, on the bot's scheduler."""

    def __init__(self, admin: AdminCore) -> None:
        self.admin = admin
        self.jobs: dict[str, Job] = {}

    def add_jobs(self, scheduler: AsyncIOScheduler) -> None:
        for name, source in self.admin.sources.items():
            if not source.schedule:
                continue
            try:
                trigger = crontab_trigger(source.schedule)
            except ValueError as exc:
                log.error("import source %s has a bad schedule %r: %s", name, source.schedule, exc)
                continue
            self.jobs[name] = scheduler.add_job(
                self.scheduled_import,
                trigger,
                args=[name],
                id=f"import-{name}",
                replace_existing=True,
                coalesce=True,
                max_instances=1,
            )

    async def scheduled_import(self, name: str) -> ReimportOutcome:
        outcome = await run_import(self.admin, name, "schedule")
        if outcome.refused:
            log.info("scheduled import of %s skipped: %s", name, outcome.refused)
        return outcome

    def next_runs(self) -> dict[str, dt.datetime | None]:
        """When each scheduled source is imported next (None before the scheduler starts)."""
        return {name: getattr(job, "next_run_time", None) for name, job in self.jobs.items()}
