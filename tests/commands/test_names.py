"""Tests for the in-memory name index, on the real bundled Members and Bills."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.bill_titles import normalise_bill_title
from commands.names import (
    MatchResult,
    NameEntry,
    NameIndex,
    SeatTerm,
    member_aliases_for,
    normalise_member_name,
)
from storage.reference_data import (
    MemberAlias,
    MemberDirectory,
    MemberRecord,
    bundled_data_dir,
    load_bill_informal_names,
    load_bills,
    load_member_aliases,
)

DATA = bundled_data_dir()


# --------------------------------------------------------------------------- building the indexes


def _years(rows: list[MemberRecord]) -> str:
    first = min((r.from_date for r in rows if r.from_date), default=None)
    # Any open-ended term means still serving (as of the snapshot).
    last = None if any(r.to_date is None for r in rows) else max(r.to_date for r in rows if r.to_date)
    return f"{first.year if first else '?'}–{last.year if last else ''}"


def member_entries(
    records: list[MemberRecord],
) -> tuple[list[NameEntry], dict[int | str, list[SeatTerm]]]:
    """One entry per person and house, named as in their latest row.

    Earlier display names of the same person and house become aliases, and so
    does a peer's first name with their title name ("Barbara Castle"; for
    bishops the first-name column holds the whole name, "Alan Chesters"). The
    detail carries party, house and years so two Bishops of Blackburn differ.
    """
    groups: dict[tuple[str, str], list[MemberRecord]] = defaultdict(list)
    for record in records:
        groups[(record.person_ref, record.house)].append(record)
    entries: list[NameEntry] = []
    seats: dict[int | str, list[SeatTerm]] = {}
    for (person, house), rows in groups.items():
        rows.sort(key=lambda r: r.from_date or dt.date.min)
        latest = rows[-1]
        key = f"{person}|{house}"
        names = {r.display_name for r in rows}
        for r in rows:
            if r.lord_name and r.first_name:
                names.add(f"{r.first_name} {r.lord_name}")
            elif r.title in ("Bishop", "Archbishop") and r.first_name and " " in r.first_name:
                names.add(r.first_name)
        earlier = sorted(names - {latest.display_name})
        entries.append(
            NameEntry(
                key=key,
                name=latest.display_name,
                detail=f"{latest.party or 'no party'}, {house}, {_years(rows)}",
                aliases=tuple(earlier),
                weight=float(len(rows)),  # terms served: a stand-in for contributions
            )
        )
        seats[key] = [(r.constituency, r.from_date, r.to_date) for r in rows if r.constituency]
    return entries, seats


@pytest.fixture(scope="module")
def records() -> list[MemberRecord]:
    return MemberDirectory.from_csv(DATA / "members_flat.csv").all()


@pytest.fixture(scope="module")
def aliases() -> list[MemberAlias]:
    return load_member_aliases(DATA / "member_aliases.csv")


@pytest.fixture(scope="module")
def members(records: list[MemberRecord], aliases: list[MemberAlias]) -> NameIndex:
    entries, seats = member_entries(records)
    return NameIndex.for_members(member_aliases_for(entries, aliases, constituencies=seats))


@pytest.fixture(scope="module")
def bill_entries() -> list[NameEntry]:
    informal: dict[str, list[str]] = defaultdict(list)
    for name, official in load_bill_informal_names(DATA / "bill_informal_names.csv").items():
        informal[official].append(name)
    by_title: dict[str, NameEntry] = {}
    for bill in load_bills(DATA / "bills_uk_seen_2005-2022.csv"):
        by_title.setdefault(
            bill.title,
            NameEntry(key=bill.title, name=bill.title, detail=bill.session or "", aliases=tuple(informal[bill.title])),
        )
    return list(by_title.values())


@pytest.fixture(scope="module")
def bills(bill_entries: list[NameEntry]) -> NameIndex:
    return NameIndex.for_bills(bill_entries)


def best_name(result: MatchResult) -> str:
    assert result.best is not None, f"no confident match; candidates {result.candidates}"
    assert not result.ambiguous
    return result.best.entry.name


# --------------------------------------------------------------------------- normalisation


def test_normalise_member_name() -> None:
    assert normalise_member_name("The Rt Hon. Sir Peter Tapsell MP") == "peter tapsell"
    assert normalise_member_name("Mrs Thérèse Coffey") == "therese coffey"
    assert normalise_member_name("Th&#233;r&#232;se Coffey") == "therese coffey"
    assert normalise_member_name("The Lord Bishop of St. Albans") == "bishop of st albans"
    assert normalise_member_name("Stephen O'Brien") == "stephen obrien"
    assert normalise_member_name("Lord Sharpe of Epsom") == "lord sharpe of epsom"
    assert normalise_member_name("Mr") == "mr"  # never normalised away entirely


def test_normalise_bill_title() -> None:
    assert normalise_bill_title("Children, Schools and Families Act 2010") == "children schools families"
    assert normalise_bill_title("the Children Schools and Families Bill") == "children schools families"
    assert normalise_bill_title("House of Lords Bill [HL]") == "house lords"
    assert normalise_bill_title("Marriage (Wales) Bill [Lords]") == "marriage wales"
    assert normalise_bill_title("the House of Lords") == "house lords"  # "lords" is a qualifier only after Bill
    assert normalise_bill_title("Sustainable Communities Act 2007 (Amendment) Act 2010") == (
        "sustainable communities act 2007 amendment"
    )


# --------------------------------------------------------------------------- members


def test_index_size(members: NameIndex, records: list[MemberRecord]) -> None:
    assert len(members) == len({(r.person_ref, r.house) for r in records})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Tim Loughten", "Tim Loughton"),
        ("jak straw", "Jack Straw"),
        ("gordon brwn", "Gordon Brown"),
        ("loughton", "Tim Loughton"),
        ("Frank Field", "Frank Field"),
        ("straw jack", "Jack Straw"),
        ("The Rt Hon Jack Straw MP", "Jack Straw"),
        ("Mr Straw", "Jack Straw"),
        ("baroness byford", "Baroness Byford"),
        ("byford", "Baroness Byford"),
        ("lord hamilton of epsom", "Lord Hamilton of Epsom"),
        ("lord hamilton", "Lord Hamilton of Epsom"),
        ("hamilton of epsom", "Lord Hamilton of Epsom"),
        ("The Lord Bishop of Leicester", "Bishop of Leicester"),
        ("bishop of leicester", "Bishop of Leicester"),
        ("Nick Clegg", "Nicholas Clegg"),  # member_aliases.csv fullname row
        ("Thérèse Coffey", "Therese Coffey"),
        ("David Davies", "David Davies"),  # exact beats David Davis at 95.7
        ("Barbara Castle", "Baroness Castle of Blackburn"),
        ("Alan Chesters", "Bishop of Blackburn"),
    ],
)
def test_member_resolves(members: NameIndex, typed: str, expected: str) -> None:
    assert best_name(members.match(typed)) == expected


def test_lord_sharpe_is_not_in_the_data(records: list[MemberRecord]) -> None:
    # The brief's example peer joined the Lords after this snapshot (2015), so
    # the tests use Lord Hamilton of Epsom for the "Lord X of Y" forms instead.
    assert not any("Sharpe of Epsom" in r.display_name for r in records)
    assert any(r.display_name == "Lord Hamilton of Epsom" for r in records)


def test_two_bishops_of_blackburn_are_candidates(members: NameIndex) -> None:
    # Two different people held the see in this data: never guess between them.
    result = members.match("bishop of blackburn")
    assert result.best is None and result.ambiguous
    same = [c for c in result.candidates if c.entry.name == "Bishop of Blackburn"]
    assert len(same) == 2
    assert same[0].entry.detail != same[1].entry.detail
    assert result.candidates[:2] == tuple(same)  # ahead of Lord Patel of Blackburn etc.


def test_surname_shared_by_many_gives_candidates(members: NameIndex) -> None:
    result = members.match("Smith")
    assert result.best is None
    assert 1 < len(result.candidates) <= 10
    assert all("smith" in c.entry.name.lower() for c in result.candidates)


def test_nonsense_matches_nothing(members: NameIndex, bills: NameIndex) -> None:
    for index in (members, bills):
        result = index.match("zzzzqqq")
        assert result.best is None and result.candidates == () and not result.ambiguous


def test_weak_match_is_a_candidate_not_a_guess(members: NameIndex) -> None:
    result = members.match("lougten")
    assert result.best is None
    assert [c.entry.name for c in result.candidates] == ["Tim Loughton"]


def test_prime_minister_alias_is_ambiguous_without_a_date(members: NameIndex) -> None:
    result = members.match("The Prime Minister")
    assert result.best is None
    assert {c.entry.name for c in result.candidates} == {"Tony Blair", "Gordon Brown", "David Cameron", "John Major"}
    assert all(c.matched == "The Prime Minister" for c in result.candidates)


def test_aliases_on_a_date(records: list[MemberRecord], aliases: list[MemberAlias]) -> None:
    entries, seats = member_entries(records)
    index = NameIndex.for_members(member_aliases_for(entries, aliases, constituencies=seats, on=dt.date(2010, 2, 5)))
    assert best_name(index.match("the prime minister")) == "Gordon Brown"


def test_constituency_alias_respects_who_held_the_seat(members: NameIndex) -> None:
    # "Angela C Smith" is given for Sheffield Hillsborough from 2005; Helen
    # Jackson held that seat before then and must not get the alias.
    result = members.match("Angela C Smith")
    assert best_name(result) == "Angela Smith"
    assert result.best is not None and "2005" in result.best.entry.detail


def test_lastname_alias(members: NameIndex) -> None:
    result = members.match("Milliband")  # a misspelling listed in member_aliases.csv
    assert {c.entry.name for c in result.candidates} == {"David Miliband", "Edward Miliband"}


def test_one_name_two_entries_unless_merged() -> None:
    commons = NameEntry(key=1, name="Jane Doe", detail="Labour, House of Commons")
    lords = NameEntry(key=2, name="Jane Doe", detail="Crossbench, House of Lords", weight=50)
    result = NameIndex.for_members([commons, lords]).match("jane doe")
    assert result.best is None
    assert [c.entry for c in result.candidates] == [lords, commons]  # weight orders, never decides
    merged = NameEntry(key=1, name="Jane Doe", detail="Labour, Commons and Lords")
    assert NameIndex.for_members([merged]).match("jane doe").best is not None


# --------------------------------------------------------------------------- bills


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("terrorist asset freezing bill", "Terrorist Asset-Freezing (Temporary Provisions) Bill"),
        ("Terrorism Asset-freezing Bill", "Terrorist Asset-Freezing (Temporary Provisions) Bill"),
        ("Children Schools and Families Act", "Children, Schools and Families Act 2010"),
        ("children, schools & families bill", "Children, Schools and Families Bill"),
        ("house of lords bill hl", "House of Lords Bill [HL]"),
        ("the equality act", "Equality Act 2010"),
        ("animal health bill", "Animal Health Bill"),  # not the Draft Animal Health Bill
        ("damages asbestos no 2 bill", "Damages (Asbestos-Related Conditions) (No.2) Bill"),
    ],
)
def test_bill_resolves(bills: NameIndex, typed: str, expected: str) -> None:
    assert best_name(bills.match(typed)) == expected


def test_act_finds_the_bill_when_no_act_is_listed(bill_entries: list[NameEntry]) -> None:
    only_bills = NameIndex.for_bills(e for e in bill_entries if not e.name.endswith(("Act 2010",)))
    assert best_name(only_bills.match("Children Schools and Families Act")) == "Children, Schools and Families Bill"


def test_bill_ambiguities(bills: NameIndex) -> None:
    # Two House of Lords Bills; only "[HL]" tells them apart.
    assert {c.entry.name for c in bills.match("house of lords bill").candidates} == {
        "House of Lords Bill",
        "House of Lords Bill [HL]",
    }
    assert bills.match("crime").best is None
    # A whole title that is part of a longer one may be another Bill (the Constitutional Reform
    # Bill [HL] of 2004-05): offered, not chosen.
    result = bills.match("constitutional reform bill")
    assert result.best is None
    assert "Constitutional Reform and Governance Bill" in {c.entry.name for c in result.candidates}


# --------------------------------------------------------------------------- autocomplete


def test_autocomplete_prefix_first(members: NameIndex) -> None:
    choices = members.autocomplete("tim l")
    assert choices[0].entry.name == "Tim Loughton"
    prefix = [c for c in choices if c.score == 100.0]
    assert choices[: len(prefix)] == prefix  # prefix hits before fuzzy ones


def test_autocomplete_inner_words_and_typos(members: NameIndex, bills: NameIndex) -> None:
    assert members.autocomplete("lough")[0].entry.name == "Tim Loughton"
    assert members.autocomplete("epsom")[0].entry.name == "Lord Hamilton of Epsom"
    assert members.autocomplete("jak str")[0].entry.name == "Jack Straw"
    assert bills.autocomplete("asset f")[0].entry.name == "Terrorist Asset-Freezing (Temporary Provisions) Bill"


@pytest.mark.parametrize("typed", ["", "t", "ti", "lord", "bish", "smith", "jo", "zzz", "the prime"])
def test_autocomplete_limits(members: NameIndex, typed: str) -> None:
    choices = members.autocomplete(typed)
    assert len(choices) <= 25
    assert len({c.entry.key for c in choices}) == len(choices)
    for choice in choices:
        assert 1 <= len(choice.entry.name) <= 100
        assert 1 <= len(choice.label) <= 100
    assert len(members.autocomplete(typed, limit=3)) <= 3


def test_autocomplete_empty_is_by_weight(members: NameIndex) -> None:
    choices = members.autocomplete("")
    assert len(choices) == 25
    weights = [c.entry.weight for c in choices]
    assert weights == sorted(weights, reverse=True)


# --------------------------------------------------------------------------- find_in_text


@pytest.mark.parametrize(
    ("text", "expected", "mention"),
    [
        ("what did tim loughton say about serious case reviews", "Tim Loughton", "tim loughton"),
        ("What did Jak Straw say about Iraq?", "Jack Straw", "Jak Straw"),
        ("did the Bishop of Leicester speak on poverty", "Bishop of Leicester", "Bishop of Leicester"),
        ("what did Lord Best say", "Lord Best", "Lord Best"),
        ("lord hamilton on defence", "Lord Hamilton of Epsom", "lord hamilton"),
    ],
)
def test_find_member_in_text(members: NameIndex, text: str, expected: str, mention: str) -> None:
    found = members.find_in_text(text)
    assert found is not None and found.entry.name == expected
    assert found.span is not None and text[found.span[0] : found.span[1]] == mention


@pytest.mark.parametrize(
    ("text", "expected", "mention"),
    [
        (
            "when was the constitutional reform and governance bill debated",
            "Constitutional Reform and Governance Bill",
            "constitutional reform and governance bill",
        ),
        ("anything about the equality act 2010", "Equality Act 2010", "equality act 2010"),
        ("votes on the Terrorist Asset-Freezing", "Terrorist Asset-Freezing (Temporary Provisions) Bill", None),
    ],
)
def test_find_bill_in_text(bills: NameIndex, text: str, expected: str, mention: str | None) -> None:
    found = bills.find_in_text(text)
    assert found is not None and found.entry.name == expected
    assert found.span is not None
    assert text[found.span[0] : found.span[1]] == (mention or text[found.span[0] :])


@pytest.mark.parametrize(
    "text",
    [
        "what did ministers say about child poverty",
        "questions about the house of lords",
        "what about schools",
        "when was the constitutional reform bill debated",  # the 2004-05 Bill, not loaded here
    ],
)
def test_topics_are_not_bills(bills: NameIndex, text: str) -> None:
    assert bills.find_in_text(text) is None


@pytest.mark.parametrize(
    "text",
    ["what was the best approach", "what did smith say about schools", "serious case reviews", ""],
)
def test_find_nothing_in_text(members: NameIndex, text: str) -> None:
    assert members.find_in_text(text) is None


# --------------------------------------------------------------------------- never raises


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_never_raises(members: NameIndex, bills: NameIndex, text: str) -> None:
    for index in (members, bills):
        result = index.match(text)
        assert len(result.candidates) <= 10
        assert result.best is None or not result.candidates
        assert len(index.autocomplete(text)) <= 25
        found = index.find_in_text(text)
        if found is not None:
            assert found.span is not None and 0 <= found.span[0] < found.span[1] <= len(text)


def test_a_surname_that_is_a_peerage_rank_finds_its_mp(members: NameIndex, records: list[MemberRecord]) -> None:
    # "Mr Baron" is John Baron, not Kevin Barron; "Mr Lord" is Michael Lord: a rank word
    # that is a Commons surname is a name like any other.
    ranked = {"lord", "lady", "baron", "baroness", "earl", "duke", "bishop", "prince", "viscount"}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.house == "House of Commons" and r.last_name:
            by_surname[r.last_name.lower()].add(r.person_ref)
    people = {r.person_ref: r.display_name for r in records if r.house == "House of Commons"}
    checked = 0
    for surname, persons in by_surname.items():
        if surname in ranked and len(persons) == 1:
            (person,) = persons
            assert best_name(members.match(f"Mr {surname.title()}")) == people[person]
            checked += 1
    assert checked >= 1
    # Two Lords sat in the Commons (Michael, 1983-2010; Jonathan, from 2010): both offered.
    lords = {people[p] for p in by_surname["lord"]}
    assert len(lords) == 2
    assert {m.entry.name for m in members.match("Mr Lord").candidates} >= lords


def test_a_peers_title_never_finds_a_commoner_of_that_name(
    records: list[MemberRecord], aliases: list[MemberAlias]
) -> None:
    """ "what did Lord Hunt say" in a store without that peer is not Jeremy Hunt: a rank word before
    a surname asks for a peer, and a Member none of whose names carries it is not one."""
    commons = [r for r in records if r.house == "House of Commons"]
    entries, seats = member_entries(commons)
    index = NameIndex.for_members(member_aliases_for(entries, aliases, constituencies=seats))
    surnames = sorted({r.last_name for r in commons if r.last_name})
    found_plainly = 0
    for surname in surnames[::5]:
        found_plainly += index.find_in_text(f"what did Mr {surname} say about schools") is not None
        for rank in ("Lord", "Baroness", "Earl", "Viscount"):
            found = index.find_in_text(f"what did {rank} {surname} say about schools")
            if found is not None:
                names = " ".join((found.entry.name, *found.entry.aliases)).lower().split()
                assert rank.lower() in names, (rank, surname, found.entry.name)
    # Not vacuous: the same surnames with "Mr" find their Members.
    assert found_plainly > len(surnames[::5]) // 3
    # "Lady" styles Commons Members too.
    lady = index.find_in_text("what did Lady Hermon say about policing")
    assert lady is not None and "Hermon" in lady.entry.name
