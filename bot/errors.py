"""The one place that decides what a user sees when a command fails unexpectedly.

Errors the user can act on (no results, ambiguous names, bad dates) are not
exceptions: the core returns them as replies. What reaches this handler is, in
this order: a failed check (the user may not run the command), Discord itself
refusing a request, and anything else, which is a bug: the user gets a short
apology and the log gets the details.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong answering that. It has been logged; please try again in a moment."


def user_message(error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You are not allowed to use this command here."
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, discord.HTTPException):
        return "Discord refused the reply (it may be too long, or I may lack permission here)."
    return APOLOGY


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    command = interaction.command.qualified_name if interaction.command else "?"
    if isinstance(error, app_commands.CheckFailure):
        log.info("check failed for /%s by user %s: %s", command, interaction.user.id, error)
    else:
        original = getattr(error, "original", error)
        log.error(
            "/%s by user %s in guild %s failed",
            command,
            interaction.user.id,
            interaction.guild_id,
            exc_info=(type(original), original, original.__traceback__),
        )
    message = user_message(error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user %s about the failure of /%s", interaction.user.id, command)
