"""The sample-layout fast path (storage/seed_format/fast_path.py) reads every page as the general parser does.

`parse_contribution` first tries `parse_sample_layout`, which reads only pages laid
out like the bundled sample, and leaves everything else to the general line-by-line
parser, which `parse_general` runs on its own. For any text both must give the same
record (every field, the timestamp's zone included) or the same error. Checked on the
sample, on every page variant that test_parser.py builds, and on random mutations of
sample-layout pages.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.parser import parse_contribution
from storage.records import ParsedContribution, ParseError
from storage.seed_format.fast_path import parse_sample_layout
from storage.seed_format.page import parse_general
from tests.storage.test_parser import (
    CHAMBER_VALUE,
    LIBRARIANS,
    ONE_LINE_PRELIM,
    PARAGRAPHS,
    PIMS_URI,
    PRELIM,
    PRELIM_LISTS_OF_HOUSES_AND_TYPES,
    PRELIM_LORDS_MEMBER,
    PRELIM_ONE_PIECE_PER_SPAN,
    SAMPLE,
    SUBJECTS,
    TITLE,
    TYPE,
    URI,
    URI_VALUE,
    lines,
    old_layout_lines,
    set_after,
    text,
    with_prelim,
)

NBSP = "\xa0"
PQ_URI = "http://data.parliament.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_1402851/-question"
INTRANET_URI = "http://hansard.intranet.data.parliament.uk/Lords/2022-03-10/22031030000039"


def outcome(parse: Callable[[str, str], ParsedContribution], page: str) -> tuple[str, str]:
    """What one parse gives, comparable: the record's repr (every field, with types and the zone) or the error."""
    try:
        return "record", repr(parse(page, "page.txt"))
    except ParseError as err:
        return "error", str(err)


def assert_same_both_ways(page: str) -> None:
    assert outcome(parse_contribution, page) == outcome(parse_general, page)


def edited(edit: Callable[[list[str]], object]) -> str:
    """The sample's lines changed in place by ``edit``."""
    parts = lines()
    edit(parts)
    return text(parts)


def replaced_lines(index: int | slice, *new: str) -> list[str]:
    """The sample's lines with line ``index`` (or a slice) replaced by ``new``."""
    parts = lines()
    if isinstance(index, slice):
        parts[index] = list(new)
    else:
        parts[index : index + 1] = list(new)
    return parts


def replaced(index: int | slice, *new: str) -> str:
    return text(replaced_lines(index, *new))


def after(label: str, *values: str) -> str:
    return text(set_after(lines(), label, *values))


def business_question() -> str:
    parts = with_prelim(
        "Business question from David Heath (Liberal Democrat) in the House of Commons on "
        "Thursday, 12 March 2009. It occurred during Business statement on Business of the House."
    )
    parts[TITLE] = "Business of the House"
    return text(set_after(parts, "URI", PQ_URI))


def old_layout() -> str:
    return text(old_layout_lines())


def missing_librarians_tools() -> str:
    parts = lines()
    uri_block = parts[URI : URI_VALUE + 1]
    del parts[LIBRARIANS:]
    parts[SUBJECTS:SUBJECTS] = uri_block
    return text(parts)


def subjects_and_other_fields() -> str:
    parts = lines()
    parts[SUBJECTS + 1 : SUBJECTS + 1] = ["Children", "Social services", "Legislation", "Children Act 2004"]
    parts[CHAMBER_VALUE + 1 : CHAMBER_VALUE + 1] = ["Notes", "A note", "Procedure", "Second reading"]
    parts.extend(["Internal location", "http://example.org/internal"])
    return text(parts)


def long_text_with_sentence_inside() -> str:
    parts = lines()
    long_text = [parts[i % 3] for i in range(60)]
    parts[: PRELIM.stop] = [*long_text[:30], ONE_LINE_PRELIM, *long_text[30:], parts[TITLE]]
    return text(parts)


