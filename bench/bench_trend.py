"""Latency of trends (`commands.trend.trend`) and of drawing their chart, on a big store.

Not a test: run it and read the figures.

    python bench/bench_import.py --n 1000000 --dir /work/benchdata/1m \
        --sqlite-path /work/benchdata/1m.db --keep --skip-postgres --skip-reimport
    python bench/bench_trend.py --url sqlite:////work/benchdata/1m.db

Terms are drawn from the store: its commonest content word (in a fifth or more of the
speeches), a word of middling frequency, a rare one, a quoted phrase cut from a stored
speech and an OR of two words; each is trended alone, four at once, split by party, per
1,000, and within a member's contributions. The figure is the median and maximum of
``--runs`` runs after a warm-up, and the time to draw the PNG (matplotlib, Agg).
The target: under 2 s for a trend over 1M contributions.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.insight.chart import trend_png  # noqa: E402
from commands.core import HansardCore  # noqa: E402
from commands.quote import STOPWORDS  # noqa: E402
from commands.trend import TrendRequest, trend  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import CONTRIBUTION_TABLE  # noqa: E402
from storage.query import parse_query  # noqa: E402
from storage.search import search  # noqa: E402
from storage.store import member_rows  # noqa: E402

SEED = 20100208
_WORD = re.compile(r"[a-z]{4,}")


def pick_terms(core: HansardCore, rng: random.Random) -> dict[str, str]:
    c = CONTRIBUTION_TABLE.c
    with core.engine.connect() as conn:
        highest = conn.execute(select(func.max(c.id))).scalar_one()
        texts = [
            t for (t,) in conn.execute(select(c.text).where(c.id.in_([rng.randint(1, highest) for _ in range(600)])))
        ]
    docs = Counter(word for body in texts for word in set(_WORD.findall(body.lower())))
    ranked = [w for w, _ in docs.most_common() if w not in STOPWORDS]
    words = texts[0].split()
    start = rng.randrange(0, max(1, len(words) - 3))
    phrase = " ".join(re.sub(r"[^\w']", "", w) for w in words[start : start + 2])
    return {
        "common": ranked[0],
        "middling": ranked[len(ranked) // 20],
        "rare": ranked[len(ranked) // 2],
        "phrase": f'"{phrase}"',
        "or": f"{ranked[len(ranked) // 10]} OR {ranked[len(ranked) // 8]}",
    }


def timed(runs: int, work: object) -> tuple[float, float]:
    assert callable(work)
    work()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="sqlite:////work/benchdata/1m.db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.url)
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(CONTRIBUTION_TABLE)).scalar_one()
    core = HansardCore(engine)
    rng = random.Random(SEED)
    terms = pick_terms(core, rng)
    member = max(member_rows(engine), key=lambda m: m.contributions).name
    print(f"{rows:,} contributions at {args.url}; median/max of {args.runs} runs after a warm-up, seconds")
    for kind, term in terms.items():
        matches = search(engine, parse_query(term), limit=1)
        print(f"  {kind:9} {term!r}: {matches.total:,}{'+' if matches.total_capped else ''} matches")
    cases = {kind: TrendRequest(terms=(term,)) for kind, term in terms.items()}
    four = tuple(terms[k] for k in ("common", "middling", "phrase", "or"))
    cases["four terms"] = TrendRequest(terms=four)
    cases["common by party"] = TrendRequest(terms=(terms["common"],), split="party")
    cases["four, per 1,000"] = TrendRequest(terms=four, per_thousand=True)
    cases["common, a member"] = TrendRequest(terms=(terms["common"],), member=member)
    for name, request in cases.items():
        reply = trend(core, request)
        median, worst = timed(args.runs, lambda request=request: trend(core, request))
        chart_median, _ = timed(args.runs, lambda reply=reply: trend_png(reply))
        print(
            f"{name:18} {median:6.3f} {worst:6.3f}   chart {chart_median:5.3f}   "
            f"{len(reply.periods)} {reply.granularity.value}s, {len(reply.series)} series"
        )


if __name__ == "__main__":
    main()
