"""Which Bill a TWFY contribution belongs to, checked against the heading structure of the real XML.

A speech belongs to a Bill only inside that Bill's section: from a heading naming
the Bill through the clause-like subsections after it, until any other heading.
Expectations are read from the XML files themselves, not from the parser's output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from storage.records import ParsedContribution
from storage.reference_data import BillTitles, bundled_data_dir
from storage.twfy import bill_in_heading, is_bill_subsection, parse_twfy_file

DATA = bundled_data_dir()
FEB_2010 = DATA / "hansard_twfy_xml_2010"
OCT_2009 = DATA / "twfy_uml_2009" / "scrapedxml"
HEADINGS = ("major-heading", "minor-heading", "oral-heading")
CONTRIBUTIONS = ("speech", "ques", "reply")


def _heading_text(elem: ET.Element) -> str:
    return " ".join("".join(elem.itertext()).split())


def _sections(path: Path) -> list[tuple[str, list[str]]]:
    """(heading text, ids of the contributions with text up to the next heading), in file order."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for elem in ET.parse(path).getroot():
        if elem.tag in HEADINGS:
            sections.append((_heading_text(elem), []))
        elif elem.tag in CONTRIBUTIONS and any(_heading_text(child) for child in elem):
            sections[-1][1].append(elem.get("id", ""))
    return sections


def _parsed(path: Path, titles: BillTitles | None = None) -> dict[str, ParsedContribution]:
    return {r.extra["twfy_id"]: r for r in parse_twfy_file(path.read_bytes(), path.name, None, titles)}


def _ids_under(path: Path, heading_start: str) -> list[str]:
    """The contributions directly under the first heading starting with ``heading_start``."""
    matches = [ids for text, ids in _sections(path) if text.startswith(heading_start)]
    assert matches, heading_start
    return matches[0]


@pytest.fixture(scope="module")
def titles() -> BillTitles:
    found = BillTitles.from_data_dir(DATA)
    assert found is not None
    return found


def test_sunbeds_money_resolution_stops_at_business_without_debate() -> None:
    path = FEB_2010 / "debates" / "debates2010-02-09b.xml"
    records = _parsed(path)
    section = _ids_under(path, "Sunbeds (Regulation) Bill")
    on_sunbeds = [i for i, r in records.items() if r.debate_title == "Sunbeds (Regulation) Bill"]
    assert on_sunbeds == section and section
    # The blacklists regulations motion follows under "Business without Debate".
    blacklists = [r for r in records.values() if "Blacklists" in r.text]
    assert blacklists and all(r.debate_title != "Sunbeds (Regulation) Bill" for r in blacklists)


def test_bill_question_in_oral_questions_holds_only_its_own_item() -> None:
    path = FEB_2010 / "debates" / "debates2010-02-10a.xml"
    records = _parsed(path)
    section = _ids_under(path, "Flood and Water Management Bill")
    assert [i for i, r in records.items() if r.debate_title == "Flood and Water Management Bill"] == section
    assert all(records[i].debate_title == "WALES" for i in _ids_under(path, "Dairy Produce"))


def test_clause_headings_allocated_days_and_motions_stay_with_their_bill() -> None:
    path = FEB_2010 / "debates" / "debates2010-02-09b.xml"
    records = _parsed(path)
    for heading in ("[6th Allocated Day]", "New Clause 88", "New Clause 98", "Clause 62"):
        ids = _ids_under(path, heading)
        assert ids and {records[i].debate_title for i in ids} == {"Constitutional Reform and Governance Bill"}
    # A programme motion on a Bill belongs to it; the fly-tipping motion before it to no Bill.
    programme = _ids_under(path, "Crime and security Bill (programme)")
    assert {records[i].debate_title for i in programme} == {"Crime and security Bill"}
    fly_tipping = _ids_under(path, "Environmental Protection (Fly-Tipping Reporting)")
    assert {records[i].debate_title for i in fly_tipping} == {"Environmental Protection (Fly-Tipping Reporting)"}


@pytest.mark.parametrize(
    "path",
    sorted(FEB_2010.glob("*/*.xml")) + sorted((OCT_2009 / "debates").glob("debates2009-10-2*.xml")),
    ids=lambda p: p.name,
)
def test_every_contribution_has_the_bill_of_its_section(path: Path) -> None:
    """Walk the headings: the Bill is set by a heading naming one, kept by subsections, ended by others."""
    records = _parsed(path)
    if not records:
        pytest.skip("a superseded redirect stub")
    current: str | None = None
    checked = 0
    for heading, ids in _sections(path):
        named = bill_in_heading(heading)
        if named is not None:
            current = named
        elif not is_bill_subsection(heading):
            current = None
        for twfy_id in ids:
            record = records[twfy_id]
            if current is None:
                assert bill_in_heading(record.debate_title or "") is None, (twfy_id, record.debate_title)
            else:
                assert record.debate_title == current, (twfy_id, heading)
            checked += 1
    assert checked == len(records)


def test_marine_bill_committee_days_in_oct_2009() -> None:
    path = OCT_2009 / "debates" / "debates2009-10-27d.xml"
    records = _parsed(path)
    for heading in ("Clause 2 — General objective", "Schedule 22 — Repeals"):
        titles = {records[i].debate_title for i in _ids_under(path, heading)}
        assert titles == {"Marine and Coastal Access Bill [Lords]"}
    parading = _ids_under(path, "[Un-allotted Half Day] — Parading in Northern Ireland")
    assert parading and all(records[i].debate_title == "Opposition Day" for i in parading)


@pytest.mark.parametrize(
    ("heading", "continues"),
    [
        ("Clause 1 — Anti-slavery day", True),
        ("New Clause 88 — Referendum on voting systems", True),
        ("Schedule 13 — Marine boundaries of SSSIs and national nature reserves", True),
        ("[6th Allocated Day]", True),
        ("Report (2nd Day) (Continued)", True),
        ("Lords amendments", True),
        ("", True),
        ("Business without Debate", False),
        ("[Un-allotted Half Day] — Parading in Northern Ireland", False),
        ("Money Laundering", False),
        ("Dairy Produce", False),
    ],
)
def test_bill_subsection_headings(heading: str, continues: bool) -> None:
    assert is_bill_subsection(heading) is continues


def test_official_bill_titles_replace_heading_spellings(titles: BillTitles) -> None:
    path = FEB_2010 / "debates" / "debates2010-02-09b.xml"
    records = _parsed(path, titles)
    programme = _ids_under(path, "Crime and security Bill (programme)")
    assert {records[i].debate_title for i in programme} == {"Crime and Security Bill"}
    assert bill_in_heading("Damages (Asbestos-Related Conditions) (No. 2) Bill", titles) == (
        "Damages (Asbestos-Related Conditions) (No.2) Bill"
    )
    # Not in the list: the heading's own spelling stays.
    assert bill_in_heading("Leeds City Council Bill ( By Order)", titles) == "Leeds City Council Bill"


@pytest.mark.parametrize(
    ("heading", "bill"),
    [
        ("Holocaust (Return of Cultural Objects) Bill — Third Reading", "Holocaust (Return of Cultural Objects) Bill"),
        ("Marine and Coastal Access Bill [Lords] — [ist allocated day]", "Marine and Coastal Access Bill [Lords]"),
        ("BILL PRESENTED", None),
        ("Sunbeds (Regulation) Bill [ Money]", "Sunbeds (Regulation) Bill"),
    ],
)
def test_bill_named_in_any_part_of_a_dashed_heading(heading: str, bill: str | None) -> None:
    assert bill_in_heading(heading) == bill
