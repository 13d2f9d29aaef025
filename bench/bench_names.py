"""Latency of `commands.names.NameIndex` with 10,000 member names.

Not a test: run it and read the figures.

    /work/venv/bin/python bench/bench_names.py

The index holds the real Members (one entry per person and house, as the bot
would build it) plus synthetic Commons-style names made by pairing real first
and last names with a fixed seed, up to 10,000 entries. Queries are real
names, typo'd names, prefixes (as typed into autocomplete) and surnames.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from commands.names import NameEntry, NameIndex
from storage.reference_data import MemberDirectory, MemberRecord, bundled_data_dir

SEED = 20100205
TOTAL = 10_000
QUERIES_PER_KIND = 150


def real_entries() -> tuple[list[NameEntry], list[MemberRecord]]:
    records = MemberDirectory.from_csv(bundled_data_dir() / "members_flat.csv").all()
    groups: dict[tuple[str, str], list[MemberRecord]] = defaultdict(list)
    for record in records:
        groups[(record.person_ref, record.house)].append(record)
    entries = []
    for (person, house), rows in groups.items():
        latest = max(rows, key=lambda r: (r.from_date is not None, r.from_date))
        entries.append(
            NameEntry(
                key=f"{person}|{house}",
                name=latest.display_name,
                detail=f"{latest.party or 'no party'}, {house}",
                weight=float(len(rows)),
            )
        )
    return entries, records


def synthetic_entries(records: Sequence[MemberRecord], count: int, rng: random.Random) -> list[NameEntry]:
    firsts = sorted({r.first_name for r in records if r.house == "House of Commons" and r.first_name})
    lasts = sorted({r.last_name for r in records if r.house == "House of Commons" and r.last_name})
    entries = []
    for i in range(count):
        entries.append(
            NameEntry(
                key=f"synthetic/{i}",
                name=f"{rng.choice(firsts)} {rng.choice(lasts)}",
                detail="Synthetic, House of Commons",
                weight=float(rng.randint(0, 5)),
            )
        )
    return entries


def typo(name: str, rng: random.Random) -> str:
    """One random edit (drop, swap, replace or double a letter) away from ``name``."""
    chars = list(name)
    position = rng.randrange(1, max(2, len(chars) - 1))
    operation = rng.choice(("drop", "swap", "replace", "double"))
    if operation == "drop":
        del chars[position]
    elif operation == "swap" and position + 1 < len(chars):
        chars[position], chars[position + 1] = chars[position + 1], chars[position]
    elif operation == "replace":
        chars[position] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    else:
        chars.insert(position, chars[position])
    return "".join(chars)


def queries(names: Sequence[str], rng: random.Random) -> dict[str, list[str]]:
    picked = [rng.choice(names) for _ in range(QUERIES_PER_KIND)]
    return {
        "real": picked,
        "typo": [typo(name, rng) for name in picked],
        "prefix": [name[: rng.randint(1, min(10, len(name)))] for name in picked],
        "surname": [name.split()[-1] for name in picked],
    }


def timed(function: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"{label:<24} n={len(times):>4}  median {statistics.median(ordered):6.3f} ms"
        f"  p95 {p95:6.3f} ms  max {ordered[-1]:6.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=TOTAL, help="names in the index")
    args = parser.parse_args()

    rng = random.Random(SEED)
    real, records = real_entries()
    entries = real + synthetic_entries(records, max(0, args.total - len(real)), rng)
    start = time.perf_counter()
    index = NameIndex.for_members(entries)
    build_ms = (time.perf_counter() - start) * 1000
    print(f"index: {len(index)} names ({len(real)} real), built in {build_ms:.0f} ms")

    by_kind = queries([e.name for e in real], rng)
    # Warm up (imports, caches of the C extension) outside the measurements.
    for text in by_kind["real"][:20]:
        index.match(text)
        index.autocomplete(text)

    all_match: list[float] = []
    all_auto: list[float] = []
    for kind, texts in by_kind.items():
        match_times = timed(index.match, texts)
        auto_times = timed(index.autocomplete, texts)
        all_match += match_times
        all_auto += auto_times
        print(summary(f"match/{kind}", match_times))
        print(summary(f"autocomplete/{kind}", auto_times))
    print(summary("match (all)", all_match))
    print(summary("autocomplete (all)", all_auto))


if __name__ == "__main__":
    main()