SAMPLE_PARTS = lines()

# Each page that test_parser.py parses (read off its tests), plus a few more in the
# sample layout that the fast path reads.
VARIANTS: dict[str, str] = {
    "sample": SAMPLE,
    "bom": "\ufeff" + SAMPLE,
    "crlf": SAMPLE.replace("\n", "\r\n"),
    "bom crlf final newline": "\ufeff" + SAMPLE.replace("\n", "\r\n") + "\r\n",
    "final newlines": SAMPLE + "\n\n",
    # preliminary sentence
    "sentence on one line": text(with_prelim(ONE_LINE_PRELIM)),
    "sentence one piece per span": text(with_prelim(*PRELIM_ONE_PIECE_PER_SPAN)),
    "first sentence on one line": text(
        with_prelim(*ONE_LINE_PRELIM.replace(" It occurred", "\nIt occurred").split("\n"))
    ),
    "blank lines in the sentence": replaced(
        PRELIM, "Proceeding contribution from", "", "Tim Loughton", "", *SAMPLE_PARTS[PRELIM][2:]
    ),
    "space-padded day": text(with_prelim(ONE_LINE_PRELIM.replace("Tuesday, 23 February", "Tuesday,  2 February"))),
    "space-padded day on five lines": replaced(7, "in the House of Commons on Tuesday,  2 February 2010."),
    "no party": replaced(6),
    "no member": text(with_prelim("Proceeding contribution in the House of Lords on Tuesday, 23 November 2010.")),
    "no house": text(
        with_prelim("Proceeding contribution from Tim Loughton (Conservative) on Tuesday, 23 February 2010.")
    ),
    "no date": text(with_prelim("Proceeding contribution from Tim Loughton (Conservative) in the House of Commons.")),
    "bare object name": text(with_prelim("Proceeding contribution.")),
    "no it occurred during": replaced(PRELIM.stop - 1),
    "lists of houses and types": text(with_prelim(PRELIM_LISTS_OF_HOUSES_AND_TYPES)),
    "list of three houses": text(
        with_prelim(
            "Proceeding contribution in the House of Lords, House of Commons and House of Lords. "
            "It occurred during Debate on bills, Committee proceeding and Adjournment debate on X."
        )
    ),
    "adjournment debate": replaced(8, "It occurred during Adjournment debate on Whitsun Adjournment."),
    "business statement": replaced(8, "It occurred during Business statement on Business of the House."),
    "title with etc.": replaced(8, "It occurred during Debate on bills on Powers of Entry etc. Bill [HL]."),
    "lords member": text(with_prelim(*PRELIM_LORDS_MEMBER)),
    "bishop without party": text(
        with_prelim("Proceeding contribution from The Lord Bishop of Durham in the House of Lords.")
    ),
    "bracketed disambiguation": text(
        with_prelim(
            "Proceeding contribution from Lord Jones (Cardiff) (Labour) in the House of Lords "
            "on Tuesday, 23 February 2010."
        )
    ),
    "bracketed disambiguation on five lines": replaced(5, "Lord Jones (Cardiff)"),
    "party with brackets": text(
        with_prelim("Proceeding contribution from Jim Smith (Labour (Co-op)) in the House of Commons.")
    ),
    "party with brackets on five lines": replaced(6, "(Labour (Co-op))"),
    "business question": business_question(),
    "business question on five lines": text(set_after(replaced_lines(4, "Business question from"), "URI", PQ_URI)),
    "speaker's ruling": text(with_prelim("Speaker's ruling in the House of Commons on Tuesday, 23 February 2010.")),
    "unfamiliar object name": text(
        with_prelim("Oral question time intervention from Tim Loughton (Conservative) in the House of Commons.")
    ),
    # layouts
    "sentence, title, text": replaced(
        slice(0, PRELIM.stop), *SAMPLE_PARTS[PRELIM], SAMPLE_PARTS[TITLE], *SAMPLE_PARTS[PARAGRAPHS]
    ),
    "text, sentence, title": replaced(slice(TITLE, PRELIM.stop), *SAMPLE_PARTS[PRELIM], SAMPLE_PARTS[TITLE]),
    "title, sentence, text": replaced(
        slice(0, PRELIM.stop), SAMPLE_PARTS[TITLE], *SAMPLE_PARTS[PRELIM], *SAMPLE_PARTS[PARAGRAPHS]
    ),
    "title starting like a house": replaced(
        slice(0, PRELIM.stop), ONE_LINE_PRELIM, "House of Lords Bill [HL]", *SAMPLE_PARTS[PARAGRAPHS]
    ),
    "house of lords bill title": replaced(TITLE, "House of Lords Bill [HL]"),
    "secondary information heading": edited(lambda parts: parts.insert(TYPE, "Secondary information")),
    "back to top instead of subjects": replaced(SUBJECTS, "Back to top"),
    "about this result heading": replaced(LIBRARIANS, "About this result"),
    "curly librarians' tools": replaced(LIBRARIANS, "Librarians’ tools"),
    "chamber label without spaces": replaced(CHAMBER_VALUE - 1, "Chamber/Committee"),
    "old about this proceeding contribution layout": old_layout(),
    "missing librarians' tools": missing_librarians_tools(),
    "no sentence, title above the fields": text(
        set_after(
            set_after(lines()[: PRELIM.start] + lines()[PRELIM.stop :], "Reference", "517 c123-4 "),
            "Session",
            "2010-12",
        )
    ),
    "no sentence, title above the text": replaced(
        slice(0, PRELIM.stop), "Powers of Entry etc. Bill [HL]", *SAMPLE_PARTS[PARAGRAPHS]
    ),
    # noise and text
    "copy uri line after": after("URI", PIMS_URI, "Copy URI to clipboard"),
    "copy uri glued with a space": after("URI", PIMS_URI + " Copy URI to clipboard"),
    "copy uri glued": after("URI", PIMS_URI + "Copy URI to clipboard"),
    "copy uri line before": after("URI", "Copy URI to clipboard", PIMS_URI),
    "copy uri padded": after("URI", PIMS_URI, "", "   Copy URI to clipboard  ", ""),
    "copy uri glued to the label": replaced(URI, "URI Copy URI to clipboard"),
    "copy text button in the body": edited(lambda parts: parts.insert(1, "Copy text to clipboard")),
    "blank lines between paragraphs": replaced(
        PARAGRAPHS, "", SAMPLE_PARTS[0], "", "", SAMPLE_PARTS[1], NBSP, SAMPLE_PARTS[2], ""
    ),
    "noise lines in the text": replaced(
        slice(1, 1),
        "7.30 pm",
        "[Official Report, 15/12/06; col. 1771.]",
        "The House divided: Ayes 6, Noes 46.",
        "““I beg to move.””",
        "Moved by",
    ),
    "sentence split by a blank line": replaced(
        0, *SAMPLE_PARTS[0].replace(" If there are ", "\n\nIf there are ").split("\n")
    ),
    "last paragraph ending with a question": replaced(2, SAMPLE_PARTS[2] + " Why?"),
    # fields
    "intranet uri and cc reference": text(
        set_after(
            set_after(
                set_after(set_after(lines(), "URI", INTRANET_URI), "Reference", "819 cc1560-1 "), "Session", "2021-22"
            ),
            "Chamber / Committee",
            "House of Lords chamber",
        )
    ),
    "commons intranet uri": after(
        "URI", "http://hansard.intranet.data.parliament.uk/Commons/2013-11-05/131105850000650"
    ),
    "grand committee": text(
        set_after(
            set_after(set_after(lines(), "Reference", "675 c75GC "), "Session", "2005-06"),
            "Chamber / Committee",
            "House of Lords Grand Committee",
        )
    ),
    "two reference lines": after("Reference", "506 c185-6" + NBSP, "734 c44GC" + NBSP),
    "two references on one line": after("Reference", "506 c185-6" + NBSP + " 506 c187" + NBSP),
    "reference hidden": after("Reference", "."),
    "summer timestamp": after("Timestamp", "2025-07-01 09:15:00 +0100"),
    "timestamp without colon in the zone": after("Timestamp", "2025-07-01 09:15:00 +01:00"),
    "subjects": edited(lambda parts: parts.insert(SUBJECTS + 1, "Children")),
    "two subjects": replaced(slice(SUBJECTS + 1, SUBJECTS + 1), "Children", "Social services"),
    "subjects and other fields": subjects_and_other_fields(),
    "another type": after("Type", "Business question"),
    # What the fast path must leave to the general parser: each of these would be
    # read differently if it skipped one of its checks.
    "unfinished last paragraph that starts a sentence": replaced(2, "Business question from Tim Loughton"),
    "title that starts a sentence": replaced(TITLE, "Order from the House of Lords"),
    "title that continues a sentence": replaced(
        slice(2, TITLE + 1), "Proceeding contribution from Jim Smith.", "Monday, 1 March"
    ),
    "title that continues a sentence as it occurred": replaced(
        slice(2, TITLE + 1), "Proceeding contribution from Jim Smith.", "It occurred during-night sitting"
    ),
    "title that is a label": replaced(TITLE, "Notes"),
    "title with a space after it": replaced(TITLE, SAMPLE_PARTS[TITLE] + " "),
    "label inside the text": edited(lambda parts: parts.insert(1, "Notes")),
    "member in the chair": replaced(5, "Lord Smith in the Chair"),
    "member starting with in the": replaced(5, "in the Chair"),
    "party in the middle": replaced(6, "(Party in the Middle)"),
    "member that occurred": replaced(5, "Tim It occurred during Loughton"),
    "party that occurred": replaced(6, "(Labour It occurred during Today)"),
    "party that reads as prose": replaced(6, "(Labour?)"),
    "party with a link": replaced(6, "(http://example.org)"),
    "member with an open bracket": replaced(5, "Lord Jones (Cardiff"),
    "member with a bracket inside": replaced(5, "Lord (Jones) Cardiff"),
    "member ending with an abbreviation": replaced(5, "Joe Bloggs St."),
    "member starting with a full stop": replaced(5, ".Tim Loughton"),
    "member with a double space": replaced(5, "Tim  Loughton"),
    "member that reads as prose": replaced(5, "Tim Loughton?"),
    "member too long for a name": replaced(5, "Tim " * 60 + "Loughton"),
    "member that is a label": replaced(5, "Type"),
    "party with two bracketed groups": replaced(6, "(Labour) (Co-op)"),
    "party with a tab": replaced(6, "(Liberal\tDemocrat)"),
    "date with a double space": replaced(7, "in the House of Commons on Tuesday, 23  February 2010."),
    "proceeding with a double space": replaced(
        8, "It occurred during Debate  on bills on Children, Schools and Families Bill."
    ),
    "proceeding with a space before the full stop": replaced(8, SAMPLE_PARTS[8].replace("Bill.", "Bill .")),
    "copy button glued to the type": after("Type", "Proceeding contribution Copy text to clipboard"),
    "copy button glued to the chamber": after("Chamber / Committee", "House of Commons chamber Copy URI to clipboard"),
    "type that is a heading": after("Type", "Back to top"),
    "type with a space before it": after("Type", " Proceeding contribution"),
    "chamber that is a label": after("Chamber / Committee", "Link"),
    "subject that is a label": edited(lambda parts: parts.insert(SUBJECTS + 1, "Notes")),
    "blank line among the subjects": replaced(slice(SUBJECTS + 1, SUBJECTS + 1), "Children", "", "Social services"),
    "indexing link that is a label": replaced(URI_VALUE + 2, "URI"),
    "solr link that is a heading": edited(lambda parts: parts.__setitem__(-1, "Back to top")),
    "reference with a tab": after("Reference", "506\tc185-6"),
    "blank reference": after("Reference", NBSP),
    "timestamp with spaces around it": after("Timestamp", " 2024-12-30  18:03:24 +0000 "),
    "timestamp in iso format": after("Timestamp", "2024-12-30T18:03:24+00:00"),
    "timestamp without a zone": after("Timestamp", "2024-12-30 18:03:24"),
    "uri with a space after it": after("URI", PIMS_URI + " "),
    "carriage return inside a line": replaced(5, "Tim\rLoughton"),
    "line after the last field": SAMPLE + "\nx",
    # bad input
    "empty": "",
    "blank lines": "\n\n",
    "bom only": "\ufeff",
    "whitespace": "  \r\n\t\n",
    "impossible timestamp": after("Timestamp", "2024-13-30 18:03:24 +0000"),
    "timestamp in words": after("Timestamp", "yesterday"),
    "timestamp zone out of range": after("Timestamp", "2024-12-30 18:03:24 +9900"),
    "missing uri": edited(lambda parts: parts.__delitem__(slice(URI, URI_VALUE + 1))),
    "no librarians' tools and no uri": text(lines()[:LIBRARIANS]),
    "uri label without value": edited(lambda parts: parts.__delitem__(URI_VALUE)),
    "uri label at the end": text(lines()[: URI + 1]),
    "https uri": after("URI", "https://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"),
    "uri without id": after("URI", "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_"),
    "capital hansard contribution uri": after("URI", "http://data.parliament.uk/pimsdata/Hansard/CONTRIBUTION_622898"),
    "intranet uri with no such day": after(
        "URI", "http://hansard.intranet.data.parliament.uk/Lords/2022-02-30/22031030000039"
    ),
    "intranet uri short id": after("URI", "http://hansard.intranet.data.parliament.uk/Lords/2022-03-10/2203103"),
    "question uri without suffix": after("URI", PQ_URI.removesuffix("/-question")),
    "not a uri": after("URI", "not a uri"),
    "bad reference": after("Reference", "506 x185"),
    "bad session": after("Session", "2009/10"),
    "garbage date": replaced(7, "in the House of Commons on Blursday, 99 February 2010."),
    "wrong weekday": replaced(7, "in the House of Commons on Monday, 23 February 2010."),
    "house of parliament": replaced(7, "in the House of Parliament on Tuesday, 23 February 2010."),
    "unterminated sentence": replaced(slice(7, 9), "in the House of Commons on Tuesday, 23 February 2010"),
    "no speech text": edited(lambda parts: parts.__delitem__(PARAGRAPHS)),
    "no title": edited(lambda parts: parts.__delitem__(slice(0, PRELIM.start))),
    "fields without body": text(lines()[TYPE:]),
    "sentence inside the text": replaced(
        slice(0, PRELIM.stop), SAMPLE_PARTS[0], SAMPLE_PARTS[1], ONE_LINE_PRELIM, SAMPLE_PARTS[2], SAMPLE_PARTS[TITLE]
    ),
    "sentence inside a long text": long_text_with_sentence_inside(),
    "prose for the title": replaced(TITLE, SAMPLE_PARTS[2]),
    "sentence pieces out of order": replaced(slice(5, 7), SAMPLE_PARTS[6], SAMPLE_PARTS[5]),
    "prose for the type": after("Type", SAMPLE_PARTS[2]),
    "link for the chamber": after("Chamber / Committee", "http://indexing.parliament.uk/Content/Edit/1"),
    "sentence for a subject": edited(
        lambda parts: parts.insert(SUBJECTS + 1, "in the House of Commons on Tuesday, 23 February 2010.")
    ),
    "no sentence and no title": edited(lambda parts: parts.__delitem__(slice(TITLE, PRELIM.stop))),
    "stray line among the fields": edited(lambda parts: parts.insert(LIBRARIANS + 1, "Some stray line")),
    "duplicate uri": replaced(slice(URI_VALUE + 1, URI_VALUE + 1), "URI", PIMS_URI),
    "two sessions": after("Session", "2009-10", "2010-11"),
    "hello world": "hello world",
    "xml": "<?xml version='1.0'?>\n<publicwhip/>",
    "sentence-like lines in bulk": "Proceeding contribution from\n" * 300,
}


