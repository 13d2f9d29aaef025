"""Digest and admin rendering: stored text shown literally (no Markdown, no pings), within Discord's
limits; and the digest clock driven through its channel seam, without Discord."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import discord
import pytest

from bot.admin.render import errors_text, import_outcome
from bot.digest.cli import preview_lines
from bot.digest.render import carries_marker, preview_text, render_digest, reply_text, subscription_list
from bot.digest.scheduler import DigestScheduler, PostFailed
from commands.admin import ErrorsPage, ImportRunRow, ImportSource, ReimportOutcome
from commands.core import HansardCore
from commands.digest import DigestContent, DigestCore, DigestReply, DigestSection, SubscribeRequest, SubscriptionInfo
from commands.replies import ResultItem
from commands.vote_replies import DivisionItem
from storage.digests import SubscriptionRow
from storage.importer import import_paths
from tests.conftest import DATA

HOSTILE = "**Labour** @everyone ||x|| <@&1> [link](https://example.com) __u__ `c`"
# The hostile text's constructs, unescaped: each would be rendered live by Discord.
LIVE = re.compile(r"(?<!\\)\*\*Labour|(?<!\\)\|\|x|(?<!\\)\[link|(?<!\\)__u|(?<!\\)`c|@everyone|<@&1>")


def hostile_item(number: int) -> ResultItem:
    return ResultItem(
        row_id=number,
        uri=f"https://example.org/{number}",
        member=HOSTILE,
        party=HOSTILE,
        house="House of Commons",
        date=dt.date(2010, 2, 23),
        title=HOSTILE,
        debate_title=HOSTILE,
        reference="HC Deb 23 February 2010 vol 506 c185-6",
        excerpt="plain words",
    )


def hostile_subscription() -> SubscriptionRow:
    return SubscriptionRow(
        id=7,
        guild_id=1,
        channel_id=2,
        created_by=3,
        frequency="daily",
        weekday=None,
        time_of_day="08:00",
        timezone="Europe/London",
        member_id=None,
        member_name=HOSTILE,
        bill_title=HOSTILE,
        keywords=HOSTILE,
        house=None,
        filters_key="",
        watermark_id=0,
        paused=True,
        paused_reason=HOSTILE,
        consecutive_failures=5,
        retry_at=None,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        user_id=None,
        pause_told=False,
    )


def embed_text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    return "\n".join(parts + [f"{f.name}\n{f.value}" for f in embed.fields])


def test_hostile_stored_text_in_a_digest_is_shown_literally_within_limits() -> None:
    content = DigestContent(
        title=f"Hansard digest — {HOSTILE}",
        sections=[DigestSection(HOSTILE, [hostile_item(n) for n in range(k * 3, k * 3 + 3)]) for k in range(30)],
        shown=90,
        total=1000,
        total_capped=True,
    )
    embed = render_digest(content, "Digest #7, delivery 9")
    text = embed_text(embed)
    assert "Labour" in text and not LIVE.search(text)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert embed.fields[-1].name.startswith("and ") and "more" in embed.fields[-1].name
    assert carries_marker(embed, "Digest #7, delivery 9") and not carries_marker(embed, "Digest #7, delivery 90")


def test_hostile_subscription_text_is_shown_literally() -> None:
    info = SubscriptionInfo(hostile_subscription(), next_run=None)
    for text in (
        subscription_list([info]),
        reply_text(DigestReply("Subscribed.", ok=True, subscription=info)),
        reply_text(DigestReply(HOSTILE, ok=False, candidates=[HOSTILE])),
    ):
        assert "Labour" in text and not LIVE.search(text), text


def test_hostile_admin_text_is_shown_literally() -> None:
    run = ImportRunRow(1, HOSTILE, HOSTILE, "failed", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None, 1, 0, 0, 0, 1, ())
    texts = [
        errors_text(ErrorsPage(run, [f"{HOSTILE}:1: bad"], 1, 1)),
        import_outcome(HOSTILE, ReimportOutcome(ImportSource("s", "/x"), error=HOSTILE)),
        import_outcome(HOSTILE, ReimportOutcome(None, refused=HOSTILE)),
    ]
    heading = texts[0].split("\n")[0]
    assert not LIVE.search(heading)
    for text in texts[1:]:
        assert "Labour" in text and not LIVE.search(text), text


class RecordingChannels:
    """The scheduler's view of Discord, as plain calls: posts are recorded, one channel refuses."""

    def __init__(self, refusing: int) -> None:
        self.refusing = refusing
        self.posts: list[tuple[int, discord.Embed, int]] = []

    async def post(self, channel_id: int, embed: discord.Embed, nonce: int) -> int:
        if channel_id == self.refusing:
            raise PostFailed("missing access to the channel (403)", permanent=True)
        self.posts.append((channel_id, embed, nonce))
        return 1000 + len(self.posts)

    async def find_posted(self, channel_id: int, marker: str) -> int | None:
        return next((1001 + i for i, p in enumerate(self.posts) if carries_marker(p[1], marker)), None)


