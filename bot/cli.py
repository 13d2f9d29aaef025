"""The ``hansard-bot`` command line: import data, ask questions, run the bot."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import discord

from bot.admin.cli import ADMIN_COMMANDS, import_with_progress
from bot.bootstrap import bundled_import_paths
from bot.client import DiscordUnreachable, HansardBot, login, run_until_closed
from bot.console import CONSOLE_HELP, Reply, render, split_line, terminal
from bot.digest.cli import digest_group
from bot.insight.cli import register as register_insight
from bot.insight.cli import write_search_csv
from bot.settings import get_settings
from bot.terminal import cores, echo_json, fail, require_token
from bot.votes.cli import register as register_votes
from commands.ask import ask
from commands.core import SORT_ORDERS, HansardCore, SearchRequest

DEMO_QUESTIONS = ("what did tim loughton say about serious case reviews", "who spoke about Yarl's Wood")


@click.group()
@click.option("--database-url", envvar="DATABASE_URL", default=None, help="Overrides DATABASE_URL.")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """Hansard bot: UK Parliament debates, searchable from Discord and the terminal."""
    logging.basicConfig(level=get_settings().log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    # discord.py's own progress lines are for debugging; what an operator needs, the bot logs itself.
    logging.getLogger("discord").setLevel(max(logging.getLogger().level, logging.WARNING))
    # The console re-enters this group with its own context object: keep its store.
    ctx.ensure_object(dict)
    ctx.obj.setdefault("database_url", database_url)


for command in (*ADMIN_COMMANDS, digest_group):
    main.add_command(command)


register_votes(main, lambda ctx: cores(ctx).hansard.engine)


def show_lines(record: dict[str, Any]) -> list[str]:
    return [
        f"{record['title']} — {record['member'] or 'no member'} ({record['party'] or 'no party'})",
        f"{', '.join(record['houses'])}, {record['sitting_date']}",
        record["uri"],
        "",
        "\n\n".join(record["paragraphs"]),
    ]


@main.command("show")
@click.argument("uri_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.pass_context
def show_command(ctx: click.Context, uri_or_id: str, as_json: bool) -> None:
    """Show one stored contribution by URI, numeric id or TheyWorkForYou id (2010-02-10a.1022.0)."""
    record = cores(ctx).hansard.stored_record(uri_or_id)
    if record is None:
        fail(f"No contribution with URI or id {uri_or_id!r}.")
    if as_json:
        echo_json(record)
    else:
        click.echo("\n".join(show_lines(record)))


def _core(ctx: click.Context) -> HansardCore:
    return cores(ctx).hansard


def _answer(reply: Reply, as_json: bool) -> None:
    if as_json:
        echo_json(reply.to_json())
    else:
        terminal().print(render(reply))


def _timed_answer(answering: Callable[[], Reply], as_json: bool) -> None:
    """The answer with ``elapsed_ms``: the time the core spent on it, in this process (not the printing)."""
    started = time.perf_counter()
    reply = answering()
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    if as_json:
        echo_json({**reply.to_json(), "elapsed_ms": elapsed_ms})
    else:
        terminal().print(render(reply))
        terminal().print(f"({elapsed_ms:,.0f} ms)", style="dim")


json_option = click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")


# ignore_unknown_options lets "-word" (an exclusion) through as a search word.
@main.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1)
@click.option("--member", help="Only contributions by this Member (fuzzy).")
@click.option("--bill", help="Only debates on this Bill (fuzzy).")
@click.option("--house", help="Commons or Lords.")
@click.option("--party", help="Only this party, e.g. Labour.")
@click.option("--from", "date_from", help="From this date: 2010-02-01, 1 Feb 2010, Feb 2010.")
@click.option("--to", "date_to", help="Up to this date.")
@click.option("--session", help="Parliamentary session, e.g. 2009-10.")
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write every match to CSV.")
@json_option
@click.pass_context
def search_command(
    ctx: click.Context,
    words: tuple[str, ...],
    member: str | None,
    bill: str | None,
    house: str | None,
    party: str | None,
    date_from: str | None,
    date_to: str | None,
    session: str | None,
    sort: str,
    page: int,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Full-text search: "exact phrase", -exclude, OR; filters by member, bill, house, party, dates."""
    request = SearchRequest(
        query=" ".join(words),
        member=member,
        bill=bill,
        house=house,
        party=party,
        date_from=date_from,
        date_to=date_to,
        session=session,
        sort=sort,
        page=page,
    )
    if csv_path is not None:
        return write_search_csv(_core(ctx), request, csv_path)
    core = _core(ctx)  # set up before the clock starts
    _timed_answer(lambda: core.search(request), as_json)


register_insight(main, lambda ctx: cores(ctx).hansard, echo_json)


