"""Questions as people ask them, on the bundled real data (Jan-Feb 2010), on both back ends."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bot.cli import main as cli
from commands.ask import ask
from commands.core import HansardCore, SearchRequest
from commands.replies import Problem, SearchReply, TallyReply
from commands.who import WhoRequest, speakers_about

# A fixed "today" a few days after the XML ends (10 February 2010), and one long after the data.
SOON_AFTER = dt.date(2010, 2, 15)
LONG_AFTER = dt.date(2026, 12, 6)


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    return HansardCore(bundled_store)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("who spoke most about referendum", "referendum"),
        ("who talks about sunbeds", "sunbeds"),
        ("which MPs mentioned pleural plaques", "pleural plaques"),
    ],
)
def test_who_spoke_most_ranks_people_with_counts(core: HansardCore, question: str, words: str) -> None:
    reply = ask(core, question)
    assert isinstance(reply, TallyReply) and reply.people and reply.results
    counts = [p.count for p in reply.people]
    assert counts == sorted(counts, reverse=True)
    # The same answer as /hansard who for the same topic: one ranking, the same people and counts.
    who = speakers_about(core, WhoRequest(topic=words, limit=len(reply.people)))
    assert [(p.key, p.name, p.party, p.count) for p in reply.people] == [
        (s.member_key, s.name, s.party, s.count) for s in who.speakers
    ]
    data = reply.to_json()
    assert data["people"][0] == {"name": reply.people[0].name, "party": reply.people[0].party, "count": counts[0]}
    assert data["results"] and "who spoke most" in reply.understood and words in reply.understood


def test_who_with_house_and_dates_is_the_who_command_with_those_options(core: HansardCore) -> None:
    reply = ask(core, "which MPs mentioned afghanistan in the commons in february 2010")
    assert isinstance(reply, TallyReply) and reply.people
    who = speakers_about(
        core,
        WhoRequest(topic="afghanistan", house="commons", date_from="2010-02-01", date_to="2010-02-28", limit=10),
    )
    assert [(p.name, p.count) for p in reply.people] == [(s.name, s.count) for s in who.speakers]


@pytest.mark.parametrize("question", ["did anyone mention pleural plaques", "has anyone talked about pleural plaques"])
def test_did_anyone_mention_is_a_search(core: HansardCore, question: str) -> None:
    reply = ask(core, question)
    plain = core.search(SearchRequest(query="pleural plaques"))
    assert isinstance(reply, SearchReply) and reply.total == plain.total > 0
    assert [r.uri for r in reply.results] == [r.uri for r in plain.results]


def test_last_week_is_read_against_today(core: HansardCore) -> None:
    reply = ask(core, "what did jack straw say last week", today=SOON_AFTER)
    assert isinstance(reply, SearchReply) and reply.results
    # The week before the one of 15 February 2010: Monday 8 to Sunday 14 February.
    assert all(r.date and dt.date(2010, 2, 8) <= r.date <= dt.date(2010, 2, 14) for r in reply.results)
    assert "last week" in reply.understood and "8 February 2010" in reply.understood


@pytest.mark.parametrize("when", ["last week", "yesterday", "this month", "in january"])
def test_dates_after_the_data_say_where_it_ends(core: HansardCore, when: str) -> None:
    reply = ask(core, f"what did jack straw say {when}", today=LONG_AFTER)
    assert isinstance(reply, SearchReply)
    if when == "in january":  # a month without a year is the data's January
        assert reply.problem is None and all(r.date and r.date.month == 1 for r in reply.results)
    else:
        last = core.about().last_date
        assert last is not None and not reply.results and reply.message is not None
        assert f"The data ends on {last.day} {last:%B %Y}." in reply.message


def test_yesterday(core: HansardCore) -> None:
    reply = ask(core, "what did gordon brown say yesterday", today=dt.date(2010, 2, 11))
    assert isinstance(reply, SearchReply) and reply.results
    assert {r.date for r in reply.results} == {dt.date(2010, 2, 10)}


def test_a_date_without_a_year_takes_the_data_year(core: HansardCore) -> None:
    reply = ask(core, "what did jack straw say on 9 february", today=LONG_AFTER)
    assert isinstance(reply, SearchReply) and reply.results
    assert {r.date for r in reply.results} == {dt.date(2010, 2, 9)}
    assert "9 February 2010" in reply.understood


def test_when_was_a_topic_debated_gives_the_days_and_debates(core: HansardCore) -> None:
    reply = ask(core, "when was yarl's wood debated")
    assert isinstance(reply, TallyReply) and reply.days and reply.results
    days = [d.date for d in reply.days]
    assert days == sorted(days, reverse=True)
    assert any(d.date == dt.date(2010, 2, 10) and "YARL" in d.title.upper() for d in reply.days)
    assert reply.to_json()["debates"][0]["date"] == days[0].isoformat()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "question", ["what did tim loughton say on 2010-02-30", "what did tim loughton say on 30 february"]
)
def test_an_impossible_date_is_said_to_be_impossible(core: HansardCore, question: str) -> None:
    reply = ask(core, question)
    assert isinstance(reply, SearchReply) and reply.problem is Problem.BAD_INPUT
    assert reply.message is not None and "not a real date" in reply.message and not reply.results


def test_ask_accepts_an_exclusion_as_search_does(bundled_sqlite: Engine, tmp_path: object) -> None:
    url = bundled_sqlite.url.render_as_string(hide_password=False)
    for args in (["ask", "-tabloid"], ["search", "-tabloid"]):
        result = CliRunner().invoke(cli, ["--database-url", url, *args])
        assert "No such option" not in result.output, result.output
        assert "Exclusions (-word) need at least one word" in result.output
    result = CliRunner().invoke(cli, ["--database-url", url, "ask", "serious", "case", "-tabloid"])
    assert result.exit_code == 0 and "No such option" not in result.output


def test_when_did_parliament_debate(core: HansardCore) -> None:
    reply = ask(core, "when did parliament debate yarl's wood")
    assert isinstance(reply, TallyReply) and reply.days
    assert "parliament" not in reply.understood.lower()


SHAPES = [
    "what did the {w} say",
    "what did the member for {w} say about {w}",
    "who spoke most about {w}",
    "when was {w} debated",
    "what did the secretary of state for {w} say on {d} {w}",
    "did anyone mention {w} {w} last {w}",
    "what did {w} say in {w} {d}",
]


@given(
    shape=st.sampled_from(SHAPES),
    words=st.lists(st.text(min_size=0, max_size=12), min_size=4, max_size=4),
    number=st.integers(min_value=-5, max_value=40),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_question_shapes_never_raise(bundled_sqlite: Engine, shape: str, words: list[str], number: int) -> None:
    core = _sqlite_core(bundled_sqlite)
    fills = iter(words * 2)
    question = shape.replace("{d}", str(number))
    while "{w}" in question:
        question = question.replace("{w}", next(fills), 1)
    reply = ask(core, question, today=SOON_AFTER)
    assert reply.understood is not None and reply.to_json()


_CORES: dict[int, HansardCore] = {}


def _sqlite_core(engine: Engine) -> HansardCore:
    """One core per engine for the property test (building one reads the whole name index)."""
    return _CORES.setdefault(id(engine), HansardCore(engine))


def _shared_surnames(core: HansardCore) -> list[str]:
    """Surnames two or more stored Members have, that /hansard member finds ambiguous."""
    names: dict[str, set[int]] = {}
    for row in core.names.people.rows:
        if row.contributions:
            names.setdefault(row.name.split()[-1], set()).add(row.id)
    return sorted(
        surname
        for surname, ids in names.items()
        if len(ids) > 1 and core.names.resolve_member(surname).problem is Problem.AMBIGUOUS_MEMBER
    )


def test_a_name_several_members_have_asks_which_as_member_does(core: HansardCore) -> None:
    # "what did Smith say about X" searched "X" by nobody (or "Smith X"): now the question is put back.
    surnames = _shared_surnames(core)
    assert len(surnames) >= 10, surnames
    for surname in surnames:
        member = core.member(surname)
        for question in (f"what did {surname} say about the economy", f"latest from {surname}"):
            reply = ask(core, question)
            assert isinstance(reply, SearchReply) and reply.problem is Problem.AMBIGUOUS_MEMBER, (question, reply)
            assert not reply.results and reply.message == member.message
            assert [c.key for c in reply.candidates] == [c.key for c in member.candidates]
