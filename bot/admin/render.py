"""Admin replies as Discord text and embeds.

Paths, sources and the names of who asked are escaped here, through
`bot.discord_text.escape_for_discord`, and nowhere else.
"""

from __future__ import annotations

import datetime as dt

import discord

from bot.discord_text import CONTENT_LIMIT, FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, escape_for_discord
from bot.render import HANSARD_COLOUR
from commands.admin import AdminStatus, ErrorsPage, ImportSummary, ReimportOutcome, describe_summary
from commands.digest import SubscriptionInfo
from commands.text import truncate

# Sources listed in the status embed (25 fields at most, and room for the rest).
STATUS_SOURCES = 10


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    return discord.utils.format_dt(moment, "R")


def _size(size: int | None) -> str:
    if size is None:
        return "unknown"
    return f"{size / 1024 / 1024:,.1f} MB"


def import_progress(source: str, summary: ImportSummary) -> str:
    return f"Importing {escape_for_discord(source)}… {describe_summary(summary)}"


def refused_text(reason: str) -> str:
    """Why an import did not start (an unknown source, another import running)."""
    return truncate(escape_for_discord(reason), CONTENT_LIMIT)


def import_outcome(source: str, outcome: ReimportOutcome) -> str:
    """The last word on /admin reimport."""
    if outcome.refused:
        return refused_text(outcome.refused)
    if outcome.error:
        text = f"Import of {escape_for_discord(source)} failed, nothing was stored: {escape_for_discord(outcome.error)}"
    else:
        assert outcome.summary is not None
        text = f"Imported {escape_for_discord(source)}: {describe_summary(outcome.summary)}."
        if outcome.summary.failed:
            text += " See /admin errors for the failures."
    return truncate(text, CONTENT_LIMIT)


def status_embed(
    status: AdminStatus,
    started_at: dt.datetime,
    next_imports: dict[str, dt.datetime | None],
    digests: tuple[int, list[SubscriptionInfo]],
) -> discord.Embed:
    """/admin status: data, database, imports, each source, and the digests that run next."""
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
    embed.add_field(name="Up since", value=_when(started_at), inline=True)
    last = stats.last_import
    if last is not None:
        embed.add_field(
            name="Last import",
            value=truncate(
                f"{_when(last.finished_at or last.started_at)} by {escape_for_discord(last.requested_by or 'unknown')} "
                f"({last.status}): "
                f"{last.new:,} new, {last.updated:,} updated, {last.unchanged:,} unchanged, {last.failed:,} failed",
                FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    if status.running is not None:
        embed.add_field(
            name="Importing now",
            value=truncate(
                f"{escape_for_discord(status.running.source or '?')} "
                f"for {escape_for_discord(status.running.requested_by or '?')}",
                FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    for source_status in status.sources[:STATUS_SOURCES]:
        source = source_status.source
        run = source_status.last_run
        next_run = next_imports.get(source.name)
        embed.add_field(
            name=truncate(f"Source {source.name}", FIELD_NAME_LIMIT),
            value=truncate(
                f"last {_when(run.finished_at if run else None)}; "
                f"next {_when(next_run) if next_run else 'not scheduled'}",
                FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
    active, soonest = digests
    embed.add_field(
        name=f"Digests ({active:,} active)",
        value="\n".join(f"#{info.id} in channel {info.channel_id}: {_when(info.next_run)}" for info in soonest)
        or "none scheduled",
        inline=False,
    )
    return embed


def errors_text(found: ErrorsPage) -> str:
    """/admin errors: one page of the latest import's failures, as written, in a code block."""
    if found.run is None:
        return "No import has run yet."
    if not found.lines:
        return f"Import #{found.run.id} had no failures."
    # A code block shows paths and reasons as written; backticks inside could close it, so they go.
    body = "\n".join(line.replace("`", "'") for line in found.lines)
    heading = (
        f"Import #{found.run.id} ({escape_for_discord(found.run.source)}), failures page {found.page} of {found.pages}:"
    )
    body = truncate(body, CONTENT_LIMIT - len(heading) - 10)
    return f"{heading}\n```\n{body}\n```"
