"""Trends: how often one to four terms were used over time, per sitting day, month or year.

A term is anything the search box takes (a word, a "quoted phrase", ``this OR that``); a
count is the number of contributions that contain the term, as a search finds them, so
a period's count equals the number of results of that search over that period. Counting
is one grouped query per term (storage.insight), never a walk over rows in Python.

Plain data out: the periods, the series, and a text summary with a sparkline per series
(for screen readers and the terminal). Drawing the chart is the shell's job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from storage.insight import Granularity, PeriodCount, Split, date_span, period_counts
from storage.query import parse_query

from commands.core import HansardCore, SearchRequest
from commands.replies import Problem, SearchReply

MAX_TERMS = 4
# With a split, the groups with most matches get their own series; the rest are added up.
MAX_GROUPS = 6
OTHER_GROUP = "Other"
NO_PARTY = "No party"
# A range up to this many days is counted per sitting day; up to MONTHLY_YEARS years per month.
DAILY_DAYS = 62
MONTHLY_YEARS = 6
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
# Terms typed in one text box are separated by commas or semicolons.
_TERM_SEPARATOR = re.compile(r"[,;]")


@dataclass(frozen=True, slots=True)
class TrendRequest:
    terms: tuple[str, ...]
    split: str | None = None  # "party" or "house"
    member: str | None = None
    party: str | None = None
    house: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    per_thousand: bool = False


@dataclass(frozen=True, slots=True)
class TrendSeries:
    term: str  # the term as understood, e.g. '"climate change"' or 'nuclear OR atomic'
    group: str  # the party or House with a split, else ""
    counts: tuple[int, ...]  # one per period
    # Per 1,000 contributions of the period (its filters applied), when asked for.
    rates: tuple[float, ...] | None = None

    @property
    def label(self) -> str:
        return f"{self.term} — {self.group}" if self.group else self.term

    @property
    def values(self) -> tuple[float, ...]:
        return self.rates if self.rates is not None else tuple(float(n) for n in self.counts)

    def to_json(self) -> dict[str, Any]:
        return {"term": self.term, "group": self.group or None, "counts": list(self.counts), "rates": self.rates}


@dataclass(slots=True)
class TrendReply:
    understood: str
    terms: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # how each filter was understood, in words
    granularity: Granularity = Granularity.MONTH
    split: Split | None = None
    per_thousand: bool = False
    periods: list[str] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)  # every contribution of the period, filters applied
    series: list[TrendSeries] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def period_dates(self) -> list[dt.date]:
        """The first day of each period, for a date axis."""
        return [period_start(p) for p in self.periods]

    def summary_lines(self) -> list[str]:
        """One line per series: the sparkline, the total and the peak period."""
        lines = []
        for series in self.series:
            values = series.values
            total = sum(series.counts)
            peak = max(range(len(values)), key=lambda i: values[i]) if values and max(values) > 0 else None
            peak_text = f", most in {self.periods[peak]} ({_number(values[peak])})" if peak is not None else ""
            lines.append(f"{series.label}: {sparkline(values)} {total:,} in all{peak_text}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
            "terms": self.terms,
            "filters": self.filters,
            "granularity": self.granularity.value,
            "split": self.split.value if self.split else None,
            "per_thousand": self.per_thousand,
            "periods": self.periods,
            "totals": self.totals,
            "series": [s.to_json() for s in self.series],
        }


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def split_terms(text: str) -> tuple[str, ...]:
    """Terms typed in one box ("nhs, "climate change"; nuclear OR atomic") as a tuple."""
    return tuple(part.strip() for part in _TERM_SEPARATOR.split(text) if part.strip())


def sparkline(values: tuple[float, ...] | list[float]) -> str:
    """Eight levels of block characters, the highest value full height; zero the lowest block."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK_BLOCKS[0] * len(values)
    steps = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round(v / top * steps)] for v in values)


