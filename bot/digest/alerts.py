"""The /alert commands: a personal digest in the user's DMs, from anywhere the bot is.

Alerts are digests with one reader: the same claims, exactly once, and the same
clock deliver them; here they are managed by their owner alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.digest.cog import timezone_autocomplete
from bot.digest.render import alert_list, pause_notice, reply_text, subscription_choices
from bot.hansard.cog import bill_autocomplete, member_autocomplete
from commands.digest import PERSONAL_GUILD_ID, DigestReply, SubscribeRequest

if TYPE_CHECKING:
    from bot.client import HansardBot

log = logging.getLogger(__name__)

AlertFrequency = Literal["new", "daily", "weekly"]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Alert ids are 32-bit in the store, like subscription ids.
AlertId = app_commands.Range[int, 1, 2**31 - 1]


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
class AlertCog(commands.GroupCog, group_name="alert", group_description="Your own Hansard alerts, by DM"):
    def __init__(self, bot: HansardBot) -> None:
        self.bot = bot
        super().__init__()

    async def alert_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        infos = await asyncio.to_thread(self.bot.digests.alerts, interaction.user.id, self.bot.clock())
        return subscription_choices(infos, current)

    @app_commands.command(name="add", description="Get new Hansard on a subject, Member or Bill in your DMs")
    @app_commands.describe(
        keywords="Contributions matching these words (search syntax)",
        member="Contributions by this Member",
        bill="Debates on this Bill",
        frequency="After each import (new), daily, or weekly",
        time="Local time for daily and weekly alerts, e.g. 08:00",
        weekday="For weekly alerts",
        timezone="Time zone of the time (default Europe/London)",
    )
    @app_commands.autocomplete(member=member_autocomplete, bill=bill_autocomplete, timezone=timezone_autocomplete)
    async def add(
        self,
        interaction: discord.Interaction,
        keywords: app_commands.Range[str, 1, 200] | None = None,
        member: str | None = None,
        bill: str | None = None,
        frequency: AlertFrequency = "new",
        time: app_commands.Range[str, 1, 5] = "08:00",
        weekday: Weekday | None = None,
        timezone: app_commands.Range[str, 1, 64] = "Europe/London",
    ) -> None:
        # The DM channel is where the alert goes; opening it is allowed whatever the user's settings.
        dm = interaction.user.dm_channel or await interaction.user.create_dm()
        request = SubscribeRequest(
            guild_id=interaction.guild_id or PERSONAL_GUILD_ID,
            channel_id=dm.id,
            user_id=interaction.user.id,
            frequency=frequency,
            time_of_day=time,
            weekday=weekday,
            timezone=timezone,
            member=member,
            bill=bill,
            keywords=keywords,
            personal=True,
        )
        reply = await asyncio.to_thread(self.bot.digests.subscribe, request, self.bot.clock())
        await interaction.response.send_message(reply_text(reply), ephemeral=True)

    @app_commands.command(name="list", description="Your alerts and when each comes next")
    async def list_alerts(self, interaction: discord.Interaction) -> None:
        infos = await asyncio.to_thread(self.bot.digests.alerts, interaction.user.id, self.bot.clock())
        await interaction.response.send_message(alert_list(infos), ephemeral=True)

    @app_commands.command(name="remove", description="Remove one of your alerts")
    @app_commands.describe(alert="The alert to remove")
    @app_commands.autocomplete(alert=alert_autocomplete)
    async def remove(self, interaction: discord.Interaction, alert: AlertId) -> None:
        await self._change(interaction, self.bot.digests.remove_alert, alert)

    @app_commands.command(name="resume", description="Deliver a paused alert again")
    @app_commands.describe(alert="The paused alert")
    @app_commands.autocomplete(alert=alert_autocomplete)
    async def resume(self, interaction: discord.Interaction, alert: AlertId) -> None:
        await self._change(interaction, self.bot.digests.resume_alert, alert)

    async def _change(
        self, interaction: discord.Interaction, change: Callable[[int, int], DigestReply], alert: int
    ) -> None:
        reply = await asyncio.to_thread(change, interaction.user.id, alert)
        await interaction.response.send_message(reply_text(reply), ephemeral=True)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command | app_commands.ContextMenu,  # type: ignore[type-arg]
    ) -> None:
        """After any command, tell its user (once, privately) why an alert of theirs was paused."""
        notices = await asyncio.to_thread(self.bot.digests.pause_notices, interaction.user.id, self.bot.clock())
        if not notices:
            return
        try:
            await interaction.followup.send(pause_notice(notices), ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell user %s that their alerts were paused", interaction.user.id)


async def setup(bot: HansardBot) -> None:
    await bot.add_cog(AlertCog(bot))
