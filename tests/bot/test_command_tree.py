"""Smoke test: every extension loads and the command tree obeys Discord's rules, without a token."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

import pytest
from discord import app_commands
from sqlalchemy import Engine

from bot.client import EXTENSIONS, HansardBot
from tests.bot.conftest import make_settings

NAME = re.compile(r"^[-_\w]{1,32}$")


@contextlib.asynccontextmanager
async def offline_bot(engine: Engine) -> AsyncIterator[HansardBot]:
    """A bot with every extension loaded and no connection or token."""
    async with HansardBot(make_settings(engine), engine, start_scheduler=False) as bot:
        await bot.setup_hook()
        yield bot


def walk(command: app_commands.Command | app_commands.Group) -> list[app_commands.Command | app_commands.Group]:  # type: ignore[type-arg]
    found: list[app_commands.Command | app_commands.Group] = [command]  # type: ignore[type-arg]
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            found += walk(child)
    return found


@pytest.mark.asyncio
async def test_command_tree_builds_without_token_and_obeys_discord_rules(bundled_sqlite: Engine) -> None:
    async with offline_bot(bundled_sqlite) as bot:
        check_tree(bot)


def check_tree(bot: HansardBot) -> None:
    assert set(bot.extensions) == set(EXTENSIONS)
    every_kind = bot.tree.get_commands(type=None)
    menus = [c for c in every_kind if isinstance(c, app_commands.ContextMenu)]
    # Context menu names are shown as written: spaces and capitals allowed, 1-32 characters.
    assert all(1 <= len(menu.name) <= 32 for menu in menus)
    assert {menu.name for menu in menus} >= {"Find in Hansard"}
    top = [c for c in every_kind if not isinstance(c, app_commands.ContextMenu)]
    assert {c.name for c in top} >= {"hansard"}
    everything = [c for command in top for c in walk(command)]  # type: ignore[arg-type]
    names = {c.qualified_name for c in everything}
    assert {
        "hansard search",
        "hansard ask",
        "hansard member",
        "hansard bill",
        "hansard contribution",
        "hansard help",
        "hansard about",
        "hansard division",
        "hansard votes",
        "hansard trend",
        "hansard quote",
        "hansard who",
    } <= names
    for command in everything:
        assert NAME.match(command.name) and command.name == command.name.lower(), command.name
        assert 1 <= len(command.description) <= 100, command.qualified_name
        if isinstance(command, app_commands.Command):
            assert len(command.parameters) <= 25
            required_seen_optional = False
            for parameter in command.parameters:
                assert NAME.match(parameter.display_name), parameter.display_name
                assert 1 <= len(parameter.description) <= 100, (command.qualified_name, parameter.name)
                if not parameter.required:
                    required_seen_optional = True
                else:
                    assert not required_seen_optional, "required options must come first"
        else:
            assert len(command.commands) <= 25
    payload = [c.to_dict(bot.tree) for c in every_kind]
    assert all(len(str(p)) < 8000 for p in payload)
