"""What every terminal command shares: this process's cores, the token check, failing with a
message, JSON output. The console runs many commands in one context, so the cores are built once."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import click

from bot.bootstrap import Cores, make_cores, open_engine
from bot.settings import get_settings


def cores(ctx: click.Context) -> Cores:
    """The cores of this terminal process (the store opened and migrated on first use)."""
    root = ctx.find_root()
    root.ensure_object(dict)
    found: Cores | None = root.obj.get("cores")
    if found is None:
        settings = get_settings()
        engine = open_engine(root.obj.get("database_url") or settings.database_url)
        found = make_cores(settings, engine, role="cli")
        root.obj["cores"] = found
    return found


def fail(message: str, code: int = 1) -> NoReturn:
    """End this command with ``message`` on stderr and exit status ``code`` (the console goes on)."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(code)


def require_token() -> str:
    token = get_settings().discord_token
    if token is None or not token.get_secret_value().strip():
        fail(
            "DISCORD_TOKEN is not set. Put your bot's token in the environment or in a .env file "
            "(see README.md, Configuration). To try the bot without Discord: hansard-bot demo",
            2,
        )
    return token.get_secret_value().strip()


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
