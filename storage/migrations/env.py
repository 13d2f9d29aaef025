"""Alembic environment: runs migrations on the engine the application made."""

from __future__ import annotations

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from sqlmodel import SQLModel

engine = context.config.attributes.get("engine")
if engine is None:
    from storage.db import make_engine

    engine = make_engine()

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