async def test_the_digest_clock_posts_through_its_channel_seam(sqlite_engine: object, tmp_path: Path) -> None:
    from sqlalchemy import Engine

    assert isinstance(sqlite_engine, Engine)
    digests = DigestCore(HansardCore(sqlite_engine), claimant="test")
    start = dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC)
    for channel in (2, 3):
        assert digests.subscribe(SubscribeRequest(guild_id=1, channel_id=channel, user_id=3), start).ok
    assert import_paths(sqlite_engine, [DATA / "samples"]).ok
    channels = RecordingChannels(refusing=3)
    clock = [dt.datetime(2026, 6, 10, 6, 59, tzinfo=dt.UTC)]
    scheduler = DigestScheduler(digests, channels, lambda: clock[0])
    assert await scheduler.run_due() == 0
    clock[0] = dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC)
    assert await scheduler.run_due() == 1
    [(channel_id, embed, nonce)] = channels.posts
    assert channel_id == 2 and "Tim Loughton" in embed_text(embed) and nonce > 7_000_000_000
    [refused] = digests.subscriptions(1, 3, clock[0])
    assert refused.subscription.consecutive_failures == 1 and refused.subscription.retry_at is not None
    assert await scheduler.run_due() == 0


def _division(number: int, passed: bool) -> DivisionItem:
    return DivisionItem(
        house="House of Commons",
        date=dt.date(2010, 2, 8),
        number=number,
        time="21:59",
        debate="Terrorist Asset-Freezing etc. Bill [Lords]",
        bill="Terrorist Asset-Freezing etc. Bill",
        heading=None,
        question="That the amendment be made.",
        ayes=200 + number,
        noes=300,
        yes_label="Ayes",
        no_label="Noes",
        passed=passed,
        links=(),
    )


@pytest.mark.parametrize(
    ("total", "capped", "divisions", "summary"),
    [
        (0, False, 2, "2 divisions"),
        (1, False, 1, "1 contribution and 1 division"),
        (12, False, 0, "12 contributions"),
        (1000, True, 3, "1,000+ contributions and 3 divisions"),
        (0, False, 0, "0 contributions"),
    ],
)
def test_a_preview_counts_what_the_digest_holds_divisions_included(
    total: int, capped: bool, divisions: int, summary: str
) -> None:
    content = DigestContent(
        title="Digest #1",
        sections=[],
        shown=0,
        total=total,
        total_capped=capped,
        divisions=[_division(72 + i, passed=i % 2 == 0) for i in range(divisions)],
    )
    assert preview_text(content) == f"The next digest would hold {summary}:"
    lines = preview_lines(content)
    assert lines[0] == f"Digest #1: {summary}"
    assert lines[1 : 1 + divisions] == [
        f"  2010-02-08 division {72 + i}: {'passed' if i % 2 == 0 else 'not passed'} "
        f"(Ayes {272 + i}, Noes 300) That the amendment be made."
        for i in range(divisions)
    ]
