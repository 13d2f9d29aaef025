"""Divisions parsed and stored from the real bundled XML, checked against the XML read independently here."""

from __future__ import annotations

import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from storage.divisions import parse_divisions
from storage.importer import import_paths
from storage.models import DIVISION_TABLE, DIVISION_VOTE_TABLE
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS, ParseError
from storage.votes_store import DivisionRow, VoteRow, division_votes, find_divisions
from tests.conftest import DATA

FEB_2010 = DATA / "hansard_twfy_xml_2010" / "debates"
UML = DATA / "twfy_uml_2009" / "scrapedxml"


def xml_divisions(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("division"))


def feb_2010_divisions() -> list[ET.Element]:
    found = [division for path in sorted(FEB_2010.glob("*.xml")) for division in xml_divisions(path)]
    assert len(found) == 10  # the count: the test must not pass on an empty walk
    return found


def stored(engine: Engine, house: str, date: str, number: str) -> tuple[DivisionRow, list[VoteRow]]:
    day = dt.date.fromisoformat(date)
    rows = find_divisions(engine, house=house, date_from=day, date_to=day, number=int(number))
    assert len(rows) == 1, (house, date, number)
    return rows[0], division_votes(engine, rows[0].id)


def test_every_feb_2010_division_has_its_official_counts(bundled_store: Engine) -> None:
    for division in feb_2010_divisions():
        count = division.find("divisioncount")
        assert count is not None
        row, votes = stored(bundled_store, HOUSE_OF_COMMONS, division.get("divdate", ""), division.get("divnumber", ""))
        assert (row.ayes, row.noes) == (int(count.get("ayes", "")), int(count.get("noes", "")))
        assert (row.teller_ayes, row.teller_noes) == (2, 2)
        # Every name of the lists is stored; the official counts are the lists without their tellers.
        names = [name for listing in division.iter("mplist") for name in listing.iter("mpname")]
        assert len(votes) == len(names)
        for side, official in (("aye", row.ayes), ("no", row.noes)):
            assert sum(1 for v in votes if v.vote == side and not v.teller) == official


def test_division_72_lists_378_ayes_for_an_official_376(bundled_store: Engine) -> None:
    row, votes = stored(bundled_store, HOUSE_OF_COMMONS, "2010-02-08", "72")
    assert row.ayes == 376
    assert sum(1 for v in votes if v.vote == "aye") == 378
    assert row.passed
    assert row.bill_title == "Terrorist Asset-Freezing (Temporary Provisions) Bill"
    assert row.debate_id is not None


def test_a_sample_of_votes_and_every_teller_match_the_xml(bundled_store: Engine) -> None:
    checked = 0
    for division in feb_2010_divisions():
        _row, votes = stored(
            bundled_store, HOUSE_OF_COMMONS, division.get("divdate", ""), division.get("divnumber", "")
        )
        by_ref = {(v.voter_ref, v.vote): v for v in votes}
        names = [name for listing in division.iter("mplist") for name in listing.iter("mpname")]
        for index, name in enumerate(names):
            teller = name.get("teller") == "yes"
            if index % 23 and not teller:
                continue
            vote = by_ref[(name.get("id"), name.get("vote"))]
            assert vote.teller == teller
            assert vote.person_ref is not None and vote.party is not None
            checked += 1
        tellers = sorted(n.get("id", "") for n in names if n.get("teller") == "yes")
        assert sorted(v.voter_ref for v in votes if v.teller) == tellers
    assert checked > 200


def test_questions_and_stated_results_are_read_from_the_debate(bundled_store: Engine) -> None:
    row, _ = stored(bundled_store, HOUSE_OF_COMMONS, "2010-02-08", "73")
    assert row.question == "Question put, That the amendment be made."
    assert row.motion.startswith("I beg to move amendment 1")


def test_lords_divisions_store_contents_and_not_contents(engine: Engine, tmp_path: Path) -> None:
    # The Lords day pages and their divisions-only extracts hold the same divisions: stored once.
    import_paths(engine, [UML / "lordspages", UML / "lordsdivisionsonly"])
    xml = [d for path in sorted((UML / "lordspages").glob("*.xml")) for d in xml_divisions(path)]
    assert len(xml) == 6
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DIVISION_TABLE)).scalar() == len(xml)
    for division in xml:
        count = division.find("divisioncount")
        assert count is not None
        row, votes = stored(engine, HOUSE_OF_LORDS, division.get("divdate", ""), division.get("divnumber", ""))
        assert (row.ayes, row.noes) == (int(count.get("content", "")), int(count.get("not-content", "")))
        for side in ("content", "not-content"):
            listed = {lord.get("id") for lord in division.iter("lord") if lord.get("vote") == side}
            assert {v.voter_ref for v in votes if v.vote == side} == listed
        # The Lords counts include the tellers.
        assert sum(1 for v in votes if v.vote == "content") == row.ayes
        assert row.question and row.question.startswith("Division on")


