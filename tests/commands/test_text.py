"""Excerpts (plain text and the spans of matched words), cuts at word boundaries, and citations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.citations import abbreviate_range, formal_reference
from commands.text import Excerpt, excerpt, sentence_starts, truncate, unmark
from storage.parser import parse_reference
from storage.search import MARK_END, MARK_START
from tests.conftest import DATA

SAMPLE_TEXT = "\n\n".join(
    line for line in (DATA / "samples" / "CONTRIBUTION_622898.txt").read_text(encoding="utf-8").splitlines()[:3]
)


def mark(text: str, *words: str) -> str:
    for word in words:
        text = re.sub(rf"\b({re.escape(word)})\b", f"{MARK_START}\\1{MARK_END}", text)
    return text


def matched(result: Excerpt) -> list[str]:
    return [result.text[start:end] for start, end in result.highlights]


def test_excerpt_is_plain_text_with_spans_of_the_matches() -> None:
    result = excerpt(SAMPLE_TEXT, mark(SAMPLE_TEXT, "tabloid"), 300)
    assert len(result.text) <= 300
    assert matched(result) == ["tabloid"]
    assert MARK_START not in result.text and "**" not in result.text
    assert result.text.startswith("…")  # the match is near the end, so the start is cut


def test_excerpt_without_query_starts_at_the_beginning() -> None:
    result = excerpt(SAMPLE_TEXT, None, 200)
    assert result.text.startswith("The hon. Gentleman is right.")
    assert result.text.endswith("…") and len(result.text) <= 200 and not result.highlights


def test_excerpt_of_one_long_sentence_keeps_the_match() -> None:
    words = [f"word{i}" for i in range(400)]
    words[300] = "needle"
    text = " ".join(words)
    result = excerpt(text, mark(text, "needle"), 200)
    assert matched(result) == ["needle"] and len(result.text) <= 200


@given(st.text(min_size=1, max_size=2000), st.integers(min_value=50, max_value=1024))
@settings(max_examples=150)
def test_excerpt_never_exceeds_limit_and_spans_point_at_matches(text: str, limit: int) -> None:
    words = text.split()
    marked = mark(text, words[0]) if words and words[0].isalnum() else text
    result = excerpt(text, marked, limit)
    assert len(result.text) <= limit
    for start, end in result.highlights:
        assert 0 <= start < end <= len(result.text)
        assert result.text[start:end].strip()


def test_unmark_gives_offsets_into_the_plain_text() -> None:
    plain = unmark(f"a {MARK_START}b{MARK_END} c {MARK_START}dd{MARK_END}")
    assert plain == Excerpt("a b c dd", ((2, 3), (6, 8)))


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("I agree with the hon. Gentleman. He is right.", ["I agree with the hon. Gentleman.", "He is right."]),
        ("Mr. Speaker, the rt. hon. Member spoke. Yes.", ["Mr. Speaker, the rt. hon. Member spoke.", "Yes."]),
        (
            "It rose by 5 per cent. of the total. Then it fell.",
            ["It rose by 5 per cent. of the total.", "Then it fell."],
        ),
        ("It rose by 5 per cent. The rest fell.", ["It rose by 5 per cent.", "The rest fell."]),
        ("See No. 10 and Nos. 4 to 6. Done? Yes!", ["See No. 10 and Nos. 4 to 6.", "Done?", "Yes!"]),
        ("Written by J. Smith. First line\nSecond line", ["Written by J. Smith.", "First line", "Second line"]),
    ],
)
def test_sentences_know_hansards_abbreviations(text: str, sentences: list[str]) -> None:
    starts = sentence_starts(text)
    found = [text[start:end].strip() for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert found == sentences


def test_an_excerpt_starts_where_a_sentence_starts() -> None:
    ending = "As the hon. Gentleman will agree, the needle matters."
    text = "First sentence here. " + "Filler words go on. " * 40 + ending
    for limit in range(60, 200, 7):
        result = excerpt(text, mark(text, "needle"), limit)
        assert matched(result) == ["needle"]
        passage = result.text.removeprefix("…")
        assert any(text[start:].startswith(passage[:20]) for start in sentence_starts(text)), result.text


def test_truncate_cuts_at_word_boundary() -> None:
    assert truncate("alpha beta gamma delta", 12) == "alpha beta…"
    assert truncate("short", 10) == "short"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(185, 186, "185-6"), (1560, 1561, "1560-1"), (99, 101, "99-101"), (113, 115, "113-5")],
)
def test_abbreviate_range(start: int, end: int, expected: str) -> None:
    assert abbreviate_range(start, end) == expected


@pytest.mark.parametrize(
    ("house", "raw", "expected"),
    [
        ("House of Commons", "506 c185-6", "HC Deb 23 February 2010 vol 506 c185-6"),
        ("House of Lords", "819 cc1560-1", "HL Deb 23 February 2010 vol 819 cc1560-1"),
        ("House of Lords", "675 c75GC", "HL Deb 23 February 2010 vol 675 c75GC"),
        ("House of Commons", "vol 512 cc113-5WH", "HC Deb 23 February 2010 vol 512 cc113-5WH"),
        ("House of Commons", "c967W", "HC Deb 23 February 2010 c967W"),
    ],
)
def test_formal_reference(house: str, raw: str, expected: str) -> None:
    reference = parse_reference(raw)
    as_dict = {
        "volume": reference.volume,
        "start_column": reference.start_column,
        "end_column": reference.end_column,
        "suffix": reference.suffix,
        "raw": reference.raw,
    }
    assert formal_reference(house, dt.date(2010, 2, 23), [as_dict]) == expected


def test_no_reference_gives_none() -> None:
    assert formal_reference("House of Commons", dt.date(2010, 2, 23), []) is None
