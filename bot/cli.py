"""The ``hansard-bot`` command line: import data, ask questions, run the bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import click
import discord
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from bot.client import HansardBot
from bot.console import BOLD, CONSOLE_HELP, NO_BOLD, Reply, render, split_line
from bot.insight.cli import register as register_insight
from bot.insight.cli import write_search_csv
from bot.settings import admin_core, digest_core, get_settings, process_name
from commands.admin import AdminCore, stop_if_lost
from commands.ask import ask
from commands.core import HansardCore, SearchRequest
from commands.digest import DigestCore
from commands.text import plain_text
from storage.db import make_engine, migrate
from storage.digests import list_subscriptions
from storage.import_lock import ImportBusy, holding
from storage.importer import ImportSummary, import_paths
from storage.reference_data import bundled_data_dir
from storage.search import SortOrder
from storage.store import find_contribution, record_dict

err_console = Console(stderr=True)
DEMO_QUESTIONS = ("what did tim loughton say about serious case reviews", "who spoke about Yarl's Wood")


def open_store(database_url: str | None = None) -> Engine:
    """The engine for the configured database, with its schema brought up to date."""
    engine = make_engine(database_url or get_settings().database_url)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    migrate(engine)
    return engine


def bundled_import_paths() -> list[Path]:
    data = bundled_data_dir()
    return [data / "samples", data / "hansard_twfy_xml_2010"]


def print_import_summary(summary: ImportSummary) -> None:
    click.echo(
        f"Import #{summary.run_id}: {summary.files_done} files, {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
    )
    for error in summary.errors:
        click.echo(f"  {error}", err=True)


def import_with_progress(engine: Engine, paths: list[Path], requested_by: str) -> ImportSummary:
    """Import under the import lock (one at a time, also beside a running bot), with a
    progress bar on a terminal. Exits with a message if another import is running."""
    label = ", ".join(str(p) for p in paths)
    try:
        with holding(engine, process_name("cli"), requested_by, label) as lost:
            return _import_showing_progress(engine, paths, requested_by, lost)
    except ImportBusy as busy:
        click.echo(str(busy), err=True)
        sys.exit(2)


def _import_showing_progress(
    engine: Engine, paths: list[Path], requested_by: str, lost: threading.Event
) -> ImportSummary:
    if not err_console.is_terminal:
        return import_paths(engine, paths, requested_by=requested_by, progress=stop_if_lost(lost, None))
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        # No total: counting first would walk (and sort) every path before the import starts.
        task = progress.add_task("import", total=None, detail="")

        def on_progress(summary: ImportSummary) -> None:
            detail = f"{summary.new} new, {summary.updated} updated, {summary.failed} failed"
            progress.update(task, completed=summary.files_done, detail=detail)

        return import_paths(engine, paths, requested_by=requested_by, progress=stop_if_lost(lost, on_progress))


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@click.group()
@click.option("--database-url", envvar="DATABASE_URL", default=None, help="Overrides DATABASE_URL.")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """Hansard bot: UK Parliament debates, searchable from Discord and the terminal."""
    logging.basicConfig(level=get_settings().log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    # The console re-enters this group with its own context object: keep its store.
    ctx.ensure_object(dict)
    ctx.obj.setdefault("database_url", database_url)


def _engine(ctx: click.Context) -> Engine:
    engine: Engine | None = ctx.obj.get("engine")
    if engine is None:
        engine = open_store(ctx.obj["database_url"])
        ctx.obj["engine"] = engine
    return engine


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import files, directories, .zip or .tar.gz archives (either format)."""
    summary = import_with_progress(_engine(ctx), list(paths), requested_by="cli")
    print_import_summary(summary)
    if not summary.ok:
        sys.exit(1)


