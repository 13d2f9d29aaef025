"""Digest subscriptions and deliveries in the store.

Exactly once: a delivery is *claimed* (a row per subscription and period, unique)
in its own transaction before anything is posted, and the subscription's
watermark advances only when the delivery is completed after Discord accepted
the message. Two processes racing for one period: the unique constraint lets one
claim win. A process that dies holding a claim: the claim expires after a lease
and may be taken again. A failed delivery may be claimed again to retry it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from storage.models import CONTRIBUTION_TABLE, DELIVERY_TABLE, SUBSCRIPTION_TABLE, Delivery, Subscription

SENT = "sent"
EMPTY = "empty"
CLAIMED = "claimed"
FAILED = "failed"


def add_subscription(engine: Engine, values: dict[str, Any]) -> Subscription | None:
    """Store a new subscription; None when the channel already has an identical one."""
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(SUBSCRIPTION_TABLE).values(**values)).inserted_primary_key
    except IntegrityError:
        return None
    assert new_id is not None
    return get_subscription(engine, int(new_id[0]))


def get_subscription(engine: Engine, subscription_id: int) -> Subscription | None:
    with Session(engine) as session:
        return session.get(Subscription, subscription_id)


def list_subscriptions(
    engine: Engine, *, guild_id: int | None = None, channel_id: int | None = None, active_only: bool = False
) -> list[Subscription]:
    statement = sqlmodel_select(Subscription).order_by(Subscription.id)  # type: ignore[arg-type]
    if guild_id is not None:
        statement = statement.where(Subscription.guild_id == guild_id)
    if channel_id is not None:
        statement = statement.where(Subscription.channel_id == channel_id)
    if active_only:
        statement = statement.where(Subscription.paused == False)  # noqa: E712 (SQL comparison)
    with Session(engine) as session:
        return list(session.exec(statement))


def count_guild_subscriptions(engine: Engine, guild_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(SUBSCRIPTION_TABLE).where(SUBSCRIPTION_TABLE.c.guild_id == guild_id)
            ).scalar_one()
        )


def delete_subscription(engine: Engine, guild_id: int, subscription_id: int) -> bool:
    """Remove a subscription of this guild (never another guild's); True if one was removed."""
    s = SUBSCRIPTION_TABLE.c
    # Its deliveries go with it (ON DELETE CASCADE); another guild's subscription is untouched.
    with engine.begin() as conn:
        result = conn.execute(delete(SUBSCRIPTION_TABLE).where(and_(s.id == subscription_id, s.guild_id == guild_id)))
        return result.rowcount > 0


def newest_contribution_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(CONTRIBUTION_TABLE.c.id), 0))).scalar_one())


def claim_delivery(
    engine: Engine,
    subscription: Subscription,
    period: dt.datetime,
    claimant: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> Delivery | None:
    """Claim the delivery of ``period`` for ``subscription``; None if it is done or held by another."""
    assert subscription.id is not None
    d = DELIVERY_TABLE.c
    this_period = and_(d.subscription_id == subscription.id, d.period == period)
    with engine.connect() as conn:
        status = conn.execute(select(d.status).where(this_period)).scalar()
    if status in (SENT, EMPTY):
        return None
    claimed = False
    if status is None:
        # Look before inserting: a failed INSERT still uses up a PostgreSQL sequence value,
        # and the catch-up job asks about every subscription every minute.
        newest = newest_contribution_id(engine)
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
    with Session(engine) as session:
        return session.exec(
            sqlmodel_select(Delivery).where(Delivery.subscription_id == subscription.id, Delivery.period == period)
        ).one()


def complete_delivery(engine: Engine, delivery: Delivery, message_id: int | None, now: dt.datetime) -> bool:
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
                consecutive_failures=0,
                retry_at=None,
            )
        )
    return True


def fail_delivery(
    engine: Engine,
    delivery: Delivery,
    error: str,
    retry_at: dt.datetime,
    pause_after: int,
    counts_toward_pause: bool = True,
) -> Subscription | None:
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


def resume_subscription(engine: Engine, guild_id: int, subscription_id: int) -> bool:
    s = SUBSCRIPTION_TABLE.c
    with engine.begin() as conn:
        result = conn.execute(
            update(SUBSCRIPTION_TABLE)
            .where(s.id == subscription_id, s.guild_id == guild_id)
            .values(paused=False, paused_reason=None, consecutive_failures=0, retry_at=None)
        )
        return result.rowcount > 0


def deliveries(engine: Engine, subscription_id: int) -> list[Delivery]:
    with Session(engine) as session:
        return list(
            session.exec(
                sqlmodel_select(Delivery).where(Delivery.subscription_id == subscription_id).order_by(Delivery.period)  # type: ignore[arg-type]
            )
        )
