"""Digest rules without Discord: periods across DST, subscription checks, guild isolation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from commands.catalogue import NameCatalogue
from commands.core import HansardCore
from commands.digest import DigestCore, SubscribeRequest, latest_period, next_period
from storage.digests import SubscriptionRow
from tests.conftest import sqlite_copy

UTC = dt.UTC


def delivery_statuses(engine: Engine, subscription_id: int) -> list[str]:
    """The statuses of a subscription's deliveries, oldest period first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status FROM delivery WHERE subscription_id = :id ORDER BY period"), {"id": subscription_id}
        )
        return [str(status) for (status,) in rows]


def schedule(frequency: str = "daily", weekday: int | None = None, time: str = "08:00") -> SubscriptionRow:
    return SubscriptionRow(
        id=1,
        guild_id=1,
        channel_id=2,
        created_by=3,
        frequency=frequency,
        weekday=weekday,
        time_of_day=time,
        timezone="Europe/London",
        member_id=None,
        member_name=None,
        bill_title=None,
        keywords=None,
        house=None,
        filters_key="",
        watermark_id=0,
        paused=False,
        paused_reason=None,
        consecutive_failures=0,
        retry_at=None,
        created_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
        user_id=None,
        pause_told=False,
    )


@pytest.mark.parametrize(
    ("now", "latest", "following"),
    [
        # Summer time: 08:00 London is 07:00 UTC.
        (
            dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 6, 11, 7, 0, tzinfo=UTC),
        ),
        (
            dt.datetime(2026, 6, 10, 6, 59, tzinfo=UTC),
            dt.datetime(2026, 6, 9, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC),
        ),
        # Across the spring-forward night and the fall-back night.
        (
            dt.datetime(2026, 3, 29, 6, 30, tzinfo=UTC),
            dt.datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
            dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        ),
        (
            dt.datetime(2026, 10, 25, 7, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 24, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_daily_periods_keep_wall_clock_time(now: dt.datetime, latest: dt.datetime, following: dt.datetime) -> None:
    assert latest_period(schedule(), now) == latest
    assert next_period(schedule(), now) == following


def test_weekly_periods() -> None:
    friday = schedule("weekly", weekday=4, time="17:30")
    wednesday = dt.datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    assert latest_period(friday, wednesday) == dt.datetime(2026, 6, 5, 16, 30, tzinfo=UTC)
    assert next_period(friday, wednesday) == dt.datetime(2026, 6, 12, 16, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def names(bundled_sqlite: Engine) -> NameCatalogue:
    """The bundled data's names, built once: each test's copy of the store holds the same names."""
    return NameCatalogue(bundled_sqlite)


@pytest.fixture
def digest_core(bundled_sqlite: Engine, names: NameCatalogue, tmp_path: Path) -> Iterator[DigestCore]:
    engine = sqlite_copy(bundled_sqlite, tmp_path / "copy.db")
    yield DigestCore(HansardCore(engine, names=names))
    engine.dispose()


NOW = dt.datetime(2026, 6, 10, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Europe"}, "not a time zone"),
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"time_of_day": "25:00"}, "not a time of day"),
        ({"frequency": "hourly"}, "daily or weekly"),
        ({"member": "Smith"}, "More than one member"),
        ({"keywords": "!!!"}, "no words"),
    ],
)
def test_bad_subscriptions_are_explained(digest_core: DigestCore, changes: dict[str, str], message: str) -> None:
    request = SubscribeRequest(guild_id=1, channel_id=2, user_id=3, **changes)  # type: ignore[arg-type]
    reply = digest_core.subscribe(request, NOW)
    assert not reply.ok and message in reply.message


def test_another_guild_cannot_touch_a_subscription(digest_core: DigestCore) -> None:
    reply = digest_core.subscribe(SubscribeRequest(guild_id=1, channel_id=2, user_id=3), NOW)
    assert reply.ok and reply.subscription is not None
    number = reply.subscription.id
    [claimed] = digest_core.due(dt.datetime(2026, 6, 11, 7, 0, tzinfo=UTC))
    digest_core.nothing_new(claimed, dt.datetime(2026, 6, 11, 7, 1, tzinfo=UTC))

    assert not digest_core.unsubscribe(guild_id=99, subscription_id=number).ok
    assert not digest_core.resume(guild_id=99, subscription_id=number).ok
    assert digest_core.subscription(number, guild_id=99) is None
    assert delivery_statuses(digest_core.engine, number) == ["empty"]
    assert digest_core.due(dt.datetime(2026, 6, 11, 7, 5, tzinfo=UTC)) == []

    assert digest_core.unsubscribe(guild_id=1, subscription_id=number).ok
    assert delivery_statuses(digest_core.engine, number) == []


def test_divisions_on_the_bill_or_matching_the_keywords_are_reported_once(digest_core: DigestCore) -> None:
    engine = digest_core.engine
    on_bill = digest_core.subscribe(
        SubscribeRequest(guild_id=1, channel_id=2, user_id=3, bill="Terrorist Asset-Freezing"), NOW
    )
    on_words = digest_core.subscribe(
        SubscribeRequest(guild_id=1, channel_id=2, user_id=3, keywords="constitutional reform"), NOW
    )
    anything = digest_core.subscribe(SubscribeRequest(guild_id=1, channel_id=2, user_id=3, time_of_day="09:00"), NOW)
    assert on_bill.ok and on_words.ok and anything.ok
    # A new subscription starts from now: the bundled divisions are not news to it.
    for reply in (on_bill, on_words):
        assert reply.subscription is not None
        found = digest_core.subscription(reply.subscription.id, guild_id=1)
        assert found is not None and digest_core.preview(found) is None
    # As if the bundled divisions had been imported after the subscriptions were made.
    with engine.begin() as conn:
        conn.execute(text("UPDATE subscription SET division_watermark_id = 0"))
    # The preview says what the digest will hold, divisions included.
    bill_subscription = digest_core.subscription(1, guild_id=1)
    assert bill_subscription is not None
    preview = digest_core.preview(bill_subscription)
    assert preview is not None and preview.summary() == "4 divisions"

    first = digest_core.due(dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC))
    assert len(first) == 2  # the 09:00 one is not due yet
    held = {c.subscription.id: digest_core.content_of(c) for c in first}
    bill_content, words_content = held[1], held[2]
    assert bill_content is not None and words_content is not None
    assert [(d.date, d.number) for d in bill_content.divisions] == [(dt.date(2010, 2, 8), n) for n in (72, 73, 74, 75)]
    assert bill_content.total == 0 and bill_content.sections == []
    assert bill_content.divisions[0].passed and bill_content.divisions[0].ayes == 376
    assert [d.number for d in words_content.divisions] == [76, 77, 78, 79]
    assert all(d.bill == "Constitutional Reform and Governance Bill" for d in words_content.divisions)
    sent_at = dt.datetime(2026, 6, 10, 7, 1, tzinfo=UTC)
    for claimed in first:
        assert digest_core.delivered(claimed, 1000 + claimed.subscription.id, sent_at)

    # A subscription with neither a Bill nor keywords reports no divisions.
    [plain] = digest_core.due(dt.datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    assert digest_core.content_of(plain) is None

    # Delivered once: the next periods hold nothing, and the claims say so.
    later = digest_core.due(dt.datetime(2026, 6, 11, 7, 0, tzinfo=UTC))
    assert len(later) == 2 and all(digest_core.content_of(c) is None for c in later)
    for claimed in later:
        digest_core.nothing_new(claimed, dt.datetime(2026, 6, 11, 7, 1, tzinfo=UTC))
    assert delivery_statuses(engine, 1) == delivery_statuses(engine, 2) == ["sent", "empty"]
