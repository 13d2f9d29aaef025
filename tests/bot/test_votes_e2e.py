"""/hansard division and /hansard votes: the real bot through the Discord emulator, on the bundled data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.client import HansardBot
from tests.bot.test_end_to_end import EPHEMERAL, PING, all_text, button, buttons
from tests.conftest import DATA
from tests.emulator import DiscordEmulator

DAY = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"


def division_72() -> ET.Element:
    return next(d for d in ET.parse(DAY).getroot().iter("division") if d.get("divnumber") == "72")


async def test_division_shows_result_parties_rebels_tellers_and_links(
    bot: HansardBot, emulator: DiscordEmulator
) -> None:
    handle = await emulator.send_slash_command("hansard division", {"date": "8 Feb 2010", "number": 72}, user="alice")
    message = await handle.wait_for_message()
    assert not message["flags"] & EPHEMERAL
    embed = message["embeds"][0]
    assert embed["title"].startswith("Division 72 · House of Commons · 8 Feb 2010")
    count = division_72().find("divisioncount")
    assert count is not None
    assert f"**Ayes {count.get('ayes')}, Noes {count.get('noes')}** — passed" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Labour" in fields["Votes by party"] and fields["Votes by party"].startswith("```")
    rebels = next(value for name, value in fields.items() if name.startswith("Voted against their party"))
    assert "McDonnell, John (Labour) — No" in rebels
    tellers = [n.text or "" for n in division_72().iter("mpname") if n.get("teller") == "yes"]
    assert all(t in fields["Tellers"] for t in tellers)
    urls = {b.get("url") for b in buttons(message)}
    assert any(u and u.startswith("https://www.theyworkforyou.com/debates/?id=2010-02-08b.651.2") for u in urls)
    callback = await handle.response()
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert len(all_text(message)) < 6000 and not PING.search(all_text(message))


async def test_division_that_is_not_loaded_is_an_ephemeral_explanation(
    bot: HansardBot, emulator: DiscordEmulator
) -> None:
    handle = await emulator.send_slash_command("hansard division", {"date": "2010-02-08", "number": 99}, user="bob")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL
    assert "No division 99" in message["content"] and "72" in message["content"]
    handle = await emulator.send_slash_command("hansard division", {"date": "someday", "number": 1}, user="bob")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL and "2010-02-23" in message["content"]


async def test_votes_of_a_member_on_a_bill(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command(
        "hansard votes", {"member": "John McDonnell", "bill": "terrorist asset freezing"}, user="alice"
    )
    message = await handle.wait_for_message()
    embed = message["embeds"][0]
    assert embed["title"] == "How John McDonnell voted"
    values = {f["name"]: f["value"] for f in embed["fields"]}
    assert "**No** — against their party's majority" in values["8 Feb 2010 · Division 72 (Commons)"]
    assert "No recorded vote" in values["8 Feb 2010 · Division 75 (Commons)"]
    assert "Voted in" in embed["description"]


async def test_votes_pages_turn_and_members_autocomplete(bot: HansardBot, emulator: DiscordEmulator) -> None:
    typed = await emulator.send_autocomplete("hansard votes", {"member": "mcdonnell"}, focused="member", user="alice")
    choices = await typed.choices()
    assert 0 < len(choices) <= 25 and any(c["name"].startswith("John McDonnell") for c in choices)
    chosen = next(c for c in choices if c["name"].startswith("John McDonnell"))
    handle = await emulator.send_slash_command("hansard votes", {"member": chosen["value"]}, user="alice")
    first = await handle.wait_for_message()
    assert "Page 1 of 2" in first["embeds"][0]["footer"]["text"]
    pressed = await emulator.press_button(first, button(first, "Next")["custom_id"], user="alice")
    turned = await pressed.response()
    assert turned["type"] == 7
    second = handle.final_message()
    assert second is not None and "Page 2 of 2" in second["embeds"][0]["footer"]["text"]


async def test_votes_of_an_unknown_member_is_ephemeral(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard votes", {"member": "@everyone Zzyzx"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL and "No Member" in message["content"]
    assert not PING.search(message["content"])


async def test_ask_who_rebelled(bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("hansard ask", {"question": "who rebelled on 8 Feb 2010"}, user="alice")
    message = await handle.wait_for_message()
    assert "McDonnell, John" in all_text(message)
