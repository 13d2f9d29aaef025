"""The votes answers on the real bundled data, on both back ends, checked against the XML read here."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from commands.ask import ask
from commands.core import HansardCore
from commands.replies import Problem
from commands.vote_replies import NO_VOTE, NOT_MEMBER, VOTED, DivisionListReply, MemberVotesReply
from commands.votes import Person, VotesCore, answer_vote_question, votes_core
from storage.db import make_engine, migrate
from storage.importer import import_paths
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.reference_data import MemberDirectory, load_member_aliases
from storage.votes_store import division_votes, find_divisions
from tests.conftest import DATA

DAY = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"
BILL = "Terrorist Asset-Freezing (Temporary Provisions) Bill"


def members() -> dict[str, dict[str, str]]:
    with (DATA / "members_flat.csv").open(encoding="utf-8") as handle:
        return {row["member_id"]: row for row in csv.DictReader(handle)}


def xml_division(number: str) -> ET.Element:
    return next(d for d in ET.parse(DAY).getroot().iter("division") if d.get("divnumber") == number)


def xml_votes(number: str) -> dict[str, ET.Element]:
    return {name.get("id", ""): name for name in xml_division(number).iter("mpname")}


@pytest.fixture
def core(bundled_store: Engine) -> VotesCore:
    return votes_core(bundled_store)


def test_division_72_result_parties_rebels_and_tellers(core: VotesCore) -> None:
    reply = core.division("8 February 2010", 72)
    assert reply.problem is None and reply.detail is not None
    detail = reply.detail
    assert (detail.item.ayes, detail.item.noes, detail.item.passed) == (376, 56, True)
    assert detail.item.bill == BILL
    assert any(link.url.startswith("http://www.publications.parliament.uk/") for link in detail.item.links)
    # Independently: each party's majority from the XML and the member list; rebels are the others,
    # except a Member listed in both lobbies (Derek Wyatt here), who abstained.
    party_of = {ref: row["party_name"].replace("Labour (Co-op)", "Labour") for ref, row in members().items()}
    listed = list(xml_division("72").iter("mpname"))
    both = {ref for ref, n in Counter(n.get("id", "") for n in listed).items() if n > 1}
    assert both
    sides: dict[str, Counter[str]] = {}
    for name in listed:
        if name.get("id") not in both:
            sides.setdefault(party_of[name.get("id", "")], Counter())[name.get("vote", "")] += 1
    expected = {
        name.text
        for name in listed
        if party_of[name.get("id", "")] not in {"Independent", "Speaker", "Deputy Speaker"}
        and name.get("id") not in both
        and name.get("vote") != sides[party_of[name.get("id", "")]].most_common(1)[0][0]
    }
    assert {v.name for v in detail.rebels} == expected and expected
    labour = next(p for p in detail.parties if p.party == "Labour")
    assert labour.ayes + labour.noes == sum(
        1 for n in listed if party_of[n.get("id", "")] == "Labour" and n.get("teller") != "yes"
    )
    names = {n.get("id", ""): n for n in listed}
    assert sorted(v.name for v in detail.tellers) == sorted(n.text or "" for n in names.values() if n.get("teller"))


def test_a_member_who_did_not_vote_and_one_who_was_not_a_member(core: VotesCore) -> None:
    voted = xml_votes("72")
    day = dt.date(2010, 2, 8)
    sitting = [
        row
        for ref, row in members().items()
        if row["house"] == HOUSE_OF_COMMONS
        and row["from_date"] <= day.isoformat() <= row["to_date"]
        and ref not in voted
        and row["party_name"] != "Speaker"
    ]
    absent = sorted(sitting, key=lambda r: r["member_id"])[0]
    reply = core.votes(f"#{absent['person_id']}", BILL)
    by_number = {v.division.number: v for v in reply.votes}
    assert by_number[72].status == NO_VOTE and by_number[72].vote is None
    # A Member whose seat ended before 2010 "was not a Member then".
    later = {r["person_id"] for r in members().values() if r["to_date"] >= "2010-01-01"}
    gone = next(r for r in members().values() if r["house"] == HOUSE_OF_COMMONS and r["person_id"] not in later)
    reply = core.votes(f"#{gone['person_id']}", BILL)
    assert {v.status for v in reply.votes} == {NOT_MEMBER}


def test_a_members_votes_match_the_xml(core: VotesCore) -> None:
    reply = core.votes("John McDonnell")
    assert reply.member is not None and reply.summary is not None
    refs = {r for r, row in members().items() if row["person_id"] == reply.member.key}
    xml_all = [
        d
        for path in sorted((DATA / "hansard_twfy_xml_2010" / "debates").glob("*.xml"))
        for d in ET.parse(path).getroot().iter("division")
    ]
    in_xml = {
        int(d.get("divnumber", "0")): n.get("vote") for d in xml_all for n in d.iter("mpname") if n.get("id") in refs
    }
    recorded = {v.division.number: v.vote for v in reply.votes if v.status == VOTED}
    assert recorded == {number: vote.capitalize() if vote else vote for number, vote in in_xml.items()}
    assert reply.summary.voted == len(in_xml) and reply.summary.held == len(xml_all)
    assert reply.summary.against_party >= 1  # he voted No on division 72 with most of Labour voting Aye
    as_json = reply.to_json()["votes"][0]
    assert set(as_json) >= {"date", "number", "vote", "result", "question"}


def test_a_teller_is_recorded_as_such(core: VotesCore) -> None:
    reply = core.votes("Frank Roy", BILL)
    vote = next(v for v in reply.votes if v.division.number == 72)
    assert (vote.vote, vote.teller) == ("Aye", True)


def test_finder_by_bill_date_member_and_house(core: VotesCore) -> None:
    assert [d.number for d in core.divisions(bill="terrorist asset freezing").divisions] == [75, 74, 73, 72]
    assert [d.number for d in core.divisions(date="9 Feb 2010").divisions] == [79, 78, 77, 76]
    by_member = core.divisions(member="John McDonnell", date="Feb 2010")
    assert by_member.divisions and all(d.date.month == 2 for d in by_member.divisions)
    lords = core.divisions(house="lords")
    assert lords.problem == Problem.NO_RESULTS and not lords.divisions


def test_bad_input_gets_a_clear_problem(core: VotesCore) -> None:
    assert core.division("someday", 72).problem == Problem.BAD_INPUT
    assert core.division("Feb 2010", 72).problem == Problem.BAD_INPUT
    missing = core.division("2010-02-08", 99)
    assert missing.problem == Problem.NOT_FOUND and "72" in (missing.message or "")
    assert core.division("2010-02-08", 72, house="senate").problem == Problem.BAD_INPUT
    assert core.votes("Zzyzx Qwertyuiop").problem == Problem.UNKNOWN_MEMBER
    assert core.divisions(bill="Qwertyuiop Zzyzx Bill").problem in {Problem.UNKNOWN_BILL, Problem.AMBIGUOUS_BILL}


def test_ask_understands_the_votes_questions(core: VotesCore, bundled_store: Engine) -> None:
    how = answer_vote_question(core, "How did John McDonnell vote on the Terrorist Asset-Freezing Bill?")
    assert isinstance(how, MemberVotesReply) and len(how.votes) == 4
    did = answer_vote_question(core, "did John McDonnell vote for division 72 on 8 February 2010")
    assert isinstance(did, MemberVotesReply) and did.answer == "No: John McDonnell voted No."
    rebels = answer_vote_question(core, "who rebelled on 8 Feb 2010")
    assert isinstance(rebels, DivisionListReply) and "McDonnell, John" in {
        v.name for d in rebels.details for v in d.rebels
    }
    party = answer_vote_question(core, "how did the Lib Dems vote on division 72 on 8 Feb 2010")
    assert isinstance(party, DivisionListReply) and party.party == "Liberal Democrat"
    split = next(p for p in party.details[0].parties if p.party == "Liberal Democrat")
    assert (split.ayes, split.noes) == (0, 49)
    words = answer_vote_question(core, "how did John McDonnell vote on the clause as amended")
    assert isinstance(words, MemberVotesReply) and [v.division.number for v in words.votes] == [75]
    assert answer_vote_question(core, "what did the Lib Dems say about banks") is None
    # Through /hansard ask itself.
    assert isinstance(ask(HansardCore(bundled_store), "who rebelled on 8 Feb 2010"), DivisionListReply)


def test_member_profile_has_a_voting_summary(bundled_store: Engine) -> None:
    reply = HansardCore(bundled_store).member("Douglas Hogg")
    profile = reply.profile
    assert profile is not None and getattr(profile, "voting", None) is not None
    summary = profile.voting  # type: ignore[union-attr]
    assert summary.held == 10 and 0 < summary.voted <= 10


def _person_found(core: VotesCore, text: str, person_ref: str) -> str:
    """ "resolved" to that person, "listed" among candidates, or "missed"."""
    found = core.resolve_member(text)
    if isinstance(found, Person):
        return "resolved" if found.person_ref == person_ref else "missed"
    return "listed" if any(m.entry.key == person_ref for m in found.candidates) else "missed"


def test_votes_know_members_by_the_names_people_use(bundled_sqlite: Engine) -> None:
    """Every name the aliases file gives a Member ("Nick Clegg"), and every peer's own name
    ("Janet Fookes" for Baroness Fookes), finds that person, as `member` does."""
    core = votes_core(bundled_sqlite)
    people_named: dict[str, set[str]] = {}
    for person in core.persons.values():
        for term in person.terms:
            people_named.setdefault(term.display_name, set()).add(person.person_ref)
    cases: list[tuple[str, str]] = []
    for alias in load_member_aliases(DATA / "member_aliases.csv"):
        owners = people_named.get(alias.match_value, set())
        if alias.match_type == "fullname" and len(owners) == 1 and alias.from_date is None and alias.to_date is None:
            cases.append((alias.alternate, next(iter(owners))))
    peers = [
        (f"{term.first_name} {term.lord_name}", person.person_ref)
        for person in core.persons.values()
        for term in person.terms
        if term.house == HOUSE_OF_LORDS and term.first_name and term.lord_name and not term.last_name
    ]
    assert len(cases) > 50 and len(peers) > 300
    outcomes = Counter(_person_found(core, text, ref) for text, ref in cases + peers)
    missed = [text for text, ref in cases + peers if _person_found(core, text, ref) == "missed"]
    assert not missed, missed[:10]
    assert outcomes["resolved"] > 0.9 * len(cases + peers)
    # Two people of one name are told apart by their years.
    blackburn = core.resolve_member("Bishop of Blackburn")
    assert not isinstance(blackburn, Person)
    details = [m.entry.detail for m in blackburn.candidates]
    assert len(details) == 2 and len(set(details)) == 2


# --- both Houses' divisions on the same days (TheyWorkForYou's fixtures of 26-29 October 2009) ---------

UML = DATA / "twfy_uml_2009" / "scrapedxml"
UML_DAYS = [dt.date(2009, 10, day) for day in (26, 27, 28, 29)]


@pytest.fixture(scope="module")
def uml_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VotesCore]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('uml') / 'uml.db'}")
    migrate(engine)
    import_paths(engine, [UML])
    aliases = load_member_aliases(DATA / "member_aliases.csv")
    yield VotesCore(engine, MemberDirectory.from_csv(DATA / "members_flat.csv"), aliases)
    engine.dispose()


def sitting_on(day: dt.date) -> dict[str, set[str]]:
    """Each person's Houses on ``day``, from the member list itself."""
    houses: dict[str, set[str]] = {}
    for row in members().values():
        if row["from_date"] <= day.isoformat() and (not row["to_date"] or day.isoformat() <= row["to_date"]):
            houses.setdefault(row["person_id"], set()).add(row["house"])
    return houses


