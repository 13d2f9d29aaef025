"""Operators' terminal commands: import files, re-import a configured source, status, errors."""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.terminal import cores, fail
from commands.admin import AdminCore, AdminStatus, ErrorsPage, ImportSummary, ReimportOutcome

err_console = Console(stderr=True)


def summary_line(summary: ImportSummary) -> str:
    return (
        f"Import #{summary.run_id}: {summary.files_done} files, {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
    )


def status_lines(status: AdminStatus) -> list[str]:
    stats = status.stats
    lines = [
        f"hansard-bot {status.version}, {status.backend} database ({(status.size_bytes or 0) / 1e6:.1f} MB)",
        f"{stats.contributions:,} contributions, {stats.members:,} members, {stats.bills:,} bills, "
        f"{stats.first_date or '-'} to {stats.last_date or '-'}",
    ]
    last = stats.last_import
    if last is not None:
        lines.append(
            f"Last import #{last.id} ({last.status}) {last.finished_at or last.started_at} by {last.requested_by}: "
            f"{last.new} new, {last.updated} updated, {last.unchanged} unchanged, {last.failed} failed"
        )
    if status.running is not None:
        lines.append(f"Importing now: {status.running.source} for {status.running.requested_by}")
    for source_status in status.sources:
        run = source_status.last_run
        schedule = source_status.source.schedule or "no schedule"
        lines.append(f"Source {source_status.source.label} ({schedule}): last {run.finished_at if run else 'never'}")
    return lines


def errors_lines(found: ErrorsPage) -> list[str]:
    if found.run is None:
        return ["No import has run yet."]
    return [f"Import #{found.run.id} ({found.run.source}): page {found.page} of {found.pages}", *found.lines]


def report(outcome: ReimportOutcome) -> ImportSummary:
    """Print how an import went; exits 2 if it could not start, 1 if it failed."""
    if outcome.refused:
        fail(outcome.refused, 2)
    if outcome.error:
        fail(f"Import failed, nothing was stored: {outcome.error}")
    assert outcome.summary is not None
    click.echo(summary_line(outcome.summary))
    for error in outcome.summary.errors:
        click.echo(f"  {error}", err=True)
    return outcome.summary


def import_with_progress(admin: AdminCore, paths: Sequence[Path], requested_by: str) -> ImportSummary:
    """Import under the import lock (one at a time, also beside a running bot), with a progress
    bar on a terminal, and report the outcome."""
    if not err_console.is_terminal:
        return report(admin.import_files(paths, requested_by))
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

        outcome = admin.import_files(paths, requested_by, on_progress)
    return report(outcome)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import files, directories, .zip or .tar.gz archives (either format)."""
    if not import_with_progress(cores(ctx).admin, list(paths), requested_by="cli").ok:
        raise click.exceptions.Exit(1)


@click.command("reimport")
@click.option("--source", "source_name", required=True, help="A source named in IMPORT_SOURCES.")
@click.pass_context
def reimport_command(ctx: click.Context, source_name: str) -> None:
    """Re-import a configured source (one import at a time, also across bot processes)."""
    outcome = cores(ctx).admin.reimport(source_name, requested_by=f"cli ({getpass.getuser()})")
    if not report(outcome).ok:
        raise click.exceptions.Exit(1)


@click.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Data loaded, database, the latest import and each source's last import."""
    click.echo("\n".join(status_lines(cores(ctx).admin.status())))


@click.command("errors")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.pass_context
def errors_command(ctx: click.Context, page: int) -> None:
    """The failures of the latest import, file:line: reason."""
    click.echo("\n".join(errors_lines(cores(ctx).admin.errors(page, page_size=50))))


ADMIN_COMMANDS = (import_command, reimport_command, status_command, errors_command)