def test_the_fast_path_reads_the_sample_layout() -> None:
    """Otherwise the comparisons below would compare the general parser with itself."""
    taken = [name for name, page in VARIANTS.items() if parse_sample_layout(page) is not None]
    assert {
        "sample",
        "bom",
        "crlf",
        "bom crlf final newline",
        "final newlines",
        "lords member",
        "bracketed disambiguation on five lines",
        "party with brackets on five lines",
        "business question on five lines",
        "house of lords bill title",
        "about this result heading",
        "curly librarians' tools",
        "chamber label without spaces",
        "blank lines between paragraphs",
        "noise lines in the text",
        "intranet uri and cc reference",
        "summer timestamp",
        "two references on one line",
        "reference hidden",
        "subjects",
        "two subjects",
        "another type",
    } <= set(taken)


@pytest.mark.parametrize("page", list(VARIANTS.values()), ids=list(VARIANTS))
def test_variant_reads_the_same_both_ways(page: str) -> None:
    assert_same_both_ways(page)


# --------------------------------------------------------------------------- generated pages


def joined(*parts: str) -> st.SearchStrategy[str]:
    """One to three of ``parts`` run together."""
    return st.lists(st.sampled_from(parts), min_size=1, max_size=3).map("".join)


# Text that the fast path must notice, or not be fooled by: whitespace that strip()
# or the sentence's glue would change, brackets and full stops, the phrases that
# the sentence is split at, labels and headings, copy buttons, prose endings,
# links and lines too long for a name.
TRICKY = (" ", "  ", "\t", NBSP, "\r", ".", ",", "(", ")", " in the ", " on ", "It occurred during ", "Notes")
TRICKY += ("Back to top", "Copy URI to clipboard", "?", "://", "x" * 301)

