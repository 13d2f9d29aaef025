"""The core use cases on the bundled real data, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from commands.ask import ask
from commands.core import HansardCore, SearchRequest
from commands.replies import BillSummary, CountReply, LookupReply, MemberProfile, Problem, SearchReply, TallyReply
from commands.who import WhoRequest, speakers_about

SAMPLE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"
NASTY_QUERIES = [
    '"',
    '""',
    '"unclosed phrase',
    "*",
    "NEAR(a b)",
    "a NEAR b",
    "title:foo",
    ":",
    "(",
    ")",
    "((()))",
    "AND",
    "OR",
    "NOT",
    "OR OR OR",
    "- - -",
    "-",
    "-excluded",
    "'; DROP TABLE contribution; --",
    "%",
    "_",
    "\\",
    "\x00",
    "🙂🏛️",
    "مجلس العموم",
    "‮reversed‬",
    "^",
    "{}[]",
    "a" * 10_000,
    "word " * 2_000,
    'col:"x" OR -"y" AND (z*)',
]


@pytest.fixture(scope="module")
def sqlite_core(bundled_sqlite: Engine) -> HansardCore:
    return HansardCore(bundled_sqlite)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def core(request: pytest.FixtureRequest) -> HansardCore:
    """One core per back end for the whole module: the tests only read (building one takes seconds)."""
    engine: Engine = request.getfixturevalue("bundled_sqlite" if request.param == "sqlite" else "bundled_postgres")
    return HansardCore(engine)


def search(core: HansardCore, query: str = "", **options: object) -> SearchReply:
    return core.search(SearchRequest(query=query, page_size=10, **options))  # type: ignore[arg-type]


def texts(reply: SearchReply) -> list[str]:
    return [r.excerpt.lower() for r in reply.results]


def test_phrase_query_matches_only_the_phrase(core: HansardCore) -> None:
    reply = search(core, '"serious case review"')
    assert reply.problem is None and reply.results
    for result in reply.results:
        body = result.excerpt.lower()
        assert "serious case review" in body
    assert SAMPLE_URI in [r.uri for r in search(core, '"serious case reviews"').results]


def test_excluded_words_never_appear(core: HansardCore) -> None:
    with_word = search(core, "detention")
    without = search(core, "detention -children")
    assert 0 < without.total < with_word.total
    row_ids = [r.row_id for r in without.results]
    with core.engine.connect() as conn:
        from sqlalchemy import text

        bodies = [
            conn.execute(text("SELECT text FROM contribution WHERE id = :i"), {"i": i}).scalar_one() for i in row_ids
        ]
    assert bodies and all("children" not in body.lower() for body in bodies)


def test_or_matches_either(core: HansardCore) -> None:
    a, b = search(core, "yarl"), search(core, "afghanistan")
    either = search(core, "yarl OR afghanistan")
    assert max(a.total, b.total) < either.total <= a.total + b.total


def test_stemming_for_plain_words(core: HansardCore) -> None:
    # "reviews" finds "review" through stemming; a quoted word is matched as written.
    stemmed = search(core, "reviewing")
    assert stemmed.total > search(core, '"reviewing"').total


def test_member_filter_and_typo(core: HansardCore) -> None:
    reply = search(core, "case", member="Tim Loughten")
    assert reply.member is not None and reply.member.name == "Tim Loughton"
    assert reply.results and all(r.member == "Tim Loughton" for r in reply.results)


def test_ambiguous_member_lists_candidates(core: HansardCore) -> None:
    reply = search(core, "school", member="Smith")
    assert reply.problem is Problem.AMBIGUOUS_MEMBER
    assert len(reply.candidates) > 1 and all("Smith" in c.name for c in reply.candidates)


def test_bill_filter_from_informal_name(core: HansardCore) -> None:
    reply = search(core, "asset", bill="terrorist asset freezing bill")
    assert reply.bill is not None and reply.bill.name.startswith("Terrorist Asset-Freezing")
    assert reply.results


def test_date_filters_and_sorts(core: HansardCore) -> None:
    reply = search(core, "government", date_from="9 February 2010", date_to="2010-02-09")
    assert reply.results and all(r.date == dt.date(2010, 2, 9) for r in reply.results)
    newest = search(core, "government", sort="newest")
    dates = [r.date for r in newest.results]
    assert dates == sorted(dates, reverse=True)
    oldest = search(core, "government", sort="oldest")
    assert [r.date for r in oldest.results] == sorted(r.date for r in oldest.results)
    assert oldest.results[0].date is not None and newest.results[0].date is not None
    assert oldest.results[0].date <= newest.results[0].date


def test_house_and_party_filters(core: HansardCore) -> None:
    reply = search(core, "school", party="Conservative", house="commons")
    assert reply.results and all(r.party == "Conservative" and r.house == "House of Commons" for r in reply.results)
    assert search(core, "school", house="lords").problem is Problem.NO_RESULTS
    assert search(core, "school", house="senate").problem is Problem.BAD_INPUT


def test_bad_date_is_explained(core: HansardCore) -> None:
    reply = search(core, "school", date_from="the day after never")
    assert reply.problem is Problem.BAD_INPUT and "2010-02-23" in (reply.message or "")


def test_paging(core: HansardCore) -> None:
    first = search(core, "government", page=1)
    second = search(core, "government", page=2)
    assert first.total > 20
    assert not {r.uri for r in first.results} & {r.uri for r in second.results}
    beyond = search(core, "government", page=10_000)
    assert beyond.problem is Problem.NO_RESULTS and "page" in (beyond.message or "")


def test_results_carry_citation_and_matched_spans(core: HansardCore) -> None:
    reply = search(core, "tabloid")
    sample = next(r for r in reply.results if r.uri == SAMPLE_URI)
    assert sample.reference == "HC Deb 23 February 2010 vol 506 c185-6"
    assert sample.matched_terms == ["tabloid"] and "**" not in sample.excerpt
    assert len(sample.excerpt) <= core.excerpt_length
    assert sample.member == "Tim Loughton" and sample.party == "Conservative"


def test_did_you_mean(core: HansardCore) -> None:
    reply = search(core, "afganistan")
    assert reply.problem is Problem.NO_RESULTS
    assert reply.suggestion == "afghanistan"
    assert "afghanistan" in (reply.message or "")


# Misspellings typed as people type queries: OR, exclusions, quotes and apostrophes kept.
MISSPELT = ["afganistan", "tabliod OR sunbedz", "immigation -children", '"serious case reveiw"', "yarl's woood"]


@pytest.mark.parametrize("query", MISSPELT)
def test_did_you_mean_keeps_the_query_and_finds_more(core: HansardCore, query: str) -> None:
    reply = search(core, query)
    assert reply.total < 3 and reply.suggestion is not None
    # Only words change: every operator, quote, minus and apostrophe stays where it was typed.
    assert re.sub(r"[^\W\d_]+", "w", reply.suggestion) == re.sub(r"[^\W\d_]+", "w", query)
    assert search(core, reply.suggestion).total > reply.total


@pytest.mark.parametrize("query", ["sunbeds OR tanning", "asbestos -pleural", "référendum", "government", "o'brien"])
def test_no_did_you_mean_for_queries_that_find_enough_or_nothing_better(core: HansardCore, query: str) -> None:
    assert search(core, query).suggestion is None


def test_accented_and_plain_letters_are_one_word(core: HansardCore) -> None:
    accented, plain = search(core, "référendum"), search(core, "referendum")
    assert accented.total == plain.total >= 3


def test_query_without_words(core: HansardCore) -> None:
    for query in ("", "!!!", "🙂", "-children"):
        reply = search(core, query)
        assert reply.problem is Problem.NO_USABLE_WORDS, query
        assert reply.message


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_nasty_queries_never_raise(core: HansardCore, query: str) -> None:
    reply = search(core, query)
    assert isinstance(reply, SearchReply)
    assert reply.problem in (None, Problem.NO_RESULTS, Problem.NO_USABLE_WORDS)


@given(st.text(max_size=200))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_query_never_raises_sqlite(sqlite_core: HansardCore, query: str) -> None:
    reply = sqlite_core.search(SearchRequest(query=query, member=query[:20] or None))
    assert isinstance(reply, SearchReply)
    assert ask(sqlite_core, query) is not None


def test_member_profile(core: HansardCore) -> None:
    reply = core.member("jak straw")
    assert isinstance(reply.profile, MemberProfile)
    profile = reply.profile
    assert profile.member.name == "Jack Straw"
    assert profile.party == "Labour" and profile.house == "House of Commons"
    assert profile.contributions > 0
    assert profile.first_date is not None and profile.last_date is not None
    assert profile.first_date <= profile.last_date
    assert profile.latest and all(r.member == "Jack Straw" for r in profile.latest)
    assert [r.date for r in profile.latest] == sorted((r.date for r in profile.latest), reverse=True)


def test_bill_summary(core: HansardCore) -> None:
    # A part of the title, not said as a title: "Constitutional Reform Bill" is the 2004-05 Bill.
    reply = core.bill("constitutional reform")
    assert isinstance(reply.profile, BillSummary)
    summary = reply.profile
    assert summary.bill.name == "Constitutional Reform and Governance Bill"
    assert summary.contributions > 0 and summary.dates
    counts = [c.count for c in summary.top_speakers]
    assert counts == sorted(counts, reverse=True)


def test_unknown_member_and_bill(core: HansardCore) -> None:
    assert core.member("zzzzqqqq").problem is Problem.UNKNOWN_MEMBER
    assert core.bill("zzzzqqqq xyzzy").problem is Problem.UNKNOWN_BILL


def test_contribution_pages(core: HansardCore) -> None:
    reply = core.contribution("622898")
    assert reply.item is not None and reply.item.uri == SAMPLE_URI
    assert reply.paragraphs and "tabloid" in " ".join(reply.paragraphs)
    assert all("\\" not in paragraph and "**" not in paragraph for paragraph in reply.paragraphs)
    assert core.contribution("999999999").problem is Problem.NOT_FOUND


def test_autocomplete(sqlite_core: HansardCore) -> None:
    choices = sqlite_core.names.autocomplete_members("lough")
    assert 0 < len(choices) <= 25
    assert choices[0].name == "Tim Loughton"
    assert len(sqlite_core.names.autocomplete_members("")) == 25
    bills = sqlite_core.names.autocomplete_bills("consti")
    assert any(b.name == "Constitutional Reform and Governance Bill" for b in bills)


# --- natural questions -------------------------------------------------------------------------


def test_ask_what_did_member_say_about_topic(core: HansardCore) -> None:
    reply = ask(core, "what did tim loughton say about serious case reviews")
    assert isinstance(reply, SearchReply)
    assert "Tim Loughton" in reply.understood and "serious case reviews" in reply.understood
    assert SAMPLE_URI in [r.uri for r in reply.results]


def test_ask_who_spoke_about(core: HansardCore) -> None:
    reply = ask(core, "who spoke about Yarl's Wood")
    assert isinstance(reply, TallyReply) and reply.people and reply.results
    who = speakers_about(core, WhoRequest(topic="Yarl's Wood", limit=len(reply.people)))
    assert [(p.name, p.count) for p in reply.people] == [(s.name, s.count) for s in who.speakers]
    assert all(re.search(r"yarl", r.excerpt + r.title, re.I) for r in reply.results)


def test_ask_when_was_bill_debated(core: HansardCore) -> None:
    reply = ask(core, "when was the constitutional reform and governance bill debated")
    assert isinstance(reply, LookupReply) and isinstance(reply.profile, BillSummary)
    assert reply.profile.bill.name == "Constitutional Reform and Governance Bill"
    assert dt.date(2010, 2, 9) in reply.profile.dates


def test_ask_latest_from_member(core: HansardCore) -> None:
    reply = ask(core, "latest from jack straw")
    assert isinstance(reply, SearchReply) and reply.results
    assert all(r.member == "Jack Straw" for r in reply.results)
    dates = [r.date for r in reply.results]
    assert dates == sorted(dates, reverse=True)


def test_ask_how_many_times(core: HansardCore) -> None:
    reply = ask(core, "how many times did Frank Field speak in February 2010")
    assert isinstance(reply, CountReply)
    assert reply.member is not None and reply.member.name == "Frank Field"
    everything = search(core, member="Frank Field", date_from="Feb 2010", date_to="Feb 2010")
    assert reply.count == everything.total > 0
    assert "February 2010" in reply.understood


def test_ask_falls_back_to_search(core: HansardCore) -> None:
    reply = ask(core, "afghanistan troops")
    assert isinstance(reply, SearchReply) and reply.results


def test_quoted_word_is_matched_as_written(core: HansardCore) -> None:
    quoted = search(core, '"review"')
    assert quoted.results and quoted.total < search(core, "review").total
    with core.engine.connect() as conn:
        from sqlalchemy import text

        for result in quoted.results:
            body = conn.execute(text("SELECT text FROM contribution WHERE id = :i"), {"i": result.row_id}).scalar_one()
            assert re.search(r"\breview\b", body, re.IGNORECASE), result.uri


def test_quoted_phrase_tolerates_typographic_apostrophes(core: HansardCore) -> None:
    straight = search(core, '"Yarl\'s Wood"')
    assert straight.total > 0
    assert straight.total == search(core, '"Yarl’s Wood"').total


@pytest.mark.parametrize("date", ["Jan 0000", "0000-01-01", "31 February 2010", "99/99/2010"])
def test_impossible_dates_are_explained_not_raised(core: HansardCore, date: str) -> None:
    reply = search(core, "school", date_from=date)
    assert reply.problem is Problem.BAD_INPUT and reply.message
    assert isinstance(ask(core, f"who spoke about schools in {date}"), SearchReply | CountReply | LookupReply)


def test_huge_contribution_id_is_not_found(core: HansardCore) -> None:
    assert core.contribution("9" * 19).problem is Problem.NOT_FOUND
    assert core.contribution("9" * 18).problem is Problem.NOT_FOUND


def test_refresh_follows_imports_by_other_processes(tmp_path: Path) -> None:
    from storage.db import make_engine, migrate
    from storage.importer import import_paths
    from tests.conftest import DATA

    engine = make_engine(f"sqlite:///{tmp_path / 'two.db'}")
    migrate(engine)
    core = HansardCore(engine)
    assert core.names.refresh_if_imported() is False
    assert core.names.members.match("Tim Loughton").best is None
    import_paths(engine, [DATA / "samples"])  # as the CLI would, in another process
    assert core.names.refresh_if_imported() is True
    assert core.names.members.match("Tim Loughton").best is not None
    assert core.names.refresh_if_imported() is False


# Words that open sentences in Hansard after an abbreviation ("hon. Gentleman", "Mr. Speaker",
# "5 per cent. of"): an excerpt starting at one of them would start mid-sentence.
EXCERPT_QUERIES = ["gentleman", "friend", "speaker", "cent", "asbestos", "afghanistan", "police", "clause"]
_ABBREVIATION_END = re.compile(r"\b(?:hon|rt|Mr|Mrs|Ms|Dr|St|No)\.$", re.IGNORECASE)
_SENTENCE_CLOSE = re.compile(r"[.!?…][\"'”’)\]]*$")


def _paragraph_before(core: HansardCore, uri: str, passage: str) -> str:
    """The text of the paragraph that holds the start of ``passage``, up to where the passage starts."""
    text = "\n".join(" ".join(paragraph.split()) for paragraph in core.contribution(uri).paragraphs)
    # An excerpt joins paragraphs with a space.
    found = re.search(r"\s".join(re.escape(word) for word in passage.split(" ")), text)
    assert found is not None, f"{passage!r} is not in {uri}"
    return text[: found.start()].rsplit("\n", 1)[-1].rstrip()


@pytest.mark.parametrize("query", EXCERPT_QUERIES)
def test_excerpts_start_at_a_sentence_boundary(core: HansardCore, query: str) -> None:
    reply = search(core, query)
    assert reply.results
    for result in reply.results:
        if not result.excerpt.startswith("…"):
            continue
        passage = result.excerpt[1:].removesuffix("…")
        before = _paragraph_before(core, result.uri, passage[:60])
        if not before:
            continue  # a paragraph's first sentence
        assert _SENTENCE_CLOSE.search(before), (before[-40:], passage[:40])
        assert not _ABBREVIATION_END.search(before), (before[-40:], passage[:40])
        assert not before.endswith("cent.") or passage[:1].isupper(), (before[-40:], passage[:40])


@pytest.mark.parametrize("query", EXCERPT_QUERIES)
def test_excerpts_hold_a_matched_word_when_the_text_has_one(core: HansardCore, query: str) -> None:
    reply = search(core, query)
    for result in reply.results:
        body = " ".join(core.contribution(result.uri).paragraphs)
        if re.search(rf"\b{query}", body, re.IGNORECASE):
            assert any(term.lower().startswith(query[:4]) for term in result.matched_terms), result.excerpt


def test_ask_searches_with_the_entries_it_resolved(core: HansardCore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The member, bill and dates found in a question go to the search as they are, never re-parsed."""

    def re_resolved(*args: object) -> None:
        raise AssertionError("ask resolved an option again from text")

    monkeypatch.setattr(core.names, "resolve_member", re_resolved)
    monkeypatch.setattr(core.names, "resolve_bill", re_resolved)
    monkeypatch.setattr("commands.core.parse_date_range", re_resolved)
    reply = ask(core, "what did tim loughton say about tabloid newspapers in february 2010")
    assert isinstance(reply, SearchReply) and reply.member is not None and reply.member.name == "Tim Loughton"
    assert SAMPLE_URI in [r.uri for r in reply.results]
    summary = ask(core, "when was the children, schools and families bill debated")
    assert isinstance(summary, LookupReply) and isinstance(summary.profile, BillSummary)


def test_a_speaker_parlparse_could_not_identify_is_shown_as_printed(core: HansardCore) -> None:
    """speakerid="unknown" ("The First Deputy Chairman", "Hon. Members"): no Member to cite, but the
    reply says who spoke as Hansard printed it, as the JSONL of the same speeches does."""
    from sqlmodel import Session, select

    from storage.models import Contribution

    with Session(core.engine) as session:
        rows = [
            row
            for row in session.exec(select(Contribution).where(Contribution.member_name.is_(None)))  # type: ignore[union-attr]
            if row.extra.get("speaker_name")
        ]
    assert rows
    for row in rows:
        item = core.result_item(row)
        assert item.member == row.extra["speaker_name"], row.uri
        assert item.member and item.member.strip() == item.member
