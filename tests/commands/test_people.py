"""The right person: offices and seats by date, the Speaker by name, parties as people type them.

Expectations are read from the real data: who the XML announces with an office
(``speakeroffice``), who held a seat or the Speakership (members_flat.csv).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import Engine, select

from commands.ask import ask
from commands.core import HansardCore, SearchRequest
from commands.people import find_office, find_seat
from commands.replies import LookupReply, MemberProfile, Problem, SearchReply
from storage.models import CONTRIBUTION_TABLE
from storage.reference_data import MemberDirectory, bundled_data_dir

DATA = bundled_data_dir()
DEBATES = DATA / "hansard_twfy_xml_2010" / "debates"


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    return HansardCore(bundled_store)


@pytest.fixture(scope="module")
def directory() -> MemberDirectory:
    return MemberDirectory.from_csv(DATA / "members_flat.csv")


def _announced_as(office: str) -> set[str]:
    """Speakers the Jan-Feb 2010 files announce with exactly this office."""
    names = set()
    for path in (DATA / "hansard_twfy_xml_2010").glob("*/*.xml"):
        for elem in ET.parse(path).getroot():
            if elem.tag == "speech" and elem.get("speakeroffice", "").strip() == office:
                names.add(elem.get("speakername", ""))
    return names


@pytest.mark.parametrize(
    ("typed", "office", "topic"),
    [
        ("the prime minister", "The Prime Minister", "afghanistan"),
        ("the home secretary", "The Secretary of State for the Home Department", "drugs"),
        ("the chancellor", "The Chancellor of the Exchequer", "northern rock"),
        ("the welsh secretary", "The Secretary of State for Wales", "economy"),
    ],
)
def test_an_office_means_who_held_it_then(core: HansardCore, typed: str, office: str, topic: str) -> None:
    holders = _announced_as(office)
    assert len(holders) == 1, holders
    reply = ask(core, f"what did {typed} say about {topic}")
    assert isinstance(reply, SearchReply) and reply.results, reply.message
    assert {r.member for r in reply.results} == holders
    assert holders.pop() in reply.understood


def test_an_office_nobody_held_in_the_data_is_said_plainly(core: HansardCore) -> None:
    reply = ask(core, "what did the prime minister say in 1985")
    assert isinstance(reply, SearchReply) and reply.problem is Problem.UNKNOWN_MEMBER
    assert reply.message is not None and "Prime Minister" in reply.message and not reply.results


def test_the_speaker_is_who_held_the_chair_on_those_dates(core: HansardCore, directory: MemberDirectory) -> None:
    day = dt.date(2010, 2, 8)
    speaker = [r for r in directory.all() if r.party == "Speaker" and r.from_date and r.from_date <= day]
    speaker = [r for r in speaker if r.to_date is None or r.to_date >= day]
    assert len(speaker) == 1
    office = find_office("what did the speaker say")
    assert office is not None
    holder = core.names.people.office_holder(office[0], day, day)
    assert holder is not None
    row = next(r for r in core.names.people.rows if r.id == holder.member_id)
    assert row.person_ref == speaker[0].person_ref


def test_the_member_for_a_seat_is_who_held_it(core: HansardCore, directory: MemberDirectory) -> None:
    day = dt.date(2010, 2, 10)
    held = [
        r.display_name
        for r in directory.all()
        if r.constituency == "Bedford" and (r.from_date or day) <= day and (r.to_date is None or r.to_date >= day)
    ]
    assert len(held) == 1
    reply = ask(core, "what did the member for bedford say about immigration")
    assert isinstance(reply, SearchReply) and reply.results
    assert {r.member for r in reply.results} == set(held)
    assert "Member for Bedford" in reply.understood


@pytest.mark.parametrize("typed", ["Mr. Speaker", "mr speaker", "Madam Deputy Speaker"])
def test_the_chair_is_found_by_its_own_name(core: HansardCore, typed: str) -> None:
    # The profile is the person's, found by the name Hansard printed their speeches under.
    reply = core.member(typed)
    assert isinstance(reply.profile, MemberProfile), reply.message
    entry = core.names.member_entry(int(reply.profile.member.key))
    assert entry is not None
    printed = {alias.lower().replace(".", "") for alias in entry.aliases}
    assert typed.lower().replace(".", "") in printed


def test_a_chair_name_two_people_were_printed_under_asks_which(core: HansardCore) -> None:
    # Alan Haselhurst and Michael Lord were both "Mr. Deputy Speaker" in Feb 2010.
    reply = core.member("Mr. Deputy Speaker")
    assert reply.profile is None and reply.problem is Problem.AMBIGUOUS_MEMBER
    assert {c.name for c in reply.candidates} == {"Alan Haselhurst", "Michael Lord"}


def test_a_person_is_found_by_their_other_names(core: HansardCore, directory: MemberDirectory) -> None:
    reply = core.member("bercow")
    assert isinstance(reply, LookupReply) and isinstance(reply.profile, MemberProfile), reply.message
    bercow = {r.person_ref for r in directory.all() if r.last_name == "Bercow"}
    row = next(r for r in core.names.people.rows if r.id == reply.profile.member.key)
    assert row.person_ref in bercow
    assert core.member("john bercow").profile == reply.profile


def test_profiles_show_the_constituency(core: HansardCore) -> None:
    reply = core.member("patrick hall")
    assert isinstance(reply.profile, MemberProfile)
    assert reply.profile.constituency == "Bedford"
    assert reply.profile.to_json()["constituency"] == "Bedford"


@pytest.mark.parametrize(
    ("typed", "party"),
    [
        ("lib dem", "Liberal Democrat"),
        ("libdem", "Liberal Democrat"),
        ("LD", "Liberal Democrat"),
        ("Lab", "Labour"),
        ("Con", "Conservative"),
        ("tories", "Conservative"),
        ("SNP", "Scottish National Party"),
        ("Plaid", "Plaid Cymru"),
        ("sdlp", "Social Democratic & Labour Party"),
    ],
)
def test_party_filters_accept_what_people_type(core: HansardCore, typed: str, party: str) -> None:
    reply = core.search(SearchRequest(query="government", party=typed, page_size=10))
    assert reply.problem is None, reply.message
    assert reply.results and {r.party for r in reply.results} == {party}
    assert party in reply.understood


def test_unknown_party_or_session_lists_what_there_is(core: HansardCore) -> None:
    reply = core.search(SearchRequest(query="government", party="Whig"))
    assert reply.problem is Problem.BAD_INPUT and reply.message is not None
    assert reply.message.startswith("No party called “Whig”; parties in the data are ")
    assert "Labour" in reply.message and "Liberal Democrat" in reply.message
    reply = core.search(SearchRequest(query="government", session="2001-02"))
    assert reply.problem is Problem.BAD_INPUT and reply.message is not None and "2009-10" in reply.message
    assert core.search(SearchRequest(query="government", session="2009/10")).problem is None


def test_party_autocomplete(core: HansardCore) -> None:
    assert core.names.autocomplete_parties("lib") == ["Liberal Democrat"]
    assert core.names.autocomplete_parties("LD") == ["Liberal Democrat"]
    assert len(core.names.autocomplete_parties("")) <= 25 and "Labour" in core.names.autocomplete_parties("")


def test_an_office_as_a_member_option(core: HansardCore) -> None:
    holders = _announced_as("The Prime Minister")
    reply = core.search(SearchRequest(query="afghanistan", member="the prime minister"))
    assert reply.member is not None and {reply.member.name} == holders
    assert reply.results and {r.member for r in reply.results} == holders


def test_a_seat_holder_with_nothing_loaded_is_named(core: HansardCore, directory: MemberDirectory) -> None:
    day = dt.date(2010, 2, 10)
    loaded = {row.person_ref for row in core.names.people.rows}
    silent = next(
        r
        for r in directory.all()
        if r.house == "House of Commons"
        and r.constituency
        and r.person_ref not in loaded
        and r.from_date is not None
        and r.from_date <= day
        and (r.to_date is None or r.to_date >= day)
    )
    reply = ask(core, f"what did the member for {silent.constituency} say")
    assert isinstance(reply, SearchReply) and reply.problem is Problem.UNKNOWN_MEMBER and not reply.results
    assert reply.message is not None and reply.message.startswith(f"{silent.display_name} was the Member for")


def test_a_party_named_with_party(core: HansardCore) -> None:
    reply = core.search(SearchRequest(query="government", party="Conservative Party"))
    assert reply.problem is None and reply.results and {r.party for r in reply.results} == {"Conservative"}


@pytest.mark.parametrize("question", ["what did the member for say", "what did the secretary of state for say"])
def test_an_office_or_seat_without_a_name_is_not_guessed(question: str) -> None:
    assert find_office(question) is None and find_seat(question) is None


@pytest.mark.parametrize("typed", ["the member for {seat}", "MP for {seat}", "the hon. Member for {seat}"])
def test_member_finds_whoever_held_the_seat(core: HansardCore, directory: MemberDirectory, typed: str) -> None:
    # Every Commons speaker of the 2010 debates, by the seat they held then.
    checked = 0
    for path in sorted(DEBATES.glob("*.xml"))[:2]:
        refs = {e.get("speakerid", "") for e in ET.parse(path).getroot() if e.tag == "speech"}
        for ref in sorted(refs):
            record = directory.by_member_ref(ref)
            if record is None or not record.constituency:
                continue
            reply = core.member(typed.format(seat=record.constituency))
            assert isinstance(reply.profile, MemberProfile), (record.constituency, reply.message)
            assert reply.profile.constituency == record.constituency
            checked += 1
    assert checked >= 20


def _announced_offices(engine: Engine) -> dict[str, dict[dt.date, set[int]]]:
    """Every office the stored speeches announce a Member with: who held it, by sitting day."""
    c = CONTRIBUTION_TABLE.c
    office = c.extra["speaker_office"].as_string()
    found: dict[str, dict[dt.date, set[int]]] = {}
    with engine.connect() as conn:
        for title, day, member in conn.execute(
            select(office, c.sitting_date, c.member_id).where(office.is_not(None), c.member_id.is_not(None))
        ):
            found.setdefault(str(title), {}).setdefault(day, set()).add(int(member))
    return found


def test_every_announced_office_means_who_held_it_that_day(bundled_store: Engine) -> None:
    # Not a list of offices: "the Minister for Housing", "the Economic Secretary to the Treasury", ...
    core = HansardCore(bundled_store)
    offices = {t: days for t, days in _announced_offices(bundled_store).items() if t.startswith("The ")}
    assert len(offices) >= 40, sorted(offices)
    c = CONTRIBUTION_TABLE.c
    for title, days in sorted(offices.items()):
        day = max(days)
        # Held that day by these; another title that starts the same ("... Justice and Lord Chancellor") counts too.
        holders = {m for t, d in offices.items() if t == title or t.startswith(f"{title} ") for m in d.get(day, ())}
        with bundled_store.connect() as conn:
            text = conn.execute(
                select(c.text).where(c.sitting_date == day, c.member_id.in_(holders)).order_by(c.id).limit(1)
            ).scalar_one()
        word = max(re.findall(r"(?<![\w/.@-])[a-z]{6,14}(?![\w/.@-])", text), key=len)
        question = f"what did the {title.removeprefix('The ')} say about {word} on {day:%d %B %Y}"
        reply = ask(core, question)
        assert isinstance(reply, SearchReply), question
        if len(holders) == 1:
            assert reply.problem is None and reply.member is not None, (question, reply.message)
            assert reply.member.key in holders and reply.results, question
            assert f"{reply.member.name} (the " in reply.understood
        else:
            # Two Ministers of State in one department that day: the question cannot tell them apart.
            assert reply.problem is Problem.AMBIGUOUS_MEMBER, (question, reply.message)
            assert {cand.key for cand in reply.candidates} >= holders


@pytest.mark.parametrize(
    "office", ["the Minister for Silly Walks", "the Leader of the House", "the Secretary of State for Fisheries"]
)
def test_an_office_nobody_was_announced_with_is_said_plainly(core: HansardCore, office: str) -> None:
    # The bundled 2010 speeches announce no Leader of the House of Commons.
    reply = ask(core, f"what did {office} say about business")
    assert isinstance(reply, SearchReply) and reply.problem is Problem.UNKNOWN_MEMBER and not reply.results
    assert reply.message == f"I could not find who was {office} as the loaded Hansard ends."


@pytest.mark.parametrize("question", ["what did the government say about schools", "what did the opposition say"])
def test_a_group_is_not_an_office(core: HansardCore, question: str) -> None:
    reply = ask(core, question)
    assert isinstance(reply, SearchReply) and reply.problem is None and reply.results