# Each slot of a sample-layout page: its value in the sample, and other values,
# good and bad, to put there.
SLOTS: dict[str, tuple[str, st.SearchStrategy[str]]] = {
    "last paragraph": (
        SAMPLE_PARTS[2],
        st.sampled_from(
            [
                "Business question from Tim Loughton",
                "Proceeding contribution from Jim Smith.",
                "Order from the House of Lords",
                "Why?",
                "Moved by",
                "7.30 pm",
            ]
        ),
    ),
    "title": (
        SAMPLE_PARTS[TITLE],
        st.sampled_from(["House of Lords Bill [HL]", "Powers of Entry etc. Bill [HL]", "Business of the House"])
        | joined(
            "Order", " from", " the House of Lords", "Monday, ", "in the ", "on ", "Proceeding contribution", *TRICKY
        ),
    ),
    "object name": (
        "Proceeding contribution",
        st.sampled_from(
            ["Business question", "Speaker's ruling", "Speaker’s ruling", "Oral question time intervention"]
        ),
    ),
    "member": (
        "Tim Loughton",
        st.sampled_from(["Lord Sharpe of Epsom", "Lord Jones (Cardiff)", "Joe Bloggs St.", "The Lord Bishop of Durham"])
        | joined("Tim", " Loughton", " (Cardiff)", " Chair", " St.", "Type", "x" * 201, *TRICKY),
    ),
    "party": (
        "Conservative",
        st.sampled_from(["Labour (Co-op)", "Liberal Democrat", "Crossbench"])
        | joined("Labour", " (Co-op)", " Democrat", *TRICKY),
    ),
    "house": (
        "House of Commons",
        st.sampled_from(["House of Lords", "House of Parliament", "House of Commons and House of Lords"]),
    ),
    "date": (
        "Tuesday, 23 February 2010",
        st.sampled_from(
            [
                "Tuesday,  2 February 2010",
                "Tuesday, 2 February 2010",
                "Monday, 23 February 2010",
                "Tuesday, 30 February 2010",
                "Blursday, 1 May 2010",
                " Tuesday, 23 February 2010",
                "Tuesday, 23 February 2010 ",
                "Tuesday, 23 February 2010 on Monday, 1 March 2010",
            ]
        ),
    ),
    "proceeding": (
        "Debate on bills on Children, Schools and Families Bill",
        st.sampled_from(["Adjournment debate on Whitsun Adjournment", "Debate on bills and Committee proceeding on X"])
        | joined("Debate", " on bills", " on ", "Commons Bill [HL]", " and Committee proceeding", *TRICKY),
    ),
    "type": (
        "Proceeding contribution",
        st.sampled_from(["Business question", "Speaker's ruling"]) | joined("Proceeding contribution", *TRICKY),
    ),
    "reference": (
        "506 c185-6" + NBSP,
        st.sampled_from(
            ["819 cc1560-1 ", "vol 512 cc113-5WH", ".", NBSP, "506 x185", "506 c185-6; 507 c12WH", "506\tc185-6"]
        ),
    ),
    "session": ("2009-10", st.sampled_from(["2010-12", "2009/10", " 2009-10", "2009-10 "])),
    "chamber label": ("Chamber / Committee", st.sampled_from(["Chamber/Committee", "Chamber", "Chamber / Committee "])),
    "chamber": (
        "House of Commons chamber",
        st.sampled_from(["House of Lords Grand Committee"]) | joined("House of Commons chamber", *TRICKY),
    ),
    "subjects": (
        "",
        st.lists(
            st.sampled_from(["Children", "Social services", "", " Children", *TRICKY]), min_size=1, max_size=3
        ).map("\n".join),
    ),
    "heading": (
        "Librarians' tools",
        st.sampled_from(["Librarians’ tools", "About this result", "Back to top", "Secondary information", "Notes"]),
    ),
    "timestamp": (
        "2024-12-30 18:03:24 +0000",
        st.sampled_from(
            [
                "2025-07-01 09:15:00 +0100",
                "2025-07-01 09:15:00 +01:00",
                "2024-13-30 18:03:24 +0000",
                " 2024-12-30  18:03:24 +0000",
                "2024-12-30 18:03:24",
            ]
        ),
    ),
    "uri": (PIMS_URI, st.sampled_from([INTRANET_URI, PQ_URI, PIMS_URI + " ", "Notes", "not a uri"])),
    "indexing": (
        "http://indexing.parliament.uk/Content/Edit/1?uri=" + PIMS_URI,
        st.sampled_from(["", " ", "URI", "x Copy URI to clipboard"]),
    ),
    "solr": ("https://search.parliament.uk/claw/solr/?id=" + PIMS_URI, st.sampled_from(["", "Back to top", "x "])),
    "line end": ("\n", st.just("\r\n")),
    "start": ("", st.sampled_from(["\ufeff", "\n", " "])),
    "end": ("", st.sampled_from(["\n", "\n\n", " \r\n", "\nx"])),
}


