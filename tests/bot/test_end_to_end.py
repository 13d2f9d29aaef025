"""The real bot, with real discord.py, driven through the Discord emulator."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import pytest
from sqlalchemy import text

from bot import respond
from bot.client import HansardBot
from commands.core import SearchRequest
from commands.replies import SearchReply
from tests.bot.conftest import (
    HOSTILE_FIELDS_URI,
    HOSTILE_FIELDS_WORD,
    HOSTILE_SPEECH_LINES,
    HOSTILE_URI,
    HOSTILE_WORD,
    hostile_line,
)
from tests.bot.discord_markdown import shown
from tests.emulator import DiscordEmulator

SAMPLE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"
EPHEMERAL = 64
PING = re.compile(r"@(everyone|here)|<@!?&?\d+>|<#\d+>", re.IGNORECASE)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row.get("components", []) if c["type"] == 2]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(b for b in buttons(message) if b.get("label") == label)


def make_search_slow(bot: HansardBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches that take longer than the bot waits before deferring (that wait shortened, to keep tests quick)."""
    monkeypatch.setattr(respond, "FAST_REPLY_SECONDS", 0.2)
    seconds = 0.6
    original = bot.core.search

    def slow_search(request: SearchRequest) -> SearchReply:
        time.sleep(seconds)
        return original(request)

    monkeypatch.setattr(bot.core, "search", slow_search)


def all_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


