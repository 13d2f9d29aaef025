"""A Bill's profile and filter hold only its own debate, on the bundled real data, on both back ends."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import Engine

from commands.core import HansardCore, SearchRequest
from commands.replies import BillSummary, MemberProfile, Problem
from storage.reference_data import bundled_data_dir

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
