"""Plain text from the core shown in Discord: escaped once, highlighted, cut to the limits, pinging no one.

Hostile text "shows literally" when `tests.bot.discord_markdown.shown` (a model of
Discord's Markdown, independent of the escaper) still finds it word for word.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.render import render_digest
from bot.discord_text import (
    FIELD_VALUE_LIMIT,
    ZERO_WIDTH_SPACE,
    escape_for_discord,
    fit_embed,
    highlight_for_discord,
)
from bot.hansard.render import (
    contribution_pages,
    render_about,
    render_bill,
    render_contribution,
    render_count,
    render_lookup,
    render_member,
    render_search,
)
from bot.render import Rendered
from commands.digest import DigestContent, DigestSection
from commands.replies import (
    BillSummary,
    Candidate,
    ContributionReply,
    CountItem,
    CountReply,
    LookupReply,
    MemberProfile,
    Problem,
    ResultItem,
    SearchReply,
)
from storage.store import StoreStats
from tests.bot.discord_markdown import PING, shown

# Every construct Discord renders inline, and every one it renders only at the start of a line.
HOSTILE = "**x** @everyone ||y|| <@&1> # h\n## h\n-# s\n> q\n1. n"
LINE_START_CLASS = ["# h", "## h", "### h", "-# s", "> q", ">>> q", "- l", "* l", "+ l", "1. n", "12. n", "  - nested"]


def visible(rendered: Rendered) -> list[str]:
    parts = [rendered.content or ""]
    for embed in rendered.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        for field in embed.fields:
            parts += [field.name or "", field.value or ""]
    return parts


def hostile(tag: str) -> str:
    """HOSTILE with ``tag`` for its words, so each field's text can be told apart (and fits a field name)."""
    return f"**{tag}** @everyone ||{tag}|| <@&1> # {tag}\n## {tag}\n-# {tag}\n> {tag}\n1. {tag}"


def assert_literal(parts: list[str], *tags: str) -> None:
    """The hostile text of each tag is displayed as written, and nothing in the markup can ping."""
    displayed = "\n".join(shown(part) for part in parts)
    for tag in tags:
        for line in hostile(tag).split("\n"):
            assert line in displayed, (tag, line, parts)
    for part in parts:
        assert not PING.search(part), part


def hostile_item(excerpt: str | None = None) -> ResultItem:
    return ResultItem(
        row_id=1,
        uri="https://example.org/1",
        member=hostile("M1"),
        party=hostile("P1"),
        house=hostile("H1"),
        date=dt.date(2010, 2, 10),
        title=hostile("T1"),
        debate_title=hostile("D1"),
        reference=hostile("R1"),
        excerpt=f"a matched word\n{hostile('X1')}" if excerpt is None else excerpt,
        highlights=((2, 9),),
    )


# What a result shows of its stored fields (the house gives the colour, the debate groups digests).
ITEM_TAGS = ("M1", "P1", "T1", "R1", "X1")


@pytest.mark.parametrize("line", LINE_START_CLASS)
def test_markdown_at_the_start_of_a_line_arrives_literal(line: str) -> None:
    text = f"First paragraph.\n\n{line}\n{line}"
    escaped = escape_for_discord(text)
    assert shown(escaped) == text and not PING.search(escaped)


@pytest.mark.parametrize(
    "hostile",
    ["@everyone look", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "hello @EVERYONE", "</cmd:1>", "<t:1:R>"],
)
def test_mentions_cannot_ping(hostile: str) -> None:
    escaped = escape_for_discord(hostile)
    assert not PING.search(escaped)
    assert shown(escaped) == hostile


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_any_text_shows_as_written_and_never_pings(text: str) -> None:
    text = text.replace(ZERO_WIDTH_SPACE, "").replace("\r", "")
    escaped = escape_for_discord(text)
    assert not PING.search(escaped)
    assert shown(escaped) == text


@given(st.text(max_size=600), st.integers(min_value=20, max_value=400))
@settings(max_examples=200)
def test_highlighting_fits_the_limit_and_keeps_a_match(text: str, limit: int) -> None:
    word = re.search(r"\w+", text)
    spans = [word.span()] if word else []
    rendered = highlight_for_discord(text, spans, limit)
    assert len(rendered) <= limit
    assert not PING.search(rendered)
    if word and len(word.group()) < limit // 4:
        assert f"**{escape_for_discord(word.group())}**" in rendered


def test_matched_words_are_bold_and_the_rest_escaped() -> None:
    text = "the *tabloid* press"
    assert highlight_for_discord(text, [(5, 12)]) == r"the \***tabloid**\* press"