def sample_layout_page(values: dict[str, str]) -> str:
    parts = [
        *SAMPLE_PARTS[:2],
        values["last paragraph"],
        values["title"],
        f"{values['object name']} from",
        values["member"],
        f"({values['party']})",
        f"in the {values['house']} on {values['date']}.",
        f"It occurred during {values['proceeding']}.",
        "Type",
        values["type"],
        "Reference",
        values["reference"],
        "Session",
        values["session"],
        values["chamber label"],
        values["chamber"],
        "Subjects",
        *([values["subjects"]] if values["subjects"] else []),
        values["heading"],
        "Timestamp",
        values["timestamp"],
        "URI",
        values["uri"],
        "In Indexing",
        values["indexing"],
        "In Solr",
        values["solr"],
    ]
    return values["start"] + "\n".join(parts).replace("\n", values["line end"]) + values["end"]


def test_the_sample_is_the_generated_page_with_every_slot_as_in_the_sample() -> None:
    assert sample_layout_page({name: typical for name, (typical, _) in SLOTS.items()}) == SAMPLE


@st.composite
def sample_layout_pages(draw: st.DrawFn) -> str:
    """The sample with one or two of its slots given another value."""
    values = {name: typical for name, (typical, _) in SLOTS.items()}
    for name in draw(st.lists(st.sampled_from(list(SLOTS)), min_size=1, max_size=2, unique=True)):
        values[name] = draw(SLOTS[name][1])
    return sample_layout_page(values)


