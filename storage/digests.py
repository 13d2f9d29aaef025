"""Digest subscriptions and deliveries in the store.

Exactly once: a delivery is *claimed* (a row per subscription and period, unique)
in its own transaction before anything is posted, and the subscription's
watermark advances only when the delivery is completed after Discord accepted
the message. Two processes racing for one period: the unique constraint lets one
claim win. A process that dies holding a claim: the claim expires after a lease
and may be taken again. A failed delivery may be claimed again to retry it.

Rows leave this module as frozen dataclasses whose fields are the table's columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import CONTRIBUTION_TABLE, DELIVERY_TABLE, DIVISION_TABLE, SUBSCRIPTION_TABLE

SENT = "sent"
EMPTY = "empty"
CLAIMED = "claimed"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """One row of the subscription table."""

    id: int
    guild_id: int
    channel_id: int
    created_by: int
    frequency: str
    weekday: int | None
    time_of_day: str
    timezone: str
    member_id: int | None
    member_name: str | None
    bill_title: str | None
    keywords: str | None
    house: str | None
    filters_key: str
    watermark_id: int
    paused: bool
    paused_reason: str | None
    consecutive_failures: int
    retry_at: dt.datetime | None
    created_at: dt.datetime
    user_id: int | None
    pause_told: bool
    division_watermark_id: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One row of the delivery table: one period of one subscription."""

    id: int
    subscription_id: int
    period: dt.datetime
    status: str
    claimed_by: str
    claimed_at: dt.datetime
    watermark_from: int
    watermark_to: int
    attempts: int
    message_id: int | None
    sent_at: dt.datetime | None
    error: str | None
    division_watermark_from: int = 0
    division_watermark_to: int = 0


def _first(engine: Engine, table: Table, *where: ColumnElement[bool]) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(table).where(*where)).mappings().first()
    return dict(row) if row is not None else None


def add_subscription(engine: Engine, values: dict[str, Any]) -> SubscriptionRow | None:
    """Store a new subscription; None when the channel already has an identical one."""
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(SUBSCRIPTION_TABLE).values(**values)).inserted_primary_key
    except IntegrityError:
        return None
    assert new_id is not None
    return get_subscription(engine, int(new_id[0]))


def get_subscription(engine: Engine, subscription_id: int) -> SubscriptionRow | None:
    row = _first(engine, SUBSCRIPTION_TABLE, SUBSCRIPTION_TABLE.c.id == subscription_id)
    return SubscriptionRow(**row) if row is not None else None


def list_subscriptions(
    engine: Engine,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    user_id: int | None = None,
    active_only: bool = False,
) -> list[SubscriptionRow]:
    s = SUBSCRIPTION_TABLE.c
    statement = select(SUBSCRIPTION_TABLE).order_by(s.id)
    if guild_id is not None:
        statement = statement.where(s.guild_id == guild_id)
    if user_id is not None:
        statement = statement.where(s.user_id == user_id)
    if channel_id is not None:
        statement = statement.where(s.channel_id == channel_id)
    if active_only:
        statement = statement.where(s.paused.is_(False))
    with engine.connect() as conn:
        return [SubscriptionRow(**row) for row in conn.execute(statement).mappings()]


def count_subscriptions(engine: Engine, *, guild_id: int | None = None, user_id: int | None = None) -> int:
    """How many subscriptions a guild has, or a user's personal alerts."""
    s = SUBSCRIPTION_TABLE.c
    statement = select(func.count()).select_from(SUBSCRIPTION_TABLE)
    if guild_id is not None:
        statement = statement.where(s.guild_id == guild_id)
    if user_id is not None:
        statement = statement.where(s.user_id == user_id)
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def delete_subscription(engine: Engine, guild_id: int, subscription_id: int, user_id: int | None = None) -> bool:
    """Remove a subscription of this guild (and of this user, for an alert), never another's;
    True if one was removed."""
    s = SUBSCRIPTION_TABLE.c
    owned = and_(s.id == subscription_id, s.guild_id == guild_id)
    if user_id is not None:
        owned = and_(owned, s.user_id == user_id)
    # Its deliveries go with it (ON DELETE CASCADE); another guild's subscription is untouched.
    with engine.begin() as conn:
        result = conn.execute(delete(SUBSCRIPTION_TABLE).where(owned))
        return result.rowcount > 0


def newest_contribution_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(CONTRIBUTION_TABLE.c.id), 0))).scalar_one())


def newest_division_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(DIVISION_TABLE.c.id), 0))).scalar_one())


