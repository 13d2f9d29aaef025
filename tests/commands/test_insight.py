"""Trend, quote finder, context, who and export on the bundled real data, on both back ends."""

from __future__ import annotations

import calendar
import csv
import io
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from commands.context import around, whole_debate
from commands.core import HansardCore, SearchRequest
from commands.export import COLUMNS, export_search
from commands.quote import find_quote
from commands.replies import Problem
from commands.trend import TrendRequest, period_start, sparkline, split_terms, trend
from commands.who import WhoRequest, speakers_about
from storage.insight import Granularity, period_counts, sitting_entries
from storage.query import parse_query
from storage.search import SearchFilters, count_contributions, search
from storage.store import find_contribution
from storage.twfy import parse_twfy_file
from tests.conftest import DATA

TERMS = ("afghanistan", '"climate change"', "school OR schools", "police -pensions")
XML_FILES = sorted((DATA / "hansard_twfy_xml_2010").rglob("*.xml"))


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    return HansardCore(bundled_store)


def searched(engine: Engine, term: str, filters: SearchFilters) -> int:
    page = search(engine, parse_query(term), filters, limit=1)
    assert not page.total_capped
    return page.total


def period_filters(period: str, granularity: Granularity) -> SearchFilters:
    first = period_start(period)
    if granularity is Granularity.DAY:
        return SearchFilters(date_from=first, date_to=first)
    if granularity is Granularity.MONTH:
        return SearchFilters(
            date_from=first, date_to=first.replace(day=calendar.monthrange(first.year, first.month)[1])
        )
    return SearchFilters(date_from=first, date_to=first.replace(month=12, day=31))


def test_trend_counts_equal_search_counts_for_each_term_and_sitting_day(core: HansardCore) -> None:
    reply = trend(core, TrendRequest(terms=TERMS, per_thousand=True))
    assert reply.problem is None, reply.message
    assert reply.granularity is Granularity.DAY  # the bundled data spans seven weeks
    assert len(reply.series) == len(TERMS)
    assert any(sum(s.counts) > 20 for s in reply.series)
    for series, term in zip(reply.series, TERMS, strict=True):
        for period, count, rate, total in zip(
            reply.periods, series.counts, series.rates or (), reply.totals, strict=True
        ):
            filters = period_filters(period, Granularity.DAY)
            assert count == searched(core.engine, term, filters), (term, period)
            assert total == count_contributions(core.engine, filters)
            assert rate == round(count * 1000 / total, 2)


def test_monthly_and_yearly_counts_equal_search_counts(core: HansardCore) -> None:
    for granularity in (Granularity.MONTH, Granularity.YEAR):
        for term in TERMS[:3]:
            rows = period_counts(core.engine, parse_query(term), SearchFilters(), granularity)
            assert rows, term
            for row in rows:
                assert row.count == searched(core.engine, term, period_filters(row.period, granularity))


def test_trend_split_by_party_adds_up_and_filters_apply(core: HansardCore) -> None:
    whole = trend(core, TrendRequest(terms=("afghanistan",)))
    by_party = trend(core, TrendRequest(terms=("afghanistan",), split="party"))
    assert len(by_party.series) > 1
    sums = [sum(values) for values in zip(*(s.counts for s in by_party.series), strict=True)]
    assert sums == list(whole.series[0].counts)
    labour = trend(core, TrendRequest(terms=("afghanistan",), party="Labour", date_from="2010-02-01"))
    assert labour.filters == ["Labour", "from 2010-02-01"]
    assert sum(labour.series[0].counts) == searched(
        core.engine, "afghanistan", SearchFilters(party="Labour", date_from=period_start("2010-02-01"))
    )
    assert all(p >= "2010-02-01" for p in labour.periods)


def test_trend_summary_and_bad_input(core: HansardCore) -> None:
    reply = trend(core, TrendRequest(terms=split_terms('afghanistan, "climate change"')))
    lines = reply.summary_lines()
    assert len(lines) == 2 and lines[0].startswith("afghanistan: ") and "in all, most in 2010-" in lines[0]
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█" and sparkline([0, 0]) == "▁▁"
    assert trend(core, TrendRequest(terms=())).problem is Problem.NO_USABLE_WORDS
    assert trend(core, TrendRequest(terms=("a", "b", "c", "d", "e"))).problem is Problem.BAD_INPUT
    assert trend(core, TrendRequest(terms=("--- ...",))).problem is Problem.NO_USABLE_WORDS
    assert trend(core, TrendRequest(terms=("nhs",), date_from="someday")).problem is Problem.BAD_INPUT
    assert trend(core, TrendRequest(terms=("nhs",), split="colour")).problem is Problem.BAD_INPUT
    assert trend(core, TrendRequest(terms=("zzyzzyqx",))).problem is Problem.NO_RESULTS


def _perturbed_sentences(count: int) -> list[tuple[str, str, str]]:
    """(uri, original sentence, perturbed) from real speeches: one typo, one word dropped, no punctuation."""
    rng = random.Random(20100208)
    chosen: list[tuple[str, str, str]] = []
    records = [r for path in XML_FILES for r in parse_twfy_file(path.read_bytes(), str(path))]
    rng.shuffle(records)
    for record in records:
        sentences = [s for p in record.paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if 12 <= len(s.split()) <= 30]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        words = sentence.split()
        del words[rng.randrange(1, len(words) - 1)]
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        words[longest] = word[:2] + word[3] + word[2] + word[4:] if len(word) > 4 else word
        perturbed = re.sub(r"[^\w\s]", "", " ".join(words)).lower()
        chosen.append((record.uri, sentence, perturbed))
        if len(chosen) == count:
            break
    return chosen