EXAMPLES = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(sample_layout_pages())
def test_generated_page_reads_the_same_both_ways(page: str) -> None:
    assert_same_both_ways(page)


# --------------------------------------------------------------------------- mutations

PIECES = [*TRICKY, "\u2028", "\x85", "\ufeff", " (Co-op)", "in the ", " from", "Business question from", "Type", "URI"]
PIECES += ["Reference", "Subjects", "Librarians' tools", "Timestamp", "506 c185-6", "2009-10", "Monday, ", "\n"]
BASES = [
    SAMPLE,
    VARIANTS["subjects"],
    VARIANTS["business question on five lines"],
    VARIANTS["party with brackets on five lines"],
]


def mutate(page: str, operations: list[tuple[str, int, int, str]]) -> str:
    """Apply line operations, counting lines from the end of the page, where the fast path reads."""
    parts = page.split("\n")
    for operation, i, j, piece in operations:
        i, j = len(parts) - 1 - i % len(parts), j % len(parts)
        line = parts[i]
        if operation == "drop":
            del parts[i]
        elif operation == "duplicate":
            parts.insert(j, line)
        elif operation == "swap":
            parts[i], parts[j] = parts[j], line
        elif operation == "insert line":
            parts.insert(i, piece)
        elif operation == "replace line":
            parts[i] = piece
        else:  # "insert": inside the line
            cut = j % (len(line) + 1)
            parts[i] = line[:cut] + piece + line[cut:]
        if not parts:
            parts = [piece]
    return "\n".join(parts)


