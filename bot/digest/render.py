"""Digest replies as Discord text and embeds, within Discord's limits.

Every stored or typed string (descriptions, debate titles, members, parties) is
escaped here, through
`bot.discord_text.escape_for_discord`, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord import app_commands

from bot.discord_text import (
    CONTENT_LIMIT,
    EMBED_TOTAL,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MAX_FIELDS,
    TITLE_LIMIT,
    escape_for_discord,
    highlight_for_discord,
)
from bot.render import ATTRIBUTION, HANSARD_COLOUR, citation
from commands.digest import DigestContent, DigestReply, SubscriptionInfo, timezone_names
from commands.replies import ResultItem
from commands.text import truncate
from commands.vote_replies import DivisionItem

# Room kept in a digest embed for the closing "and N more" field.
MORE_FIELD_ROOM = 300


def _line(item: ResultItem) -> str:
    party = f" ({escape_for_discord(item.party)})" if item.party else ""
    who = f"{escape_for_discord(item.member) if item.member else 'No member named'}{party}"
    return f"• **{who}**: {highlight_for_discord(item.excerpt, item.highlights)} {citation(item)}"


def _divisions(divisions: list[DivisionItem]) -> str:
    """One line per division (date, number, result, question), as many as fit in a field."""
    lines: list[str] = []
    for item in divisions:
        result = "agreed" if item.passed else "not agreed"
        counts = f"{item.yes_label} {item.ayes}, {item.no_label} {item.noes}"
        question = escape_for_discord(truncate(item.question or item.heading or item.debate or "", 200))
        line = f"• {item.date.day} {item.date:%b %Y}, division {item.number}: {result} ({counts}) {question}"
        if len("\n".join([*lines, line])) > FIELD_VALUE_LIMIT:
            break
        lines.append(line)
    return "\n".join(lines)


def render_digest(content: DigestContent, marker: str | None = None) -> discord.Embed:
    """A digest as one embed: a field per debate, cut to Discord's limits with "and N more".

    ``marker`` (the delivery's, for posted digests) goes in the footer, where a later
    attempt at the same delivery looks for it.
    """
    embed = discord.Embed(
        title=truncate(escape_for_discord(content.title), TITLE_LIMIT),
        description=f"{content.total_text()} new contributions",
        colour=HANSARD_COLOUR,
    )
    embed.set_footer(text=truncate(f"{marker} · {ATTRIBUTION}" if marker else ATTRIBUTION, FOOTER_LIMIT))
    if content.divisions:
        embed.description = f"{embed.description}, {len(content.divisions):,} new divisions"
        embed.add_field(name="Divisions", value=_divisions(content.divisions), inline=False)
    shown = 0
    for section in content.sections:
        if len(embed.fields) >= MAX_FIELDS - 1:
            break
        lines: list[str] = []
        for item in section.items:
            line = _line(item)
            if len("\n".join([*lines, line])) > FIELD_VALUE_LIMIT:
                break
            lines.append(line)
        if not lines:
            continue
        name, value = truncate(escape_for_discord(section.debate), FIELD_NAME_LIMIT), "\n".join(lines)
        # Measured before adding: Embed.copy() shares its list of fields with the original.
        if len(embed) + len(name) + len(value) > EMBED_TOTAL - MORE_FIELD_ROOM:
            break
        embed.add_field(name=name, value=value, inline=False)
        shown += len(lines)
    more = content.total - shown
    if more > 0:
        embed.add_field(
            name=f"and {more:,}{'+' if content.total_capped else ''} more",
            value="Use /hansard search to see the rest.",
            inline=False,
        )
    return embed


def carries_marker(embed: discord.Embed, marker: str) -> bool:
    """Whether ``embed`` is the digest that ``render_digest`` made with ``marker``."""
    return bool(embed.footer.text and embed.footer.text.startswith(f"{marker} · "))


def reply_text(reply: DigestReply) -> str:
    """The answer to /digest subscribe, unsubscribe or resume."""
    if reply.ok and reply.subscription is not None:
        done = "Alert set" if reply.subscription.personal else "Subscribed"
        lines = [f"{done}: {reply.subscription.described(escape_for_discord)}."]
    else:
        lines = [escape_for_discord(reply.message)]
    lines += [f"• {escape_for_discord(name)}" for name in reply.candidates[:10]]
    if reply.subscription and reply.subscription.next_run:
        next_one = "Next alert" if reply.subscription.personal else "Next digest"
        lines.append(f"{next_one}: {discord.utils.format_dt(reply.subscription.next_run, 'F')}")
    return truncate("\n".join(lines), CONTENT_LIMIT)


def _state(info: SubscriptionInfo) -> str:
    if info.paused:
        return f"paused: {escape_for_discord(info.paused_reason or 'no reason recorded')}"
    if info.next_run is None:
        return "after each import"
    return f"next {discord.utils.format_dt(info.next_run, 'R')}"


def subscription_list(infos: list[SubscriptionInfo]) -> str:
    """/digest list: one line per subscription of the channel."""
    if not infos:
        return "This channel has no digests. Add one with /digest subscribe."
    return truncate(
        "\n".join(f"• {info.described(escape_for_discord)} — {_state(info)}" for info in infos), CONTENT_LIMIT
    )


def alert_list(infos: list[SubscriptionInfo]) -> str:
    """/alert list: one line per alert of the user."""
    if not infos:
        return "You have no alerts. Add one with /alert add."
    return truncate(
        "\n".join(f"• {info.described(escape_for_discord)} — {_state(info)}" for info in infos), CONTENT_LIMIT
    )


def pause_notice(infos: list[SubscriptionInfo]) -> str:
    """Told once, with the user's next command, when their alerts were paused."""
    lines = [
        f"Your alert {info.described(escape_for_discord)} is paused: {escape_for_discord(info.paused_reason or '')}"
        for info in infos
    ]
    lines.append("Open your DMs to this bot, then /alert resume.")
    return truncate("\n".join(lines), CONTENT_LIMIT)


def choice_name(info: SubscriptionInfo) -> str:
    """A subscription in an autocomplete list: plain text (Discord shows choices literally)."""
    return truncate(info.description, 100)


def subscription_choices(infos: Sequence[SubscriptionInfo], current: str) -> list[app_commands.Choice[int]]:
    """What a digest or alert option offers as the user types: those whose description holds it ("#3" too)."""
    wanted = current.strip().lower().lstrip("#")
    return [
        app_commands.Choice(name=choice_name(info), value=info.id)
        for info in infos
        if wanted in info.description.lower()
    ][:25]


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    """What a time zone option offers as the user types."""
    return [app_commands.Choice(name=name, value=name) for name in timezone_names(current)]


def preview_text(content: DigestContent) -> str:
    return f"The next digest would hold {content.summary()}:"
