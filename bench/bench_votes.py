"""Latency of a Member's votes across thousands of divisions, on SQLite and PostgreSQL.

Not a test: run it and read the figures.

    python bench/bench_votes.py --divisions 5000 --voters 600

Builds N synthetic Commons divisions over about five years, each with V votes
by persons drawn from a pool of 650 (as in the Commons), straight into a
migrated store; then times, for a sample of persons:
- `votes_of_person`: every recorded vote of the person (the query behind a Member's votes);
- `voting_summary`: the profile's summary (their votes, and the ids of the divisions held in their term);
- `divisions_during`: the whole rows of the divisions held during their term (to list them all);
- `VotesCore.votes_in`: the whole answer listing every division of the term, as `hansard-bot votes --json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text

from commands.votes import VotesCore
from storage.db import make_engine, migrate
from storage.models import DIVISION_TABLE, DIVISION_VOTE_TABLE
from storage.records import HOUSE_OF_COMMONS
from storage.reference_data import MemberDirectory, MemberRecord
from storage.votes_store import divisions_during, votes_of_person

SEED = 20100208
POOL = 650
PARTIES = ("Labour", "Conservative", "Liberal Democrat")
START = dt.date(2005, 5, 11)
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def person(index: int) -> str:
    return f"uk.org.publicwhip/person/{20000 + index}"


def fill(engine: Engine, divisions: int, voters: int, rng: random.Random) -> float:
    began = time.perf_counter()
    for first in range(0, divisions, 250):
        with engine.begin() as conn:
            rows = []
            for number in range(first + 1, min(divisions, first + 250) + 1):
                day = START + dt.timedelta(days=number * 1800 // divisions)
                rows.append(
                    {
                        "id": number,
                        "house": HOUSE_OF_COMMONS,
                        "division_date": day,
                        "number": number,
                        "gid": f"uk.org.publicwhip/debate/{day}a.{number}.0",
                        "version": "a",
                        "from_extract": False,
                        "ayes": voters // 2,
                        "noes": voters - voters // 2,
                        "question": f"That the synthetic clause {number} stand part of the Bill.",
                        "bill_title": f"Synthetic Bill {number % 40}",
                        "content_hash": "0" * 64,
                        "source": "bench",
                        "imported_at": dt.datetime.now(dt.UTC),
                    }
                )
            conn.execute(insert(DIVISION_TABLE), rows)
            votes = []
            for row in rows:
                for index in rng.sample(range(POOL), voters):
                    votes.append(
                        {
                            "division_id": row["id"],
                            "voter_ref": f"uk.org.publicwhip/member/{30000 + index}",
                            "vote": "aye" if rng.random() < 0.5 else "no",
                            "person_ref": person(index),
                            "name": f"Member {index}",
                            "party": PARTIES[index % 3],
                            "teller": False,
                            "proxy": None,
                            "against_party": rng.random() < 0.02,
                        }
                    )
            conn.execute(insert(DIVISION_VOTE_TABLE), votes)
    if engine.dialect.name == "postgresql":
        # As autovacuum leaves it after a load: statistics, and the visibility map that lets a
        # Member's votes come from the index alone (an index-only scan).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE division, division_vote"))
    return time.perf_counter() - began


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"  {name:<22} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   max {max(times):6.1f} ms")


def measure(engine: Engine, label: str, args: argparse.Namespace) -> None:
    rng = random.Random(SEED)
    print(f"{label}: {args.divisions} divisions x {args.voters} votes")
    print(f"  built in {fill(engine, args.divisions, args.voters, rng):.1f} s")
    term = (HOUSE_OF_COMMONS, START, START + dt.timedelta(days=1900))
    blank = (None,) * 7  # title, names, party, constituency: not used by these queries
    records = [
        MemberRecord(f"uk.org.publicwhip/member/{30000 + i}", person(i), term[0], f"Member {i}", *blank, *term[1:])
        for i in range(POOL)
    ]
    core = VotesCore(engine, MemberDirectory(records))
    sample = [rng.randrange(POOL) for _ in range(args.members)]
    for kind, make in (
        ("votes_of_person", lambda i: lambda: votes_of_person(engine, person(i))),
        ("voting_summary", lambda i: lambda: core.voting_summary(person(i))),
        ("divisions_during", lambda i: lambda: divisions_during(engine, [term])),
        (
            "VotesCore.votes_in",
            lambda i: lambda: core.votes_in(core.persons[person(i)], None, ""),
        ),
    ):
        times = [t for i in sample for t in timed(make(i), 3)]
        report(kind, times)
    rows = len(votes_of_person(engine, person(sample[0])))
    print(f"  (one Member's votes: {rows} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--divisions", type=int, default=5000)
    parser.add_argument("--voters", type=int, default=600)
    parser.add_argument("--members", type=int, default=20, help="persons timed")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN)
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'votes.db'}")
            migrate(engine)
            measure(engine, "SQLite", args)
            engine.dispose()
    if not args.skip_postgres:
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        name = f"bench_votes_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
            migrate(engine)
            measure(engine, "PostgreSQL", args)
            engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
