"""Latency of full-text search (`storage.search.search`) on a big store, SQLite and PostgreSQL.

Not a test: run it and read the figures.

    /work/venv/bin/python bench/bench_import.py --n 100000 --dir /tmp/hansard_bench_100k \
        --sqlite-path /tmp/hansard_bench_100k.db --keep
    /work/venv/bin/python bench/bench_search.py --sqlite-path /tmp/hansard_bench_100k.db \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_hansard_100000

or let it build its own stores with ``--n`` (and ``--dir`` for the files, as in
``bench_import.py``).

Queries are drawn from the store itself: the words of a sample of stored
speeches, grouped by how many speeches contain them (the commonest content words
match 10-25% of the corpus), two- and three-word queries, quoted phrases cut
from stored text, quoted phrases of common words only ("common phrase": what the
index of common word pairs answers), a word with a member filter, and the stop word "the". Each
runs through ``search(engine, parse_query(q), limit=10)``, and with ``--core``
also through ``commands.core.HansardCore.search``, which adds excerpts and the
"did you mean" check. The figures are median, 95th percentile and maximum per
class, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, select, text  # noqa: E402

from storage.db import make_engine  # noqa: E402
from storage.models import CONTRIBUTION_TABLE  # noqa: E402
from storage.query import parse_query  # noqa: E402
from storage.search import SearchFilters, search  # noqa: E402

SEED = 20100223
SAMPLE_ROWS = 3000
_WORD = re.compile(r"[a-z]{3,}")
_ANY_WORD = re.compile(r"[^\W_]+")
# Function words that FTS5 indexes but PostgreSQL's english configuration drops:
# measured apart, as "stop".
# "Common phrase": words in this share of the sampled speeches or more (about the 100 commonest words).
COMMON_SHARE = 0.14
STOP_WORDS = {"the", "and", "that", "for", "this", "with", "are", "have", "not", "which", "will", "from", "has"}

Query = tuple[str, SearchFilters]


def sample_texts(engine: Engine, rows: int, rng: random.Random) -> list[tuple[int | None, str]]:
    """(member id, text) of ``rows`` random contributions."""
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(c.id), func.max(c.id))).one()
        ids = sorted({rng.randint(low, high) for _ in range(rows)})
        found: list[tuple[int | None, str]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found += [(m, t) for m, t in conn.execute(select(c.member_id, c.text).where(c.id.in_(chunk)))]
    return found


def make_queries(engine: Engine, per_class: int, seed: int) -> dict[str, list[Query]]:
    rng = random.Random(seed)
    texts = sample_texts(engine, SAMPLE_ROWS, rng)
    document_frequency: Counter[str] = Counter()
    for _, body in texts:
        document_frequency.update(set(_WORD.findall(body.lower())))
    share = {word: count / len(texts) for word, count in document_frequency.items()}
    content = [w for w in share if w not in STOP_WORDS]
    common = sorted((w for w in content if 0.08 <= share[w] <= 0.30), key=lambda w: -share[w])
    medium = [w for w in content if 0.005 <= share[w] < 0.05]
    rare = [w for w in content if share[w] < 0.002]
    frequent = [w for w in content if share[w] >= 0.005]

    def pick(words: list[str], k: int) -> list[str]:
        return [rng.choice(words) for _ in range(k)]

    plain = SearchFilters()
    classes: dict[str, list[Query]] = {
        "1 word, common": [(w, plain) for w in (common * per_class)[:per_class]],
        "1 word, medium": [(w, plain) for w in pick(medium, per_class)],
        "1 word, rare": [(w, plain) for w in pick(rare, per_class)],
        "2 words": [(" ".join(pick(common[:10] + frequent, 2)), plain) for _ in range(per_class)],
        "3 words": [(" ".join(pick(common[:10] + frequent, 3)), plain) for _ in range(per_class)],
        "2 common words": [(" ".join(pick(common, 2)), plain) for _ in range(per_class)],
    }
    phrases: list[Query] = []
    for _, body in rng.sample(texts, min(len(texts), per_class * 3)):
        words = body.split()
        if len(words) < 6:
            continue
        size = rng.choice((2, 3))
        start = rng.randrange(len(words) - size)
        phrase = " ".join(re.sub(r"[^\w']", "", w) for w in words[start : start + size]).strip()
        if len(phrase) > 6:
            phrases.append((f'"{phrase}"', plain))
        if len(phrases) >= per_class:
            break
    classes["phrase"] = phrases
    # Its own generator: the classes after it draw the same queries as before it was added.
    classes["common phrase"] = common_word_phrases(texts, per_class, random.Random(seed + 1))
    members = [m for m, _ in texts if m is not None]
    classes["member + word"] = [
        (rng.choice(common + frequent[:200]), SearchFilters(member_ids=(rng.choice(members),)))
        for _ in range(per_class)
    ]
    classes["stop word (the)"] = [("the", plain)] * max(5, per_class // 5)
    return classes


def common_word_phrases(texts: list[tuple[int | None, str]], count: int, rng: random.Random) -> list[Query]:
    """Quoted runs of 2-4 words that each are in COMMON_SHARE of the speeches or more ("of the",
    "my hon friend"), cut from stored text: what makes the full-text index read the position
    lists of words that nearly every speech holds."""
    speeches_with: Counter[str] = Counter()
    for _, body in texts:
        speeches_with.update(set(_ANY_WORD.findall(body.lower())))
    very_common = {word for word, n in speeches_with.items() if n / len(texts) >= COMMON_SHARE}
    phrases: list[Query] = []
    for _, body in rng.sample(texts, len(texts)):
        words = [re.sub(r"[^\w']", "", w) for w in body.split()]
        common = [bool(w) and w.lower() in very_common for w in words]
        starts = [i for i in range(len(words) - 1) if common[i] and common[i + 1]]
        if not starts:
            continue
        start = rng.choice(starts)
        end = start + 2
        size = rng.choice((2, 2, 3, 4))
        while end < len(words) and end - start < size and common[end]:
            end += 1
        phrases.append((f'"{" ".join(words[start:end])}"', SearchFilters()))
        if len(phrases) >= count:
            break
    return phrases


def time_queries(run: Callable[[Query], object], queries: list[Query]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label: str, classes: dict[str, list[Query]], run: Callable[[Query], object]) -> None:
    print(f"\n{label}")
    print(f"  {'class':<18} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name, queries in classes.items():
        if not queries:
            continue
        time_queries(run, queries[: max(3, len(queries) // 4)])  # warm-up
        times = time_queries(run, queries)
        print(
            f"  {name:<18} {len(times):>4} {statistics.median(times):>10.1f} "
            f"{percentile(times, 0.95):>8.1f} {max(times):>8.1f}",
            flush=True,
        )


def bench_store(label: str, engine: Engine, per_class: int, seed: int, core: bool, only: list[str]) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM contribution")).scalar_one()
    classes = make_queries(engine, per_class, seed)
    if only:
        classes = {name: queries for name, queries in classes.items() if name in only}
    print(f"\n=== {label}: {rows:,} contributions; {sum(len(q) for q in classes.values())} queries")
    for name, queries in classes.items():
        print(f"  {name}: e.g. {', '.join(q for q, _ in queries[:4])}")

    def storage_search(query: Query) -> object:
        return search(engine, parse_query(query[0]), query[1], limit=10)

    report(f"{label}: storage.search.search(limit=10)", classes, storage_search)
    if core:
        from commands.core import HansardCore, SearchRequest

        started = time.perf_counter()
        hansard = HansardCore(engine)
        print(f"\n  (HansardCore set-up: {time.perf_counter() - started:.1f} s)")

        def core_search(query: Query) -> object:
            member = query[1].member_ids[0] if query[1].member_ids else None
            request = SearchRequest(query=query[0], page_size=10, member=f"#{member}" if member else None)
            return hansard.search(request)

        report(f"{label}: commands.core.HansardCore.search(page_size=10)", classes, core_search)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-path", type=Path, help="an SQLite store built by bench_import.py --keep")
    parser.add_argument("--postgres-url", help="a PostgreSQL store built by bench_import.py --keep (database URL)")
    parser.add_argument("--n", type=int, help="build the stores first with bench_import.py (this many rows)")
    parser.add_argument("--dir", type=Path, help="with --n: where bench_import.py keeps the files")
    parser.add_argument("--per-class", type=int, default=60, help="queries per class")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--core", action="store_true", help="also time commands.core.HansardCore.search")
    parser.add_argument("--only", action="append", default=[], help="time only this class (repeatable)")
    args = parser.parse_args()

    if args.n:
        sqlite_path = args.sqlite_path or Path(f"/tmp/hansard_bench_{args.n}.db")
        command = [
            sys.executable,
            str(Path(__file__).with_name("bench_import.py")),
            "--n",
            str(args.n),
            "--sqlite-path",
            str(sqlite_path),
            "--keep",
            "--skip-reimport",
        ]
        if args.dir:
            command += ["--dir", str(args.dir)]
        subprocess.run(command, check=True)
        args.sqlite_path = sqlite_path
        args.postgres_url = args.postgres_url or f"postgresql+psycopg://postgres@127.0.0.1:5432/bench_hansard_{args.n}"

    if args.sqlite_path:
        engine = make_engine(f"sqlite:///{args.sqlite_path}")
        bench_store("SQLite", engine, args.per_class, args.seed, args.core, args.only)
        engine.dispose()
    if args.postgres_url:
        engine = make_engine(args.postgres_url)
        bench_store("PostgreSQL", engine, args.per_class, args.seed, args.core, args.only)
        engine.dispose()


if __name__ == "__main__":
    main()