def test_a_newer_version_replaces_an_older_in_either_order(engine: Engine, tmp_path: Path) -> None:
    newer, older = UML / "debates" / "debates2009-10-26b.xml", UML / "debates" / "debates2009-10-26a.xml"
    for first, second in ((older, newer), (newer, older)):
        with engine.begin() as conn:
            conn.execute(DIVISION_TABLE.delete())
        import_paths(engine, [first])
        import_paths(engine, [second])
        rows = find_divisions(engine, house=HOUSE_OF_COMMONS)
        assert [(r.number, r.gid) for r in rows] == [(230, "uk.org.publicwhip/debate/2009-10-26b.125.5")]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DIVISION_VOTE_TABLE)).scalar() == 408


def test_commons_extracts_and_debates_give_each_division_once(engine: Engine) -> None:
    import_paths(engine, [UML / "divisionsonly", UML / "debates"])
    xml_keys = {
        (d.get("divdate"), int(d.get("divnumber", "0")))
        for path in (UML / "debates").glob("*.xml")
        for d in xml_divisions(path)
    }
    rows = find_divisions(engine)
    assert sorted((r.date.isoformat(), r.number) for r in rows) == sorted(xml_keys)
    # The day's own file wins over its extract, which lacks some of the debate before a division.
    with engine.connect() as conn:
        assert not conn.execute(select(func.count()).where(DIVISION_TABLE.c.from_extract)).scalar()
    assert all(r.question is not None for r in rows)


def test_a_list_that_disagrees_with_its_count_is_a_located_warning(sqlite_engine: Engine, tmp_path: Path) -> None:
    source = FEB_2010 / "debates2010-02-08b.xml"
    data = source.read_bytes()
    removed = b'\t\t<mpname id="uk.org.publicwhip/member/1486" vote="aye">Ainger, Nick</mpname>\n'
    assert removed in data
    broken = data.replace(removed, b"", 1)
    parsed = parse_divisions(broken, "debates2010-02-08b.xml")
    line = broken[: broken.find(b'divnumber="72"')].count(b"\n") + 1
    warning = f"{{name}}:{line}: division 72 of 2010-02-08: the aye list has 375 names, the count says 376"
    assert warning.format(name="debates2010-02-08b.xml") in parsed.warnings
    # The import run reports it too, and stores the official count and the names as the file gives them.
    copy = tmp_path / "debates2010-02-08b.xml"
    copy.write_bytes(broken)
    summary = import_paths(sqlite_engine, [copy])
    assert warning.format(name=copy) in summary.errors
    row, votes = stored(sqlite_engine, HOUSE_OF_COMMONS, "2010-02-08", "72")
    assert row.ayes == 376 and sum(1 for v in votes if v.vote == "aye") == 377


def test_files_without_divisions_or_with_bad_xml() -> None:
    assert parse_divisions(b"<publicwhip></publicwhip>", "x.xml").divisions == []
    with pytest.raises(ValueError, match=r"x\.xml:1: malformed XML"):
        parse_divisions(b"<publicwhip><division", "x.xml")


def test_newer_files_name_voters_by_person_id(sqlite_engine: Engine, tmp_path: Path) -> None:
    with (DATA / "members_flat.csv").open(encoding="utf-8") as handle:
        person_of = {row["member_id"]: row["person_id"] for row in csv.DictReader(handle)}
    data = (FEB_2010 / "debates2010-02-10a.xml").read_bytes()
    newer = re.sub(
        rb'<mpname id="(uk\.org\.publicwhip/member/\d+)"',
        lambda m: b'<mpname person_id="' + person_of[m.group(1).decode()].encode() + b'"',
        data,
    )
    assert b"<mpname person_id=" in newer and b"<mpname id=" not in newer
    copy = tmp_path / "debates2010-02-10a.xml"
    copy.write_bytes(newer)
    import_paths(sqlite_engine, [copy])
    for division in xml_divisions(FEB_2010 / "debates2010-02-10a.xml"):
        _row, votes = stored(sqlite_engine, HOUSE_OF_COMMONS, "2010-02-10", division.get("divnumber", ""))
        expected = sorted(person_of[n.get("id", "")] for n in division.iter("mpname"))
        assert sorted(v.person_ref or "" for v in votes) == expected
        assert all(v.party for v in votes)  # the person's term on the day gives the party


def _division_72_file() -> bytes:
    """The real file cut down to its prologue and division 72 (with the speeches just before it)."""
    data = (FEB_2010 / "debates2010-02-08b.xml").read_bytes()
    root_end = data.index(b">", data.index(b"<publicwhip")) + 1
    start = data.index(b"<speech", data.index(b'divnumber="72"') - 3000)
    end = data.index(b"</division>", start) + len(b"</division>")
    return data[:root_end] + data[start:end] + b"\n</publicwhip>\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_mangled_division_crashes_the_parser(data: st.DataObject) -> None:
    original = _division_72_file()
    assert len(parse_divisions(original, "x.xml").divisions) == 1
    # Replace a slice of the real file with arbitrary text: a record, warnings, or a ParseError.
    start = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    length = data.draw(st.integers(min_value=0, max_value=200))
    filler = data.draw(st.text(max_size=40)).encode("latin-1", "replace")
    mangled = original[:start] + filler + original[start + length :]
    try:
        parsed = parse_divisions(mangled, "x.xml")
    except ParseError as exc:
        assert exc.source == "x.xml" and exc.line >= 1
        return
    for division in parsed.divisions:
        assert division.number >= 0 and division.ayes >= 0
    assert all(w.startswith("x.xml:") for w in parsed.warnings)