@main.command("show")
@click.argument("uri_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.pass_context
def show_command(ctx: click.Context, uri_or_id: str, as_json: bool) -> None:
    """Show one stored contribution by URI or numeric id."""
    row = find_contribution(_engine(ctx), uri_or_id)
    if row is None:
        click.echo(f"No contribution with URI or id {uri_or_id!r}.", err=True)
        sys.exit(1)
    record = record_dict(row)
    if as_json:
        echo_json(record)
        return
    click.echo(f"{record['title']} — {record['member'] or 'no member'} ({record['party'] or 'no party'})")
    click.echo(f"{', '.join(record['houses'])}, {record['sitting_date']}")
    click.echo(record["uri"])
    click.echo()
    click.echo("\n\n".join(record["paragraphs"]))


def _core(ctx: click.Context) -> HansardCore:
    core: HansardCore | None = ctx.obj.get("core")
    if core is None:
        core = HansardCore(_engine(ctx), excerpt_length=get_settings().excerpt_length)
        ctx.obj["core"] = core
    return core


def _answer(reply: Reply, as_json: bool) -> None:
    if as_json:
        echo_json(reply.to_json())
    else:
        click.echo(render(reply, BOLD if sys.stdout.isatty() else NO_BOLD))


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
@click.option("--sort", type=click.Choice([s.value for s in SortOrder]), default="relevance")
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
    _answer(_core(ctx).search(request), as_json)


register_insight(main, _core, echo_json)


@main.command("ask")
@click.argument("question", nargs=-1, required=True)
@json_option
@click.pass_context
def ask_command(ctx: click.Context, question: tuple[str, ...], as_json: bool) -> None:
    """A question in plain words, e.g. "latest from jack straw"."""
    _answer(ask(_core(ctx), " ".join(question)), as_json)


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
        try:
            main.main(args=args, standalone_mode=False, obj=ctx.obj, prog_name="hansard")
        except click.ClickException as exc:
            click.echo(exc.format_message(), err=True)
        except click.exceptions.Exit:
            pass


CONSOLE_COMMANDS = {"ask", "search", "member", "bill", "show"}


def _token() -> str:
    token = get_settings().discord_token
    if token is None or not token.get_secret_value().strip():
        click.echo(
            "DISCORD_TOKEN is not set. Put your bot's token in the environment or in a .env file "
            "(see README.md, Configuration). To try the bot without Discord: hansard-bot demo",
            err=True,
        )
        sys.exit(2)
    return token.get_secret_value().strip()


@main.command("run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Start the Discord bot (commands are synced separately, with `sync`)."""
    token = _token()
    settings = get_settings()
    bot = HansardBot(settings, _engine(ctx), core=_core(ctx))
    bot.run(token, log_handler=None)


@main.command("sync")
@click.option("--guild", "guild_id", type=int, default=None, help="Sync to one guild (instant) instead of globally.")
@click.pass_context
def sync_command(ctx: click.Context, guild_id: int | None) -> None:
    """Register the slash commands with Discord (after installing or upgrading the bot)."""
    token = _token()
    settings = get_settings()
    guild_id = guild_id or settings.dev_guild_id

    async def sync() -> int:
        bot = HansardBot(settings, _engine(ctx), core=_core(ctx))
        async with bot:
            await bot.login(token)
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
            else:
                synced = await bot.tree.sync()
        return len(synced)

    count = asyncio.run(sync())
    click.echo(f"Synced {count} commands {'to guild ' + str(guild_id) if guild_id else 'globally'}.")


@main.group("digest")
def digest_group() -> None:
    """Scheduled digests: list subscriptions, preview one, deliver what is due now."""


def _digests(ctx: click.Context) -> DigestCore:
    return digest_core(_core(ctx), get_settings(), claimant=process_name("cli"))


@digest_group.command("list")
@click.pass_context
def digest_list_command(ctx: click.Context) -> None:
    """Every subscription, with its next run."""
    digests = _digests(ctx)
    now = dt.datetime.now(dt.UTC)
    rows = list_subscriptions(digests.engine)
    if not rows:
        click.echo("No digest subscriptions.")
    for subscription in rows:
        info = digests.info(subscription, now)
        state = f"paused: {info.paused_reason}" if subscription.paused else f"next {info.next_run:%Y-%m-%d %H:%M} UTC"
        click.echo(
            f"guild {subscription.guild_id} channel {subscription.channel_id} {plain_text(info.description)} — {state}"
        )


@digest_group.command("preview")
@click.argument("subscription_id", type=int)
@click.pass_context
def digest_preview_command(ctx: click.Context, subscription_id: int) -> None:
    """What the next digest of a subscription would contain now."""
    digests = _digests(ctx)
    subscription = digests.subscription(subscription_id)
    if subscription is None:
        click.echo(f"No digest #{subscription_id}.", err=True)
        sys.exit(1)
    content = digests.preview(subscription)
    if content is None:
        click.echo("Nothing new: the next digest would not be posted.")
        return
    click.echo(f"{plain_text(content.title)}: {content.total_text()} contributions")
    for section in content.sections:
        click.echo(f"  {plain_text(section.debate)}")
        for item in section.items:
            click.echo(f"    {plain_text(item.member or '')}: {item.reference or ''} {item.uri}")


@digest_group.command("run-now")
@click.pass_context
def digest_run_now_command(ctx: click.Context) -> None:
    """Deliver every digest that is due now (needs DISCORD_TOKEN; safe beside a running bot)."""
    token = _token()
    settings = get_settings()

    async def deliver() -> int:
        bot = HansardBot(settings, _engine(ctx), core=_core(ctx), start_scheduler=False)
        async with bot:
            await bot.login(token)
            return await bot.digest_scheduler.run_due()

    click.echo(f"Posted {asyncio.run(deliver())} digests.")


def _admin(ctx: click.Context) -> AdminCore:
    return admin_core(_core(ctx), get_settings(), holder=process_name("cli"))


@main.command("reimport")
@click.option("--source", "source_name", required=True, help="A source named in IMPORT_SOURCES.")
@click.pass_context
def reimport_command(ctx: click.Context, source_name: str) -> None:
    """Re-import a configured source (one import at a time, also across bot processes)."""
    outcome = _admin(ctx).reimport(source_name, requested_by=f"cli ({getpass.getuser()})")
    if outcome.refused:
        click.echo(outcome.refused, err=True)
        sys.exit(2)
    if outcome.error:
        click.echo(f"Import failed, nothing was stored: {outcome.error}", err=True)
        sys.exit(1)
    assert outcome.summary is not None
    print_import_summary(outcome.summary)
    if not outcome.summary.ok:
        sys.exit(1)


@main.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Data loaded, database, the latest import and each source's last import."""
    status = _admin(ctx).status()
    stats = status.stats
    click.echo(f"hansard-bot {status.version}, {status.backend} database ({(status.size_bytes or 0) / 1e6:.1f} MB)")
    click.echo(
        f"{stats.contributions:,} contributions, {stats.members:,} members, {stats.bills:,} bills, "
        f"{stats.first_date or '-'} to {stats.last_date or '-'}"
    )
    last = stats.last_import
    if last is not None:
        click.echo(
            f"Last import #{last.id} ({last.status}) {last.finished_at or last.started_at} by {last.requested_by}: "
            f"{last.new} new, {last.updated} updated, {last.unchanged} unchanged, {last.failed} failed"
        )
    if status.running is not None:
        click.echo(f"Importing now: {status.running.source} for {status.running.requested_by}")
    for source_status in status.sources:
        run = source_status.last_run
        schedule = source_status.source.schedule or "no schedule"
        click.echo(f"Source {source_status.source.label} ({schedule}): last {run.finished_at if run else 'never'}")


@main.command("errors")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.pass_context
def errors_command(ctx: click.Context, page: int) -> None:
    """The failures of the latest import, file:line: reason."""
    found = _admin(ctx).errors(page, page_size=50)
    if found.run is None:
        click.echo("No import has run yet.")
        return
    click.echo(f"Import #{found.run.id} ({found.run.source}): page {found.page} of {found.pages}")
    for line in found.lines:
        click.echo(line)


@main.command("db-upgrade")
@click.pass_context
def db_upgrade_command(ctx: click.Context) -> None:
    """Create or upgrade the database schema (every command also does this)."""
    engine = _engine(ctx)
    click.echo(f"Schema is up to date on {engine.url.render_as_string(hide_password=True)}")


@main.command("demo")
@click.pass_context
def demo_command(ctx: click.Context) -> None:
    """Import the bundled real Hansard data and answer a question from it."""
    engine = _engine(ctx)
    click.echo(f"Database: {engine.url.render_as_string(hide_password=True)}")
    summary = import_with_progress(engine, bundled_import_paths(), requested_by="demo")
    print_import_summary(summary)
    core = _core(ctx)
    for question in DEMO_QUESTIONS:
        click.echo()
        click.echo(f"$ hansard-bot ask {question!r}")
        _answer(ask(core, question), as_json=False)
    click.echo()
    click.echo("Try more: hansard-bot console")
    if not summary.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
