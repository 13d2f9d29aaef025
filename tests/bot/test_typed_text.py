"""Discord options with characters no database can store get the answer the text without them gets,
on SQLite and on PostgreSQL, through the real bot and the emulator."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.client import HansardBot
from commands.core import HansardCore
from tests.bot.conftest import make_settings
from tests.emulator import DiscordEmulator, connect_client


def shown(message: dict[str, Any]) -> list[Any]:
    return [
        message.get("content"),
        [(e.get("title"), e.get("description"), e.get("fields")) for e in message["embeds"]],
    ]


async def test_options_with_nul_or_surrogates_answer_as_without(
    emulator: DiscordEmulator, bundled_store: Engine
) -> None:
    core = HansardCore(bundled_store)

    def factory() -> HansardBot:
        return HansardBot(make_settings(bundled_store), bundled_store, core=core, guild_ready_timeout=0.05)

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        cases = [
            ("hansard search", {"query": "tabloid", "party": "Labour"}, {"party": "Lab\x00our"}),
            ("hansard search", {"query": "tabloid", "party": "Conservative"}, {"query": "tab\udcffloid"}),
            ("hansard contribution", {"uri_or_id": "622898"}, {"uri_or_id": "622\x00898"}),
            ("hansard contribution", {"uri_or_id": "2010-02-10a.1022.0"}, {"uri_or_id": "2010-02-10a.1022.0\x00"}),
            ("hansard ask", {"question": "tabloid from labour"}, {"question": "tabloid\x00 from labour"}),
        ]
        for command, clean, spoilt_fields in cases:
            expected = await (await emulator.send_slash_command(command, clean, user="alice")).wait_for_message()
            handle = await emulator.send_slash_command(command, {**clean, **spoilt_fields}, user="alice")
            message = await handle.wait_for_message()
            assert shown(message) == shown(expected), (command, spoilt_fields)
            assert "something went wrong" not in (message.get("content") or "")
