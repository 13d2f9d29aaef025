"""Trend charts, the quote finder, context buttons, who and CSV export, through the Discord emulator."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from bot.client import HansardBot
from commands.core import HansardCore, SearchRequest
from commands.export import export_search
from commands.trend import TrendReply, TrendRequest
from tests.bot.test_end_to_end import EPHEMERAL, PING, all_text, button
from tests.commands.test_insight import _perturbed_sentences
from tests.emulator import DiscordEmulator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
UPDATE_MESSAGE = 7
DEBATE_URI = "https://www.theyworkforyou.com/debates/?id=2010-02-08b.623.1"


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row.get("components", [])]


def insight_cog() -> Any:
    """The cog's module as the bot loaded it (load_extension executes it anew)."""
    return sys.modules["bot.insight.cog"]


def spy_on_charts(monkeypatch: pytest.MonkeyPatch, name: str) -> list[bytes]:
    """Keep each PNG the cog draws, to compare with what reached Discord."""
    drawn: list[bytes] = []
    original = getattr(insight_cog(), name)

    def drawing(reply: Any) -> bytes:
        drawn.append(original(reply))
        return drawn[-1]

    monkeypatch.setattr(insight_cog(), name, drawing)
    return drawn


async def test_trend_attaches_the_png_and_shows_it_as_the_embed_image(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = spy_on_charts(monkeypatch, "trend_png")
    terms = 'afghanistan, "climate change"'
    handle = await emulator.send_slash_command("hansard trend", {"terms": terms, "by": "party"}, user="alice")
    message = await handle.wait_for_message()
    assert handle.latency < 3 and not message["flags"] & EPHEMERAL
    [attachment] = message["attachments"]
    assert attachment["filename"] == "trend.png"
    assert len(drawn) == 1 and drawn[0].startswith(PNG_MAGIC) and attachment["size"] == len(drawn[0])
    embed = message["embeds"][0]
    assert embed["image"]["url"] == "attachment://trend.png"
    assert "afghanistan" in embed["title"] and '\\"climate change\\"' not in embed["title"]
    # The counts behind the chart, as text: a sparkline line per series.
    assert "afghanistan — Labour: " in embed["description"] and "in all" in embed["description"]
    assert "Open Parliament Licence" in embed["footer"]["text"]


async def test_slow_trend_defers_then_edits_in_the_chart(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = insight_cog().trend

    def slow_trend(core: HansardCore, request: TrendRequest) -> TrendReply:
        time.sleep(2)
        return original(core, request)

    monkeypatch.setattr(insight_cog(), "trend", slow_trend)
    handle = await emulator.send_slash_command("hansard trend", {"terms": "school"}, user="alice")
    assert (await handle.response())["type"] == 5
    await handle.wait_for_edit(1, timeout=10)
    message = handle.final_message()
    assert message is not None and [a["filename"] for a in message["attachments"]] == ["trend.png"]
    assert message["embeds"][0]["image"]["url"] == "attachment://trend.png"


async def test_trend_with_too_many_terms_is_explained_privately(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard trend", {"terms": "a1, b2, c3, d4, e5"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL and "At most 4 terms" in message["content"]
    assert not message.get("attachments")


async def test_quote_command_names_the_speaker_with_a_score(bot: HansardBot, emulator: DiscordEmulator) -> None:
    uri, _sentence, perturbed = _perturbed_sentences(1)[0]
    handle = await emulator.send_slash_command("hansard quote", {"text": perturbed}, user="alice")
    message = await handle.wait_for_message()
    field = message["embeds"][0]["fields"][0]
    assert field["name"].startswith("1. ") and "% match" in field["name"]
    assert f"]({uri})" in field["value"]
    picked = await emulator.select(message, "hi:pick", [uri], user="bob")
    context = await picked.wait_for_message()
    assert context["flags"] & EPHEMERAL
    assert any(f["name"].startswith("▶ ") and uri in f["value"] for f in context["embeds"][0]["fields"])


async def test_find_in_hansard_menu_answers_the_clicker_privately(bot: HansardBot, emulator: DiscordEmulator) -> None:
    uri, _sentence, perturbed = _perturbed_sentences(2)[1]
    posted = await emulator.post_user_message(f"@everyone {perturbed}", user="bob")
    handle = await emulator.send_message_command("Find in Hansard", posted, user="alice")
    assert (await handle.response())["type"] == 5
    await handle.wait_for_edit(1, timeout=10)
    message = handle.final_message()
    assert message is not None and message["flags"] & EPHEMERAL, message
    assert f"]({uri})" in message["embeds"][0]["fields"][0]["value"]
    assert not PING.search(all_text(message))
    empty = await emulator.post_user_message("   ", user="bob")
    refused = await emulator.send_message_command("Find in Hansard", empty, user="alice")
    answer = await refused.response()
    assert answer["data"]["flags"] & EPHEMERAL and "no text" in answer["data"]["content"]


async def test_contribution_buttons_walk_the_debate(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard contribution", {"uri_or_id": DEBATE_URI}, user="alice")
    message = await handle.wait_for_message()
    earlier = await emulator.press_button(message, button(message, "Earlier")["custom_id"], user="bob")
    shown = await earlier.wait_for_message()
    assert shown["flags"] & EPHEMERAL
    names = [f["name"] for f in shown["embeds"][0]["fields"]]
    assert names[-1].startswith("▶ 137. ") and [n.split(".")[0] for n in names[:-1]] == ["133", "134", "135", "136"]
    # Walking on from the private answer edits it in place.
    again = await emulator.press_button(shown, button(shown, "Earlier")["custom_id"], user="bob")
    assert (await again.response())["type"] == UPDATE_MESSAGE
    walked = earlier.final_message()
    assert walked is not None and walked["embeds"][0]["fields"][0]["name"].startswith("129. ")
    debate = await emulator.press_button(message, button(message, "Whole debate")["custom_id"], user="alice")
    page = await debate.wait_for_message()
    assert page["flags"] & EPHEMERAL and "page 1 of" in page["embeds"][0]["description"]
    assert any(c.get("label") == "Next page" for c in components(page))


async def test_search_offers_context_of_a_result_and_a_csv_export(
    bot: HansardBot, emulator: DiscordEmulator, e2e_core: HansardCore
) -> None:
    handle = await emulator.send_slash_command("hansard search", {"query": "afghanistan"}, user="alice")
    message = await handle.wait_for_message()
    picker = next(c for c in components(message) if c.get("custom_id") == "hi:pick")
    first_uri = picker["options"][0]["value"]
    picked = await emulator.select(message, "hi:pick", [first_uri], user="alice")
    context = await picked.wait_for_message()
    assert context["flags"] & EPHEMERAL
    assert any(f["name"].startswith("▶ ") and first_uri in f["value"] for f in context["embeds"][0]["fields"])

    pressed = await emulator.press_button(message, button(message, "Export CSV")["custom_id"], user="alice")
    await emulator.wait_until(lambda: pressed.followups, 10, "the CSV")
    [followup] = pressed.followups
    assert followup["flags"] & EPHEMERAL
    [attachment] = followup["attachments"]
    expected = export_search(e2e_core, SearchRequest(query="afghanistan", page_size=5))
    assert attachment["filename"] == "hansard-search.csv"
    assert attachment["size"] == len(expected.csv_text().encode("utf-8"))
    assert f"All {len(expected.rows)} matches" in followup["content"]


async def test_who_ranks_members_with_an_optional_chart(
    bot: HansardBot, emulator: DiscordEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = spy_on_charts(monkeypatch, "who_png")
    plain = await emulator.send_slash_command("hansard who", {"topic": "afghanistan"}, user="alice")
    text = (await plain.wait_for_message())["embeds"][0]
    assert text["description"].startswith("1. **") and not drawn
    charted = await emulator.send_slash_command("hansard who", {"topic": "afghanistan", "chart": True}, user="alice")
    message = await charted.wait_for_message()
    assert [a["filename"] for a in message["attachments"]] == ["who.png"] and drawn[0].startswith(PNG_MAGIC)
    assert message["embeds"][0]["image"]["url"] == "attachment://who.png"
