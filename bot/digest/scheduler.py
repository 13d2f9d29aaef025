"""Posting scheduled digests: one tick a minute asks the core what is due and posts it.

Whether a period is due, and that it is posted once, is decided by commands.digest
and the store's claims; this module only posts and reports back. It reaches
Discord through `DigestChannels`, two calls on a channel, not through the bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.digest.render import carries_marker, render_digest
from commands.digest import Claimed, DigestCore

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
TICK_SECONDS = 60
# How far back in a channel a retried delivery looks for its own earlier post.
HISTORY_LOOKBACK = 50


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PostFailed(Exception):
    """Discord did not take the digest; ``permanent`` when it will not mend itself (no access, no channel)."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class DigestChannels(Protocol):
    """What the scheduler needs of Discord."""

    async def post(self, channel_id: int, embed: discord.Embed, nonce: int) -> int:
        """Post ``embed``; the message id. Raises PostFailed."""

    async def find_posted(self, channel_id: int, marker: str) -> int | None:
        """The id of this bot's recent message in the channel whose digest carries ``marker``."""


class BotChannels:
    """`DigestChannels` through a connected discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise PostFailed(f"channel {channel_id} cannot hold messages", permanent=True)
        return channel

    async def post(self, channel_id: int, embed: discord.Embed, nonce: int) -> int:
        try:
            channel = await self._channel(channel_id)
            # discord.py retries a 429 itself, waiting as Discord says.
            message = await channel.send(embed=embed, nonce=nonce)
        except discord.HTTPException as exc:
            # Lost access or a deleted channel will not mend itself; a server error may.
            raise PostFailed(_failure_reason(exc), isinstance(exc, discord.Forbidden | discord.NotFound)) from exc
        return message.id

    async def find_posted(self, channel_id: int, marker: str) -> int | None:
        me = self.client.user
        try:
            channel = await self._channel(channel_id)
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if (
                    me is not None
                    and message.author.id == me.id
                    and any(carries_marker(embed, marker) for embed in message.embeds)
                ):
                    return message.id
        except (discord.HTTPException, PostFailed) as exc:
            # Unreadable history proves nothing either way: the post (with its nonce) goes ahead.
            log.info("could not read channel %s for an earlier digest: %s", channel_id, exc)
        return None


# Discord's code for a DM it will not deliver (DMs closed, the bot blocked, no shared server).
CANNOT_MESSAGE_USER = 50007


def _failure_reason(exc: discord.HTTPException) -> str:
    if exc.code == CANNOT_MESSAGE_USER:
        return "Discord refused the direct message (DMs closed to this bot?)"
    if isinstance(exc, discord.Forbidden):
        return "missing access to the channel (403)"
    if isinstance(exc, discord.NotFound):
        return "the channel no longer exists (404)"
    return f"Discord refused the digest ({exc.status})"


class DigestScheduler:
    def __init__(self, digests: DigestCore, channels: DigestChannels, clock: Clock = utcnow) -> None:
        self.digests = digests
        self.channels = channels
        self.clock = clock
        # One run at a time per process: a slow run and the next tick would otherwise
        # race (harmlessly, the claims decide, but needlessly).
        self._running = asyncio.Lock()

    def add_job(self, scheduler: AsyncIOScheduler) -> None:
        """The minute tick, first run at once (catching up what was due while the bot was down)."""
        scheduler.add_job(
            self.run_due,
            IntervalTrigger(seconds=TICK_SECONDS),
            id="digest-tick",
            next_run_time=dt.datetime.now(dt.UTC),
            coalesce=True,
            max_instances=1,
        )

    async def run_due(self) -> int:
        """Claim and post every digest due now; returns how many were posted."""
        async with self._running:
            claimed = await asyncio.to_thread(self.digests.due, self.clock())
            # Each channel on its own: one failing or rate-limited channel never holds up the rest.
            results = await asyncio.gather(*(self._deliver(c) for c in claimed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("digest delivery crashed", exc_info=result)
        return sum(1 for result in results if result is True)

    async def _deliver(self, claimed: Claimed) -> bool:
        subscription = claimed.subscription
        channel_id = subscription.channel_id
        if claimed.may_be_posted:
            # Discord's nonce forgets after minutes; the post itself, with its marker, does not.
            earlier = await self.channels.find_posted(channel_id, claimed.marker)
            if earlier is not None:
                await asyncio.to_thread(self.digests.delivered, claimed, earlier, self.clock())
                log.info("digest #%s was already posted (message %s): recorded", subscription.id, earlier)
                return False
        content = await asyncio.to_thread(self.digests.content_of, claimed)
        if content is None:
            await asyncio.to_thread(self.digests.nothing_new, claimed, self.clock())
            return False
        try:
            message_id = await self.channels.post(channel_id, render_digest(content, claimed.marker), claimed.nonce)
        except PostFailed as failure:
            now_state = await asyncio.to_thread(
                self.digests.failed, claimed, failure.reason, self.clock(), failure.permanent
            )
            if now_state is not None and now_state.paused:
                log.warning(
                    "digest #%s for channel %s paused: %s", subscription.id, channel_id, now_state.paused_reason
                )
            else:
                log.info("digest #%s failed, will retry: %s", subscription.id, failure.reason)
            return False
        if not await asyncio.to_thread(self.digests.delivered, claimed, message_id, self.clock()):
            log.error(
                "digest #%s: the claim on period %s expired while posting; another process may post it too",
                subscription.id,
                claimed.delivery.period,
            )
        log.info("digest #%s posted to channel %s", subscription.id, channel_id)
        return True
