"""The emulator driven by a real discord.py client: a throwaway bot defined here, not the project's bot."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any, Literal

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands

from tests.emulator import DiscordEmulator, connect_client

TOPICS = [f"Health {i}" for i in range(1, 31)] + ["Housing", "Defence", "Education"]


class PagerView(discord.ui.View):
    """A pager only the person who ran the command may turn, as in RoboDanny."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=None)  # no timeout task left running when the test's loop closes
        self.owner_id = owner_id
        self.page = 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the person who ran the command can turn pages.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="pager:next")
    async def next_page(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PagerView]) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"Page {self.page}", view=self)

    @discord.ui.select(
        custom_id="pager:jump",
        placeholder="Jump to a page",
        options=[discord.SelectOption(label=f"Page {i}", value=str(i)) for i in range(1, 4)],
    )
    async def jump(self, interaction: discord.Interaction[Any], select: discord.ui.Select[PagerView]) -> None:
        self.page = int(select.values[0])
        await interaction.response.edit_message(content=f"Page {self.page}", view=self)


class EmuBot(discord.Client):
    def __init__(self) -> None:
        # guild_ready_timeout: on_ready comes 2 s after the last GUILD_CREATE by default.
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.errors: list[BaseException] = []
        self.seen_users: list[int] = []
        self.resumed = 0
        self.respond_after = 0.0
        self.messages_seen: list[discord.Message] = []
        self.tree.error(self._on_tree_error)
        _register_commands(self)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_resumed(self) -> None:
        self.resumed += 1

    async def on_message(self, message: discord.Message) -> None:
        self.messages_seen.append(message)

    async def _on_tree_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        self.errors.append(getattr(error, "original", error))


