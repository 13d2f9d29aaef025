"""Posting scheduled digests: APScheduler jobs built from the stored subscriptions.

Each active subscription has a cron job in its own time zone (APScheduler keeps
wall-clock times across daylight-saving changes). A catch-up job every minute,
and one at start, delivers periods missed while the bot was down (within the
grace window) and retries failed posts when their back-off has passed. Whether a
period is due, and that it is posted once, is decided by commands.digest and the
store; this module only posts and reports back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.render import render_digest
from commands.digest import Claimed, DigestCore, parse_time_of_day
from storage.digests import list_subscriptions
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.client import HansardBot

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
CATCH_UP_SECONDS = 60
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DigestScheduler:
    def __init__(
        self, bot: HansardBot, digests: DigestCore, clock: Clock = utcnow, scheduler: AsyncIOScheduler | None = None
    ) -> None:
        self.bot = bot
        self.digests = digests
        self.clock = clock
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        # One run at a time per process: a cron job and the catch-up job firing
        # together would otherwise race (harmlessly, the claim decides, but needlessly).
        self._running = asyncio.Lock()

    async def add_jobs(self) -> None:
        """The catch-up job and a cron job per subscription (the scheduler is started by the bot)."""
        self.scheduler.add_job(
            self.run_due,
            IntervalTrigger(seconds=CATCH_UP_SECONDS),
            id="digest-catch-up",
            next_run_time=dt.datetime.now(dt.UTC),
            coalesce=True,
            max_instances=1,
        )
        await self.sync_jobs()

    async def sync_jobs(self) -> None:
        """Make the cron jobs match the stored subscriptions (after any change to them)."""
        active = await asyncio.to_thread(list_subscriptions, self.digests.engine, active_only=True)
        wanted = {}
        for subscription in active:
            hour, minute = parse_time_of_day(subscription.time_of_day)
            trigger = CronTrigger(
                day_of_week=DAY_NAMES[subscription.weekday or 0] if subscription.frequency == "weekly" else "*",
                hour=hour,
                minute=minute,
                timezone=subscription.timezone,
            )
            wanted[f"digest-{subscription.id}"] = (subscription.id, trigger)
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest-") and job.id != "digest-catch-up" and job.id not in wanted:
                job.remove()
        for job_id, (subscription_id, trigger) in wanted.items():
            self.scheduler.add_job(
                self.run_due,
                trigger,
                kwargs={"subscription_ids": {subscription_id}},
                id=job_id,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(self.digests.settings.grace.total_seconds()),
            )

    def next_runs(self) -> dict[str, dt.datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    async def run_due(self, subscription_ids: set[int] | None = None) -> int:
        """Claim and post every digest due now; returns how many were posted."""
        async with self._running:
            now = self.clock()
            claimed = await asyncio.to_thread(self.digests.due, now, subscription_ids)
            # Each channel on its own: one failing or rate-limited channel never holds up the rest.
            results = await asyncio.gather(*(self._deliver(c) for c in claimed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("digest delivery crashed", exc_info=result)
        return sum(1 for result in results if result is True)

    async def _deliver(self, claimed: Claimed) -> bool:
        subscription = claimed.subscription
        content = await asyncio.to_thread(self.digests.content_of, claimed)
        if content is None:
            await asyncio.to_thread(self.digests.nothing_new, claimed, self.clock())
            return False
        try:
            channel = self.bot.get_channel(subscription.channel_id) or await self.bot.fetch_channel(
                subscription.channel_id
            )
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {subscription.channel_id} cannot hold messages")
            # discord.py retries a 429 itself, waiting as Discord says.
            message = await channel.send(embed=render_digest(content), nonce=claimed.nonce)
        except (discord.HTTPException, TypeError) as exc:
            reason = _failure_reason(exc)
            # Lost access or a deleted channel will not mend itself; a server error may.
            permanent = isinstance(exc, discord.Forbidden | discord.NotFound | TypeError)
            now_state = await asyncio.to_thread(self.digests.failed, claimed, reason, self.clock(), permanent)
            if now_state is not None and now_state.paused:
                log.warning(
                    "digest #%s for channel %s paused: %s",
                    subscription.id,
                    subscription.channel_id,
                    now_state.paused_reason,
                )
                await self.sync_jobs()
            else:
                log.info("digest #%s failed, will retry: %s", subscription.id, reason)
            return False
        if not await asyncio.to_thread(self.digests.delivered, claimed, message.id, self.clock()):
            log.error(
                "digest #%s: the claim on period %s expired while posting; another process may post it too",
                subscription.id,
                claimed.delivery.period,
            )
        log.info("digest #%s posted to channel %s", subscription.id, subscription.channel_id)
        return True


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, discord.Forbidden):
        return "missing access to the channel (403)"
    if isinstance(exc, discord.NotFound):
        return "the channel no longer exists (404)"
    if isinstance(exc, discord.HTTPException):
        return f"Discord refused the digest ({exc.status})"
    return str(exc)
