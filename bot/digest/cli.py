"""`hansard-bot digest ...`: subscriptions and their next runs, a preview, posting what is due now."""

from __future__ import annotations

import asyncio
import datetime as dt

import click

from bot.client import HansardBot, login
from bot.digest.scheduler import BotChannels, DigestScheduler
from bot.settings import get_settings
from bot.terminal import cores, fail, require_token
from commands.digest import DigestContent, SubscriptionInfo


def subscription_line(info: SubscriptionInfo) -> str:
    if info.paused:
        state = f"paused: {info.paused_reason}"
    else:
        state = f"next {info.next_run:%Y-%m-%d %H:%M} UTC" if info.next_run else "after each import"
    where = f"user {info.subscription.user_id} (DM)" if info.personal else f"guild {info.guild_id}"
    return f"{where} channel {info.channel_id} {info.description} — {state}"


def preview_lines(content: DigestContent) -> list[str]:
    lines = [f"{content.title}: {content.summary()}"]
    for division in content.divisions:
        counts = f"{division.yes_label} {division.ayes}, {division.no_label} {division.noes}"
        about = division.question or division.heading or division.debate or ""
        lines.append(f"  {division.date:%Y-%m-%d} division {division.number}: {division.result} ({counts}) {about}")
    for section in content.sections:
        lines.append(f"  {section.debate}")
        lines += [f"    {item.member or ''}: {item.reference or ''} {item.uri}" for item in section.items]
    return lines


@click.group("digest")
def digest_group() -> None:
    """Scheduled digests: list subscriptions, preview one, deliver what is due now."""


@digest_group.command("list")
@click.pass_context
def digest_list_command(ctx: click.Context) -> None:
    """Every subscription, with its next run."""
    infos = cores(ctx).digests.subscriptions(None, None, dt.datetime.now(dt.UTC))
    if not infos:
        click.echo("No digest subscriptions.")
    for info in infos:
        click.echo(subscription_line(info))


@digest_group.command("preview")
@click.argument("subscription_id", type=int)
@click.pass_context
def digest_preview_command(ctx: click.Context, subscription_id: int) -> None:
    """What the next digest of a subscription would contain now."""
    digests = cores(ctx).digests
    subscription = digests.subscription(subscription_id)
    if subscription is None:
        fail(f"No digest #{subscription_id}.")
    content = digests.preview(subscription)
    if content is None:
        click.echo("Nothing new: the next digest would not be posted.")
        return
    click.echo("\n".join(preview_lines(content)))


@digest_group.command("run-now")
@click.pass_context
def digest_run_now_command(ctx: click.Context) -> None:
    """Deliver every digest that is due now (needs DISCORD_TOKEN; safe beside a running bot)."""
    token = require_token()
    app = cores(ctx)

    async def deliver() -> int:
        bot = HansardBot(get_settings(), app.engine, core=app.hansard, start_scheduler=False)
        async with bot:
            await login(bot, token)
            return await DigestScheduler(app.digests, BotChannels(bot)).run_due()

    click.echo(f"Posted {asyncio.run(deliver())} digests.")