def _register_commands(bot: EmuBot) -> None:
    tree = bot.tree

    @tree.command(name="ping", description="Replies with pong")
    async def ping(interaction: discord.Interaction[Any]) -> None:
        bot.seen_users.append(interaction.user.id)
        await interaction.response.send_message("pong")

    @tree.command(name="secret", description="Replies only to you")
    async def secret(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("for your eyes only", ephemeral=True)

    @tree.command(name="slow", description="Defers, follows up, then edits the original")
    async def slow(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("working on it")
        embed = discord.Embed(title="Result", description="All done")
        await interaction.edit_original_response(content="done", embed=embed)
        await interaction.followup.send("a second follow-up", ephemeral=True)

    @tree.command(name="search", description="Searches debates")
    @app_commands.describe(query="What to look for")
    async def search(interaction: discord.Interaction[Any], query: str) -> None:
        await interaction.response.send_message(f"Results for {query}")

    @search.autocomplete("query")
    async def search_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        matches = [t for t in TOPICS if current.lower() in t.lower()]
        return [app_commands.Choice(name=t, value=t) for t in matches[:25]]

    @tree.command(name="pager", description="Shows pages")
    async def pager(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("Page 1", view=PagerView(interaction.user.id))

    @tree.command(name="announce", description="Posts an embed to a channel")
    async def announce(interaction: discord.Interaction[Any], channel: discord.TextChannel, title: str) -> None:
        embed = discord.Embed(title=title, description="Posted by the test bot", colour=0x0077AA)
        embed.add_field(name="Sitting", value="Commons, 1 May")
        embed.set_footer(text="Hansard")
        try:
            await channel.send(embed=embed)
        except discord.HTTPException as exc:
            bot.errors.append(exc)
            await interaction.response.send_message("I cannot post there.", ephemeral=True)
            return
        await interaction.response.send_message(f"Posted to {channel.mention}", ephemeral=True)

    @tree.command(name="quote", description="Quotes text without pinging anyone")
    async def quote(interaction: discord.Interaction[Any], text: str, safe: bool = True) -> None:
        mentions = discord.AllowedMentions.none() if safe else discord.AllowedMentions.all()
        await interaction.response.send_message(text, allowed_mentions=mentions)

    @tree.command(name="file", description="Sends a file")
    async def file(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("here", file=discord.File(io.BytesIO(b"hello"), "hello.txt"))

    @tree.command(name="sleepy", description="Answers after bot.respond_after seconds")
    async def sleepy(interaction: discord.Interaction[Any]) -> None:
        await asyncio.sleep(bot.respond_after)
        await interaction.response.send_message("yawn")

    @tree.command(name="toolong", description="Breaks the embed description limit")
    async def toolong(interaction: discord.Interaction[Any]) -> None:
        try:
            await interaction.response.send_message(embed=discord.Embed(description="x" * 4097))
        except discord.HTTPException as exc:
            bot.errors.append(exc)  # the interaction stays unanswered; the test allows for that

    @tree.command(name="ignore", description="Never answers")
    async def ignore(interaction: discord.Interaction[Any]) -> None:
        return None

    hansard = app_commands.Group(name="hansard", description="Hansard lookups")
    debates = app_commands.Group(name="debates", description="Debates", parent=hansard)

    @hansard.command(name="member", description="Looks up a member")
    async def member(
        interaction: discord.Interaction[Any], name: str, house: Literal["commons", "lords"] = "commons"
    ) -> None:
        await interaction.response.send_message(f"{name} ({house})")

    @debates.command(name="latest", description="The latest debates")
    async def latest(interaction: discord.Interaction[Any], count: app_commands.Range[int, 1, 10] = 3) -> None:
        await interaction.response.send_message(f"latest {count}")

    tree.add_command(hansard)


@pytest_asyncio.fixture
async def bot(emulator: DiscordEmulator) -> AsyncIterator[EmuBot]:
    async with connect_client(emulator, EmuBot) as client:
        yield client


# ---------------------------------------------------------------------------------------------- start-up


async def test_connect_ready_and_command_sync(emulator: DiscordEmulator, bot: EmuBot) -> None:
    assert bot.is_ready()
    assert bot.user is not None and bot.user.id == emulator.bot_user.id
    assert [g.id for g in bot.guilds] == [emulator.guild.id]
    assert {c.name for c in bot.guilds[0].text_channels} == {"general", "hansard"}

    startup = [(r.method, r.route) for r in emulator.requests[:3]]
    assert startup == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", "/applications/{application_id}/commands"),
    ]
    assert all(r.status == 200 and not r.problems for r in emulator.requests[:3])
    synced = {c["name"]: c for c in emulator.global_commands.values()}
    assert {"ping", "search", "pager", "hansard"} <= set(synced)
    assert synced["search"]["options"][0]["autocomplete"] is True
    assert {o["name"] for o in synced["hansard"]["options"]} == {"debates", "member"}

    # The gateway: zlib-stream transport, IDENTIFY answered by READY then one GUILD_CREATE, heartbeats acked.
    conn = emulator.gateway.connections[0]
    assert conn.compressor.kind == "zlib-stream"
    dispatched = [e.t for e in emulator.gateway_log if e.direction == "send" and e.op == 0]
    assert dispatched[:2] == ["READY", "GUILD_CREATE"]
    await emulator.wait_until(lambda: emulator.gateway.heartbeat_count >= 2, 3, "two heartbeats")
    acks = [e for e in emulator.gateway_log if e.op == 11]
    assert len(acks) >= 2
    assert emulator.identify_count == 1


async def test_resync_keeps_command_ids(emulator: DiscordEmulator, bot: EmuBot) -> None:
    before = {c["name"]: c["id"] for c in emulator.global_commands.values()}
    await bot.tree.sync()
    after = {c["name"]: c["id"] for c in emulator.global_commands.values()}
    assert before == after


async def test_guild_sync_and_fetch(emulator: DiscordEmulator, bot: EmuBot) -> None:
    guild = discord.Object(emulator.guild.id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    fetched = await bot.tree.fetch_commands(guild=guild)
    assert {c.name for c in fetched} == {c["name"] for c in emulator.guild_commands[emulator.guild.id].values()}

    # Discord prefers the guild's copy of a command and says so in data.guild_id.
    handle = await emulator.send_slash_command("ping")
    assert handle.payload["data"]["guild_id"] == str(emulator.guild.id)
    assert (await handle.response())["data"]["content"] == "pong"


async def test_other_rest_routes(emulator: DiscordEmulator, bot: EmuBot) -> None:
    # The less central routes a bot may touch, all answered in the spec's response shapes.
    guild = await bot.fetch_guild(emulator.guild.id)
    assert (await guild.fetch_member(emulator.user("bob").id)).name == "bob"
    assert len(await guild.fetch_roles()) == 3 and len(await guild.fetch_channels()) == 2
    channel = await bot.fetch_channel(emulator.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hello")
    await sent.edit(content="edited")
    assert (await channel.fetch_message(sent.id)).content == "edited"
    assert [m.content async for m in channel.history(limit=5)] == ["edited"]
    await sent.delete()
    assert emulator.channel_messages(emulator.channel) == []
    dm = await (await bot.fetch_user(emulator.user("bob").id)).send("hi bob")
    assert isinstance(dm.channel, discord.DMChannel)
    command = (await bot.tree.fetch_commands())[0]
    await command.edit(description="A new description")
    await command.delete()
    assert int(command.id) not in emulator.global_commands


class ShardedBot(discord.AutoShardedClient):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="ping", description="Replies with pong")
        async def ping(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message(f"pong from shard {interaction.guild.shard_id}")  # type: ignore[union-attr]


async def test_auto_sharded_client(emulator: DiscordEmulator) -> None:
    async with connect_client(emulator, ShardedBot) as client:
        assert client.shard_count == 1
        assert [r.route for r in emulator.requests_to("GET", "^/gateway/bot$")] == ["/gateway/bot"]
        assert emulator.gateway.current is not None and emulator.gateway.current.shard == [0, 1]
        handle = await emulator.send_slash_command("ping")
        assert (await handle.wait_for_message())["content"] == "pong from shard 0"


async def test_user_message_reaches_on_message(emulator: DiscordEmulator, bot: EmuBot) -> None:
    await emulator.post_user_message(f"hello {emulator.bot_user.mention}", user="bob")
    await emulator.post_user_message("no mention here", user="bob")
    await emulator.wait_until(lambda: len(bot.messages_seen) == 2, 2, "two MESSAGE_CREATE")
    first, second = bot.messages_seen
    assert first.author.id == emulator.user("bob").id and first.content.startswith("hello")
    # Without the privileged MESSAGE_CONTENT intent Discord blanks messages that do not mention the bot.
    assert second.content == ""


# ---------------------------------------------------------------------------------------------- slash commands


async def test_slash_command_round_trip(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("ping")
    body = await handle.response(timeout=5)

    assert body == {"type": 4, "data": {"tts": False, "content": "pong"}}
    assert handle.latency is not None and handle.latency < 3
    assert bot.seen_users == [emulator.user("alice").id]

    # The payload the bot received is a complete guild interaction.
    payload = handle.payload
    synced_id = next(c["id"] for c in emulator.global_commands.values() if c["name"] == "ping")
    assert payload["data"] == {"id": synced_id, "name": "ping", "type": 1}
    assert payload["version"] == 1 and payload["type"] == 2
    assert payload["guild_id"] == str(emulator.guild.id)
    assert payload["member"]["user"]["username"] == "alice"
    assert int(payload["app_permissions"]) > 0

    message = handle.final_message()
    assert message is not None
    assert message["content"] == "pong" and message["flags"] == 0 and message["type"] == 20
    assert message["interaction_metadata"]["user"]["id"] == str(emulator.user("alice").id)
    assert [m["id"] for m in emulator.channel_messages(emulator.channel)] == [message["id"]]

    callback = emulator.requests_to("POST", r"^/interactions/")[0]
    assert callback.query == {"with_response": "1"}
    assert callback.headers["Content-Type"] == "application/json"


async def test_slash_command_in_dm(emulator: DiscordEmulator, bot: EmuBot) -> None:
    alice = emulator.user("alice")
    handle = await emulator.send_slash_command("ping", channel=emulator.dm_channel_for(alice))
    assert (await handle.wait_for_message())["content"] == "pong"
    assert "guild_id" not in handle.payload and handle.payload["user"]["id"] == str(alice.id)
    assert handle.payload["context"] == 1
    assert bot.seen_users == [alice.id]


async def test_ephemeral_reply(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("secret", user="bob")
    body = await handle.response()
    assert body["data"]["flags"] == 64
    assert handle.ephemeral
    message = handle.final_message()
    assert message is not None and message["content"] == "for your eyes only"


async def test_defer_follow_up_and_edit(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("slow")
    assert (await handle.response())["type"] == 5
    second = await handle.wait_for_followup(count=2)
    final = await handle.wait_for_edit()

    # The first follow-up replaced the "thinking..." message; the edit then rewrote it.
    assert final["content"] == "done"
    assert final["embeds"][0]["title"] == "Result" and final["embeds"][0]["type"] == "rich"
    assert not final["flags"] & 128
    assert handle.followup_ids[0] == int(final["id"])
    assert second["content"] == "a second follow-up" and second["flags"] == 64
    assert [m["content"] for m in handle.messages()] == ["done", "a second follow-up"]


async def test_subcommands_and_choices(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("hansard member", {"name": "Diane Abbott", "house": "lords"})
    assert (await handle.wait_for_message())["content"] == "Diane Abbott (lords)"
    handle = await emulator.send_slash_command("hansard debates latest", {"count": 5})
    assert (await handle.wait_for_message())["content"] == "latest 5"

    # Things a Discord client would never let a user send are refused before they reach the bot.
    with pytest.raises(ValueError, match="choices"):
        await emulator.send_slash_command("hansard member", {"name": "X", "house": "senate"})
    with pytest.raises(ValueError, match="required"):
        await emulator.send_slash_command("hansard member", {"house": "lords"})
    with pytest.raises(ValueError, match="no option"):
        await emulator.send_slash_command("ping", {"loud": True})


async def test_autocomplete(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_autocomplete("search", {"query": "health"}, focused="query")
    choices = await handle.choices()
    assert len(choices) == 25
    assert choices[0] == {"name": "Health 1", "value": "Health 1"}
    assert handle.payload["type"] == 4
    assert handle.payload["data"]["options"] == [{"name": "query", "type": 3, "value": "health", "focused": True}]

    handle = await emulator.send_slash_command("search", {"query": choices[3]["value"]})
    assert (await handle.wait_for_message())["content"] == "Results for Health 4"


# ---------------------------------------------------------------------------------------------- components


async def test_button_only_for_invoker(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("pager", user="alice")
    message = await handle.wait_for_message()
    assert message["components"][0]["components"][0]["custom_id"] == "pager:next"

    by_alice = await emulator.press_button(message, "pager:next", user="alice")
    assert (await by_alice.response())["type"] == 7
    assert handle.final_message()["content"] == "Page 2"  # type: ignore[index]

    by_bob = await emulator.press_button(message, "pager:next", user="bob")
    refusal = await by_bob.response()
    assert refusal["type"] == 4 and refusal["data"]["flags"] == 64
    assert "Only the person" in refusal["data"]["content"]
    assert handle.final_message()["content"] == "Page 2"  # type: ignore[index]

    jump = await emulator.select(message, "pager:jump", ["3"], user="alice")
    assert (await jump.response())["type"] == 7
    assert handle.final_message()["content"] == "Page 3"  # type: ignore[index]
    assert jump.payload["data"] == {"custom_id": "pager:jump", "component_type": 3, "values": ["3"]}

    with pytest.raises(ValueError, match="not options"):
        await emulator.select(message, "pager:jump", ["9"], user="alice")
    with pytest.raises(ValueError, match="no component"):
        await emulator.press_button(message, "pager:prev", user="alice")


# ---------------------------------------------------------------------------------------------- channel messages


async def test_embed_to_channel(emulator: DiscordEmulator, bot: EmuBot) -> None:
    target = emulator.guild.channel("hansard")
    handle = await emulator.send_slash_command("announce", {"channel": target, "title": "Order paper"})
    reply = await handle.wait_for_message()
    assert reply["content"] == f"Posted to <#{target.id}>"

    [post] = emulator.requests_to("POST", rf"^/channels/{target.id}/messages$")
    assert post.json["embeds"][0]["title"] == "Order paper"
    assert post.json["embeds"][0]["type"] == "rich" and "flags" in post.json["embeds"][0]
    assert "nonce" in post.json and post.json["enforce_nonce"] is True
    [shown] = emulator.channel_messages(target)
    assert shown["embeds"][0]["fields"] == [{"name": "Sitting", "value": "Commons, 1 May", "inline": True}]


async def test_mentions_are_honoured(emulator: DiscordEmulator, bot: EmuBot) -> None:
    alice = emulator.user("alice")
    text = f"@everyone look, {alice.mention} said it"
    safe = await (await emulator.send_slash_command("quote", {"text": text})).wait_for_message()
    assert safe["mentions"] == [] and safe["mention_everyone"] is False
    loud = await (await emulator.send_slash_command("quote", {"text": text, "safe": False})).wait_for_message()
    assert [u["id"] for u in loud["mentions"]] == [str(alice.id)] and loud["mention_everyone"] is True


async def test_multipart_file(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("file")
    message = await handle.wait_for_message()
    assert message["attachments"][0]["filename"] == "hello.txt"
    assert message["attachments"][0]["size"] == 5
    [callback] = emulator.requests_to("POST", r"^/interactions/")
    assert callback.files[0]["name"] == "files[0]"


# ---------------------------------------------------------------------------------------------- faults


async def test_429_on_follow_up_is_retried(emulator: DiscordEmulator, bot: EmuBot) -> None:
    fault = emulator.inject("POST", r"^/webhooks/", status=429, retry_after=0.2)
    handle = await emulator.send_slash_command("slow")
    final = await handle.wait_for_edit()
    assert final["content"] == "done"
    posts = emulator.requests_to("POST", r"^/webhooks/")
    assert [p.status for p in posts[:2]] == [429, 200]
    assert posts[1].time - posts[0].time >= 0.2
    assert fault.hits == 1


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [(403, 50001, discord.Forbidden), (404, 10003, discord.NotFound)],
)
async def test_channel_errors_surface(
    emulator: DiscordEmulator, bot: EmuBot, status: int, code: int, error: type[Exception]
) -> None:
    emulator.inject("POST", r"^/channels/\d+/messages$", status=status)
    handle = await emulator.send_slash_command("announce", {"channel": emulator.channel, "title": "x"})
    reply = await handle.wait_for_message()
    assert reply["content"] == "I cannot post there." and reply["flags"] == 64
    [exc] = bot.errors
    assert isinstance(exc, error)
    assert isinstance(exc, discord.HTTPException) and exc.code == code
    assert emulator.channel_messages(emulator.channel) == [] or all(
        m["flags"] & 64 for m in emulator.channel_messages(emulator.channel)
    )


async def test_500_is_retried(emulator: DiscordEmulator, bot: EmuBot) -> None:
    # discord.py waits 1 s before retrying a 5xx: this test costs a second.
    emulator.inject("POST", r"^/channels/\d+/messages$", status=500)
    handle = await emulator.send_slash_command("announce", {"channel": emulator.channel, "title": "x"})
    assert (await handle.wait_for_message())["content"].startswith("Posted to")
    assert [r.status for r in emulator.requests_to("POST", r"^/channels/")] == [500, 200]


async def test_dropped_gateway_is_resumed(emulator: DiscordEmulator, bot: EmuBot) -> None:
    await emulator.drop_gateway()
    # Sent while the bot is disconnected: queued on the session and replayed after RESUME.
    handle = await emulator.send_slash_command("ping")
    await emulator.wait_for_resume()
    assert (await handle.response())["data"]["content"] == "pong"
    assert emulator.identify_count == 1 and emulator.resume_count == 1
    resumed_on = emulator.gateway.connections[-1].path
    assert resumed_on == emulator.resume_gateway_path
    await emulator.wait_until(lambda: bot.resumed == 1, 2, "on_resumed")

    # And the session keeps working afterwards.
    later = await emulator.send_slash_command("ping")
    assert (await later.response())["data"]["content"] == "pong"


async def test_op7_reconnect(emulator: DiscordEmulator, bot: EmuBot) -> None:
    await emulator.request_reconnect()
    await emulator.wait_for_resume()
    handle = await emulator.send_slash_command("ping")
    assert (await handle.response())["type"] == 4
    assert emulator.identify_count == 1


async def test_op9_invalid_session_reidentifies(emulator: DiscordEmulator, bot: EmuBot) -> None:
    await emulator.invalidate_session(resumable=False)
    await emulator.wait_for_identify(count=2)
    await bot.wait_until_ready()
    handle = await emulator.send_slash_command("ping")
    assert (await handle.response())["type"] == 4


# ---------------------------------------------------------------------------------------------- rules


async def test_late_callback_is_a_violation(emulator: DiscordEmulator, bot: EmuBot) -> None:
    emulator.interaction_deadline = 0.2
    bot.respond_after = 0.3
    handle = await emulator.send_slash_command("sleepy")
    await emulator.wait_for_request("POST", r"^/interactions/")
    await emulator.wait_until(lambda: bot.errors, 2, "the bot's error handler")
    # Like Discord, the late callback is refused with 10062 Unknown interaction.
    assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062
    assert handle.callback is None
    handle.allow_no_response()
    problems = emulator.take_violations()
    assert len(problems) == 1 and "callback after" in problems[0]


async def test_limit_broken_through_discord_py_is_refused(emulator: DiscordEmulator, bot: EmuBot) -> None:
    handle = await emulator.send_slash_command("toolong")
    await emulator.wait_until(lambda: bot.errors, 2, "the bot to see the error")
    [exc] = bot.errors
    # Refused with Discord's 400, and the reason reaches the bot's exception text.
    assert isinstance(exc, discord.HTTPException) and exc.status == 400 and exc.code == 50035
    assert "4097" in exc.text
    assert handle.callback is None
    handle.allow_no_response()
    problems = emulator.take_violations()
    assert any("embeds[0].description" in p and "4096" in p for p in problems)


async def test_unanswered_interaction_is_reported_at_stop() -> None:
    # Its own emulator, not the fixture's, because stop() is where the check happens.
    async with DiscordEmulator() as emu, connect_client(emu, EmuBot):
        handle = await emu.send_slash_command("ignore")
        await asyncio.sleep(0.1)
        assert handle.callback is None
    assert len(emu.violations) == 1 and "never acknowledged" in emu.violations[0]


async def test_raw_invalid_body_and_unknown_route(emulator: DiscordEmulator) -> None:
    headers = {"Authorization": "Bot x", "User-Agent": "DiscordBot (test, 1)", "Content-Type": "application/json"}
    url = f"{emulator.api_base}/channels/{emulator.channel.id}/messages"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"embeds": [{"title": "t" * 300}]}, headers=headers) as resp:
            assert resp.status == 400
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["code"] == 50035
        async with session.get(f"{emulator.api_base}/nonsense/route", headers=headers) as resp:
            assert resp.status == 404
            assert await resp.json() == {"code": 0, "message": "404: Not Found"}
    problems = emulator.take_violations()
    assert any("title" in p and "256" in p for p in problems)
    assert any("unexpected request" in p for p in problems)
    assert [r.path for r in emulator.unexpected] == ["/nonsense/route"]
    assert emulator.channel_messages(emulator.channel) == []
