"""``hansard-bot division``, ``divisions`` and ``votes``: the votes answers on the command line."""

from __future__ import annotations

import json
from collections.abc import Callable

import click
from sqlalchemy import Engine

from bot.votes.text import format_vote_answer
from commands.vote_replies import VoteAnswer
from commands.votes import votes_core

EngineGetter = Callable[[click.Context], Engine]


def _print(reply: VoteAnswer, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(reply.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(format_vote_answer(reply))


def register(group: click.Group, engine_of: EngineGetter) -> None:
    """Add the votes commands to the main command group."""
    json_option = click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
    house_option = click.option("--house", help="Commons or Lords.")

    @group.command("division")
    @click.argument("date")
    @click.argument("number", type=click.IntRange(min=1))
    @house_option
    @json_option
    @click.pass_context
    def division_command(ctx: click.Context, date: str, number: int, house: str | None, as_json: bool) -> None:
        """One division: result, question, votes by party, rebels, tellers. DATE as 2010-02-08 or 8 Feb 2010."""
        _print(votes_core(engine_of(ctx)).division(date, number, house), as_json)

    @group.command("divisions")
    @click.option("--bill", help="Only divisions on this Bill (fuzzy).")
    @click.option("--date", help="A day or a range: 2010-02-08, Feb 2010, 2010.")
    @click.option("--member", help="Only divisions this Member voted in (fuzzy).")
    @house_option
    @json_option
    @click.pass_context
    def divisions_command(
        ctx: click.Context, bill: str | None, date: str | None, member: str | None, house: str | None, as_json: bool
    ) -> None:
        """Find divisions, newest first."""
        reply = votes_core(engine_of(ctx)).divisions(bill=bill, date=date, member=member, house=house)
        _print(reply, as_json)

    @group.command("votes")
    @click.argument("member", nargs=-1, required=True)
    @click.option("--bill", help="Only the divisions on this Bill (fuzzy).")
    @json_option
    @click.pass_context
    def votes_command(ctx: click.Context, member: tuple[str, ...], bill: str | None, as_json: bool) -> None:
        """How a Member voted: every division they could vote in, or those on one Bill."""
        _print(votes_core(engine_of(ctx)).votes(" ".join(member), bill), as_json)
