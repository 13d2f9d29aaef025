"""Rows leave storage as frozen dataclasses whose fields are exactly the table's columns."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import Engine, Table

from storage.digests import DeliveryRow, SubscriptionRow, add_subscription, claim_delivery, list_subscriptions
from storage.importer import ImportSummary, finish_run, start_run
from storage.models import DELIVERY_TABLE, IMPORT_RUN_TABLE, SUBSCRIPTION_TABLE
from storage.store import ImportRunRow, latest_import_run, store_stats


@pytest.mark.parametrize(
    ("row", "table"),
    [(SubscriptionRow, SUBSCRIPTION_TABLE), (DeliveryRow, DELIVERY_TABLE), (ImportRunRow, IMPORT_RUN_TABLE)],
)
def test_row_fields_are_the_table_columns(row: type, table: Table) -> None:
    assert [f.name for f in dataclasses.fields(row)] == [c.name for c in table.columns]
    assert row.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_rows_read_back_alike_on_each_back_end(engine: Engine) -> None:
    now = dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC)
    stored = add_subscription(
        engine,
        {
            "guild_id": 2**40,
            "channel_id": 2**41,
            "created_by": 3,
            "frequency": "daily",
            "time_of_day": "08:00",
            "timezone": "Europe/London",
            "filters_key": "k",
            "watermark_id": 0,
            "paused": False,
            "consecutive_failures": 0,
            "created_at": now,
        },
    )
    assert isinstance(stored, SubscriptionRow) and stored.paused is False and stored.created_at == now
    assert list_subscriptions(engine, active_only=True) == [stored]
    delivery = claim_delivery(engine, stored, now, "me", now, dt.timedelta(minutes=10))
    assert isinstance(delivery, DeliveryRow) and delivery.period == now and delivery.status == "claimed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        delivery.status = "sent"  # type: ignore[misc]

    run_id = start_run(engine, "a source", "someone")
    finish_run(engine, ImportSummary(run_id=run_id, new=2, failed=1, errors=["f:1: bad"]), "completed_with_errors")
    run = latest_import_run(engine)
    assert isinstance(run, ImportRunRow)
    assert (run.id, run.source, run.new, run.failed, run.errors) == (run_id, "a source", 2, 1, ("f:1: bad",))
    assert store_stats(engine).last_import == run
