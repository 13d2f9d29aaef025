"""What each part of the schema costs the PostgreSQL server per imported row.

Not a test: run it and read the figures.

    /work/venv/bin/python bench/bench_postgres_costs.py --n 100000 --dir /tmp/hansard_bench_100k

For each variant it makes a scratch database with the current schema, removes
one part of it, imports the same ``--n`` files (written by `bench_import.py`'s
generator, and reused) with `storage.importer.import_paths`, and prints the
rate and the CPU per row of the importer, its parse workers and the rest of the
machine (mostly the server). The variants: the schema as it is; without the GIN
index on ``search_vector``; without the six secondary b-tree indexes on
``contribution``; without ``search_vector`` and its index. The differences are
what each part costs; no variant is a proposal. The machine's speed drifts:
compare variants only alongside their speed checks, and run them more than once
(``--variant`` picks some, in the order given).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_import import (
    DEFAULT_ADMIN_URL,
    SEED,
    cpu_per_row,
    cpu_seconds_since,
    generate,
    machine_busy_seconds,
    postgres_database,
    speed_check,
)

VARIANTS = {
    "as is": [],
    "no GIN index": ["DROP INDEX ix_contribution_search_vector"],
    "no secondary b-trees": [
        f"DROP INDEX {name}"
        for name in (
            "ix_contribution_contribution_id",
            "ix_contribution_debate_date",
            "ix_contribution_house_date",
            "ix_contribution_member_date",
            "ix_contribution_session",
            "ix_contribution_sitting_date",
        )
    ],
    "no search_vector": ["ALTER TABLE contribution DROP COLUMN search_vector"],
}


def run_variant(url: str, root: Path, statements: list[str]) -> str:
    from sqlalchemy import text

    from storage.db import make_engine, migrate
    from storage.importer import import_paths

    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        conn.execute(text("CHECKPOINT"))
    speed = speed_check()
    busy_before, started = machine_busy_seconds(), time.perf_counter()
    cpu_before = os.times()
    summary = import_paths(engine, [root], requested_by="bench")
    wall, (importer, workers), busy_after = (
        time.perf_counter() - started,
        cpu_seconds_since(cpu_before),
        machine_busy_seconds(),
    )
    engine.dispose()
    rows = summary.new + summary.updated
    if not rows:
        return f"nothing imported; {summary.failed} files failed: {summary.errors[:3]}"
    machine = None if busy_before is None or busy_after is None else busy_after - busy_before
    line = f"{rows / wall:8,.0f}/s  wall {wall:6.1f} s  {cpu_per_row(rows, importer, workers, machine)}"
    line += f"; speed check {speed:.2f} s"
    if summary.failed:
        line += f"; {summary.failed} files failed, e.g. {summary.errors[:1]}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="contributions to generate and import")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dir", type=Path, required=True, help="where the files go (reused when it holds them)")
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL, help="admin URL used to create the scratch DB")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="run only these (repeatable)")
    args = parser.parse_args()
    # Without the GIN index the importer warns that it cannot merge the index's pending list.
    logging.getLogger("storage.importer").setLevel(logging.ERROR)

    generate(args.dir, args.n, args.seed)
    name = f"bench_hansard_costs_{args.n}"
    for variant in args.variant or list(VARIANTS):
        url = postgres_database(args.postgres_url, name, create=True)
        try:
            print(f"{variant:<22}{run_variant(url, args.dir, VARIANTS[variant])}", flush=True)
        finally:
            postgres_database(args.postgres_url, name, create=False)


if __name__ == "__main__":
    main()
