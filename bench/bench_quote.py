"""Latency and hit rate of the quote finder (`commands.quote.find_quote`) on a big store.

Not a test: run it and read the figures.

    python bench/bench_quote.py --url sqlite:////work/benchdata/1m.db --n 30

Sentences of 12-30 words are cut from random stored speeches, then perturbed as people
misremember them: one word dropped, a typo (two letters swapped) in the longest word, and
all punctuation and capitals lost. A hit is the source speech first, or a first result
that holds the same words. Figures: median, 95th percentile and maximum seconds, and the
share of hits.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from commands.core import HansardCore  # noqa: E402
from commands.quote import find_quote  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import CONTRIBUTION_TABLE  # noqa: E402
from storage.store import find_contribution  # noqa: E402

SEED = 20100210
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def words_of(text: str) -> str:
    return " ".join(w for w in re.findall(r"[^\W_]+", text.lower()) if not w.isdigit())


def perturb(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    del words[rng.randrange(1, len(words) - 1)]
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 4:
        words[longest] = word[:2] + word[3] + word[2] + word[4:]
    return re.sub(r"[^\w\s]", "", " ".join(words)).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="sqlite:////work/benchdata/1m.db")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    engine = make_engine(args.url)
    rng = random.Random(SEED)
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(CONTRIBUTION_TABLE)).scalar_one()
        highest = conn.execute(select(func.max(c.id))).scalar_one()
        picked = conn.execute(
            select(c.uri, c.text).where(c.id.in_([rng.randint(1, highest) for _ in range(args.n * 5)]))
        ).all()
    core = HansardCore(engine)
    cases = []
    for uri, body in picked:
        sentences = [s for s in _SENTENCE_END.split(body) if 12 <= len(s.split()) <= 30]
        if sentences:
            cases.append((uri, sentences[rng.randrange(len(sentences))]))
        if len(cases) == args.n:
            break
    find_quote(core, perturb(cases[0][1], rng))  # warm-up
    times, hits = [], 0
    for uri, sentence in cases:
        text = perturb(sentence, rng)
        start = time.perf_counter()
        reply = find_quote(core, text)
        times.append(time.perf_counter() - start)
        best = reply.results[0] if reply.results else None
        if best is not None:
            row = find_contribution(engine, best.uri)
            if best.uri == uri or (row is not None and words_of(sentence) in words_of(row.text)):
                hits += 1
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{rows:,} contributions at {args.url}; {len(cases)} perturbed sentences")
    print(
        f"find_quote: median {statistics.median(times):.3f} s, p95 {p95:.3f} s, max {times[-1]:.3f} s; "
        f"hits {hits}/{len(cases)}"
    )


if __name__ == "__main__":
    main()