async def test_search_replies_with_cited_excerpts(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": "tabloid"}, user="alice")
    message = await handle.wait_for_message()
    assert handle.latency < 3
    assert not message["flags"] & EPHEMERAL
    embed = message["embeds"][0]
    assert "tabloid" in embed["description"]
    field = next(f for f in embed["fields"] if "Tim Loughton" in f["name"])
    assert "**tabloid**" in field["value"]
    assert f"[HC Deb 23 February 2010 vol 506 c185-6]({SAMPLE_URI})" in field["value"]
    assert any(b.get("url") == SAMPLE_URI for b in buttons(message))
    # Mentions are disabled on every message the bot sends.
    callback = await handle.response()
    assert callback["data"]["allowed_mentions"] == {"parse": []}


async def test_hansard_text_that_tries_to_ping_pings_no_one(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": HOSTILE_WORD}, user="alice")
    message = await handle.wait_for_message()
    text = all_text(message)
    assert HOSTILE_URI in text
    assert not PING.search(text)
    assert "\\*\\*not bold\\*\\*" in text
    assert message["mention_everyone"] is False and message["mentions"] == [] and message["mention_roles"] == []
    callback = await handle.response()
    assert callback["data"]["allowed_mentions"] == {"parse": []}


async def test_every_stored_field_shows_literally_in_every_reply(bot: HansardBot, emulator: DiscordEmulator) -> None:
    with bot.core.engine.connect() as conn:
        member_id, bill = conn.execute(
            text("SELECT member_id, title FROM contribution WHERE uri = :uri"), {"uri": HOSTILE_FIELDS_URI}
        ).one()
    commands = [
        ("hansard search", {"query": HOSTILE_FIELDS_WORD}, ("speech", "member", "party", "title")),
        ("hansard member", {"name": f"#{member_id}"}, ("member", "party", "title", "speech")),
        ("hansard bill", {"title": f"#{bill}"}, ("title", "member", "party", "speech")),
        ("hansard contribution", {"uri_or_id": HOSTILE_FIELDS_URI}, ("title", "member", "party", "speech")),
        ("hansard ask", {"question": f"who spoke about {HOSTILE_FIELDS_WORD}"}, ("speech", "member")),
    ]
    for command, options, tags in commands:
        handle = await emulator.send_slash_command(command, options, user="alice")
        message = await handle.wait_for_message()
        markup = all_text(message)
        displayed = shown(markup)
        for tag in tags:
            assert hostile_line(tag) in displayed, (command, tag, markup)
        if command == "hansard contribution":
            assert all(line in displayed.split("\n") for line in HOSTILE_SPEECH_LINES), markup
        assert not PING.search(markup), (command, markup)
        assert message["mention_everyone"] is False and message["mention_roles"] == []
        assert (await handle.response())["data"]["allowed_mentions"] == {"parse": []}


async def test_ambiguous_member_lists_candidates_ephemerally(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard member", {"name": "Smith"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL
    assert "More than one member" in message["content"]
    assert message["content"].count("Smith") > 2


async def test_no_results_is_ephemeral_and_helpful(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": "afganistan"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL
    assert "Nothing in the loaded Hansard matches" in message["content"]
    assert "afghanistan" in message["content"]


async def test_bad_date_is_explained(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": "school", "from": "someday"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL and "2010-02-23" in message["content"]


async def test_pages_turn_for_the_asker_only(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": "government"}, user="alice")
    first = await handle.wait_for_message()
    assert button(first, "Previous")["disabled"] is True
    first_titles = [f["name"] for f in first["embeds"][0]["fields"]]
    assert first_titles[0].startswith("1. ")

    refused = await emulator.press_button(first, button(first, "Next")["custom_id"], user="bob")
    refusal = await refused.response()
    assert refusal["data"]["flags"] & EPHEMERAL and "Only the person who asked" in refusal["data"]["content"]
    assert handle.final_message() == first

    pressed = await emulator.press_button(first, button(first, "Next")["custom_id"], user="alice")
    turned = await pressed.response()
    assert turned["type"] == 7  # UPDATE_MESSAGE
    second = handle.final_message()
    assert second is not None
    assert second["embeds"][0]["fields"][0]["name"].startswith("6. ")
    assert button(second, "Previous")["disabled"] is False


async def test_member_autocomplete_is_fast_and_capped(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_autocomplete("hansard member", {"name": "lough"}, focused="name", user="alice")
    choices = await handle.choices()
    assert handle.latency < 3
    assert 0 < len(choices) <= 25
    assert choices[0]["name"].startswith("Tim Loughton")
    # The chosen value names the member exactly.
    chosen = await emulator.send_slash_command("hansard member", {"name": choices[0]["value"]}, user="alice")
    message = await chosen.wait_for_message()
    assert message["embeds"][0]["title"] == "Tim Loughton"


async def test_bill_autocomplete_and_summary(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_autocomplete("hansard bill", {"title": "terrorist asset"}, focused="title", user="bob")
    choices = await handle.choices()
    assert choices and choices[0]["name"].startswith("Terrorist Asset-Freezing")
    summary = await emulator.send_slash_command("hansard bill", {"title": "terrorist asset freezing bill"}, user="bob")
    message = await summary.wait_for_message()
    assert message["embeds"][0]["title"].startswith("Terrorist Asset-Freezing")
    assert "Spoke most" in [f["name"] for f in message["embeds"][0]["fields"]]


async def test_ask(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command(
        "hansard ask", {"question": "what did tim loughton say about serious case reviews"}, user="alice"
    )
    message = await handle.wait_for_message()
    assert "Tim Loughton" in message["embeds"][0]["description"]
    assert SAMPLE_URI in all_text(message)


async def test_contribution_is_paged_whole(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard contribution", {"uri_or_id": "622898"}, user="alice")
    message = await handle.wait_for_message()
    embed = message["embeds"][0]
    assert embed["title"] == "Children, Schools and Families Bill"
    assert "tabloid" in embed["description"]
    assert embed["url"] == SAMPLE_URI
    missing = await emulator.send_slash_command("hansard contribution", {"uri_or_id": "nonsense"}, user="alice")
    assert (await missing.wait_for_message())["flags"] & EPHEMERAL


async def test_about_and_help(bot: HansardBot, emulator: DiscordEmulator) -> None:
    about = await (await emulator.send_slash_command("hansard about", user="alice")).wait_for_message()
    counts = {f["name"]: f["value"] for f in about["embeds"][0]["fields"]}
    assert int(counts["Contributions"].replace(",", "")) > 3000
    help_message = await (await emulator.send_slash_command("hansard help", user="alice")).wait_for_message()
    assert help_message["flags"] & EPHEMERAL and "/hansard search" in help_message["embeds"][0]["description"]


async def test_slow_answers_are_deferred_then_followed_up(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_search_slow(bot, monkeypatch)
    handle = await emulator.send_slash_command("hansard search", {"query": "tabloid"}, user="alice")
    callback = await handle.response()
    assert callback["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    assert handle.latency < 3
    message = await handle.wait_for_message(timeout=10)
    assert "Tim Loughton" in all_text(message)


async def test_unexpected_errors_get_an_apology_and_a_log(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(name: str) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.core, "member", broken)
    with caplog.at_level(logging.ERROR):
        handle = await emulator.send_slash_command("hansard member", {"name": "Jack Straw"}, user="alice")
        message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL and message["content"].startswith("Sorry, something went wrong")
    assert "database on fire" not in message["content"]
    assert any("database on fire" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


async def test_gateway_drop_is_survived(bot: HansardBot, emulator: DiscordEmulator) -> None:
    await emulator.drop_gateway()
    await emulator.wait_for_resume()
    handle = await emulator.send_slash_command("hansard search", {"query": "tabloid"}, user="alice")
    message = await handle.wait_for_message(timeout=10)
    assert "Tim Loughton" in all_text(message)


async def test_rate_limited_follow_up_is_retried(bot: HansardBot, emulator: DiscordEmulator) -> None:
    emulator.inject("POST", r"/interactions/.*/callback", status=429, retry_after=0.2, times=1)
    handle = await emulator.send_slash_command("hansard search", {"query": "tabloid"}, user="alice")
    message = await handle.wait_for_message(timeout=10)
    assert "Tim Loughton" in all_text(message)
    await asyncio.sleep(0)


async def test_page_buttons_stop_cleanly_when_they_time_out(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.hansard import views

    monkeypatch.setattr(views, "VIEW_TIMEOUT_SECONDS", 0.3)
    handle = await emulator.send_slash_command("hansard search", {"query": "government"}, user="alice")
    first = await handle.wait_for_message()
    assert button(first, "Next")["disabled"] is False
    await handle.wait_for_edit(1, timeout=5)
    timed_out = handle.final_message()
    assert timed_out is not None
    assert button(timed_out, "Next")["disabled"] is True and button(timed_out, "Previous")["disabled"] is True
    # The link buttons still open the citations.
    assert all(b.get("url") for b in buttons(timed_out) if b["style"] == 5)
    assert timed_out["embeds"] == first["embeds"]


async def test_slow_answer_meant_for_the_asker_alone_stays_private(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_search_slow(bot, monkeypatch)
    handle = await emulator.send_slash_command("hansard search", {"query": "afganistan"}, user="alice")
    assert (await handle.response())["type"] == 5
    await emulator.wait_until(lambda: handle.followups, 10, "the private follow-up")
    [followup] = handle.followups
    assert followup["flags"] & EPHEMERAL and "Nothing in the loaded Hansard matches" in followup["content"]
    assert handle.final_message() is None  # the public "thinking…" message is gone


async def test_party_autocomplete_and_filter(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_autocomplete("hansard search", {"query": "tax", "party": "lib"}, focused="party")
    choices = await handle.choices()
    assert choices == [{"name": "Liberal Democrat", "value": "Liberal Democrat"}]
    found = await emulator.send_slash_command("hansard search", {"query": "tax", "party": "lib dem"}, user="alice")
    message = await found.wait_for_message()
    assert "Liberal Democrat" in message["embeds"][0]["description"]
    unknown = await emulator.send_slash_command("hansard search", {"query": "tax", "party": "Whig"}, user="alice")
    refusal = await unknown.wait_for_message()
    assert refusal["content"].startswith("No party called “Whig”; parties in the data are ")
    assert refusal["flags"] & 64  # only the asker sees it


async def test_ask_who_spoke_most(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard ask", {"question": "who spoke most about sunbeds"}, user="bob")
    message = await handle.wait_for_message()
    embed = message["embeds"][0]
    assert embed["title"] == "Who spoke most" and "Gillian Merron" in embed["description"]
    assert embed["fields"]  # the speeches behind the counts


async def test_citations_link_the_official_record_and_theyworkforyou(
    bot: HansardBot, emulator: DiscordEmulator
) -> None:
    handle = await emulator.send_slash_command(
        "hansard contribution", {"uri_or_id": "https://www.theyworkforyou.com/debates/?id=2010-02-05a.536.2"}
    )
    message = await handle.wait_for_message()
    reference = next(f for f in message["embeds"][0]["fields"] if f["name"] == "Reference")["value"]
    assert reference.startswith("[HC Deb 5 February 2010 c536-45](http://www.publications.parliament.uk/pa/cm200910/")
    assert "[TheyWorkForYou](https://www.theyworkforyou.com/debates/?id=2010-02-05a.536.2)" in reference
    urls = [b["url"] for b in buttons(message) if b.get("url")]
    assert urls[0].startswith("http://www.publications.parliament.uk/") and urls[1].startswith(
        "https://www.theyworkforyou"
    )


async def test_a_written_answer_shows_its_question(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command(
        "hansard search", {"query": "free school meals", "member": "Tim Loughton"}, user="alice"
    )
    message = await handle.wait_for_message()
    field = next(f for f in message["embeds"][0]["fields"] if "Tim Loughton" in f["name"])
    assert "**Answer** (Diana Johnson)" in field["value"] and len(field["value"]) <= 1024
