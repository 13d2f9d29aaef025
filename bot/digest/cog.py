"""The /digest commands: subscribe a channel to scheduled digests, list, preview, unsubscribe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.digest.render import (
    preview_text,
    render_digest,
    reply_text,
    subscription_choices,
    subscription_list,
    timezone_choices,
)
from bot.hansard.cog import bill_autocomplete, member_autocomplete
from commands.digest import WEEKDAYS, DigestReply, SubscribeRequest

if TYPE_CHECKING:
    from bot.client import HansardBot

Frequency = Literal["daily", "weekly"]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HouseChoice = Literal["Commons", "Lords"]
# Subscription ids are 32-bit in the store; a larger number typed by hand is refused by Discord itself.
SubscriptionId = app_commands.Range[int, 1, 2**31 - 1]

assert len(WEEKDAYS) == 7


async def timezone_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The time zone options of /digest and /alert, as the user types."""
    return timezone_choices(current)


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class DigestCog(commands.GroupCog, group_name="digest", group_description="Scheduled digests of new Hansard"):
    def __init__(self, bot: HansardBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Manage Channels, checked here too: default_permissions is only a hint that servers can change."""
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage("Digests are managed inside a server.")
        if not interaction.permissions.manage_channels:
            raise app_commands.CheckFailure("You need the Manage Channels permission to manage digests here.")
        return True

    async def subscription_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None or not interaction.permissions.manage_channels:
            return []
        now = self.bot.clock()
        infos = await asyncio.to_thread(self.bot.digests.subscriptions, interaction.guild_id, None, now)
        return subscription_choices(infos, current)

    @app_commands.command(name="subscribe", description="Post a digest of new contributions to this channel")
    @app_commands.describe(
        frequency="Daily, or weekly on a weekday",
        time="Local time to post, e.g. 08:00",
        weekday="For weekly digests",
        timezone="Time zone of the time (default Europe/London)",
        member="Only contributions by this Member",
        bill="Only debates on this Bill",
        keywords="Only contributions matching these words (search syntax)",
        house="Only this House",
    )
    @app_commands.autocomplete(member=member_autocomplete, bill=bill_autocomplete, timezone=timezone_autocomplete)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        frequency: Frequency,
        time: app_commands.Range[str, 1, 5] = "08:00",
        weekday: Weekday | None = None,
        timezone: app_commands.Range[str, 1, 64] = "Europe/London",
        member: str | None = None,
        bill: str | None = None,
        keywords: app_commands.Range[str, 1, 200] | None = None,
        house: HouseChoice | None = None,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        request = SubscribeRequest(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
            frequency=frequency,
            time_of_day=time,
            weekday=weekday,
            timezone=timezone,
            member=member,
            bill=bill,
            keywords=keywords,
            house=house,
        )
        reply = await asyncio.to_thread(self.bot.digests.subscribe, request, self.bot.clock())
        await interaction.response.send_message(reply_text(reply), ephemeral=not reply.ok)

    @app_commands.command(name="list", description="This channel's digests and when each runs next")
    async def list_subscriptions(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        now = self.bot.clock()
        infos = await asyncio.to_thread(
            self.bot.digests.subscriptions, interaction.guild_id, interaction.channel_id, now
        )
        await interaction.response.send_message(subscription_list(infos), ephemeral=True)

    @app_commands.command(name="unsubscribe", description="Remove one of this server's digests")
    @app_commands.describe(subscription="The digest to remove")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def unsubscribe(self, interaction: discord.Interaction, subscription: SubscriptionId) -> None:
        await self._change(interaction, self.bot.digests.unsubscribe, subscription)

    @app_commands.command(name="resume", description="Deliver a paused digest again")
    @app_commands.describe(subscription="The paused digest")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def resume(self, interaction: discord.Interaction, subscription: SubscriptionId) -> None:
        await self._change(interaction, self.bot.digests.resume, subscription)

    async def _change(
        self, interaction: discord.Interaction, change: Callable[[int, int], DigestReply], subscription: int
    ) -> None:
        """Change one of this guild's subscriptions (the next tick of the digest clock sees it)."""
        assert interaction.guild_id is not None
        reply = await asyncio.to_thread(change, interaction.guild_id, subscription)
        await interaction.response.send_message(reply_text(reply), ephemeral=True)

    @app_commands.command(name="preview", description="What the next digest would contain now")
    @app_commands.describe(subscription="The digest to preview")
    @app_commands.autocomplete(subscription=subscription_autocomplete)
    async def preview(self, interaction: discord.Interaction, subscription: SubscriptionId) -> None:
        assert interaction.guild_id is not None
        found = await asyncio.to_thread(self.bot.digests.subscription, subscription, interaction.guild_id)
        if found is None:
            await interaction.response.send_message(f"There is no digest #{subscription} here.", ephemeral=True)
            return
        content = await asyncio.to_thread(self.bot.digests.preview, found)
        if content is None:
            await interaction.response.send_message(
                "Nothing new matches this digest yet: the next one would not be posted.", ephemeral=True
            )
            return
        await interaction.response.send_message(
            preview_text(content),
            embed=render_digest(content),
            ephemeral=True,
        )


async def setup(bot: HansardBot) -> None:
    await bot.add_cog(DigestCog(bot))
