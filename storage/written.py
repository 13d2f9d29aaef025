"""A written question and its answer, found from each other.

In TheyWorkForYou's written answers, the questions of one item and their answer
share an id stem: ``2010-02-10a.306456.q0`` and ``.q1`` are answered by
``2010-02-10a.306456.r0``, and the parser records on each answer the ids of the
questions it answers (``extra["question_ids"]``). The pair is therefore found by
exact URIs, on the unique URI index.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage.models import Contribution
from storage.twfy import twfy_uri

__all__ = ["written_counterparts"]

# One answer per question item is the rule; a second is looked for in case an item has two.
_ANSWERS_PER_ITEM = 2


def written_counterparts(engine: Engine, row: Contribution) -> list[Contribution]:
    """The questions a written answer answers, or the answer to a written question (none for other contributions)."""
    raw_id = row.extra.get("twfy_id", "")
    if row.contribution_type == "Written answer":
        uris = [uri for q in row.extra.get("question_ids", "").split() if (uri := twfy_uri(q)) is not None]
    elif row.contribution_type == "Written question" and raw_id.rsplit(".", 1)[-1].startswith("q"):
        stem = raw_id.rsplit(".", 1)[0]
        uris = [uri for n in range(_ANSWERS_PER_ITEM) if (uri := twfy_uri(f"{stem}.r{n}")) is not None]
    else:
        return []
    if not uris:
        return []
    with Session(engine) as session:
        found = list(session.exec(select(Contribution).where(col(Contribution.uri).in_(uris))))
    if row.contribution_type == "Written question":
        # An answer with the same stem answers this question only if it says so.
        found = [answer for answer in found if raw_id in answer.extra.get("question_ids", "").split()]
    return sorted(found, key=lambda c: uris.index(c.uri))
