"""Tests for the bundled members, aliases and bills reference data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage.records import ParseError
from storage.reference_data import (
    BillRecord,
    MemberDirectory,
    bundled_data_dir,
    load_bill_informal_names,
    load_bills,
    load_member_aliases,
)

DATA = bundled_data_dir()


@pytest.fixture(scope="module")
def members() -> MemberDirectory:
    return MemberDirectory.from_csv(DATA / "members_flat.csv")


def test_bundled_data_dir_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANSARD_DATA_DIR", raising=False)
    found = bundled_data_dir()
    assert found == Path(__file__).resolve().parents[2] / "data"
    assert (found / "members_flat.csv").is_file()


def test_bundled_data_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HANSARD_DATA_DIR", str(tmp_path))
    assert bundled_data_dir() == tmp_path


def test_tim_loughton(members: MemberDirectory) -> None:
    record = members.by_member_ref("uk.org.publicwhip/member/1944")
    assert record is not None
    assert record.display_name == "Tim Loughton"
    assert record.party == "Conservative"
    assert record.house == "House of Commons"
    assert record.constituency == "East Worthing & Shoreham"
    assert record.from_date == dt.date(2005, 5, 5)
    assert record.to_date is None  # 9999-12-31: still in office at the snapshot
    assert record.person_ref == "uk.org.publicwhip/person/10371"
    assert record.lord_name is None
    assert members.party_on("uk.org.publicwhip/member/1944") == "Conservative"


def test_person_joins_terms(members: MemberDirectory) -> None:
    terms = [m for m in members.all() if m.person_ref == "uk.org.publicwhip/person/10371"]
    assert len(terms) == 4
    assert {m.display_name for m in terms} == {"Tim Loughton"}


def test_baroness_byford(members: MemberDirectory) -> None:
    (record,) = [m for m in members.all() if m.display_name == "Baroness Byford"]
    assert record.house == "House of Lords"
    assert record.member_ref.startswith("uk.org.publicwhip/lord/")
    assert record.lord_name == "Byford"
    assert record.title == "Baroness"
    assert record.first_name == "Hazel"
    assert record.last_name is None
    assert record.constituency is None
    assert record.party == "Conservative"
    # Peers' start dates are sometimes a bare year ("1996").
    assert record.from_date == dt.date(1996, 1, 1)
    assert record.to_date is None


def test_directory_size_and_unknowns(members: MemberDirectory) -> None:
    everyone = members.all()
    assert len(everyone) == len(members) == 3929
    assert sum(m.house == "House of Lords" for m in everyone) == 1217
    assert members.by_member_ref("uk.org.publicwhip/member/999999") is None
    assert members.party_on("unknown") is None
    everyone.clear()  # all() hands out a copy
    assert len(members.all()) == 3929


def test_aliases() -> None:
    aliases = load_member_aliases(DATA / "member_aliases.csv")
    assert len(aliases) == 413
    assert {a.match_type for a in aliases} == {"fullname", "lastname", "constituency"}
    mccartney = [a for a in aliases if a.alternate == "Minister without Portfolio"]
    assert mccartney[0].match_value == "Ian McCartney"
    assert mccartney[0].from_date == dt.date(2003, 4, 4)
    assert mccartney[0].to_date == dt.date(2006, 5, 8)
    undated = [a for a in aliases if a.alternate == "The Attorney-General"]
    assert undated and undated[0].from_date is None and undated[0].to_date is None


def test_bills() -> None:
    bills = load_bills(DATA / "bills_uk_seen_2005-2022.csv")
    assert len(bills) == 67
    assert BillRecord("Terrorist Asset-Freezing (Temporary Provisions) Bill", "2009-10") in bills
    assert all(b.title for b in bills)
    assert any(b.session is None for b in bills)  # some rows give no session


def test_informal_names() -> None:
    names = load_bill_informal_names(DATA / "bill_informal_names.csv")
    assert names["Terrorism Asset-freezing Bill"] == "Terrorist Asset-Freezing (Temporary Provisions) Bill"
    assert names["Lisbon Treaty Bill"] == "European Union (Amendment) Bill"
    assert "Scottish Bill" not in names  # no official title identified
    official = {b.title for b in load_bills(DATA / "bills_uk_seen_2005-2022.csv")}
    assert names["Terrorism Asset-freezing Bill"] in official
    # The Lisbon bill (2007-08) is not in the "seen" list: the list is not complete.
    assert "European Union (Amendment) Bill" not in official


def test_bad_date_names_line(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text(
        "match_type,match_value,alternate,from,to\nfullname,A B,C,2001-01-01,\nfullname,A B,D,not-a-date,\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as info:
        load_member_aliases(path)
    assert info.value.line == 3
    assert "not-a-date" in info.value.reason


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bills.csv"
    path.write_text("name,session\nX Bill,2009-10\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_bills(path)
    assert info.value.line == 1
    assert "title" in info.value.reason


def test_duplicate_member_rejected(tmp_path: Path) -> None:
    header = (DATA / "members_flat.csv").read_text(encoding="utf-8").splitlines()[0]
    row = (
        "uk.org.publicwhip/member/1,uk.org.publicwhip/person/1,House of Commons,A B,A B,,A,B,,,,"
        "Lab,Labour,Somewhere,1997-05-01,9999-12-31,,,,test"
    )
    path = tmp_path / "members.csv"
    path.write_text(f"{header}\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        MemberDirectory.from_csv(path)
    assert info.value.line == 3


def test_speakers_of_2009_each_hold_their_own_dates(members: MemberDirectory) -> None:
    # shared/data added Bercow's Speaker membership and ended Martin's on 21 June 2009.
    bercow = members.by_member_ref("uk.org.publicwhip/member/40031")
    martin = members.by_member_ref("uk.org.publicwhip/member/2014")
    assert bercow is not None and martin is not None
    assert (bercow.display_name, bercow.party, bercow.constituency) == ("John Bercow", "Speaker", "Buckingham")
    assert bercow.from_date == dt.date(2009, 6, 22)
    assert martin.to_date == dt.date(2009, 6, 21)
    bain = members.by_member_ref("uk.org.publicwhip/member/40033")
    assert bain is not None and bain.constituency == "Glasgow North East"


def test_a_membership_ends_when_its_latest_term_does(members: MemberDirectory) -> None:
    """For every person and House: the membership never ends before its latest term began, and ends
    as that term does (open: still serving when the list was made)."""
    people = {record.person_ref for record in members.all()}
    checked = 0
    for person in people:
        for membership in members.memberships(person):
            terms = [r for r in members.all() if r.person_ref == person and r.house == membership.house]
            latest = max(terms, key=lambda r: r.from_date or dt.date.min)
            assert membership.to_date == latest.to_date, (person, membership)
            if membership.to_date is not None and latest.from_date is not None:
                assert membership.to_date >= latest.from_date, (person, membership)
            checked += 1
    assert checked > 2000
    lord = next(r.person_ref for r in members.all() if r.display_name == "Michael Lord")
    [commons] = [m for m in members.memberships(lord) if m.house == "House of Commons"]
    assert commons.from_date == dt.date(1997, 5, 1) and commons.to_date != dt.date(2005, 5, 16)