def test_every_render_path_shows_hostile_stored_text_literally() -> None:
    item = hostile_item()
    member = Candidate(key=1, name=hostile("N1"), detail=hostile("E1"))
    search = SearchReply(understood=hostile("U1"), results=[item], total=1, suggestion=hostile("S1"))
    assert_literal(visible(render_search(search)), "U1", "S1", *ITEM_TAGS)
    problem = SearchReply(understood="x", problem=Problem.AMBIGUOUS_MEMBER, message=hostile("G1"))
    problem.candidates = [member]
    assert_literal(visible(render_search(problem)), "G1", "N1", "E1")
    profile = MemberProfile(
        member=member,
        party=hostile("PP"),
        house=hostile("PH"),
        contributions=1,
        first_date=dt.date(2010, 2, 1),
        last_date=dt.date(2010, 2, 10),
        top_debates=[CountItem(hostile("TD"), 1)],
        top_bills=[CountItem(hostile("TB"), 1)],
        latest=[item],
    )
    tags = ("N1", "PP", "PH", "TD", "TB", *ITEM_TAGS)
    assert_literal(visible(render_member(profile)), *tags)
    assert_literal(visible(render_lookup(LookupReply(understood="x", profile=profile))), *tags)
    bill = BillSummary(
        bill=Candidate(key="b", name=hostile("B1")),
        sessions=[hostile("SE")],
        houses=[hostile("C1")],
        dates=[dt.date(2010, 2, 10)],
        contributions=1,
        top_speakers=[CountItem(hostile("SP"), 1)],
        latest=[item],
    )
    assert_literal(visible(render_bill(bill)), "B1", "SE", "C1", "SP", *ITEM_TAGS)
    count = CountReply(understood=hostile("U1"), count=1, latest=[item])
    assert_literal(visible(render_count(count)), "U1", *ITEM_TAGS)
    contribution = ContributionReply(item=item, paragraphs=["Intro.", *hostile("PA").split("\n")])
    assert_literal(visible(render_contribution(contribution, 0)), "PA", "M1", "P1", "T1", "R1")
    missing = ContributionReply(item=None, problem=Problem.NOT_FOUND, message=hostile("G1"))
    assert_literal(visible(render_contribution(missing, 0)), "G1")
    digest = DigestContent(
        title=hostile("DG"), sections=[DigestSection(hostile("D1"), [item])], shown=1, total=1, total_capped=False
    )
    assert_literal(visible(Rendered(embeds=[render_digest(digest)])), "DG", "D1", "M1", "P1", "R1", "X1")


def test_about_quotes_no_stored_text_only_counts_and_dates() -> None:
    stats = StoreStats(
        contributions=3210,
        members=2,
        debates=5,
        bills=1,
        first_date=dt.date(2010, 2, 1),
        last_date=dt.date(2010, 2, 10),
        last_import=None,
    )
    displayed = "\n".join(shown(part) for part in visible(render_about(stats)))
    assert "3,210" in displayed and "1 Feb 2010 – 10 Feb 2010" in displayed


def test_contribution_pages_fit_an_embed_whatever_the_escaping_adds() -> None:
    pages = contribution_pages(["*" * 5000, "short", "_" * 10, "word " * 2000])
    assert all(0 < len(page) <= 3800 for page in pages)
    assert shown("\n\n".join(pages)).replace("\n\n", "").replace(" ", "") == (
        "*" * 5000 + "short" + "_" * 10 + "word" * 2000
    )


def test_a_long_result_keeps_its_match_and_citation_and_fits_the_field() -> None:
    item = dataclasses.replace(hostile_item(), excerpt="*" * 3000 + " needle", highlights=((3001, 3007),))
    value = render_search(SearchReply(understood="x", results=[item], total=1)).embeds[0].fields[0].value or ""
    assert len(value) <= FIELD_VALUE_LIMIT
    assert "**needle**" in value and value.endswith("(https://example.org/1)")


def test_fit_embed_trims_to_the_total_without_breaking_escapes() -> None:
    embed = discord.Embed(title="t")
    for _ in range(8):
        embed.add_field(name="n", value=escape_for_discord("*_" * 500)[:1000], inline=False)
    fitted = fit_embed(embed)
    assert len(fitted) <= 6000
    assert all(not (f.value or "").rstrip("…").endswith("\\") for f in fitted.fields)


def test_an_insight_problem_is_escaped_once() -> None:
    from bot.discord_text import escape_for_discord
    from bot.insight.render import render_trend
    from commands.replies import Problem
    from commands.trend import TrendReply

    message = "No member called “*Smith* <@1>”."
    rendered = render_trend(TrendReply(understood="x", problem=Problem.BAD_INPUT, message=message))
    assert rendered.content == escape_for_discord(message)