def _words(text: str) -> str:
    """Lower-case words without numbers: "(2 )Every effort..." and "Every effort..." are the same words."""
    return " ".join(w for w in re.findall(r"[^\W_]+", text.lower()) if not w.isdigit())


def test_quote_finder_finds_real_sentences_despite_typo_dropped_word_and_no_punctuation(core: HansardCore) -> None:
    for uri, sentence, perturbed in _perturbed_sentences(12):
        reply = find_quote(core, perturbed)
        assert reply.results, perturbed
        best = reply.results[0]
        # The speech it came from, or one that says the same words (boilerplate of written answers).
        best_row = find_contribution(core.engine, best.uri)
        assert best_row is not None
        assert best.uri == uri or _words(sentence) in _words(best_row.text), perturbed
        assert best.score >= 80
        assert best.passage in best_row.text
        assert [r.score for r in reply.results] == sorted((r.score for r in reply.results), reverse=True)
        assert best.reference and best.date


def test_quote_finder_says_when_nothing_is_close(core: HansardCore) -> None:
    assert find_quote(core, "hi").problem is Problem.NO_USABLE_WORDS
    reply = find_quote(core, "purple zebras quantum waffles orbit saturnine marmalade")
    assert reply.problem is Problem.NO_RESULTS and not reply.results


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_sitting_order_is_the_xml_order(bundled_store: Engine, path: Path) -> None:
    in_xml = [r.uri for r in parse_twfy_file(path.read_bytes(), str(path))]
    first = find_contribution(bundled_store, in_xml[0])
    assert first is not None and first.sitting_date is not None
    stored = sitting_entries(bundled_store, first.sitting_date, first.house, first.chamber, first.uri)
    assert [e.uri for e in stored] == in_xml


def test_context_before_and_after_follow_the_xml(core: HansardCore) -> None:
    path = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"
    in_xml = [r.uri for r in parse_twfy_file(path.read_bytes(), str(path))]
    middle = len(in_xml) // 2
    reply = around(core, in_xml[middle], before=3, after=4)
    assert reply.anchor is not None and reply.anchor.uri == in_xml[middle]
    assert [i.uri for i in reply.before] == in_xml[middle - 3 : middle]  # nearest last
    assert [i.uri for i in reply.after] == in_xml[middle + 1 : middle + 5]  # nearest first
    assert reply.anchor.position == middle + 1 and reply.sitting_size == len(in_xml)
    edge = around(core, in_xml[0], before=3, after=1)
    assert edge.before == [] and [i.uri for i in edge.after] == in_xml[1:2]
    assert around(core, "no-such-uri").problem is Problem.NOT_FOUND
    by_row = around(core, reply.anchor.row_id, 1, 1)
    assert by_row.anchor is not None and by_row.anchor.uri == in_xml[middle]


def test_whole_debate_pages_hold_the_debate_in_order(core: HansardCore) -> None:
    path = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"
    records = list(parse_twfy_file(path.read_bytes(), str(path)))
    anchor = records[len(records) // 2]
    same_debate = [r.uri for r in records if r.debate_title == anchor.debate_title]
    first = whole_debate(core, anchor.uri, page=1, page_size=5)
    assert first.total == len(same_debate) and first.pages == -(-len(same_debate) // 5)
    walked = [i.uri for page in range(1, first.pages + 1) for i in whole_debate(core, anchor.uri, page, 5).items]
    assert walked == same_debate


def test_who_counts_equal_search_results_per_member(core: HansardCore) -> None:
    reply = speakers_about(core, WhoRequest(topic="afghanistan", limit=25))
    assert reply.problem is None and reply.speakers
    hits = search(core.engine, parse_query("afghanistan"), limit=1000).hits
    expected = Counter(h.contribution.member_id for h in hits if h.contribution.member_id is not None)
    assert {s.member_key: s.count for s in reply.speakers} == dict(expected.most_common(25))
    assert [s.count for s in reply.speakers] == sorted((s.count for s in reply.speakers), reverse=True)
    top = reply.speakers[0]
    dates = [h.contribution.sitting_date for h in hits if h.contribution.member_id == top.member_key]
    assert (top.first_date, top.last_date) == (min(d for d in dates if d), max(d for d in dates if d))
    labour = speakers_about(core, WhoRequest(topic="afghanistan", party="Labour"))
    assert labour.speakers and all(s.party == "Labour" for s in labour.speakers)
    assert speakers_about(core, WhoRequest(topic="   ")).problem is Problem.NO_USABLE_WORDS


def test_export_csv_parses_back_to_every_match(core: HansardCore, monkeypatch: pytest.MonkeyPatch) -> None:
    request = SearchRequest(query="school OR schools", house="Commons")
    reply = export_search(core, request)
    rows = list(csv.DictReader(io.StringIO(reply.csv_text())))
    expected = search(core.engine, parse_query("school OR schools"), limit=1000)
    assert len(rows) == expected.total and not reply.cut
    assert tuple(rows[0]) == COLUMNS
    assert {r["uri"] for r in rows} == {h.contribution.uri for h in expected.hits}
    row = next(r for r in rows if r["uri"] == expected.hits[0].contribution.uri)
    stored = expected.hits[0].contribution
    assert (row["member"], row["date"], row["title"]) == (
        stored.member_name or "",
        stored.sitting_date.isoformat() if stored.sitting_date else "",
        stored.title,
    )
    assert row["reference"].startswith("HC Deb") and "\\" not in row["excerpt"] and "**" not in row["excerpt"]
    monkeypatch.setattr("commands.export.EXPORT_LIMIT", 10)
    cut = export_search(core, request)
    assert len(cut.rows) == 10 and cut.cut and "first 10" in cut.note()
    assert export_search(core, SearchRequest(query="school", member="Nobody Atall Xyz")).problem is not None
