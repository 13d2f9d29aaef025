"""The terminal side of trend, quote, context, who and the CSV export of a search.

``register(main)`` adds the commands to the ``hansard-bot`` group (one line in bot/cli.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bot.terminal import fail
from commands.context import around
from commands.core import HansardCore, SearchRequest
from commands.export import export_search
from commands.quote import find_quote
from commands.trend import TrendReply, TrendRequest, trend
from commands.who import WhoReply, WhoRequest, speakers_about

CoreGetter = Callable[[click.Context], HansardCore]
Echo = Callable[[object], None]


def _date(value: object) -> str:
    return str(value) if value else "undated"


def write_search_csv(core: HansardCore, request: SearchRequest, path: Path) -> None:
    """Every match of the search (up to 5,000) to ``path`` as CSV; says what it wrote, and when it cut."""
    reply = export_search(core, request)
    if reply.problem is not None:
        fail(reply.message or "")
    path.write_text(reply.csv_text(), encoding="utf-8", newline="")
    click.echo(f"{path}: {reply.note()}")


def _print_with_chart(
    reply: TrendReply | WhoReply,
    as_json: bool,
    echo_json: Echo,
    lines: Callable[[], list[str]],
    out: Path | None,
    chart: Callable[[], bytes],
) -> None:
    """JSON, or the answer's lines; a problem on stderr (exit status 1); then the chart, if ``out`` asks for one."""
    if as_json:
        echo_json(reply.to_json())
    elif reply.problem is None:
        for line in lines():
            click.echo(line)
    if reply.problem is not None:
        fail(reply.message or "")
    if out is not None:
        out.write_bytes(chart())
        click.echo(f"Chart written to {out}", err=as_json)


def register(main: click.Group, core_of: CoreGetter, echo_json: Echo) -> None:
    @main.command("trend")
    @click.argument("terms", nargs=-1, required=True)
    @click.option("--by", "split", type=click.Choice(["party", "house"]), help="Split each term by party or House.")
    @click.option("--member", help="Only contributions by this Member (fuzzy).")
    @click.option("--party", help="Only this party.")
    @click.option("--house", help="Commons or Lords.")
    @click.option("--from", "date_from", help="From this date.")
    @click.option("--to", "date_to", help="Up to this date.")
    @click.option("--per-1000", "per_thousand", is_flag=True, help="Per 1,000 contributions of each period.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the chart to this PNG.")
    @click.option("--json", "as_json", is_flag=True, help="Print the series as JSON.")
    @click.pass_context
    def trend_command(
        ctx: click.Context,
        terms: tuple[str, ...],
        split: str | None,
        member: str | None,
        party: str | None,
        house: str | None,
        date_from: str | None,
        date_to: str | None,
        per_thousand: bool,
        out: Path | None,
        as_json: bool,
    ) -> None:
        """How often TERMS (each a word, "a phrase" or this OR that) were used, per sitting day, month or year."""
        request = TrendRequest(
            terms=terms,
            split=split,
            member=member,
            party=party,
            house=house,
            date_from=date_from,
            date_to=date_to,
            per_thousand=per_thousand,
        )
        reply = trend(core_of(ctx), request)

        def lines() -> list[str]:
            return [
                f"Trend of {reply.understood}, per sitting {reply.granularity.value}:",
                f"  {reply.periods[0]} … {reply.periods[-1]}",
                *(f"  {line}" for line in reply.summary_lines()),
            ]

        def chart() -> bytes:
            from bot.insight.chart import trend_png  # matplotlib loads only when a chart is drawn

            return trend_png(reply)

        _print_with_chart(reply, as_json, echo_json, lines, out, chart)

    @main.command("quote")
    @click.argument("text", nargs=-1, required=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
    @click.pass_context
    def quote_command(ctx: click.Context, text: tuple[str, ...], as_json: bool) -> None:
        """Who said it: TEXT as remembered (typos, missing words, no punctuation), best match first."""
        reply = find_quote(core_of(ctx), " ".join(text))
        if as_json:
            echo_json(reply.to_json())
            return
        if reply.problem is not None:
            fail(reply.message or "")
        for rank, match in enumerate(reply.results, start=1):
            party = f" ({match.party})" if match.party else ""
            click.echo(f"{rank}. {match.score:.0f}% {match.member or 'No member named'}{party}, {_date(match.date)}")
            click.echo(f"   “{match.passage}”")
            click.echo(f"   {match.reference or ''} {match.uri}".rstrip())

    @main.command("context")
    @click.argument("uri_or_id")
    @click.option("--before", type=click.IntRange(0, 20), default=2, help="Speeches before it.")
    @click.option("--after", type=click.IntRange(0, 20), default=2, help="Speeches after it.")
    @click.option("--json", "as_json", is_flag=True, help="Print as JSON (before: nearest last; after: nearest first).")
    @click.pass_context
    def context_command(ctx: click.Context, uri_or_id: str, before: int, after: int, as_json: bool) -> None:
        """The speeches before and after a contribution, in the sitting's order."""
        reply = around(core_of(ctx), uri_or_id, before, after)
        if as_json:
            echo_json(reply.to_json())
            return
        if reply.anchor is None:
            fail(reply.message or "")
        for item in [*reply.before, reply.anchor, *reply.after]:
            marker = ">" if item is reply.anchor else " "
            click.echo(f"{marker} {item.position}. {item.member or 'Procedure'}: {item.text[:200]}")
            click.echo(f"    {item.reference or ''} {item.uri}".rstrip())

    @main.command("who")
    @click.argument("topic", nargs=-1, required=True)
    @click.option("--member", help="Only contributions by this Member (fuzzy).")
    @click.option("--bill", help="Only debates on this Bill (fuzzy).")
    @click.option("--party", help="Only this party.")
    @click.option("--house", help="Commons or Lords.")
    @click.option("--from", "date_from", help="From this date.")
    @click.option("--to", "date_to", help="Up to this date.")
    @click.option("--limit", type=click.IntRange(1, 25), default=10)
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a chart of the top ten.")
    @click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
    @click.pass_context
    def who_command(
        ctx: click.Context,
        topic: tuple[str, ...],
        member: str | None,
        bill: str | None,
        party: str | None,
        house: str | None,
        date_from: str | None,
        date_to: str | None,
        limit: int,
        out: Path | None,
        as_json: bool,
    ) -> None:
        """The Members who spoke most about TOPIC, with counts, party and dates."""
        request = WhoRequest(" ".join(topic), member, bill, party, house, date_from, date_to, limit)
        reply = speakers_about(core_of(ctx), request)

        def lines() -> list[str]:
            return [
                f"{rank}. {s.name}{f' ({s.party})' if s.party else ''}: {s.count} · "
                f"{_date(s.first_date)} – {_date(s.last_date)}"
                for rank, s in enumerate(reply.speakers, start=1)
            ]

        def chart() -> bytes:
            from bot.insight.chart import who_png

            return who_png(reply)

        _print_with_chart(reply, as_json, echo_json, lines, out, chart)
