"""Parser for the divisions (recorded votes) in ParlParse / TheyWorkForYou XML.

A ``<division>`` sits among the speeches of a Commons debates file or a Lords day
page, and again in the divisions-only extracts (``divisionsonly/``,
``lordsdivisionsonly/``), which keep the headings and the speeches around each
division. Pure: bytes in, `DivisionFile` out (typed records, located warnings),
or a `ParseError` for malformed XML.

What the XML says, and what it means:
- ``<divisioncount>`` holds the official counts: Commons ``ayes``/``noes`` exclude
  the two tellers per side, whom the ``<mplist>`` lists include (``teller="yes"``);
  Lords ``content``/``not-content`` include theirs.
- A voter is ``id="uk.org.publicwhip/member/N"`` (Commons), ``.../lord/N`` (Lords),
  or, in newer files, ``person_id="uk.org.publicwhip/person/N"``.
- The question put is the "Question put, That ..." (Commons) or "Division on ..."
  (Lords) paragraph before the division; the motion is the last "I beg to move" /
  "Amendment proposed" / "Moved by" paragraph of the same debate.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.twfy import bill_after_heading, debate_title_under, heading_text, xml_events

__all__ = ["DivisionFile", "ParsedDivision", "ParsedVote", "parse_divisions"]

AYE, NO, CONTENT, NOT_CONTENT = "aye", "no", "content", "not-content"
# Which side of the count a vote is on: (yes side, no side) per house.
_SIDES = {HOUSE_OF_COMMONS: (AYE, NO), HOUSE_OF_LORDS: (CONTENT, NOT_CONTENT)}
_COUNT_KEYS = {HOUSE_OF_COMMONS: ("ayes", "noes"), HOUSE_OF_LORDS: ("content", "not-content")}
_HOUSE_OF_NAMESPACE = {"debate": HOUSE_OF_COMMONS, "lords": HOUSE_OF_LORDS}
_LIST_TAGS = {"mplist": "mpname", "lordlist": "lord"}
_HEADING_TAGS = frozenset({"major-heading", "minor-heading", "oral-heading"})

# uk.org.publicwhip/debate/2010-02-08b.651.2 -> ("debate", "2010-02-08", "b")
_GID_RE = re.compile(r"^uk\.org\.publicwhip/([a-z]+)/(\d{4}-\d{2}-\d{2})([a-z]*)\.")
_MEMBER_RE = re.compile(r"^uk\.org\.publicwhip/(?:member|lord)/\d+$")
_PERSON_RE = re.compile(r"^uk\.org\.publicwhip/person/\d+$")
_TIME_RE = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})$")
# "Question put, That ...", "Main Question put.", "Main Question, as amended, put.", "Motion made, and
# Question put forthwith (...), That ...", "Mr. Speaker put forthwith the Question already
# proposed from the Chair (...), That ...", "Division on Amendment 44", "On Question, Whether ...".
_QUESTION_RE = re.compile(
    r"^(?:(?:Motion\s+made,?\s+and\s+)?(?:Main\s+)?Question,?\s+(?:as\s+amended,?\s+)?put\b"
    r"|(?:Main\s+)?Question\s+proposed\b|Division\s+on\b|On\s+Question\b)"
    r"|\bput\s+(?:forthwith\s+)?the\s+(?:Main\s+)?Question\b.*,\s*That\b",
    re.I,
)
_MOTION_RE = re.compile(r"^(?:I\s+beg\s+to\s+move|Motion\s+made|Amendment\s+proposed|Moved\s+by)\b", re.I)
# A motion that amends another: what "Main Question put" is not about.
_AMENDMENT_RE = re.compile(r"^(?:I\s+beg\s+to\s+move\s+(?:an\s+)?amendment|Amendment\s+proposed)\b", re.I)
# "Main Question put.", "Main Question, as amended, put.": the debate's own motion, not its amendment.
_MAIN_QUESTION_RE = re.compile(r"^Main\s+Question\b", re.I)
# "The House divided: Ayes 357, Noes 180." / "Contents 153; Not-Contents 127."
_STATED_RE = re.compile(r"\b(?:Ayes|Contents)\s+(\d+)\s*[,;]\s*(?:Noes|Not-Contents)\s+(\d+)", re.I)
_TEXT_CHARS = 1000
_CONTINUED = (",", "-", ":", "—", "–")


@dataclass(frozen=True, slots=True)
class ParsedVote:
    """One name in a division list. ``member_ref`` is None when the list gives only a person id."""

    member_ref: str | None
    person_ref: str | None
    name: str
    vote: str  # aye, no, content or not-content
    teller: bool
    proxy: str | None


@dataclass(frozen=True, slots=True)
class ParsedDivision:
    """One division as the XML gives it, with its context in the debate."""

    house: str
    date: dt.date
    number: int
    gid: str  # the TWFY id of the <division>, version letter included
    version: str  # the day's version letter ("a", "b", ...): a newer one replaces an older
    colnum: str | None
    time: str | None
    hansard_url: str | None
    # Official counts: Commons ayes/noes, Lords contents/not-contents.
    ayes: int
    noes: int
    teller_ayes: int | None
    teller_noes: int | None
    debate_title: str | None
    bill_title: str | None
    heading: str | None  # the minor heading (the stage or clause), if any
    question: str | None
    motion: str | None
    # The TWFY id of the last speech before the division: its contribution names the debate.
    preceding_gid: str | None
    votes: tuple[ParsedVote, ...]
    source: str
    line: int

    @property
    def passed(self) -> bool:
        return self.ayes > self.noes


@dataclass(slots=True)
class DivisionFile:
    divisions: list[ParsedDivision] = field(default_factory=list)
    # "file:line: ..." for a division whose lists disagree with its count, or that cannot be read.
    warnings: list[str] = field(default_factory=list)


def parse_divisions(data: bytes, source: str) -> DivisionFile:
    """Every division in one ParlParse XML file; files without one cost a byte search."""
    result = DivisionFile()
    if b"<division" not in data:
        return result
    walker = _Walker(source, data, result)
    root: ET.Element | None = None
    depth = 0
    for event, elem in xml_events(data, source):
        if event == "start":
            depth += 1
            if root is None:
                root = elem
            continue
        depth -= 1
        if depth == 1 and root is not None:
            walker.handle(elem)
            root.remove(elem)  # one top-level element in memory at a time
    return result


def _text(elem: ET.Element) -> str:
    return " ".join("".join(elem.itertext()).split())


class _Walker:
    """Headings, question and motion seen so far, while walking one file's top-level elements."""

    def __init__(self, source: str, data: bytes, result: DivisionFile) -> None:
        self.source = source
        self.data = data
        self.result = result
        self.major: str | None = None
        self.minor: str | None = None
        self.bill: str | None = None
        self.question: str | None = None
        self.motion: str | None = None
        # The debate's own motion (the last one that amends nothing), for "Main Question put".
        self.main_motion: str | None = None
        self.stated: tuple[int, int] | None = None
        self.preceding_gid: str | None = None

    def handle(self, elem: ET.Element) -> None:
        if elem.tag in _HEADING_TAGS:
            self._heading(elem)
        elif elem.tag == "division":
            self._division(elem)
        elif elem.tag == "speech":
            self.preceding_gid = elem.get("id") or self.preceding_gid
            self._paragraphs([_text(p) for p in elem])

    def _heading(self, elem: ET.Element) -> None:
        text = heading_text(elem)[0]
        # The same rule as the contributions' (storage.twfy): a heading that names no Bill and is
        # no clause, stage or motion of one ends the Bill's debate.
        self.bill = bill_after_heading(self.bill, text)
        if elem.tag == "minor-heading":
            self.minor = text or None
        else:
            self.major, self.minor = text or None, None
            self.motion = self.main_motion = None
        self.question = None

    def _paragraphs(self, paragraphs: list[str]) -> None:
        for index, text in enumerate(paragraphs):
            if _QUESTION_RE.search(text):
                self.question = text[:_TEXT_CHARS]
            elif _MOTION_RE.match(text):
                motion = text
                # "I beg to move," / "... at end insert-" / "Moved by Lord X": the words moved follow.
                if index + 1 < len(paragraphs) and (text.endswith(_CONTINUED) or text.startswith("Moved by")):
                    motion = f"{text} {paragraphs[index + 1]}"
                self.motion = motion[:_TEXT_CHARS]
                if not _AMENDMENT_RE.match(text):
                    self.main_motion = self.motion
            stated = _STATED_RE.search(text)
            if stated is not None:
                self.stated = (int(stated.group(1)), int(stated.group(2)))

    def _line(self, gid: str) -> int:
        pos = self.data.find(f'id="{gid}"'.encode("latin-1", "replace")) if gid else -1
        return self.data.count(b"\n", 0, pos) + 1 if pos >= 0 else 1

    def _warn(self, line: int, reason: str) -> None:
        self.result.warnings.append(f"{self.source}:{line}: {reason}")

    def _division(self, elem: ET.Element) -> None:
        gid = elem.get("id", "")
        line = self._line(gid)
        parsed = self._read(elem, gid, line)
        if parsed is not None:
            self.result.divisions.append(parsed)
            self._check(parsed)
        # What follows a division belongs to the next question.
        self.question, self.stated = None, None

    def _read(self, elem: ET.Element, gid: str, line: int) -> ParsedDivision | None:
        match = _GID_RE.match(gid)
        house = _HOUSE_OF_NAMESPACE.get(match.group(1)) if match else None
        number_text = elem.get("divnumber", "")
        try:
            date = dt.date.fromisoformat(elem.get("divdate") or (match.group(2) if match else ""))
        except ValueError:
            self._warn(line, f"division {gid!r} has no readable divdate: skipped")
            return None
        if match is None or house is None or not (number_text.isascii() and number_text.isdigit()):
            self._warn(line, f"division {gid!r} has no house or divnumber this parser knows: skipped")
            return None
        count = elem.find("divisioncount")
        counts = count.attrib if count is not None else {}
        yes_key, no_key = _COUNT_KEYS[house]
        try:
            ayes, noes = int(counts[yes_key]), int(counts[no_key])
        except (KeyError, ValueError):
            self._warn(line, f"division {number_text} of {date} has no readable <divisioncount>: skipped")
            return None
        teller_ayes = _optional_int(counts.get("tellerayes"))
        teller_noes = _optional_int(counts.get("tellernoes"))
        time = _TIME_RE.match(elem.get("time", ""))
        return ParsedDivision(
            house=house,
            date=date,
            number=int(number_text),
            gid=gid,
            version=match.group(3),
            colnum=elem.get("colnum") or None,
            time=f"{int(time.group(1)):02d}:{time.group(2)}" if time else None,
            hansard_url=elem.get("url") or None,
            ayes=ayes,
            noes=noes,
            teller_ayes=teller_ayes,
            teller_noes=teller_noes,
            debate_title=debate_title_under(self.major, self.minor, self.bill),
            bill_title=self.bill,
            heading=self.minor,
            question=self.question,
            motion=self.main_motion
            if self.main_motion and self.question and _MAIN_QUESTION_RE.match(self.question)
            else self.motion,
            preceding_gid=self.preceding_gid,
            votes=tuple(self._votes(elem, house, line)),
            source=self.source,
            line=line,
        )

    def _votes(self, elem: ET.Element, house: str, line: int) -> list[ParsedVote]:
        votes: list[ParsedVote] = []
        for listing in elem:
            name_tag = _LIST_TAGS.get(listing.tag)
            if name_tag is None:
                continue
            for voter in listing.iter(name_tag):
                vote = voter.get("vote") or listing.get("vote") or ""
                if vote not in _SIDES[house]:
                    self._warn(line, f"a vote {vote!r} this parser does not know, for {_text(voter)!r}: skipped")
                    continue
                raw = voter.get("id") or voter.get("person_id") or voter.get("memberid") or ""
                member_ref = raw if _MEMBER_RE.match(raw) else None
                person_ref = raw if _PERSON_RE.match(raw) else None
                if member_ref is None and person_ref is None:
                    self._warn(line, f"{_text(voter)!r} has no member or person id: stored by name only")
                votes.append(
                    ParsedVote(
                        member_ref=member_ref,
                        person_ref=person_ref,
                        name=_text(voter).removesuffix("[Teller]").strip(),
                        vote=vote,
                        teller=voter.get("teller") == "yes",
                        proxy=voter.get("proxy") or None,
                    )
                )
        return votes

    def _check(self, division: ParsedDivision) -> None:
        """Warn where the lists, the count and the spoken result disagree."""
        yes_side, no_side = _SIDES[division.house]
        # The Commons counts exclude the tellers; the Lords counts include them.
        counted = [
            sum(1 for v in division.votes if v.vote == side and not (v.teller and division.house == HOUSE_OF_COMMONS))
            for side in (yes_side, no_side)
        ]
        label = f"division {division.number} of {division.date}"
        for side, listed, official in zip((yes_side, no_side), counted, (division.ayes, division.noes), strict=True):
            if listed != official:
                self._warn(division.line, f"{label}: the {side} list has {listed} names, the count says {official}")
        if self.stated is not None and self.stated != (division.ayes, division.noes):
            self._warn(
                division.line,
                f"{label}: the text says {self.stated[0]} to {self.stated[1]}, "
                f"the count says {division.ayes} to {division.noes}",
            )


def _optional_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() else None
