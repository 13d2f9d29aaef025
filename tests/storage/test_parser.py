"""Tests for the "Proceeding contribution" text parser (storage/parser.py).

Variant texts are built by transforming the real bundled sample, using the
metadata in data/FORMAT_VARIANTS.md; expected values are read off the files by
eye, never computed with the parser.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.parser import (
    looks_like_contribution,
    parse_contribution,
    parse_reference,
    parse_references,
    parse_sitting_date,
)
from storage.records import ParsedContribution, ParseError, Reference

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE_PATH = DATA / "samples" / "CONTRIBUTION_622898.txt"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
NBSP = "\xa0"

# 0-based positions in the sample, read off the file.
PARAGRAPHS = slice(0, 3)
TITLE = 3
PRELIM = slice(4, 9)  # "Proceeding contribution from" ... "It occurred during ..."
TYPE = 9
REFERENCE_VALUE = 12
CHAMBER_VALUE = 16
SUBJECTS = 17
LIBRARIANS = 18
TIMESTAMP_VALUE = 20
URI = 21
URI_VALUE = 22

PIMS_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"
ONE_LINE_PRELIM = (
    "Proceeding contribution from Tim Loughton (Conservative) in the House of Commons on Tuesday, "
    "23 February 2010. It occurred during Debate on bills on Children, Schools and Families Bill."
)


def lines() -> list[str]:
    return SAMPLE.split("\n")


def text(parts: list[str]) -> str:
    return "\n".join(parts)


# The sentence cut at every span of the page's markup (tests/storage/test_parser_equivalence.py uses it too).
PRELIM_ONE_PIECE_PER_SPAN = (
    "Proceeding contribution",
    "from",
    "Tim Loughton",
    "(",
    "Conservative",
    ")",
    "in the",
    "House of Commons",
    "on",
    "Tuesday,  2 February 2010",
    ".",
    "It occurred during",
    "Debate on bills",
    "on",
    "Children, Schools and Families Bill",
    ".",
)
PRELIM_LORDS_MEMBER = (
    "Proceeding contribution from",
    "Lord Sharpe of Epsom",
    "(Conservative)",
    "in the House of Lords on Tuesday, 23 November 2010.",
    "It occurred during Debate on bills on Public Bodies Bill [HL].",
)
PRELIM_LISTS_OF_HOUSES_AND_TYPES = (
    "Proceeding contribution from Baroness Byford (Conservative) in the House of Commons and "
    "House of Lords on Wednesday, 2 November 2005. It occurred during Debate on bills and "
    "Committee proceeding on Commons Bill [HL]."
)


def with_prelim(*prelim: str) -> list[str]:
    """The sample with its preliminary sentence replaced by the given lines."""
    parts = lines()
    parts[PRELIM] = list(prelim)
    return parts


def set_after(parts: list[str], label: str, *values: str) -> list[str]:
    """Replace the value line after the first ``label`` line with ``values``."""
    at = parts.index(label)
    parts[at + 1 : at + 2] = list(values)
    return parts


def parse(parts: list[str] | str) -> ParsedContribution:
    return parse_contribution(parts if isinstance(parts, str) else text(parts), "test.txt")


def error_of(parts: list[str] | str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(parts)
    assert info.value.source == "test.txt"
    return info.value


def test_sample_layout_is_what_the_tests_assume() -> None:
    parts = lines()
    assert parts[TITLE] == "Children, Schools and Families Bill"
    assert parts[PRELIM][0] == "Proceeding contribution from"
    assert parts[TYPE] == "Type"
    assert parts[REFERENCE_VALUE] == "506 c185-6" + NBSP
    assert parts[LIBRARIANS] == "Librarians' tools"
    assert parts[URI] == "URI"
    assert not SAMPLE.endswith("\n")


# --------------------------------------------------------------------------- the real sample


def test_real_sample_field_by_field() -> None:
    record = parse_contribution(SAMPLE, SAMPLE_PATH.name)
    assert record.uri == PIMS_URI
    assert record.contribution_id == 622898
    assert record.title == "Children, Schools and Families Bill"
    assert record.member == "Tim Loughton"
    assert record.party == "Conservative"
    assert record.houses == ("House of Commons",)
    assert record.house == "House of Commons"
    assert record.sitting_date == dt.date(2010, 2, 23)
    assert record.debate_types == ("Debate on bills",)
    assert record.debate_title == "Children, Schools and Families Bill"
    assert record.contribution_type == "Proceeding contribution"
    assert record.references == (Reference(volume=506, start_column=185, end_column=186, suffix="", raw="506 c185-6"),)
    assert record.session == "2009-10"
    assert record.chamber == "House of Commons chamber"
    assert record.subjects == ()
    assert record.index_timestamp == dt.datetime(2024, 12, 30, 18, 3, 24, tzinfo=dt.UTC)
    assert record.index_timestamp.utcoffset() == dt.timedelta(0)
    assert len(record.paragraphs) == 3
    assert record.paragraphs[0].startswith("The hon. Gentleman is right. It is no good")
    assert record.paragraphs[1].startswith("There have been objections to the publication")
    assert record.paragraphs[2].startswith("Inevitably, when there is a tragedy")
    assert record.paragraphs[2].endswith("on the front page of a tabloid newspaper.")
    assert record.member_ref is None
    assert record.extra == {}


def test_sample_bytes_decoded_with_bom_and_crlf_give_the_same_record() -> None:
    expected = parse(SAMPLE)
    assert parse("\ufeff" + SAMPLE) == expected
    assert parse(SAMPLE.replace("\n", "\r\n")) == expected
    assert parse("\ufeff" + SAMPLE.replace("\n", "\r\n") + "\r\n") == expected
    assert parse(SAMPLE + "\n\n") == expected


# --------------------------------------------------------------------------- preliminary sentence


def test_preliminary_sentence_on_one_line() -> None:
    record = parse(with_prelim(ONE_LINE_PRELIM))
    assert record == parse(SAMPLE)


def test_preliminary_sentence_one_piece_per_span() -> None:
    record = parse(with_prelim(*PRELIM_ONE_PIECE_PER_SPAN))
    assert (record.member, record.party, record.houses) == (
        "Tim Loughton",
        "Conservative",
        ("House of Commons",),
    )
    assert record.sitting_date == dt.date(2010, 2, 2)
    assert record.debate_types == ("Debate on bills",)
    assert record.debate_title == "Children, Schools and Families Bill"
    assert record.title == "Children, Schools and Families Bill"
    assert len(record.paragraphs) == 3


def test_first_sentence_on_one_line_and_occurred_on_the_next() -> None:
    first, second = ONE_LINE_PRELIM.split(" It occurred")
    record = parse(with_prelim(first, "It occurred" + second))
    assert record == parse(SAMPLE)


def test_blank_lines_inside_the_preliminary_sentence() -> None:
    parts = lines()
    parts[PRELIM] = ["Proceeding contribution from", "", "Tim Loughton", "", *parts[PRELIM][2:]]
    assert parse(parts) == parse(SAMPLE)


def test_space_padded_day() -> None:
    record = parse(with_prelim(ONE_LINE_PRELIM.replace("Tuesday, 23 February", "Tuesday,  2 February")))
    assert record.sitting_date == dt.date(2010, 2, 2)


def test_no_party() -> None:
    parts = lines()
    del parts[6]  # "(Conservative)"
    record = parse(parts)
    assert (record.member, record.party) == ("Tim Loughton", None)
    assert record.houses == ("House of Commons",)


def test_no_member() -> None:
    record = parse(with_prelim("Proceeding contribution in the House of Lords on Tuesday, 23 November 2010."))
    assert (record.member, record.party) == (None, None)
    assert record.houses == ("House of Lords",)
    assert record.sitting_date == dt.date(2010, 11, 23)
    assert (record.debate_types, record.debate_title) == ((), None)


def test_no_house() -> None:
    record = parse(
        with_prelim("Proceeding contribution from Tim Loughton (Conservative) on Tuesday, 23 February 2010.")
    )
    assert record.houses == ()
    assert record.sitting_date == dt.date(2010, 2, 23)
    assert record.member == "Tim Loughton"


def test_no_date() -> None:
    record = parse(with_prelim("Proceeding contribution from Tim Loughton (Conservative) in the House of Commons."))
    assert record.sitting_date is None
    assert record.houses == ("House of Commons",)


def test_bare_object_name() -> None:
    record = parse(with_prelim("Proceeding contribution."))
    assert (record.member, record.houses, record.sitting_date, record.debate_title) == (None, (), None, None)
    assert record.title == "Children, Schools and Families Bill"


def test_no_it_occurred_during_sentence() -> None:
    parts = lines()
    del parts[PRELIM.stop - 1]
    record = parse(parts)
    assert record.debate_types == ()
    assert record.debate_title is None
    assert record.sitting_date == dt.date(2010, 2, 23)


def test_lists_of_houses_and_proceeding_types() -> None:
    record = parse(with_prelim(PRELIM_LISTS_OF_HOUSES_AND_TYPES))
    assert record.houses == ("House of Commons", "House of Lords")
    assert record.house == "House of Commons"
    assert record.debate_types == ("Debate on bills", "Committee proceeding")
    assert record.debate_title == "Commons Bill [HL]"

    record = parse(
        with_prelim(
            "Proceeding contribution in the House of Lords, House of Commons and House of Lords. "
            "It occurred during Debate on bills, Committee proceeding and Adjournment debate on X."
        )
    )
    assert record.houses == ("House of Lords", "House of Commons", "House of Lords")
    assert record.debate_types == ("Debate on bills", "Committee proceeding", "Adjournment debate")


@pytest.mark.parametrize(
    ("sentence", "types", "title"),
    [
        ("Adjournment debate on Whitsun Adjournment", ("Adjournment debate",), "Whitsun Adjournment"),
        ("Business statement on Business of the House", ("Business statement",), "Business of the House"),
        (
            "Debate on bills on Powers of Entry etc. Bill [HL]",
            ("Debate on bills",),
            "Powers of Entry etc. Bill [HL]",
        ),
    ],
)
def test_proceeding_types_and_titles(sentence: str, types: tuple[str, ...], title: str) -> None:
    record = parse(
        with_prelim(
            "Proceeding contribution from Andrew Mackinlay (Labour) in the House of Commons on "
            f"Thursday, 22 May 2008. It occurred during {sentence}."
        )
    )
    assert (record.member, record.party) == ("Andrew Mackinlay", "Labour")
    assert record.sitting_date == dt.date(2008, 5, 22)
    assert (record.debate_types, record.debate_title) == (types, title)


def test_lords_members() -> None:
    record = parse(with_prelim(*PRELIM_LORDS_MEMBER))
    assert (record.member, record.party, record.houses) == (
        "Lord Sharpe of Epsom",
        "Conservative",
        ("House of Lords",),
    )
    assert record.debate_title == "Public Bodies Bill [HL]"

    record = parse(with_prelim("Proceeding contribution from The Lord Bishop of Durham in the House of Lords."))
    assert (record.member, record.party) == ("The Lord Bishop of Durham", None)


def test_bracketed_disambiguation_is_kept_in_the_name() -> None:
    record = parse(
        with_prelim(
            "Proceeding contribution from Lord Jones (Cardiff) (Labour) in the House of Lords "
            "on Tuesday, 23 February 2010."
        )
    )
    assert (record.member, record.party) == ("Lord Jones (Cardiff)", "Labour")
    record = parse(with_prelim("Proceeding contribution from Jim Smith (Labour (Co-op)) in the House of Commons."))
    assert (record.member, record.party) == ("Jim Smith", "Labour (Co-op)")


def test_business_question_with_parliamentary_question_uri() -> None:
    parts = with_prelim(
        "Business question from David Heath (Liberal Democrat) in the House of Commons on "
        "Thursday, 12 March 2009. It occurred during Business statement on Business of the House."
    )
    parts[TITLE] = "Business of the House"
    uri = "http://data.parliament.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_1402851/-question"
    record = parse(set_after(parts, "URI", uri))
    assert record.contribution_type == "Business question"
    assert (record.uri, record.contribution_id) == (uri, 1402851)
    assert (record.member, record.party) == ("David Heath", "Liberal Democrat")
    assert record.sitting_date == dt.date(2009, 3, 12)
    assert (record.debate_types, record.debate_title) == (("Business statement",), "Business of the House")
    assert record.title == "Business of the House"
    # The Type field still says "Proceeding contribution": kept, since it differs.
    assert record.extra["Type"] == "Proceeding contribution"


def test_other_object_names() -> None:
    record = parse(with_prelim("Speaker's ruling in the House of Commons on Tuesday, 23 February 2010."))
    assert record.contribution_type == "Speaker's ruling"
    assert record.member is None
    record = parse(
        with_prelim("Oral question time intervention from Tim Loughton (Conservative) in the House of Commons.")
    )
    assert record.contribution_type == "Oral question time intervention"
    assert record.member == "Tim Loughton"


# --------------------------------------------------------------------------- layouts


def test_preliminary_sentence_above_the_title_and_text_below() -> None:
    """Layout since 2026-03: sentence, title, text."""
    parts = lines()
    parts[: PRELIM.stop] = [*parts[PRELIM], parts[TITLE], *parts[PARAGRAPHS]]
    assert parse(parts) == parse(SAMPLE)


def test_preliminary_sentence_moved_above_the_title_in_place() -> None:
    """Text, sentence, title: the sample with the sentence moved above the title."""
    parts = lines()
    parts[TITLE : PRELIM.stop] = [*parts[PRELIM], parts[TITLE]]
    assert parse(parts) == parse(SAMPLE)


def test_title_then_preliminary_sentence_then_text() -> None:
    parts = lines()
    parts[: PRELIM.stop] = [parts[TITLE], *parts[PRELIM], *parts[PARAGRAPHS]]
    assert parse(parts) == parse(SAMPLE)


def test_title_starting_like_a_house_after_the_sentence() -> None:
    parts = lines()
    parts[: PRELIM.stop] = [ONE_LINE_PRELIM, "House of Lords Bill [HL]", *parts[PARAGRAPHS]]
    record = parse(parts)
    assert record.title == "House of Lords Bill [HL]"
    assert len(record.paragraphs) == 3


def test_secondary_information_heading() -> None:
    parts = lines()
    parts.insert(TYPE, "Secondary information")
    assert parse(parts) == parse(SAMPLE)


def test_type_and_back_to_top_layout() -> None:
    """Later prototype pages: "Type / Proceeding contribution ... Back to top"."""
    parts = lines()
    parts[SUBJECTS : SUBJECTS + 1] = ["Back to top"]
    record = parse(parts)
    assert record == parse(SAMPLE)


def old_layout_lines() -> list[str]:
    parts = lines()
    parts[TYPE:LIBRARIANS] = [
        "About this proceeding contribution",
        "Reference",
        "709 c429 ",
        "Session",
        "2008-09",
        "Chamber",
        "House of Lords chamber",
        "Back to top",
    ]
    parts[TITLE] = "House of Lords Bill [HL]"
    return parts


def test_old_about_this_proceeding_contribution_layout() -> None:
    """Oldest pages: heading, Reference / Session / Chamber, "Back to top" (here with a URI block)."""
    record = parse(old_layout_lines())
    assert record.references == (Reference(709, 429, None, "", "709 c429"),)
    assert (record.session, record.chamber) == ("2008-09", "House of Lords chamber")
    assert record.title == "House of Lords Bill [HL]"
    assert record.contribution_type == "Proceeding contribution"
    assert record.uri == PIMS_URI


def test_missing_librarians_tools_with_uri_label_elsewhere() -> None:
    parts = lines()
    uri_block = parts[URI : URI_VALUE + 1]
    del parts[LIBRARIANS:]
    parts[SUBJECTS:SUBJECTS] = uri_block
    record = parse(parts)
    assert record.uri == PIMS_URI
    assert record.index_timestamp is None
    assert record.session == "2009-10"


def test_no_preliminary_sentence_title_above_the_fields() -> None:
    """pims:672733 (PS): no preliminary sentence in the page."""
    parts = lines()
    del parts[PRELIM]
    parts[TITLE] = "Parliamentary Voting System and Constituencies Bill"
    record = parse(set_after(set_after(parts, "Reference", "517 c123-4 "), "Session", "2010-12"))
    assert record.title == "Parliamentary Voting System and Constituencies Bill"
    assert len(record.paragraphs) == 3
    assert (record.member, record.party, record.houses, record.sitting_date) == (None, None, (), None)
    assert record.contribution_type == "Proceeding contribution"  # from the Type field
    assert record.references == (Reference(517, 123, 124, "", "517 c123-4"),)


def test_no_preliminary_sentence_title_above_the_text() -> None:
    parts = lines()
    parts[: PRELIM.stop] = ["Powers of Entry etc. Bill [HL]", *parts[PARAGRAPHS]]
    record = parse(parts)
    assert record.title == "Powers of Entry etc. Bill [HL]"
    assert len(record.paragraphs) == 3


# --------------------------------------------------------------------------- noise and text


@pytest.mark.parametrize(
    "uri_lines",
    [
        [PIMS_URI, "Copy URI to clipboard"],
        [PIMS_URI + " Copy URI to clipboard"],
        [PIMS_URI + "Copy URI to clipboard"],
        ["Copy URI to clipboard", PIMS_URI],
        [PIMS_URI, "", "   Copy URI to clipboard  ", ""],
    ],
)
def test_copy_uri_to_clipboard_noise(uri_lines: list[str]) -> None:
    assert parse(set_after(lines(), "URI", *uri_lines)) == parse(SAMPLE)


def test_copy_uri_to_clipboard_glued_to_the_label() -> None:
    parts = lines()
    parts[URI] = "URI Copy URI to clipboard"
    assert parse(parts) == parse(SAMPLE)


def test_blank_lines_between_paragraphs() -> None:
    parts = lines()
    parts[PARAGRAPHS] = ["", parts[0], "", "", parts[1], NBSP, parts[2], ""]
    assert parse(parts) == parse(SAMPLE)


def test_speech_noise_lines_are_kept_as_paragraphs() -> None:
    noise = [
        "7.30 pm",
        "[Official Report, 15/12/06; col. 1771.]",
        "The House divided: Ayes 6, Noes 46.",
        "““I beg to move.””",
        "Moved by",
    ]
    parts = lines()
    parts[1:1] = noise
    record = parse(parts)
    assert record.paragraphs[1:6] == tuple(noise)
    assert len(record.paragraphs) == 8


def test_sentence_split_by_a_blank_line_gives_two_paragraphs() -> None:
    parts = lines()
    head, tail = parts[0].split(" If there are ", 1)
    parts[0:1] = [head, "", "If there are " + tail]
    record = parse(parts)
    assert record.paragraphs[:2] == (head, "If there are " + tail)


# --------------------------------------------------------------------------- fields


def test_intranet_uri_and_cc_reference() -> None:
    """intra:Lords/2022-03-10/22031030000039, Elections Bill, 819 cc1560-1."""
    uri = "http://hansard.intranet.data.parliament.uk/Lords/2022-03-10/22031030000039"
    parts = set_after(lines(), "URI", uri)
    parts = set_after(set_after(parts, "Reference", "819 cc1560-1 "), "Session", "2021-22")
    record = parse(set_after(parts, "Chamber / Committee", "House of Lords chamber"))
    assert (record.uri, record.contribution_id) == (uri, 22031030000039)
    assert record.references == (Reference(819, 1560, 1561, "", "819 cc1560-1"),)
    assert (record.session, record.chamber) == ("2021-22", "House of Lords chamber")


def test_commons_intranet_uri() -> None:
    uri = "http://hansard.intranet.data.parliament.uk/Commons/2013-11-05/131105850000650"
    record = parse(set_after(lines(), "URI", uri))
    assert record.contribution_id == 131105850000650


def test_grand_committee_reference() -> None:
    """pims:279540: Baroness Byford, 675 c75GC, House of Lords Grand Committee."""
    parts = with_prelim(
        "Proceeding contribution from Baroness Byford (Conservative) in the House of Lords on "
        "Wednesday, 2 November 2005. It occurred during Debate on bills and Committee proceeding on "
        "Commons Bill [HL]."
    )
    parts[TITLE] = "Commons Bill [HL]"
    parts = set_after(parts, "Reference", "675 c75GC ")
    parts = set_after(parts, "Session", "2005-06")
    record = parse(set_after(parts, "Chamber / Committee", "House of Lords Grand Committee"))
    assert record.references == (Reference(675, 75, None, "GC", "675 c75GC"),)
    assert record.chamber == "House of Lords Grand Committee"
    assert record.sitting_date == dt.date(2005, 11, 2)
    assert (record.member, record.houses) == ("Baroness Byford", ("House of Lords",))


def test_several_references() -> None:
    record = parse(set_after(lines(), "Reference", "506 c185-6" + NBSP, "734 c44GC" + NBSP))
    assert [r.raw for r in record.references] == ["506 c185-6", "734 c44GC"]
    record = parse(set_after(lines(), "Reference", "506 c185-6" + NBSP + " 506 c187" + NBSP))
    assert [(r.volume, r.start_column, r.end_column) for r in record.references] == [
        (506, 185, 186),
        (506, 187, None),
    ]


def test_summer_timestamp() -> None:
    record = parse(set_after(lines(), "Timestamp", "2025-07-01 09:15:00 +0100"))
    assert record.index_timestamp == dt.datetime(2025, 7, 1, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert record.index_timestamp is not None
    assert record.index_timestamp.utcoffset() == dt.timedelta(hours=1)


def test_subjects_and_other_fields() -> None:
    parts = lines()
    parts[SUBJECTS + 1 : SUBJECTS + 1] = ["Children", "Social services", "Legislation", "Children Act 2004"]
    parts[CHAMBER_VALUE + 1 : CHAMBER_VALUE + 1] = ["Notes", "A note", "Procedure", "Second reading"]
    parts.extend(["Internal location", "http://example.org/internal"])
    record = parse(parts)
    assert record.subjects == ("Children", "Social services")
    assert record.extra == {
        "Notes": "A note",
        "Procedure": "Second reading",
        "Legislation": "Children Act 2004",
        "Internal location": "http://example.org/internal",
    }


# --------------------------------------------------------------------------- parse_reference


@pytest.mark.parametrize(
    ("raw", "volume", "start", "end", "suffix", "stripped"),
    [
        ("506 c185-6\xa0", 506, 185, 186, "", "506 c185-6"),
        ("819 cc1560-1 ", 819, 1560, 1561, "", "819 cc1560-1"),
        ("675 c75GC ", 675, 75, None, "GC", "675 c75GC"),
        ("vol 512 cc113-5WH", 512, 113, 115, "WH", "vol 512 cc113-5WH"),
        ("734 c44GC", 734, 44, None, "GC", "734 c44GC"),
        ("c5WS", None, 5, None, "WS", "c5WS"),
        ("c967W", None, 967, None, "W", "c967W"),
        ("460 c886-7", 460, 886, 887, "", "460 c886-7"),
        ("vol 104 cc1541-5", 104, 1541, 1545, "", "vol 104 cc1541-5"),
        ("12 cc99-101", 12, 99, 101, "", "12 cc99-101"),
        ("12 cc12 -3", 12, 12, 13, "", "12 cc12 -3"),
        ("vol 332 cc81- 133       ", 332, 81, 133, "", "vol 332 cc81- 133"),
        ("vol 169 cc 1907-9", 169, 1907, 1909, "", "vol 169 cc 1907-9"),
        ("709 c429 ", 709, 429, None, "", "709 c429"),
        ("HC Deb 24 May 1999 vol 332 cc81-133", 332, 81, 133, "", "HC Deb 24 May 1999 vol 332 cc81-133"),
        ("vol 114 cc2102-2", 114, 2102, None, "", "vol 114 cc2102-2"),
    ],
)
def test_parse_reference(raw: str, volume: int | None, start: int, end: int | None, suffix: str, stripped: str) -> None:
    assert parse_reference(raw) == Reference(volume, start, end, suffix, stripped)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "506",
        "506 185-6",
        "x185",
        "506 c",
        "506 c185-",
        "c185-6x",
        "506 c189-2",
        "506 c185 c186",
        "c1c2",
    ],
)
def test_parse_reference_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_reference(raw)


def test_parse_references() -> None:
    assert parse_references("vol 104 cc1541-5; 104 cc1546-7") == (
        Reference(104, 1541, 1545, "", "vol 104 cc1541-5"),
        Reference(104, 1546, 1547, "", "104 cc1546-7"),
    )
    assert parse_references("506 c185-6\xa0 507 c12WH\xa0") == (
        Reference(506, 185, 186, "", "506 c185-6"),
        Reference(507, 12, None, "WH", "507 c12WH"),
    )
    assert parse_references("") == ()
    assert parse_references(".") == ()
    with pytest.raises(ValueError):
        parse_references("506 c185-6, nonsense")


def test_every_reference_in_the_maiden_speeches_csv_parses_or_is_rejected_cleanly() -> None:
    """Real reference strings (psephology CSV, column 13) where the file is available."""
    csv_path = Path(__file__).resolve().parents[3] / "shared" / "data" / "maiden_speeches_commons_psephology.csv"
    if not csv_path.exists():
        pytest.skip("shared maiden speeches CSV not available")
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    rejected = []
    for row in rows:
        try:
            parse_references(row[12])
        except ValueError:
            rejected.append(row[12])
    # Typos in the source: an end column before the start, a missing "c".
    assert sorted(rejected) == ["vol 370 cc554-3", "vol 389 cc91-30", "vol 752 459-61"]


# --------------------------------------------------------------------------- dates


def test_parse_sitting_date() -> None:
    assert parse_sitting_date("Tuesday, 23 February 2010") == dt.date(2010, 2, 23)
    assert parse_sitting_date("Tuesday,  2 February 2010") == dt.date(2010, 2, 2)
    assert parse_sitting_date("Thursday, 12 March 2009") == dt.date(2009, 3, 12)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "Tuesday 23 February 2010",
        "Tuesday, 30 February 2010",
        "Monday, 23 February 2010",
        "Tuesday, 23 Febtember 2010",
        "Blursday, 23 February 2010",
        "23/02/2010",
        "Tuesday, 23 February 10",
    ],
)
def test_parse_sitting_date_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_sitting_date(raw)


# --------------------------------------------------------------------------- bad input


def test_empty_input() -> None:
    for empty in ("", "\n\n", "\ufeff", "  \r\n\t\n"):
        assert error_of(empty).line == 1


def test_bad_timestamp_line() -> None:
    parts = set_after(lines(), "Timestamp", "2024-13-30 18:03:24 +0000")
    err = error_of(parts)
    assert err.line == TIMESTAMP_VALUE + 1 == 21
    assert "timestamp" in err.reason
    assert error_of(set_after(lines(), "Timestamp", "yesterday")).line == 21
    assert error_of(set_after(lines(), "Timestamp", "2024-12-30 18:03:24 +9900")).line == 21


def test_missing_uri() -> None:
    parts = lines()
    del parts[URI : URI_VALUE + 1]
    err = error_of(parts)
    assert err.line == LIBRARIANS + 1 == 19  # the block where the URI belongs
    assert "URI" in err.reason
    # No Librarians' tools block and no URI label anywhere.
    err = error_of(lines()[:LIBRARIANS])
    assert "URI" in err.reason


def test_uri_label_without_value() -> None:
    parts = lines()
    del parts[URI_VALUE]
    err = error_of(parts)
    assert err.line == URI_VALUE + 1 == 23  # now the "In Indexing" line
    assert err.reason == "expected a URI line after 'URI'"
    err = error_of(lines()[: URI + 1])
    assert (err.line, err.reason) == (URI + 1, "expected a URI line after 'URI'")


@pytest.mark.parametrize(
    "uri",
    [
        "https://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898",
        "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_",
        "http://data.parliament.uk/pimsdata/Hansard/CONTRIBUTION_622898",
        "http://hansard.intranet.data.parliament.uk/Lords/2022-02-30/22031030000039",
        "http://hansard.intranet.data.parliament.uk/Lords/2022-03-10/2203103",
        "http://data.parliament.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_1402851",
        "not a uri",
    ],
)
def test_unrecognised_uri(uri: str) -> None:
    err = error_of(set_after(lines(), "URI", uri))
    assert err.line == URI_VALUE + 1
    assert "URI" in err.reason


def test_bad_reference_and_session_lines() -> None:
    err = error_of(set_after(lines(), "Reference", "506 x185"))
    assert (err.line, "reference" in err.reason) == (REFERENCE_VALUE + 1, True)
    err = error_of(set_after(lines(), "Session", "2009/10"))
    assert (err.line, "session" in err.reason) == (15, True)


def test_garbage_date_in_the_preliminary_sentence() -> None:
    parts = lines()
    parts[7] = "in the House of Commons on Blursday, 99 February 2010."
    err = error_of(parts)
    assert err.line == 8
    parts[7] = "in the House of Commons on Monday, 23 February 2010."  # wrong weekday
    assert error_of(parts).line == 8
    parts[7] = "in the House of Parliament on Tuesday, 23 February 2010."
    assert error_of(parts).line == 8


def test_unterminated_preliminary_sentence() -> None:
    parts = lines()
    parts[7] = "in the House of Commons on Tuesday, 23 February 2010"
    del parts[8]
    err = error_of(parts)
    assert err.line == 5
    assert "'.'" in err.reason


def test_no_speech_text() -> None:
    parts = lines()
    del parts[PARAGRAPHS]
    err = error_of(parts)
    assert err.line == 1  # the title, with nothing above it
    assert "speech text" in err.reason


def test_no_title() -> None:
    parts = lines()
    del parts[: PRELIM.start]
    err = error_of(parts)
    assert err.line == 1
    assert "title" in err.reason


def test_fields_without_body() -> None:
    err = error_of(lines()[TYPE:])
    assert err.line == 1


def test_preliminary_sentence_inside_the_text() -> None:
    parts = lines()
    parts[: PRELIM.stop] = [parts[0], parts[1], ONE_LINE_PRELIM, parts[2], parts[TITLE]]
    err = error_of(parts)
    assert err.line == 3


def test_preliminary_sentence_inside_a_long_text() -> None:
    parts = lines()
    long_text = [parts[i % 3] for i in range(60)]
    parts[: PRELIM.stop] = [*long_text[:30], ONE_LINE_PRELIM, *long_text[30:], parts[TITLE]]
    err = error_of(parts)
    assert err.line == 31
    assert "inside the speech text" in err.reason


def test_prose_where_the_title_belongs() -> None:
    parts = lines()
    parts[TITLE] = parts[2]  # a speech paragraph in the title's place
    err = error_of(parts)
    assert err.line == TITLE + 1
    assert "title" in err.reason


def test_sentence_pieces_out_of_order() -> None:
    parts = lines()
    parts[5], parts[6] = parts[6], parts[5]  # "(Conservative)" before "Tim Loughton"
    assert error_of(parts).line == 6  # where the member name should be


def test_prose_or_links_in_name_fields() -> None:
    assert error_of(set_after(lines(), "Type", lines()[2])).line == TYPE + 2
    err = error_of(set_after(lines(), "Chamber / Committee", "http://indexing.parliament.uk/Content/Edit/1"))
    assert err.line == CHAMBER_VALUE + 1
    parts = lines()
    parts.insert(SUBJECTS + 1, "in the House of Commons on Tuesday, 23 February 2010.")
    assert error_of(parts).line == SUBJECTS + 2


def test_title_that_cannot_be_placed_without_a_preliminary_sentence() -> None:
    parts = lines()
    del parts[TITLE : PRELIM.stop]  # only prose left: no line reads as a title
    err = error_of(parts)
    assert err.line == 3
    assert "title" in err.reason


def test_unexpected_line_among_the_fields() -> None:
    parts = lines()
    parts.insert(LIBRARIANS + 1, "Some stray line")
    err = error_of(parts)
    assert err.line == LIBRARIANS + 2
    assert "label" in err.reason


def test_duplicate_and_double_valued_fields() -> None:
    parts = lines()
    parts[URI_VALUE + 1 : URI_VALUE + 1] = ["URI", PIMS_URI]
    assert error_of(parts).line == URI_VALUE + 2
    parts = set_after(lines(), "Session", "2009-10", "2010-11")
    assert error_of(parts).line == 16


def test_random_text_is_rejected() -> None:
    assert error_of("hello world").line == 1
    assert error_of("<?xml version='1.0'?>\n<publicwhip/>").line >= 1


# --------------------------------------------------------------------------- sniffing


def test_looks_like_contribution() -> None:
    assert looks_like_contribution(SAMPLE[:4096])
    assert looks_like_contribution("\ufeff" + SAMPLE[:200])  # only speech text in the head
    assert looks_like_contribution(ONE_LINE_PRELIM)
    xml = next((DATA / "hansard_twfy_xml_2010" / "debates").glob("*.xml")).read_bytes()[:4096]
    assert not looks_like_contribution(xml.decode("latin-1"))
    assert not looks_like_contribution("")
    assert not looks_like_contribution("  \n")
    assert not looks_like_contribution('{"json": true}')
    assert not looks_like_contribution("a,b,c\n1,2,3\n")
    assert not looks_like_contribution("\x00\x01binary")


# --------------------------------------------------------------------------- properties


def _assert_clean(candidate: str) -> None:
    """Either a record or a ParseError pointing into the file; nothing else."""
    try:
        record = parse_contribution(candidate, "fuzz.txt")
    except ParseError as err:
        assert err.source == "fuzz.txt"
        assert 1 <= err.line <= max(1, candidate.count("\n") + 1)
        assert err.reason
    else:
        assert record.uri
        # Stored joined by blank lines (storage.records.join_paragraphs): none may hold one.
        assert record.paragraphs and all(p and p == p.strip() and "\n" not in p for p in record.paragraphs)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLE_LINES = lines()
LINE_POOL = [
    *SAMPLE_LINES,
    "",
    ".",
    "(",
    ")",
    "Back to top",
    "Secondary information",
    "Copy URI to clipboard",
    "Proceeding contribution",
    "It occurred during",
    ONE_LINE_PRELIM,
]


@FUZZ
@given(st.text())
def test_random_text_only_raises_parse_error(candidate: str) -> None:
    _assert_clean(candidate)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_only_raise_parse_error(data: bytes) -> None:
    _assert_clean(data.decode("utf-8", errors="replace"))


@FUZZ
@given(st.lists(st.sampled_from(LINE_POOL), max_size=40))
def test_random_sample_lines_only_raise_parse_error(parts: list[str]) -> None:
    _assert_clean(text(parts))


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "swap", "insert", "edit", "blank"]),
            st.integers(0, 40),
            st.integers(0, 40),
            st.text(max_size=20),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_mutated_sample_only_raises_parse_error(
    ops: list[tuple[str, int, int, str]], shuffle: bool, rng: random.Random
) -> None:
    parts = lines()
    for op, i, j, extra in ops:
        size = len(parts)
        if size == 0:
            parts.append(extra)
            continue
        i, j = i % size, j % size
        if op == "delete":
            del parts[i]
        elif op == "duplicate":
            parts.insert(j, parts[i])
        elif op == "swap":
            parts[i], parts[j] = parts[j], parts[i]
        elif op == "insert":
            parts.insert(i, extra)
        elif op == "edit":
            cut = j % (len(parts[i]) + 1)
            parts[i] = parts[i][:cut] + extra + parts[i][cut:]
        else:
            parts[i] = ""
    if shuffle:
        rng.shuffle(parts)
    _assert_clean(text(parts))


@FUZZ
@given(st.text(max_size=40))
def test_parse_references_only_raises_value_error(raw: str) -> None:
    try:
        references = parse_references(raw)
    except ValueError:
        return
    for reference in references:
        assert reference.end_column is None or reference.end_column > reference.start_column


@FUZZ
@given(
    st.one_of(st.none(), st.integers(1, 999)),
    st.integers(1, 9999),
    st.one_of(st.none(), st.integers(1, 120)),
    st.sampled_from(["", "GC", "WH", "WS", "W", "WA"]),
    st.sampled_from(["c", "cc"]),
)
def test_reference_round_trip(volume: int | None, start: int, span: int | None, suffix: str, prefix: str) -> None:
    """Format a reference the Hansard way (end abbreviated to its changed digits) and read it back."""
    raw = "" if volume is None else f"{volume} "
    raw += f"{prefix}{start}"
    end = None if span is None else start + span
    if end is not None:
        start_s, end_s = str(start), str(end)
        keep = 0
        while keep < len(start_s) - 1 and len(start_s) == len(end_s) and start_s[keep] == end_s[keep]:
            keep += 1
        raw += "-" + end_s[keep:]
    raw += suffix
    assert parse_reference(raw + NBSP) == Reference(volume, start, end, suffix, raw)


def test_sentence_like_lines_in_bulk_stay_fast() -> None:
    """Only the first and last lines of the text are tried as the sentence, so this is linear."""
    started = time.perf_counter()
    for line in ("Proceeding contribution from", "Order from the House of Lords", "Speaker's ruling."):
        with pytest.raises(ParseError):
            parse_contribution((line + "\n") * 20000, "x")
    assert time.perf_counter() - started < 2.0


def test_parsing_is_fast_enough() -> None:
    """The importer needs well over 10k files/s; a generous bound that still catches a regression."""
    started = time.perf_counter()
    for _ in range(2000):
        parse_contribution(SAMPLE, "x")
    per_file = (time.perf_counter() - started) / 2000
    assert per_file < 0.0005, f"{per_file * 1e6:.0f} us per file"


# --------------------------------------------------------------------------- titles in quotes, questions


def _quoted_bundled_titles() -> list[str]:
    """The headings of the bundled TheyWorkForYou data that are in quotation marks (government papers)."""
    from storage.twfy import parse_twfy_file

    titles: set[str] = set()
    for path in sorted((DATA / "hansard_twfy_xml_2010").rglob("*.xml")):
        titles.update(r.title for r in parse_twfy_file(path.read_bytes(), path.name) if r.title[:1] in '"\u201c')
    return sorted(titles)


QUOTED_TITLES = _quoted_bundled_titles()


def test_the_bundled_data_has_quoted_titles() -> None:
    assert len(QUOTED_TITLES) >= 3


@pytest.mark.parametrize(
    "title",
    [
        *QUOTED_TITLES,
        *(t[:-1] + "?" + t[-1] for t in QUOTED_TITLES),  # a quoted question
        *(t.strip('"') + "?" for t in QUOTED_TITLES),
        *(t.strip('"') + "!" for t in QUOTED_TITLES),
        "\u201c" + (QUOTED_TITLES[0].strip('"') if QUOTED_TITLES else "x") + "\u201d",
    ],
)
def test_titles_in_quotation_marks_or_ending_with_a_question_or_exclamation_mark(title: str) -> None:
    parts = lines()
    parts[TITLE] = title
    assert parse(parts).title == title
    # Without a preliminary sentence the title above the text is found too.
    untitled = lines()
    untitled[: PRELIM.stop] = [title, *untitled[PARAGRAPHS]]
    assert parse(untitled).title == title


def test_a_speech_question_is_not_taken_for_the_title_when_a_plain_title_is_there() -> None:
    parts = lines()
    paragraphs = parts[PARAGRAPHS]
    # No preliminary sentence: title above the text, whose last paragraph is a question.
    parts[: PRELIM.stop] = [parts[TITLE], *paragraphs[:-1], "Will the Minister give way?"]
    record = parse(parts)
    assert record.title == lines()[TITLE]
    assert record.paragraphs[-1] == "Will the Minister give way?"


def test_two_sentences_in_quotes_are_no_title() -> None:
    parts = lines()
    parts[TITLE] = '"' + parts[PARAGRAPHS][0] + '"'
    assert "title" in error_of(parts).reason
