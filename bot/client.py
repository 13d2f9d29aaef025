"""The Discord client: the same class that ``hansard-bot run`` starts and the tests drive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands
from sqlalchemy import Engine

from bot.digest import Clock, DigestScheduler
from bot.errors import on_app_command_error
from bot.imports import ImportScheduler
from bot.settings import Settings, admin_core, digest_core, process_name
from commands.core import HansardCore
from storage.models import utcnow

log = logging.getLogger(__name__)

NAMES_REFRESH_SECONDS = 60
EXTENSIONS = ("bot.cogs.hansard", "bot.insight.cog", "bot.cogs.digest", "bot.cogs.admin")


class HansardBot(commands.AutoShardedBot):
    """Slash commands only: no message content, no privileged intents.

    Sharding is configuration: with SHARD_COUNT and SHARD_IDS set, this process
    runs those shards of the total; otherwise Discord's recommended count.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        core: HansardCore | None = None,
        *,
        clock: Clock = utcnow,
        start_scheduler: bool = True,
        **options: Any,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
            if settings.shard_ids:
                options.setdefault("shard_ids", settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            # Nothing the bot sends may ping anyone, whatever a reply contains.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.engine = engine
        self.core = core or HansardCore(engine, excerpt_length=settings.excerpt_length)
        self.digests = digest_core(self.core, settings, claimant=process_name())
        # One scheduler for digests and scheduled imports, in this process.
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.digest_scheduler = DigestScheduler(self, self.digests, clock, self.scheduler)
        self.admin = admin_core(self.core, settings, holder=self.digests.claimant)
        self.import_scheduler = ImportScheduler(self)
        self.start_scheduler = start_scheduler
        self.started_at = utcnow()

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.tree.error(on_app_command_error)
        self.scheduler.add_job(
            self._refresh_names, IntervalTrigger(seconds=NAMES_REFRESH_SECONDS), id="names-refresh", coalesce=True
        )
        await self.digest_scheduler.add_jobs()
        self.import_scheduler.add_jobs()
        if self.start_scheduler:
            self.scheduler.start()
        # Commands are not synced here: syncing on every start is rate-limited and
        # needless; `hansard-bot sync` does it when the commands change.

    async def _refresh_names(self) -> None:
        """Pick up imports made by other processes (the CLI, another shard) without a restart."""
        if await asyncio.to_thread(self.core.refresh_if_imported):
            log.info("names and vocabulary re-read after an import")

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guilds", self.user, len(self.guilds))


@contextlib.asynccontextmanager
async def offline_bot(settings: Settings, engine: Engine) -> AsyncIterator[HansardBot]:
    """A bot with every extension loaded and no connection or token: for checking the command tree."""
    async with HansardBot(settings, engine, start_scheduler=False) as bot:
        await bot.setup_hook()
        yield bot