# ignore_unknown_options: "-tabloid" is a word of the question (an exclusion), as in search.
@main.command("ask", context_settings={"ignore_unknown_options": True})
@click.argument("question", nargs=-1, required=True)
@json_option
@click.pass_context
def ask_command(ctx: click.Context, question: tuple[str, ...], as_json: bool) -> None:
    """A question in plain words, e.g. "latest from jack straw"."""
    core = _core(ctx)  # set up before the clock starts
    _timed_answer(lambda: ask(core, " ".join(question)), as_json)


@main.command("member")
@click.argument("name", nargs=-1, required=True)
@json_option
@click.pass_context
def member_command(ctx: click.Context, name: tuple[str, ...], as_json: bool) -> None:
    """A Member's profile: party, house, activity, latest contributions."""
    _answer(_core(ctx).member(" ".join(name)), as_json)


@main.command("bill")
@click.argument("title", nargs=-1, required=True)
@json_option
@click.pass_context
def bill_command(ctx: click.Context, title: tuple[str, ...], as_json: bool) -> None:
    """A Bill's summary: sessions, dates debated, who spoke most."""
    _answer(_core(ctx).bill(" ".join(title)), as_json)


@main.command("console")
@click.pass_context
def console_command(ctx: click.Context) -> None:
    """An interactive prompt taking the same commands, for trying the bot without Discord."""
    _core(ctx)
    click.echo(CONSOLE_HELP)
    while True:
        try:
            line = input("hansard> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not line:
            continue
        args = split_line(line)
        if args[0] in {"quit", "exit"}:
            return
        if args[0] == "help":
            click.echo(CONSOLE_HELP)
            continue
        if args[0] not in CONSOLE_COMMANDS:
            args = ["ask", *args]
        run_console_line(ctx, args)


CONSOLE_COMMANDS = {"ask", "search", "member", "bill", "show"}


def run_console_line(ctx: click.Context, args: list[str]) -> None:
    """One console command; whatever it ends with, the prompt goes on."""
    try:
        main.main(args=args, standalone_mode=False, obj=ctx.obj, prog_name="hansard")
    except click.ClickException as exc:
        click.echo(exc.format_message(), err=True)
    except (click.exceptions.Exit, click.exceptions.Abort, SystemExit):
        pass
    except Exception as exc:  # a bug: one line here, the details in the log
        logging.getLogger(__name__).debug("console command %s failed", args, exc_info=True)
        click.echo(f"Sorry, that failed: {type(exc).__name__}. Try another command.", err=True)


@main.command("run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Start the Discord bot (commands are synced separately, with `sync`)."""
    token = require_token()
    settings = get_settings()
    app = cores(ctx)
    bot = HansardBot(settings, app.engine, core=app.hansard)
    try:
        asyncio.run(run_until_closed(bot, token))
    except DiscordUnreachable as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        pass


@main.command("sync")
@click.option("--guild", "guild_id", type=int, default=None, help="Sync to one guild (instant) instead of globally.")
@click.pass_context
def sync_command(ctx: click.Context, guild_id: int | None) -> None:
    """Register the slash commands with Discord (after installing or upgrading the bot)."""
    token = require_token()
    settings = get_settings()
    guild_id = guild_id or settings.dev_guild_id
    app = cores(ctx)

    async def sync() -> int:
        bot = HansardBot(settings, app.engine, core=app.hansard)
        async with bot:
            await login(bot, token)
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
            else:
                synced = await bot.tree.sync()
        return len(synced)

    try:
        count = asyncio.run(sync())
    except DiscordUnreachable as exc:
        fail(str(exc), 1)
    click.echo(f"Synced {count} commands {'to guild ' + str(guild_id) if guild_id else 'globally'}.")


@main.command("db-upgrade")
@click.pass_context
def db_upgrade_command(ctx: click.Context) -> None:
    """Create or upgrade the database schema (every command also does this)."""
    engine = cores(ctx).engine
    click.echo(f"Schema is up to date on {engine.url.render_as_string(hide_password=True)}")


@main.command("demo")
@click.pass_context
def demo_command(ctx: click.Context) -> None:
    """Import the bundled real Hansard data and answer a question from it."""
    app = cores(ctx)
    click.echo(f"Database: {app.engine.url.render_as_string(hide_password=True)}")
    summary = import_with_progress(app.admin, bundled_import_paths(), requested_by="demo")
    for question in DEMO_QUESTIONS:
        click.echo()
        click.echo(f"$ hansard-bot ask {question!r}")
        _answer(ask(app.hansard, question), as_json=False)
    click.echo()
    click.echo("Try more: hansard-bot console")
    if not summary.ok:
        raise click.exceptions.Exit(1)


if __name__ == "__main__":
    main()
