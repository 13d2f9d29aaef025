"""Scheduled digests, end to end through the emulator, with a controllable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Engine

from bot.client import HansardBot
from bot.digest.scheduler import BotChannels, DigestScheduler
from commands.catalogue import NameCatalogue
from commands.core import HansardCore
from commands.digest import Claimed, DigestCore, DigestSettings
from storage.db import make_engine, migrate
from storage.digests import get_subscription
from storage.importer import ImportSummary, import_paths
from tests.bot.conftest import make_settings
from tests.commands.test_digest_core import delivery_statuses
from tests.conftest import DATA, sqlite_copy
from tests.emulator import DiscordEmulator, connect_client
from tests.storage.twfy_history import full_versions

MANAGE_CHANNELS = 1 << 4
SAMPLE = (DATA / "samples" / "CONTRIBUTION_622898.txt").read_text(encoding="utf-8")


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, *args: int) -> None:
        self.now = dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def new_contribution(folder: Path, number: int, word: str, member: str = "Tim Loughton") -> None:
    """A contribution in the seed format (the real sample with another id, member and a marker word)."""
    text = SAMPLE.replace("CONTRIBUTION_622898", f"CONTRIBUTION_{number}")
    text = f"On {word}, a new point.\n" + text.replace("Tim Loughton", member)
    (folder / f"CONTRIBUTION_{number}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, bundled_sqlite: Engine) -> Path:
    """The bundled data, once; each test works on its own copy of the file."""
    path = tmp_path_factory.mktemp("digest-template") / "template.db"
    sqlite_copy(bundled_sqlite, path).dispose()
    return path


@pytest.fixture(scope="session")
def template_names(template_db: Path) -> Iterator[NameCatalogue]:
    """The template's names, built once: each test's copy of the store holds the same names."""
    engine = make_engine(f"sqlite:///{template_db}")
    yield NameCatalogue(engine)
    engine.dispose()


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Engine]:
    shutil.copy(template_db, tmp_path / "digest.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC))


@pytest_asyncio.fixture
async def digest_bot(
    emulator: DiscordEmulator, store: Engine, clock: FakeClock, template_names: NameCatalogue
) -> AsyncIterator[HansardBot]:
    role = emulator.add_role(emulator.guild, "Channel manager", MANAGE_CHANNELS)
    emulator.add_user("editor", roles=[role])

    def factory() -> HansardBot:
        core = HansardCore(store, names=template_names)
        return HansardBot(
            make_settings(store), store, core=core, clock=clock, start_scheduler=False, guild_ready_timeout=0.05
        )

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        yield bot


def add_news(engine: Engine, folder: Path, numbers: range, word: str, member: str = "Tim Loughton") -> None:
    folder.mkdir(exist_ok=True)
    for number in numbers:
        new_contribution(folder, number, word, member)
    assert import_paths(engine, [folder]).ok


async def subscribe(
    emulator: DiscordEmulator, options: dict[str, Any], user: str = "editor", channel: str = "hansard"
) -> str:
    handle = await emulator.send_slash_command(
        "digest subscribe", options, user=user, channel=emulator.guild.channel(channel)
    )
    message = await handle.wait_for_message()
    return str(message["content"])


def posted(emulator: DiscordEmulator, channel: str = "hansard") -> list[dict[str, Any]]:
    """Messages the bot posted on its own (type 0), not replies to commands (type 20)."""
    return [m for m in emulator.channel_messages(emulator.guild.channel(channel)) if m["type"] == 0]


def digest_text(message: dict[str, Any]) -> str:
    embed = message["embeds"][0]
    return "\n".join(
        [embed["title"], embed.get("description") or ""] + [f"{f['name']} {f['value']}" for f in embed["fields"]]
    )


async def test_digest_arrives_at_local_time_with_only_new_matching_contributions(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    reply = await subscribe(emulator, {"frequency": "daily", "time": "08:00", "member": "Tim Loughton"})
    assert reply.startswith("Subscribed: #1: daily at 08:00 (Europe/London) by Tim Loughton")
    add_news(store, tmp_path / "news", range(900001, 900004), "lighthouses")
    add_news(store, tmp_path / "other", range(900010, 900012), "ferries", member="Jack Straw")

    # 08:00 in London is 07:00 UTC in June (BST).
    [info] = digest_bot.digests.subscriptions(emulator.guild.id, None, clock.now)
    assert info.next_run == dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC)

    clock.set(2026, 6, 10, 6, 59)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert posted(emulator) == []

    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    [message] = posted(emulator)
    text = digest_text(message)
    assert text.count("lighthouses") == 3
    assert "ferries" not in text and "Jack Straw" not in text
    assert "CONTRIBUTION_622898)" not in text  # imported before the subscription: not news
    assert message["mention_everyone"] is False

    clock.set(2026, 6, 10, 7, 30)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1

    # Next day, nothing new: no post.
    clock.set(2026, 6, 11, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1


async def test_managing_digests_needs_manage_channels(digest_bot: HansardBot, emulator: DiscordEmulator) -> None:
    handle = await emulator.send_slash_command("digest subscribe", {"frequency": "daily"}, user="alice")
    message = await handle.wait_for_message()
    assert message["flags"] & 64 and "Manage Channels" in message["content"]
    assert digest_bot.digests.subscriptions(emulator.guild.id, None, digest_bot.clock()) == []


async def test_duplicates_weekly_list_preview_unsubscribe(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, tmp_path: Path
) -> None:
    options = {"frequency": "weekly", "weekday": "Friday", "time": "17:30", "keywords": "lighthouses"}
    assert (await subscribe(emulator, options)).startswith("Subscribed: #1: weekly on Fridays at 17:30")
    again = await subscribe(emulator, options)
    assert "already has that exact digest" in again
    missing_day = await subscribe(emulator, {"frequency": "weekly"})
    assert "needs a weekday" in missing_day

    listing = await (
        await emulator.send_slash_command("digest list", user="editor", channel=emulator.guild.channel("hansard"))
    ).wait_for_message()
    assert "#1: weekly on Fridays at 17:30" in listing["content"] and "next <t:" in listing["content"]

    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    add_news(store, tmp_path / "other", range(900005, 900006), "ferries")
    preview = await (
        await emulator.send_slash_command("digest preview", {"subscription": 1}, user="editor")
    ).wait_for_message()
    assert preview["content"].startswith("The next digest would hold 2 contributions")
    assert "lighthouses" in digest_text(preview) and "ferries" not in digest_text(preview)

    choices = await (
        await emulator.send_autocomplete(
            "digest unsubscribe", {"subscription": ""}, focused="subscription", user="editor"
        )
    ).choices()
    assert [c["value"] for c in choices] == [1]
    removed = await (
        await emulator.send_slash_command("digest unsubscribe", {"subscription": 1}, user="editor")
    ).wait_for_message()
    assert removed["content"] == "Removed digest #1."
    assert digest_bot.digests.subscriptions(emulator.guild.id, None, digest_bot.clock()) == []


async def test_guild_limit(digest_bot: HansardBot, emulator: DiscordEmulator) -> None:
    digest_bot.digests.settings = DigestSettings(guild_limit=2)
    assert (await subscribe(emulator, {"frequency": "daily", "time": "07:00"})).startswith("Subscribed")
    assert (await subscribe(emulator, {"frequency": "daily", "time": "08:00"})).startswith("Subscribed")
    refused = await subscribe(emulator, {"frequency": "daily", "time": "09:00"})
    assert "already has 2 digest subscriptions" in refused


async def test_restart_loses_nothing_and_repeats_nothing(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")

    # The process claims the 08:00 delivery and dies before posting.
    clock.set(2026, 6, 10, 7, 0)
    first_life = DigestCore(digest_bot.core, claimant="first-process")
    assert len(first_life.due(clock.now)) == 1

    # Restarted a minute later: the dead claim still holds its lease, so nothing is posted twice...
    restarted = DigestScheduler(DigestCore(digest_bot.core, claimant="second-process"), BotChannels(digest_bot), clock)
    clock.set(2026, 6, 10, 7, 1)
    assert await restarted.run_due() == 0
    # ...and once the lease has run out, the period is delivered, once.
    clock.set(2026, 6, 10, 7, 12)
    assert await restarted.run_due() == 1
    clock.set(2026, 6, 10, 7, 30)
    assert await restarted.run_due() == 0
    assert len(posted(emulator)) == 1
    assert delivery_statuses(store, 1) == ["sent"]

    # Down over the next 08:00, back at 10:00 (inside the 6-hour grace window): delivered once, late.
    add_news(store, tmp_path / "more", range(900010, 900011), "harbours")
    clock.set(2026, 6, 11, 9, 0)
    assert await restarted.run_due() == 1
    assert await restarted.run_due() == 0
    assert "harbours" in digest_text(posted(emulator)[-1])
    assert "lighthouses" not in digest_text(posted(emulator)[-1])


class DiesAfterPosting(DigestCore):
    """A process that dies after Discord accepted its digest, before the delivery was recorded."""

    def delivered(self, claimed: Claimed, message_id: int, now: dt.datetime) -> bool:
        raise RuntimeError("the process died here")


async def test_a_digest_posted_just_before_a_crash_is_not_posted_again(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    channels = BotChannels(digest_bot)

    clock.set(2026, 6, 10, 7, 0)
    dying = DigestScheduler(DiesAfterPosting(digest_bot.core, claimant="first-process"), channels, clock)
    assert await dying.run_due() == 0
    [message] = posted(emulator)
    assert delivery_statuses(store, 1) == ["claimed"]

    # Another process takes the claim over once its lease has run out (long after Discord's
    # nonce has been forgotten), finds the digest in the channel, and records it instead.
    successor = DigestScheduler(DigestCore(digest_bot.core, claimant="second-process"), channels, clock)
    clock.set(2026, 6, 10, 7, 1)
    assert await successor.run_due() == 0
    clock.set(2026, 6, 10, 7, 12)
    assert await successor.run_due() == 0
    assert posted(emulator) == [message]
    assert delivery_statuses(store, 1) == ["sent"]
    clock.set(2026, 6, 10, 8, 0)
    assert await successor.run_due() == 0

    # The watermark moved on: the next digest holds only what came after.
    add_news(store, tmp_path / "more", range(900010, 900011), "harbours")
    clock.set(2026, 6, 11, 7, 0)
    assert await successor.run_due() == 1
    assert len(posted(emulator)) == 2
    assert "harbours" in digest_text(posted(emulator)[-1])
    assert "lighthouses" not in digest_text(posted(emulator)[-1])


async def test_two_schedulers_on_one_postgres_post_once(
    emulator: DiscordEmulator, postgres_engine_session: Engine, tmp_path: Path
) -> None:
    from tests.conftest import _empty_postgres

    engine = _empty_postgres(postgres_engine_session)
    assert import_paths(engine, [DATA / "samples"]).ok
    clock = FakeClock(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC))
    core = HansardCore(engine)

    def factory() -> HansardBot:
        return HansardBot(
            make_settings(engine), engine, core=core, clock=clock, start_scheduler=False, guild_ready_timeout=0.05
        )

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        await subscribe(emulator, {"frequency": "daily", "time": "08:00"}, user="owner")
        add_news(engine, tmp_path / "news", range(900001, 900003), "lighthouses")
        clock.set(2026, 6, 10, 7, 0)
        other_engine = make_engine(str(engine.url.render_as_string(hide_password=False)))
        schedulers = [
            DigestScheduler(DigestCore(HansardCore(engine), claimant="process-a"), BotChannels(bot), clock),
            DigestScheduler(DigestCore(HansardCore(other_engine), claimant="process-b"), BotChannels(bot), clock),
        ]
        results = await asyncio.gather(*(s.run_due() for s in schedulers))
        assert sorted(results) == [0, 1]
        assert len(posted(emulator)) == 1
        other_engine.dispose()


@pytest.mark.parametrize("status", [403, 404])
async def test_missing_access_or_deleted_channel_backs_off_then_pauses(
    digest_bot: HansardBot,
    emulator: DiscordEmulator,
    store: Engine,
    clock: FakeClock,
    tmp_path: Path,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"}, channel="general")
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    hansard = emulator.guild.channel("hansard")
    emulator.inject("POST", rf"/channels/{hansard.id}/messages", status=status, times=100)
    scheduler = digest_bot.digest_scheduler

    clock.set(2026, 6, 10, 7, 0)
    # The failing channel does not hold up the other one.
    assert await scheduler.run_due() == 1
    assert len(posted(emulator, "general")) == 1
    attempts = lambda: len(emulator.requests_to("POST", rf"/channels/{hansard.id}/messages"))  # noqa: E731
    assert attempts() == 1

    # Back-off: 5, 10, 20, 40 minutes; no attempt before each is up.
    waits = [5, 10, 20, 40]
    for minutes in waits:
        clock.now += dt.timedelta(minutes=minutes - 1)
        await scheduler.run_due()
        before = attempts()
        clock.now += dt.timedelta(minutes=1)
        with caplog.at_level(logging.WARNING):
            await scheduler.run_due()
        assert attempts() == before + 1
    subscription = get_subscription(store, 1)
    assert subscription is not None and subscription.paused
    assert str(status) in (subscription.paused_reason or "")
    assert any("paused" in r.getMessage() for r in caplog.records)
    clock.now += dt.timedelta(hours=1)
    await scheduler.run_due()
    assert attempts() == 5
    emulator.clear_faults()


async def test_rate_limited_digest_is_retried_as_discord_says(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900002), "lighthouses")
    emulator.inject("POST", r"/channels/\d+/messages", status=429, retry_after=0.2, times=1)
    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    assert len(posted(emulator)) == 1


@pytest.mark.parametrize(
    ("day", "too_early", "on_time"),
    [
        # Clocks go forward at 01:00 UTC on 29 March 2026: 08:00 London is then 07:00 UTC.
        ((2026, 3, 29), (2026, 3, 29, 6, 59), (2026, 3, 29, 7, 0)),
        # Clocks go back at 01:00 UTC on 25 October 2026: 08:00 London is then 08:00 UTC.
        ((2026, 10, 25), (2026, 10, 25, 7, 59), (2026, 10, 25, 8, 0)),
    ],
)
async def test_dst_change_day_posts_once_at_the_wall_clock_time(
    digest_bot: HansardBot,
    emulator: DiscordEmulator,
    store: Engine,
    clock: FakeClock,
    tmp_path: Path,
    day: tuple[int, int, int],
    too_early: tuple[int, ...],
    on_time: tuple[int, ...],
) -> None:
    clock.set(day[0], day[1], day[2] - 1, 12, 0)
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    add_news(store, tmp_path / "news", range(900001, 900002), "lighthouses")
    [info] = digest_bot.digests.subscriptions(emulator.guild.id, None, clock.now)
    assert info.next_run == dt.datetime(*on_time, tzinfo=dt.UTC)
    clock.set(*too_early)
    assert await digest_bot.digest_scheduler.run_due() == 0
    clock.set(*on_time)
    assert await digest_bot.digest_scheduler.run_due() == 1
    for _ in range(3):
        clock.now += dt.timedelta(hours=1)
        assert await digest_bot.digest_scheduler.run_due() == 0
    assert len(posted(emulator)) == 1


async def test_admin_status_shows_the_digests_that_run_next(
    digest_bot: HansardBot, emulator: DiscordEmulator, clock: FakeClock
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    await subscribe(emulator, {"frequency": "weekly", "weekday": "Friday", "time": "17:30"})
    handle = await emulator.send_slash_command("admin status", None, user="owner")
    message = await handle.wait_for_message()
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    # Soonest first: today's 08:00 London (07:00 UTC), then Friday's.
    today = int(dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC).timestamp())
    friday = int(dt.datetime(2026, 6, 12, 16, 30, tzinfo=dt.UTC).timestamp())
    assert fields["Digests (2 active)"].splitlines() == [
        f"#1 in channel {emulator.guild.channel('hansard').id}: <t:{today}:R>",
        f"#2 in channel {emulator.guild.channel('hansard').id}: <t:{friday}:R>",
    ]


# --- re-issued days: TheyWorkForYou publishes a day again (a, then b, c, d) -----------------

UML_DEBATES = DATA / "twfy_uml_2009" / "scrapedxml" / "debates"
TWFY_ADDRESS = re.compile(r"theyworkforyou\.com/debates/\?id=(\d{4}-\d{2}-\d{2})([a-z])\.(\d+\.\d+)")


def cited_items(message: dict[str, Any]) -> list[tuple[str, str]]:
    """The TheyWorkForYou items a posted digest cites, as (version letter, position in the day)."""
    return [(letter, position) for _day, letter, position in TWFY_ADDRESS.findall(digest_text(message))]


def counts(message: dict[str, Any]) -> tuple[int, int]:
    """How many contributions a digest says it holds, and how many it leaves to "and N more"."""
    embed = message["embeds"][0]
    total = int(str(embed["description"]).removesuffix(" new contributions").replace(",", ""))
    more = [int(f["name"].split()[1].replace(",", "")) for f in embed["fields"] if f["name"].startswith("and ")]
    return total, sum(more)


def import_mirror(engine: Engine, mirror: Path) -> ImportSummary:
    summary = import_paths(engine, [mirror])
    assert summary.ok, summary.errors
    return summary


async def test_a_re_issued_day_is_not_posted_again(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00", "keywords": "Drumcree"})
    versions = full_versions(UML_DEBATES)
    mirror = tmp_path / "debates"
    mirror.mkdir()
    (mirror / "debates2009-10-27a.xml").write_bytes(versions["debates2009-10-27a.xml"])
    assert import_mirror(store, mirror).new == 345

    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    [first] = posted(emulator)
    cited = cited_items(first)
    total, more = counts(first)
    assert cited and len(cited) == len(set(cited)) == total - more
    assert all(letter == "a" for letter, _ in cited)

    # The day is published again, three times over: each older file becomes its stub.
    previous = "debates2009-10-27a.xml"
    for newer in ("debates2009-10-27b.xml", "debates2009-10-27c.xml", "debates2009-10-27d.xml"):
        shutil.copy(UML_DEBATES / previous, mirror / previous)
        (mirror / newer).write_bytes(versions[newer])
        summary = import_mirror(store, mirror)
        assert summary.updated > 0 and summary.new == 0
        previous = newer

    clock.set(2026, 6, 11, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0
    assert posted(emulator) == [first]


async def test_a_re_issued_day_with_more_speeches_posts_only_those(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await subscribe(emulator, {"frequency": "daily", "time": "08:00"})
    # The a version as if published before the sitting's last two speeches were in it.
    versions = full_versions(UML_DEBATES)
    early = ET.fromstring(versions["debates2009-10-27a.xml"])
    late_speeches = [item for item in early if item.tag == "speech"][-2:]
    for speech in late_speeches:
        early.remove(speech)
    mirror = tmp_path / "debates"
    mirror.mkdir()
    (mirror / "debates2009-10-27a.xml").write_bytes(ET.tostring(early, encoding="utf-8"))
    assert import_mirror(store, mirror).new == 343

    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    [first] = posted(emulator)
    assert counts(first)[0] == 343

    shutil.copy(UML_DEBATES / "debates2009-10-27a.xml", mirror)  # now its stub
    (mirror / "debates2009-10-27b.xml").write_bytes(versions["debates2009-10-27b.xml"])
    summary = import_mirror(store, mirror)
    assert (summary.new, summary.updated) == (2, 343)

    clock.set(2026, 6, 11, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    [_, second] = posted(emulator)
    assert counts(second) == (2, 0)
    positions = [str(speech.get("id")).rsplit("a.", 1)[1] for speech in late_speeches]
    assert cited_items(second) == [("b", position) for position in positions]
    assert await digest_bot.digest_scheduler.run_due() == 0


# --- divisions: a digest on a Bill or keywords reports the divisions since its last delivery ----

FEB_2010 = DATA / "hansard_twfy_xml_2010"


async def test_a_digest_reports_new_divisions_once_even_when_their_day_is_re_issued(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    clock = FakeClock(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC))
    role = emulator.add_role(emulator.guild, "Channel manager", MANAGE_CHANNELS)
    emulator.add_user("editor", roles=[role])
    day = tmp_path / "feb2010"
    day.mkdir()
    shutil.copy(FEB_2010 / "debates" / "debates2010-02-08b.xml", day)
    shutil.copy(DATA / "hansard_twfy_xml_2010_superseded" / "debates2010-02-08a.xml", day)
    versions = full_versions(day)

    def factory() -> HansardBot:
        return HansardBot(
            make_settings(engine),
            engine,
            core=HansardCore(engine),
            clock=clock,
            start_scheduler=False,
            guild_ready_timeout=0.05,
        )

    async with connect_client(emulator, factory) as bot:
        await bot.tree.sync()
        await subscribe(emulator, {"frequency": "daily", "time": "08:00", "keywords": "asset-freezing"})
        mirror = tmp_path / "debates"
        mirror.mkdir()
        (mirror / "debates2010-02-08a.xml").write_bytes(versions["debates2010-02-08a.xml"])
        import_mirror(engine, mirror)

        clock.set(2026, 6, 10, 7, 0)
        assert await bot.digest_scheduler.run_due() == 1
        [message] = posted(emulator)
        embed = message["embeds"][0]
        assert embed["description"].endswith(", 4 new divisions")
        [divisions] = [f["value"] for f in embed["fields"] if f["name"] == "Divisions"]
        lines = divisions.splitlines()
        assert [line.split(":", 1)[0] for line in lines] == [f"• 8 Feb 2010, division {n}" for n in (72, 73, 74, 75)]
        assert lines[0].startswith("• 8 Feb 2010, division 72: agreed (Ayes 376, Noes 56)")
        assert "not agreed (Ayes 125, Noes 307) That the amendment be made." in lines[1]

        # The day is re-issued (b, with a as its stub): the same divisions, not news.
        shutil.copy(day / "debates2010-02-08a.xml", mirror)
        (mirror / "debates2010-02-08b.xml").write_bytes(versions["debates2010-02-08b.xml"])
        assert import_mirror(engine, mirror).updated > 0
        clock.set(2026, 6, 11, 7, 0)
        assert await bot.digest_scheduler.run_due() == 0
        assert posted(emulator) == [message]
    engine.dispose()


# --- personal alerts by DM: the digest machinery for one user ---------------------------------

EPHEMERAL = 64


async def alert(emulator: DiscordEmulator, name: str, options: dict[str, Any] | None, user: str = "alice") -> str:
    handle = await emulator.send_slash_command(f"alert {name}", options, user=user)
    message = await handle.wait_for_message()
    assert message["flags"] & EPHEMERAL
    return str(message["content"])


def dms(emulator: DiscordEmulator, user: str = "alice") -> list[dict[str, Any]]:
    channel = emulator.dm_channel_for(emulator.user(user))
    return [m for m in emulator.channel_messages(channel) if m["type"] == 0]


async def test_an_alert_arrives_by_dm_once_after_each_import_that_has_news(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    reply = await alert(emulator, "add", {"keywords": "lighthouses"})
    assert reply == "Alert set: #1: as new Hansard arrives matching “lighthouses”."
    assert "no alerts" in await alert(emulator, "list", None, user="bob")
    assert "#1: as new Hansard arrives" in await alert(emulator, "list", None)

    clock.set(2026, 6, 10, 6, 0)
    add_news(store, tmp_path / "news", range(900001, 900003), "lighthouses")
    add_news(store, tmp_path / "other", range(900005, 900006), "ferries")
    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    assert await digest_bot.digest_scheduler.run_due() == 0
    [message] = dms(emulator)
    assert "2 new contributions" in digest_text(message) and "ferries" not in digest_text(message)
    assert dms(emulator, "bob") == []

    # An import with nothing for the alert: nothing sent; the next one with news: one more DM.
    add_news(store, tmp_path / "more-ferries", range(900007, 900008), "ferries")
    clock.set(2026, 6, 10, 8, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0
    add_news(store, tmp_path / "more", range(900010, 900011), "lighthouses")
    clock.set(2026, 6, 10, 9, 0)
    assert await digest_bot.digest_scheduler.run_due() == 1
    assert len(dms(emulator)) == 2
    assert delivery_statuses(store, 1) == ["sent", "empty", "sent"]


async def test_alerts_are_their_owners_alone_and_capped(digest_bot: HansardBot, emulator: DiscordEmulator) -> None:
    digest_bot.digests.settings = DigestSettings(alerts_per_user=2)
    assert "needs something to watch" in await alert(emulator, "add", None)
    assert (await alert(emulator, "add", {"keywords": "lighthouses"})).startswith("Alert set")
    assert "already have that exact alert" in await alert(emulator, "add", {"keywords": "lighthouses"})
    assert (await alert(emulator, "add", {"member": "Tim Loughton", "frequency": "daily"})).startswith(
        "Alert set: #2: daily at 08:00 (Europe/London) by Tim Loughton.\nNext alert: <t:"
    )
    assert "already have 2 alerts" in await alert(emulator, "add", {"keywords": "harbours"})
    assert await alert(emulator, "remove", {"alert": 1}, user="bob") == "You have no alert #1."
    # A server's /digest commands cannot reach an alert either.
    assert not digest_bot.digests.unsubscribe(emulator.guild.id, 1).ok
    assert await alert(emulator, "remove", {"alert": 1}) == "Removed alert #1."


async def test_a_refused_dm_pauses_the_alert_and_its_owner_is_told_once(
    digest_bot: HansardBot, emulator: DiscordEmulator, store: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await alert(emulator, "add", {"keywords": "lighthouses"})
    dm = emulator.dm_channel_for(emulator.user("alice"))
    emulator.inject(
        "POST",
        rf"/channels/{dm.id}/messages",
        status=403,
        times=1,
        body={"code": 50007, "message": "Cannot send messages to this user"},
    )
    clock.set(2026, 6, 10, 6, 0)
    add_news(store, tmp_path / "news", range(900001, 900002), "lighthouses")
    clock.set(2026, 6, 10, 7, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0
    [info] = digest_bot.digests.alerts(emulator.user("alice").id, clock.now)
    assert info.paused and "refused the direct message" in (info.paused_reason or "")
    clock.set(2026, 6, 10, 9, 0)
    assert await digest_bot.digest_scheduler.run_due() == 0  # paused: no more attempts
    assert len(emulator.requests_to("POST", rf"/channels/{dm.id}/messages")) == 1

    # The owner's next command (any command) is followed by a private word on why.
    handle = await emulator.send_slash_command("hansard help", None, user="alice")
    await handle.wait_for_message()
    notice = await handle.wait_for_followup(1)
    assert notice["flags"] & EPHEMERAL and "is paused" in notice["content"] and "direct message" in notice["content"]
    again = await emulator.send_slash_command("hansard help", None, user="alice")
    await again.wait_for_message()
    await asyncio.sleep(0.5)  # time enough for a follow-up to arrive, if one were sent
    assert again.followups == []

    assert await alert(emulator, "resume", {"alert": 1}) == "Alert #1 will be delivered again."
    assert await digest_bot.digest_scheduler.run_due() == 1
    assert len(dms(emulator)) == 1


async def test_member_bill_and_time_zone_options_offer_the_same_choices_in_every_cog(
    digest_bot: HansardBot, emulator: DiscordEmulator
) -> None:
    async def offered(command: str, option: str, typed: str) -> list[str]:
        handle = await emulator.send_autocomplete(command, {option: typed}, focused=option, user="editor")
        return [c["name"] for c in await handle.choices()]

    members = await offered("hansard member", "name", "lough")
    assert members and members[0].startswith("Tim Loughton")
    assert await offered("digest subscribe", "member", "lough") == members
    assert await offered("alert add", "member", "lough") == members
    assert await offered("hansard trend", "member", "lough") == members
    bills = await offered("hansard bill", "title", "terrorist asset")
    assert bills and bills[0].startswith("Terrorist Asset-Freezing")
    assert await offered("hansard who", "bill", "terrorist asset") == bills
    assert await offered("alert add", "bill", "terrorist asset") == bills
    zones = await offered("digest subscribe", "timezone", "Europe/Lon")
    assert "Europe/London" in zones and await offered("alert add", "timezone", "Europe/Lon") == zones
