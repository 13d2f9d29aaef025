"""The /admin commands: re-import a configured source, status, import errors. Owner-only.

The store is shared by every guild the bot is in, so Discord permissions mean
nothing here: every action checks the user against ADMIN_USER_IDS and the
application's owners, in code, and is logged with who did it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_text import CONTENT_LIMIT, escape_for_discord
from bot.imports import run_import
from bot.render import HANSARD_COLOUR
from commands.admin import describe_summary, is_admin
from commands.text import truncate
from storage.importer import ImportSummary

if TYPE_CHECKING:
    from bot.client import HansardBot

log = logging.getLogger(__name__)


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    return discord.utils.format_dt(moment, "R")


def _size(size: int | None) -> str:
    if size is None:
        return "unknown"
    return f"{size / 1024 / 1024:,.1f} MB"


class AdminCog(commands.GroupCog, group_name="admin", group_description="Operate the Hansard bot (owners only)"):
    def __init__(self, bot: HansardBot) -> None:
        self.bot = bot
        super().__init__()

    async def _is_admin(self, user: discord.User | discord.Member) -> bool:
        if not self.bot.owner_id and not self.bot.owner_ids:
            # Fills owner_id/owner_ids from the application's info (once; discord.py caches it).
            await self.bot.is_owner(user)
        owners = [self.bot.owner_id] if self.bot.owner_id else list(self.bot.owner_ids or ())
        return is_admin(user.id, self.bot.settings.admin_user_ids, owners)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        command = interaction.command.qualified_name if interaction.command else "?"
        if not await self._is_admin(interaction.user):
            log.warning("refused /%s to user %s (not an admin)", command, interaction.user.id)
            raise app_commands.CheckFailure("Only the bot's operators can use admin commands.")
        log.info("admin /%s by user %s", command, interaction.user.id)
        return True

    async def source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not await self._is_admin(interaction.user):
            return []
        return [app_commands.Choice(name=name, value=name) for name in self.bot.admin.source_names(current)]

    @app_commands.command(name="reimport", description="Re-import one of the configured data sources")
    @app_commands.describe(source="A source named in the bot's configuration")
    @app_commands.autocomplete(source=source_autocomplete)
    async def reimport(self, interaction: discord.Interaction, source: app_commands.Range[str, 1, 100]) -> None:
        # Refused at once when it cannot start; the lock still decides if two requests race.
        refusal = await asyncio.to_thread(self.bot.admin.refusal, source)
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        requested_by = f"{interaction.user} ({interaction.user.id})"

        async def show_progress(summary: ImportSummary) -> None:
            await interaction.edit_original_response(content=f"Importing {source}… {describe_summary(summary)}")

        outcome = await run_import(self.bot, source, requested_by, show_progress)
        if outcome.refused:
            text = outcome.refused
        elif outcome.error:
            text = f"Import of {source} failed, nothing was stored: {outcome.error}"
        else:
            assert outcome.summary is not None
            text = f"Imported {source}: {describe_summary(outcome.summary)}."
            if outcome.summary.failed:
                text += " See /admin errors for the failures."
        await interaction.edit_original_response(content=truncate(text, CONTENT_LIMIT))

    @app_commands.command(name="status", description="Data, database, imports and schedules")
    async def status(self, interaction: discord.Interaction) -> None:
        status = await asyncio.to_thread(self.bot.admin.status)
        stats = status.stats
        span = f"{stats.first_date} to {stats.last_date}" if stats.first_date else "no data"
        embed = discord.Embed(title="Hansard bot status", colour=HANSARD_COLOUR)
        embed.add_field(
            name="Data",
            value=f"{stats.contributions:,} contributions, {stats.members:,} members, {stats.bills:,} bills\n{span}",
            inline=False,
        )
        embed.add_field(name="Database", value=f"{status.backend}, {_size(status.size_bytes)}", inline=True)
        embed.add_field(name="Version", value=status.version, inline=True)
        embed.add_field(name="Up since", value=_when(self.bot.started_at), inline=True)
        last = stats.last_import
        if last is not None:
            embed.add_field(
                name="Last import",
                value=truncate(
                    f"{_when(last.finished_at or last.started_at)} by {last.requested_by or 'unknown'} "
                    f"({last.status}): "
                    f"{last.new:,} new, {last.updated:,} updated, {last.unchanged:,} unchanged, {last.failed:,} failed",
                    1024,
                ),
                inline=False,
            )
        if status.running is not None:
            embed.add_field(
                name="Importing now",
                value=truncate(f"{status.running.source} for {status.running.requested_by}", 1024),
                inline=False,
            )
        next_imports = self.bot.import_scheduler.next_runs()
        for source_status in status.sources[:10]:
            source = source_status.source
            run = source_status.last_run
            next_run = next_imports.get(source.name)
            embed.add_field(
                name=truncate(f"Source {source.name}", 256),
                value=truncate(
                    f"last {_when(run.finished_at if run else None)}; "
                    f"next {_when(next_run) if isinstance(next_run, dt.datetime) else 'not scheduled'}",
                    1024,
                ),
                inline=False,
            )
        jobs = [job for job in self.bot.scheduler.get_jobs() if job.id.startswith("digest-") and job.next_run_time]
        soonest = sorted(jobs, key=lambda job: job.next_run_time)[:5]
        embed.add_field(
            name=f"Scheduled jobs ({len(self.bot.scheduler.get_jobs())})",
            value="\n".join(f"{job.id}: {_when(job.next_run_time)}" for job in soonest) or "none running",
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="errors", description="Failures of the latest import, file:line: reason")
    @app_commands.describe(page="Page of the list")
    async def errors(self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1) -> None:
        found = await asyncio.to_thread(self.bot.admin.errors, page)
        if found.run is None:
            await interaction.response.send_message("No import has run yet.", ephemeral=True)
            return
        if not found.lines:
            await interaction.response.send_message(f"Import #{found.run.id} had no failures.", ephemeral=True)
            return
        # A code block shows paths and reasons as written; backticks inside could close it, so they go.
        body = "\n".join(line.replace("`", "'") for line in found.lines)
        source = escape_for_discord(found.run.source)
        heading = f"Import #{found.run.id} ({source}), failures page {found.page} of {found.pages}:"
        body = truncate(body, CONTENT_LIMIT - len(heading) - 10)
        await interaction.response.send_message(f"{heading}\n```\n{body}\n```", ephemeral=True)


async def setup(bot: HansardBot) -> None:
    guild_id = bot.settings.admin_guild_id
    if guild_id is not None:
        # Registered only where the operators are; the checks above apply all the same.
        await bot.add_cog(AdminCog(bot), guild=discord.Object(id=guild_id))
    else:
        await bot.add_cog(AdminCog(bot))