@EXAMPLES
@given(
    st.sampled_from(BASES),
    st.lists(
        st.tuples(
            st.sampled_from(["drop", "duplicate", "swap", "insert line", "replace line", "insert"]),
            st.integers(0, 30),
            st.integers(0, 400),
            st.sampled_from(PIECES) | st.text(max_size=3),
        ),
        max_size=3,
    ),
)
def test_mutated_page_reads_the_same_both_ways(page: str, operations: list[tuple[str, int, int, str]]) -> None:
    assert_same_both_ways(mutate(page, operations))


@EXAMPLES
@given(st.sampled_from(BASES), st.randoms(use_true_random=False))
def test_page_with_whitespace_changed_reads_the_same_both_ways(page: str, rng: random.Random) -> None:
    """Whitespace that strip() or the sentence's glue would change, anywhere; the lines keep their order."""
    parts = page.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(parts))
        line = parts[i]
        space = rng.choice([" ", "\t", NBSP, "\r", "  ", "\u2028"])
        spaces = [at for at, char in enumerate(line) if char == " "]
        if spaces and rng.random() < 0.5:
            at = rng.choice(spaces)
            parts[i] = line[:at] + space + line[at + 1 :]
        else:
            parts[i] = rng.choice([space + line, line + space])
    assert_same_both_ways("\n".join(parts))