def period_start(period: str) -> dt.date:
    parts = [int(p) for p in period.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def choose_granularity(first: dt.date, last: dt.date) -> Granularity:
    """Per sitting day for short ranges, per month, per year for long ones."""
    if (last - first).days <= DAILY_DAYS:
        return Granularity.DAY
    if last.year - first.year < MONTHLY_YEARS:
        return Granularity.MONTH
    return Granularity.YEAR


def _grouped(counts: list[PeriodCount], periods: list[str], groups: list[str]) -> dict[str, list[int]]:
    """Counts by group, one per period; groups beyond ``groups`` added up as OTHER_GROUP."""
    index = {p: i for i, p in enumerate(periods)}
    by_group: dict[str, list[int]] = {}
    for row in counts:
        if row.period not in index:
            continue
        name = row.group if not groups or row.group in groups else OTHER_GROUP
        by_group.setdefault(name, [0] * len(periods))[index[row.period]] += row.count
    return by_group


def trend(core: HansardCore, request: TrendRequest) -> TrendReply:
    """The series for each term (and group), over the sitting periods of the filters' range."""
    terms = [t.strip() for t in request.terms if t.strip()]
    reply = TrendReply(understood="trend", per_thousand=request.per_thousand)
    if not terms:
        reply.problem, reply.message = Problem.NO_USABLE_WORDS, 'Give one to four terms, e.g. nhs, "climate change".'
        return reply
    if len(terms) > MAX_TERMS:
        reply.problem = Problem.BAD_INPUT
        reply.message = f"At most {MAX_TERMS} terms at once (you gave {len(terms)})."
        return reply
    queries = [parse_query(t) for t in terms]
    for text, query in zip(terms, queries, strict=True):
        if query.is_empty:
            reply.problem = Problem.NO_USABLE_WORDS
            reply.message = f'“{text[:80]}” has no word to count: try plain words or a "quoted phrase".'
            return reply
    split = None
    if request.split:
        if request.split.strip().lower() not in Split._value2member_map_:
            reply.problem, reply.message = Problem.BAD_INPUT, "Split by party or by house."
            return reply
        split = Split(request.split.strip().lower())
    resolved = core.resolve_filters(
        SearchRequest(
            member=request.member,
            party=request.party,
            house=request.house,
            date_from=request.date_from,
            date_to=request.date_to,
        )
    )
    if isinstance(resolved, SearchReply):
        reply.problem, reply.message = resolved.problem, resolved.message
        return reply
    filters, reply.filters = resolved.filters, resolved.described
    reply.terms = [q.describe() for q in queries]
    reply.split = split
    reply.understood = " · ".join([", ".join(reply.terms), *reply.filters])
    first, last = date_span(core.engine, filters)
    if first is None or last is None:
        reply.problem, reply.message = Problem.NO_RESULTS, "No contributions in the loaded Hansard match those filters."
        return reply
    reply.granularity = choose_granularity(filters.date_from or first, filters.date_to or last)
    totals = period_counts(core.engine, None, filters, reply.granularity)
    reply.periods = [row.period for row in totals]
    reply.totals = [row.count for row in totals]
    for term, query in zip(reply.terms, queries, strict=True):
        counts = period_counts(core.engine, query, filters, reply.granularity, split)
        groups: list[str] = []
        if split is not None:
            sums: dict[str, int] = {}
            for row in counts:
                sums[row.group] = sums.get(row.group, 0) + row.count
            groups = sorted(sums, key=lambda g: (-sums[g], g))[:MAX_GROUPS]
        for group, values in sorted(_grouped(counts, reply.periods, groups).items(), key=lambda kv: -sum(kv[1])):
            label = (group or (NO_PARTY if split is Split.PARTY else "Unknown")) if split else ""
            rates = (
                tuple(round(n * 1000 / t, 2) if t else 0.0 for n, t in zip(values, reply.totals, strict=True))
                if request.per_thousand
                else None
            )
            reply.series.append(TrendSeries(term=term, group=label, counts=tuple(values), rates=rates))
        if not counts:
            reply.series.append(
                TrendSeries(
                    term=term,
                    group="",
                    counts=(0,) * len(reply.periods),
                    rates=(0.0,) * len(reply.periods) if request.per_thousand else None,
                )
            )
    if all(sum(s.counts) == 0 for s in reply.series):
        reply.problem = Problem.NO_RESULTS
        reply.message = f"None of {', '.join(reply.terms)} occurs in the loaded Hansard with those filters."
    return reply
