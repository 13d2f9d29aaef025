"""A Bill's profile and filter hold only its own debate, on the bundled real data, on both back ends."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from sqlalchemy import Engine

from commands.bill_titles import parse_bill_title, session_years
from commands.core import HansardCore, SearchRequest
from commands.digest import DigestCore, SubscribeRequest
from commands.replies import BillSummary, MemberProfile, Problem
from commands.votes import votes_core
from storage.reference_data import bundled_data_dir, load_bill_informal_names, load_bills
from tests.conftest import sqlite_copy

DEBATES = bundled_data_dir() / "hansard_twfy_xml_2010" / "debates"


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    return HansardCore(bundled_store)


def _section_size(file_name: str, heading_start: str) -> int:
    """Contributions with text between the heading and the next heading, counted in the XML."""
    inside = False
    count = 0
    for elem in ET.parse(DEBATES / file_name).getroot():
        if elem.tag.endswith("heading"):
            if inside:
                break
            inside = " ".join("".join(elem.itertext()).split()).startswith(heading_start)
        elif inside and elem.tag == "speech" and "".join(elem.itertext()).strip():
            count += 1
    return count


@pytest.mark.parametrize(
    ("bill", "file_name", "heading"),
    [
        ("sunbeds", "debates2010-02-09b.xml", "Sunbeds (Regulation) Bill"),
        ("flood and water management bill", "debates2010-02-10a.xml", "Flood and Water Management Bill"),
    ],
)
def test_bill_counts_only_its_section(core: HansardCore, bill: str, file_name: str, heading: str) -> None:
    reply = core.bill(bill)
    assert isinstance(reply.profile, BillSummary)
    expected = _section_size(file_name, heading)
    assert expected > 0 and reply.profile.contributions == expected


def test_search_within_a_bill_finds_nothing_from_the_business_after_it(core: HansardCore) -> None:
    assert core.search(SearchRequest(query="blacklists")).total > 0
    reply = core.search(SearchRequest(query="blacklists", bill="sunbeds"))
    assert reply.problem is Problem.NO_RESULTS and reply.total == 0


def test_profiles_use_the_official_bill_title(core: HansardCore) -> None:
    reply = core.bill("crime and security")
    assert isinstance(reply.profile, BillSummary)
    assert reply.profile.bill.name == "Crime and Security Bill"
    member = core.member("Gerry Sutcliffe")
    assert isinstance(member.profile, MemberProfile)
    bills = [item.label for item in member.profile.top_bills]
    assert "Crime and Security Bill" in bills and "Crime and security Bill" not in bills


def test_a_bill_presented_heading_is_not_a_bill(core: HansardCore) -> None:
    names = {c.name for c in core.names.autocomplete_bills("", limit=25)} | {
        c.name for c in core.names.autocomplete_bills("bill presented", limit=25)
    }
    assert not any("PRESENTED" in name.upper() for name in names)


# --- a Bill that is not loaded is not answered for by another ----------------------------------

DATA = bundled_data_dir()


def _words(title: str) -> list[str]:
    return parse_bill_title(title)[0]


def _stored(core: HansardCore) -> dict[str, set[str]]:
    """The stored Bills: official title -> the calendar years of its sessions."""
    return {c.name: set(session_years(c.detail.split(", "))) for c in core.names.autocomplete_bills("", limit=25)}


def _not_loaded(core: HansardCore) -> list[str]:
    """Official titles seen in 2005-2022 that are not loaded but share words with a loaded Bill,
    less the Acts that loaded Bills became (same words, an Act of a year of the Bill's session)."""
    stored = _stored(core)
    assert 0 < len(stored) < 25  # all of them listed above
    words = {w for title in stored for w in _words(title)}
    found = []
    for record in load_bills(DATA / "bills_uk_seen_2005-2022.csv"):
        title = record.title
        content, quals = parse_bill_title(title)
        if title in stored or not set(content) & words:
            continue
        if quals.kind == "act" and any(_words(s) == content and quals.year in years for s, years in stored.items()):
            continue
        found.append(title)
    return found


def _runs_said_as_titles(core: HansardCore) -> list[tuple[str, str]]:
    """(stored title, a run of its words said as a whole title): "Climate Change Bill" for the
    Climate Change (Sectoral Targets) Bill, "Constitutional Reform Bill" for the CRAG Bill."""
    informal = [" ".join(_words(name)) for name in load_bill_informal_names(DATA / "bill_informal_names.csv")]
    pairs = []
    for title in _stored(core):
        words = _words(title)
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                run = " ".join(words[start : start + size])
                # A name the Bill was called in debate, or nearly ("terrorist asset freezing"), is that Bill.
                if all(fuzz.ratio(run, name) < 88 for name in informal):
                    pairs.append((title, run + " Bill"))
    return pairs


def test_the_not_loaded_titles_are_a_real_class(core: HansardCore) -> None:
    titles = _not_loaded(core)
    assert len(titles) >= 8, titles
    assert "Animal Health Bill" in titles and "Pensions Bill" in titles  # the Draft; DWP (...) Bill


def test_a_title_not_loaded_never_resolves_to_a_loaded_bill(core: HansardCore) -> None:
    wrong = {}
    for title in _not_loaded(core):
        resolved = core.names.resolve_bill(title)
        if resolved.candidate is not None:
            wrong[title] = resolved.candidate.name
        else:
            assert resolved.problem in {Problem.UNKNOWN_BILL, Problem.AMBIGUOUS_BILL} and resolved.message
    assert wrong == {}


def test_an_act_a_loaded_bill_became_resolves_to_the_bill(core: HansardCore) -> None:
    stored = _stored(core)
    for record in load_bills(DATA / "bills_uk_seen_2005-2022.csv"):
        content, quals = parse_bill_title(record.title)
        if quals.kind != "act":
            continue
        for title, years in stored.items():
            if _words(title) == content and quals.year in years:
                assert core.names.resolve_bill(record.title).candidate is not None
                assert core.names.resolve_bill(record.title).candidate.name == title  # type: ignore[union-attr]
                other_year = record.title.replace(quals.year or "", str(max(int(y) for y in years) + 3))
                assert core.names.resolve_bill(other_year).candidate is None, other_year


def test_part_of_a_title_said_as_a_whole_title_is_not_that_bill(core: HansardCore) -> None:
    pairs = _runs_said_as_titles(core)
    assert ("Climate Change (Sectoral Targets) Bill", "climate change Bill") in pairs
    wrong = {}
    for _title, said in pairs:
        resolved = core.names.resolve_bill(said)
        if resolved.candidate is not None and _words(resolved.candidate.name) != _words(said):
            wrong[said] = resolved.candidate.name
        elif resolved.candidate is None:
            assert resolved.problem in {Problem.UNKNOWN_BILL, Problem.AMBIGUOUS_BILL}
    assert wrong == {}


def test_one_word_from_inside_a_title_is_not_that_bill(core: HansardCore) -> None:
    for title in _stored(core):
        for word in _words(title)[1:]:
            resolved = core.names.resolve_bill(word)
            # Unless it is how another loaded title starts ("water" of Flood and Water Management: Water Tariffs).
            assert resolved.candidate is None or _words(resolved.candidate.name)[0] == word, (word, resolved)
            assert resolved.candidate is None or resolved.candidate.name != title, (word, resolved)


def _typo(title: str) -> str:
    """The title with a letter of its longest word left out."""
    longest = max(re.findall(r"[A-Za-z]{6,}", title), key=len)
    return title.replace(longest, longest[:3] + longest[4:], 1)


def test_every_loaded_bill_by_the_names_people_use(core: HansardCore) -> None:
    informal: dict[str, list[str]] = {}
    for spoken, official in load_bill_informal_names(DATA / "bill_informal_names.csv").items():
        informal.setdefault(official, []).append(spoken)
    stored = _stored(core)
    assert any(title in informal for title in stored)
    for title in stored:
        bare = re.sub(r"\s*\b(Bill|Act)\b\s*(\[(HL|Lords)\])?\s*$", "", title)
        assert bare != title
        for said in (title, bare, title.lower(), _typo(title), *informal.get(title, ())):
            resolved = core.names.resolve_bill(said)
            assert resolved.candidate is not None and resolved.candidate.name == title, (said, resolved)
    for part, title in [
        ("sunbeds", "Sunbeds (Regulation) Bill"),
        ("flood and water", "Flood and Water Management Bill"),
        ("asset-freezing", "Terrorist Asset-Freezing (Temporary Provisions) Bill"),
        ("constitutional reform", "Constitutional Reform and Governance Bill"),
        ("Equality Act 2010", "Equality Bill"),
        ("crime and securty bill", "Crime and Security Bill"),
    ]:
        resolved = core.names.resolve_bill(part)
        assert resolved.candidate is not None and resolved.candidate.name == title, (part, resolved)


def test_search_within_a_bill_that_is_not_loaded_says_so(core: HansardCore) -> None:
    for title in [*_not_loaded(core), "Climate Change Bill", "Constitutional Reform Bill"]:
        reply = core.search(SearchRequest(query="the", bill=title))
        assert reply.problem in {Problem.UNKNOWN_BILL, Problem.AMBIGUOUS_BILL}, title
        assert not reply.results


def test_a_digest_on_a_bill_that_is_not_loaded_is_refused(bundled_sqlite: Engine, tmp_path: Path) -> None:
    engine = sqlite_copy(bundled_sqlite, tmp_path / "copy.db")
    try:
        digest = DigestCore(HansardCore(engine))
        now = dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC)
        for title in ["Climate Change Bill", "Animal Health Bill", "Pensions Bill"]:
            reply = digest.subscribe(SubscribeRequest(guild_id=1, channel_id=2, user_id=3, bill=title), now)
            assert not reply.ok, title
        sunbeds = digest.subscribe(SubscribeRequest(guild_id=1, channel_id=2, user_id=3, bill="sunbeds"), now)
        assert sunbeds.ok
    finally:
        engine.dispose()


def test_divisions_on_a_bill_that_is_not_loaded_say_so(bundled_store: Engine) -> None:
    votes = votes_core(bundled_store)
    with_divisions = [c.name for c in votes.autocomplete_bills("", limit=25)]
    assert with_divisions
    for title in with_divisions:
        words = _words(title)
        for said in [" ".join(words[:-1]) + " Bill", " ".join(words[:1]) + " Bill"]:
            reply = votes.divisions(bill=said)
            assert reply.problem in {Problem.UNKNOWN_BILL, Problem.AMBIGUOUS_BILL}, said
        assert votes.divisions(bill=title).problem is None
    for spoken, official in load_bill_informal_names(DATA / "bill_informal_names.csv").items():
        if official in with_divisions:
            assert votes.divisions(bill=spoken).problem is None, spoken
