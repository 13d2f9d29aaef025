"""Divisions as the answers report them, against the XML itself, over every division of the real data.

Adversarial checks of whole classes: the Bill a division is on (the same rule as
the speeches'), the question put, and convergence whatever the order of arrival.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, select

from storage.divisions import ParsedDivision, parse_divisions
from storage.importer import import_paths
from storage.models import DEBATE_TABLE, DIVISION_TABLE
from tests.conftest import DATA

UML = DATA / "twfy_uml_2009" / "scrapedxml"
FEB_2010 = DATA / "hansard_twfy_xml_2010"
DAY_FILE = re.compile(r"(?:debates|daylord)(\d{4}-\d{2}-\d{2})([a-z]+)\.xml$")


def latest_day_files() -> list[Path]:
    """The newest version of each day of Commons debates and Lords day pages, as the XML has them."""
    newest: dict[tuple[str, str], Path] = {}
    for path in [*UML.glob("debates/*.xml"), *UML.glob("lordspages/*.xml"), *FEB_2010.glob("debates/*.xml")]:
        match = DAY_FILE.search(path.name)
        assert match is not None
        key = (path.parent.name, match.group(1))
        if key not in newest or match.group(2) > DAY_FILE.search(newest[key].name).group(2):  # type: ignore[union-attr]
            newest[key] = path
    return sorted(newest.values())


def parsed(path: Path) -> list[ParsedDivision]:
    return parse_divisions(path.read_bytes(), path.name).divisions


def test_a_division_is_on_the_bill_its_debate_is_on(sqlite_engine: Engine) -> None:
    """The division's Bill is its debate's: a ten minute rule Bill's heading before other business is not it."""
    import_paths(sqlite_engine, [UML, FEB_2010 / "debates"])
    d, b = DIVISION_TABLE.c, DEBATE_TABLE.c
    with sqlite_engine.connect() as conn:
        rows = conn.execute(
            select(d.division_date, d.number, d.bill_title, d.debate_title, b.title, b.is_bill).join(
                DEBATE_TABLE, d.debate_id == b.id
            )
        ).all()
    assert len(rows) == 20
    for row in rows:
        assert row.bill_title == (row.title if row.is_bill else None), row
        assert row.debate_title == row.title, row
    # 10 February 2010: "Water Tariffs Bill" (leave to bring in) came before the debate on section 5
    # of the European Communities (Amendment) Act 1993, where divisions 80 and 81 were held.
    on_section_5 = {r.number: r for r in rows if r.number in (80, 81)}
    assert {r.bill_title for r in on_section_5.values()} == {None}
    assert {r.debate_title for r in on_section_5.values()} == {
        "Section 5 of the European Communities (Amendment) Act 1993"
    }


def test_the_parser_alone_gives_each_division_the_bill_of_the_speech_before_it() -> None:
    """Without the store (a divisions-only extract imported first), the parser's own rule is the speeches'."""
    from storage.twfy import parse_twfy_file

    checked = 0
    for path in latest_day_files():
        data = path.read_bytes()
        debate_of = {r.extra["twfy_id"]: r.debate_title for r in parse_twfy_file(data, path.name)}
        for division in parsed(path):
            assert division.preceding_gid is not None
            assert division.debate_title == debate_of[division.preceding_gid], division.gid
            checked += 1
    assert checked == 20


def test_main_question_put_is_the_debates_motion_not_its_amendment() -> None:
    """After an amendment is negatived, "Main Question put" puts the motion the debate began with."""
    mains = [d for path in latest_day_files() for d in parsed(path) if d.question and d.question.startswith("Main")]
    assert mains, "the real data has a Main Question division"
    for division in mains:
        assert division.motion is not None
        assert not re.match(r"I beg to move (an )?amendment|Amendment proposed", division.motion), division.gid
    (division_81,) = [d for d in mains if d.number == 81]
    assert division_81.motion is not None
    assert division_81.motion.startswith("I beg to move, That this House takes note with approval")


def test_main_question_as_amended_and_a_motion_put_forthwith_are_questions() -> None:
    page = (
        b'<publicwhip><major-heading id="uk.org.publicwhip/debate/2010-03-01a.1.0">Opposition Day</major-heading>'
        b'<speech id="uk.org.publicwhip/debate/2010-03-01a.1.1"><p>I beg to move,</p><p>That this House regrets X.</p>'
        b"<p>I beg to move an amendment, to leave out from &quot;House&quot; to the end.</p>"
        b"<p>Main Question, as amended, put.</p></speech>"
        b'<division id="uk.org.publicwhip/debate/2010-03-01a.2.0" divdate="2010-03-01" divnumber="9">'
        b'<divisioncount ayes="0" noes="0"/></division>'
        b'<speech id="uk.org.publicwhip/debate/2010-03-01a.3.0">'
        b"<p>Motion made, and Question put forthwith (Standing Order No. 118(6)), That the draft Order be approved.</p>"
        b"</speech>"
        b'<division id="uk.org.publicwhip/debate/2010-03-01a.4.0" divdate="2010-03-01" divnumber="10">'
        b'<divisioncount ayes="0" noes="0"/></division></publicwhip>'
    )
    first, second = parse_divisions(page, "x.xml").divisions
    assert first.question == "Main Question, as amended, put."
    assert first.motion == "I beg to move, That this House regrets X."
    assert second.question is not None and second.question.endswith("That the draft Order be approved.")


def test_a_division_a_newer_version_dropped_is_gone_whatever_the_order(tmp_path: Path) -> None:
    """28 Oct 2009 re-issued as "d" without division 233: any order of c, d, c's extract and b's stub converges."""
    from storage.db import make_engine, migrate

    source = (UML / "debates" / "debates2009-10-28c.xml").read_bytes()
    newer = source.replace(b"2009-10-28c.", b"2009-10-28d.").replace(b'scrapeversion="c"', b'scrapeversion="d"')
    start = newer.index(b'<division id="uk.org.publicwhip/debate/2009-10-28d.392.0"')
    end = newer.index(b"</division>", start) + len(b"</division>")
    reissued = tmp_path / "debates2009-10-28d.xml"
    reissued.write_bytes(newer[:start] + newer[end:])
    c_day, c_extract = UML / "debates" / "debates2009-10-28c.xml", UML / "divisionsonly" / "divisions2009-10-28c.xml"
    b_stub = UML / "debates" / "debates2009-10-28b.xml"
    orders = [
        [c_day, reissued, c_extract, b_stub],
        [reissued, c_extract, c_day],
        [c_extract, b_stub, reissued],
        [c_extract, c_day, reissued, c_day],
    ]
    for number, order in enumerate(orders):
        engine = make_engine(f"sqlite:///{tmp_path / f'o{number}.db'}")
        migrate(engine)
        for path in order:
            import_paths(engine, [path])
        with engine.connect() as conn:
            held = conn.execute(select(DIVISION_TABLE.c.number, DIVISION_TABLE.c.version)).all()
        assert [tuple(row) for row in held] == [(232, "d")], (order, held)
        engine.dispose()
