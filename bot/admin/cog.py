"""The /admin commands: re-import a configured source, status, import errors. Owner-only.

The store is shared by every guild the bot is in, so Discord permissions mean
nothing here: every action checks the user against ADMIN_USER_IDS and the
application's owners, in code, and is logged with who did it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.admin.imports import run_import
from bot.admin.render import errors_text, import_outcome, import_progress, refused_text, status_embed
from commands.admin import ImportSummary, is_admin

if TYPE_CHECKING:
    from bot.client import HansardBot

log = logging.getLogger(__name__)


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
            await interaction.response.send_message(refused_text(refusal), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        requested_by = f"{interaction.user} ({interaction.user.id})"

        async def show_progress(summary: ImportSummary) -> None:
            await interaction.edit_original_response(content=import_progress(source, summary))

        outcome = await run_import(self.bot.admin, source, requested_by, show_progress)
        await interaction.edit_original_response(content=import_outcome(source, outcome))

    @app_commands.command(name="status", description="Data, database, imports and schedules")
    async def status(self, interaction: discord.Interaction) -> None:
        status = await asyncio.to_thread(self.bot.admin.status)
        digests = await asyncio.to_thread(self.bot.digests.upcoming, self.bot.clock())
        embed = status_embed(status, self.bot.started_at, self.bot.import_scheduler.next_runs(), digests)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="errors", description="Failures of the latest import, file:line: reason")
    @app_commands.describe(page="Page of the list")
    async def errors(self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1) -> None:
        found = await asyncio.to_thread(self.bot.admin.errors, page)
        await interaction.response.send_message(errors_text(found), ephemeral=True)


async def setup(bot: HansardBot) -> None:
    guild_id = bot.settings.admin_guild_id
    if guild_id is not None:
        # Registered only where the operators are; the checks above apply all the same.
        await bot.add_cog(AdminCog(bot), guild=discord.Object(id=guild_id))
    else:
        await bot.add_cog(AdminCog(bot))