def claim_delivery(
    engine: Engine,
    subscription: SubscriptionRow,
    period: dt.datetime,
    claimant: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> DeliveryRow | None:
    """Claim the delivery of ``period`` for ``subscription``; None if it is done or held by another."""
    d = DELIVERY_TABLE.c
    this_period = and_(d.subscription_id == subscription.id, d.period == period)
    with engine.connect() as conn:
        status = conn.execute(select(d.status).where(this_period)).scalar()
    if status in (SENT, EMPTY):
        return None
    claimed = False
    if status is None:
        # Look before inserting: a failed INSERT still uses up a PostgreSQL sequence value,
        # and the digest tick asks about every subscription every minute.
        newest = newest_contribution_id(engine)
        newest_division = newest_division_id(engine)
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(DELIVERY_TABLE).values(
                        subscription_id=subscription.id,
                        period=period,
                        status=CLAIMED,
                        claimed_by=claimant[:100],
                        claimed_at=now,
                        watermark_from=subscription.watermark_id,
                        watermark_to=max(newest, subscription.watermark_id),
                        division_watermark_from=subscription.division_watermark_id,
                        division_watermark_to=max(newest_division, subscription.division_watermark_id),
                        attempts=1,
                    )
                )
            claimed = True
        except IntegrityError:
            pass  # another process claimed it between our look and our insert
    if not claimed:
        # Already claimed: take it over only if it failed, or its claimant's lease ran out.
        with engine.begin() as conn:
            taken = conn.execute(
                update(DELIVERY_TABLE)
                .where(this_period, or_(d.status == FAILED, and_(d.status == CLAIMED, d.claimed_at < now - lease)))
                .values(status=CLAIMED, claimed_by=claimant[:100], claimed_at=now, attempts=d.attempts + 1)
            )
            if taken.rowcount != 1:
                return None
    row = _first(engine, DELIVERY_TABLE, this_period)
    assert row is not None
    return DeliveryRow(**row)


def complete_delivery(engine: Engine, delivery: DeliveryRow, message_id: int | None, now: dt.datetime) -> bool:
    """Record the delivery as posted (or as empty) and advance the subscription's watermark.

    False if the claim was no longer ours (its lease ran out and another process took it).
    """
    s = SUBSCRIPTION_TABLE.c
    d = DELIVERY_TABLE.c
    with engine.begin() as conn:
        done = conn.execute(
            update(DELIVERY_TABLE)
            .where(d.id == delivery.id, d.status == CLAIMED, d.claimed_by == delivery.claimed_by)
            .values(status=SENT if message_id else EMPTY, message_id=message_id, sent_at=now, error=None)
        )
        if done.rowcount != 1:
            return False
        conn.execute(
            update(SUBSCRIPTION_TABLE)
            .where(s.id == delivery.subscription_id)
            .values(
                watermark_id=func.max(s.watermark_id, delivery.watermark_to)
                if engine.dialect.name == "sqlite"
                else func.greatest(s.watermark_id, delivery.watermark_to),
                division_watermark_id=func.max(s.division_watermark_id, delivery.division_watermark_to)
                if engine.dialect.name == "sqlite"
                else func.greatest(s.division_watermark_id, delivery.division_watermark_to),
                consecutive_failures=0,
                retry_at=None,
            )
        )
    return True


def fail_delivery(
    engine: Engine,
    delivery: DeliveryRow,
    error: str,
    retry_at: dt.datetime,
    pause_after: int,
    counts_toward_pause: bool = True,
) -> SubscriptionRow | None:
    """Record a failed attempt; pause the subscription after ``pause_after`` counted failures in a row
    (a lost channel or lost access counts; a passing server error only delays).

    Returns the subscription as it now stands.
    """
    s = SUBSCRIPTION_TABLE.c
    with engine.begin() as conn:
        conn.execute(
            update(DELIVERY_TABLE).where(DELIVERY_TABLE.c.id == delivery.id).values(status=FAILED, error=error[:500])
        )
        conn.execute(
            update(SUBSCRIPTION_TABLE)
            .where(s.id == delivery.subscription_id)
            .values(consecutive_failures=s.consecutive_failures + (1 if counts_toward_pause else 0), retry_at=retry_at)
        )
        conn.execute(
            update(SUBSCRIPTION_TABLE)
            .where(s.id == delivery.subscription_id, s.consecutive_failures >= pause_after)
            .values(paused=True, paused_reason=f"paused after {pause_after} failed deliveries: {error}"[:500])
        )
    return get_subscription(engine, delivery.subscription_id)


def resume_subscription(engine: Engine, guild_id: int, subscription_id: int, user_id: int | None = None) -> bool:
    s = SUBSCRIPTION_TABLE.c
    owned = and_(s.id == subscription_id, s.guild_id == guild_id)
    if user_id is not None:
        owned = and_(owned, s.user_id == user_id)
    with engine.begin() as conn:
        result = conn.execute(
            update(SUBSCRIPTION_TABLE)
            .where(owned)
            .values(paused=False, paused_reason=None, consecutive_failures=0, retry_at=None, pause_told=False)
        )
        return result.rowcount > 0


def take_untold_pauses(engine: Engine, user_id: int) -> list[SubscriptionRow]:
    """The user's paused alerts they have not yet been told about, now marked as told."""
    s = SUBSCRIPTION_TABLE.c
    untold = and_(s.user_id == user_id, s.paused.is_(True), s.pause_told.is_(False))
    with engine.begin() as conn:
        rows = [SubscriptionRow(**row) for row in conn.execute(select(SUBSCRIPTION_TABLE).where(untold)).mappings()]
        if rows:
            conn.execute(update(SUBSCRIPTION_TABLE).where(s.id.in_([r.id for r in rows])).values(pause_told=True))
    return rows
