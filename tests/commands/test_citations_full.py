"""Full citations on the bundled real data, on both back ends: column ranges, official links, Q&A pairs.

Expected columns, addresses and pairs are read from the XML itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import Engine

from commands.citations import abbreviate_range
from commands.core import HansardCore
from storage.reference_data import bundled_data_dir
from storage.twfy import twfy_uri

XML = bundled_data_dir() / "hansard_twfy_xml_2010"
SUFFIX = {"debates": "", "westminhall": "WH", "wms": "WS", "wrans": "W"}


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    return HansardCore(bundled_store)


def _speeches(path: Path) -> list[tuple[ET.Element, int | None]]:
    """Contributions with text, each with the column of the next element that states one."""
    elements = [e for e in ET.parse(path).getroot() if e.get("colnum")]
    found = []
    for i, elem in enumerate(elements):
        if elem.tag in ("speech", "ques", "reply") and "".join(elem.itertext()).strip():
            following = elements[i + 1].get("colnum", "") if i + 1 < len(elements) else ""
            digits = "".join(ch for ch in following if ch.isdigit())
            found.append((elem, int(digits) if digits else None))
    return found


@pytest.mark.parametrize("series", sorted(SUFFIX))
def test_references_give_the_column_range_and_the_official_address(core: HansardCore, series: str) -> None:
    path = sorted((XML / series).glob("*.xml"))[-1]
    checked = 0
    for elem, next_column in _speeches(path)[:40]:
        start = int("".join(ch for ch in elem.get("colnum", "") if ch.isdigit()))
        reply = core.contribution(twfy_uri(elem.get("id", "")) or "")
        assert reply.item is not None, elem.get("id")
        columns = abbreviate_range(start, next_column) if next_column and next_column > start else str(start)
        assert reply.item.reference is not None and reply.item.reference.endswith(f" c{columns}{SUFFIX[series]}")
        assert reply.item.official_url == elem.get("url")
        data = reply.item.to_json()
        assert data["uri"].startswith("https://www.theyworkforyou.com/") and data["official_url"] == elem.get("url")
        checked += 1
    assert checked == min(40, len(_speeches(path)))


def test_the_issue_example_column_range(core: HansardCore) -> None:
    reply = core.contribution("https://www.theyworkforyou.com/debates/?id=2010-02-05a.536.2")
    assert reply.item is not None and reply.item.reference == "HC Deb 5 February 2010 c536-45"


def test_a_written_question_and_its_answer_appear_together(core: HansardCore) -> None:
    root = ET.parse(XML / "wrans" / "answers2010-02-01b.xml").getroot()
    questions: list[str] = []
    checked = 0
    for elem in root:
        if elem.tag == "ques":
            questions.append(elem.get("id", ""))
        elif elem.tag == "reply":
            answer = core.contribution(twfy_uri(elem.get("id", "")) or "")
            assert answer.item is not None
            asked = [p.uri for p in answer.item.paired]
            assert asked == [twfy_uri(q) for q in questions] and {p.kind for p in answer.item.paired} == {"question"}
            for question_id in questions:
                question = core.contribution(twfy_uri(question_id) or "")
                assert question.item is not None
                assert [(p.kind, p.uri) for p in question.item.paired] == [("answer", answer.item.uri)]
            checked += 1
            questions = []
            if checked == 25:
                break
        elif elem.tag.endswith("heading"):
            questions = []
    assert checked == 25


def test_speeches_have_no_pair(core: HansardCore) -> None:
    reply = core.contribution("https://www.theyworkforyou.com/debates/?id=2010-02-05a.536.2")
    assert reply.item is not None and reply.item.paired == ()
