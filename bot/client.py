"""The Discord client: the same class that ``hansard-bot run`` starts and the tests drive."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands
from sqlalchemy import Engine

from bot.admin.imports import ImportScheduler
from bot.bootstrap import make_cores
from bot.digest.scheduler import BotChannels, Clock, DigestScheduler, utcnow
from bot.errors import on_app_command_error
from bot.settings import Settings
from commands.core import HansardCore

log = logging.getLogger(__name__)

# The bot does no voice: discord.py's warnings about missing voice libraries are noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

NAMES_REFRESH_SECONDS = 60
EXTENSIONS = (
    "bot.hansard.cog",
    "bot.insight.cog",
    "bot.digest.cog",
    "bot.digest.alerts",
    "bot.admin.cog",
    "bot.votes.cog",
)


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
        cores = make_cores(settings, engine, role="bot", hansard=core)
        self.core = cores.hansard
        self.digests = cores.digests
        self.admin = cores.admin
        self.clock = clock
        # One scheduler for digests and scheduled imports, in this process.
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.digest_scheduler = DigestScheduler(self.digests, BotChannels(self), clock)
        self.import_scheduler = ImportScheduler(self.admin)
        self.start_scheduler = start_scheduler
        self.started_at = utcnow()

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.tree.error(on_app_command_error)
        self.scheduler.add_job(
            self._refresh_names, IntervalTrigger(seconds=NAMES_REFRESH_SECONDS), id="names-refresh", coalesce=True
        )
        self.digest_scheduler.add_job(self.scheduler)
        self.import_scheduler.add_jobs(self.scheduler)
        if self.start_scheduler:
            self.scheduler.start()
        # Commands are not synced here: syncing on every start is rate-limited and
        # needless; `hansard-bot sync` does it when the commands change.

    async def _refresh_names(self) -> None:
        """Pick up imports made by other processes (the CLI, another shard) without a restart."""
        if await asyncio.to_thread(self.core.names.refresh_if_imported):
            log.info("names and vocabulary re-read after an import")

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guilds", self.user, len(self.guilds))


class DiscordUnreachable(Exception):
    """Discord could not be reached or refused the token: the one line to show, and exit."""


async def login(bot: HansardBot, token: str) -> None:
    """Log in, turning the ways that fails into one clear DiscordUnreachable."""
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        raise DiscordUnreachable(f"Discord refused the token: {exc}") from exc
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise DiscordUnreachable(f"Cannot reach Discord: {exc or type(exc).__name__}") from exc
    except discord.HTTPException as exc:
        raise DiscordUnreachable(f"Discord answered {exc.status} on login: {exc.text or exc}") from exc


async def run_until_closed(bot: HansardBot, token: str) -> None:
    """``hansard-bot run``: log in and stay connected (reconnecting as discord.py does) until stopped."""
    async with bot:
        await login(bot, token)
        try:
            await bot.connect(reconnect=True)
        except (aiohttp.ClientError, OSError) as exc:
            raise DiscordUnreachable(f"Lost the connection to Discord: {exc}") from exc