def test_a_day_of_both_houses_divisions_asks_only_about_the_house_the_person_sat_in(uml_core: VotesCore) -> None:
    """A peer asked about a day with Commons divisions (and an MP about one with Lords divisions) is
    answered on their own House's divisions: the others are left out, not "was not a Member then"."""
    both_houses = 0
    for day in UML_DAYS:
        held = Counter(row.house for row in find_divisions(uml_core.engine, date_from=day, date_to=day))
        both_houses += len(held) == 2
        sitting = sitting_on(day)
        for house in (HOUSE_OF_COMMONS, HOUSE_OF_LORDS):
            people = sorted(ref for ref, houses in sitting.items() if houses == {house})
            for ref in people[:: max(1, len(people) // 8)]:
                reply = answer_vote_question(uml_core, f"how did #{ref} vote on {day:%-d %B %Y}")
                assert isinstance(reply, MemberVotesReply) and reply.member is not None
                assert {v.division.house for v in reply.votes} <= {house}, (ref, day)
                assert len(reply.votes) == held[house], (ref, day)
                assert {v.status for v in reply.votes} <= {VOTED, NO_VOTE}
                assert NOT_MEMBER not in (reply.answer or ""), (ref, day, reply.answer)
                if not held[house]:  # only the other House divided that day
                    assert reply.problem == Problem.NO_RESULTS and reply.answer is None
                    assert f"sat in the {house} then" in (reply.message or "")
    assert both_houses == 2  # 26 and 28 October; the 27th Commons only, the 29th Lords only
    bach = answer_vote_question(uml_core, "how did Lord Bach vote on 26 October 2009")
    assert isinstance(bach, MemberVotesReply) and bach.answer == "Lord Bach over 4 divisions: Not content in 4."


def test_a_person_in_neither_house_that_day_was_not_a_member_then(uml_core: VotesCore) -> None:
    day = UML_DAYS[0]
    sitting = sitting_on(day)
    later = next(ref for ref in sorted({row["person_id"] for row in members().values()}) if ref not in sitting)
    held = find_divisions(uml_core.engine, date_from=day, date_to=day)
    reply = answer_vote_question(uml_core, f"how did #{later} vote on {day:%-d %B %Y}")
    assert isinstance(reply, MemberVotesReply) and len(reply.votes) == len(held) > 1
    assert {v.status for v in reply.votes} == {NOT_MEMBER}
    assert reply.answer is not None and reply.answer.endswith(f"{NOT_MEMBER} in {len(held)}.")


def test_lords_tellers_and_rebels_are_shown_by_the_members_name(uml_core: VotesCore) -> None:
    """A Lords vote with a Member's id is shown under the member list's name ("Earl Cathcart"), not the
    division list's "Cathcart, E."; checked against the XML of every Lords division of the fixtures."""
    names = {ref: row["display_name"] for ref, row in members().items()}
    checked = rebels = 0
    for path in sorted((UML / "lordspages").glob("*.xml")):
        for division in ET.parse(path).getroot().iter("division"):
            day = dt.date.fromisoformat(division.get("divdate", ""))
            reply = uml_core.division(day.isoformat(), int(division.get("divnumber", "0")), house="lords")
            assert reply.detail is not None, (path.name, division.get("divnumber"))
            lords = list(division.iter("lord"))
            expected = sorted(names.get(n.get("id", ""), n.text or "") for n in lords if n.get("teller") == "yes")
            assert sorted(v.name for v in reply.detail.tellers) == expected and expected
            shown = {names.get(n.get("id", ""), "") for n in lords}
            assert all(v.name in shown for v in reply.detail.rebels), reply.detail.rebels
            checked += len(expected)
            rebels += len(reply.detail.rebels)
    assert checked >= 10 and rebels >= 1
    cathcart = uml_core.division("2009-10-26", 1, house="lords").detail
    assert cathcart is not None and "Earl Cathcart" in {v.name for v in cathcart.tellers}
    # The Commons lists spell a Member's own name: kept as listed.
    commons = uml_core.division("2009-10-26", 230, house="commons")
    assert commons.detail is not None
    listed = find_divisions(uml_core.engine, house=HOUSE_OF_COMMONS, date_from=dt.date(2009, 10, 26), number=230)
    tellers = [v.name for v in division_votes(uml_core.engine, listed[0].id) if v.teller]
    assert sorted(v.name for v in commons.detail.tellers) == sorted(tellers) and tellers
