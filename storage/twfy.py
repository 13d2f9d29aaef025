"""Parser for the ParlParse / TheyWorkForYou ("publicwhip") Hansard XML.

One file holds one version of one sitting day of one series: Commons debates,
Westminster Hall, written ministerial statements (wms), written questions and
answers (wrans), and their House of Lords counterparts (lords day pages, Lords
wms and wrans). A superseded version is a stub of ``gidredirect`` lines (see
`storage.twfy_versions`): it yields no contributions, only its redirects.
The top-level elements are headings (``major-heading``, ``minor-heading``,
``oral-heading``), spoken or written contributions (``speech``; ``ques`` and
``reply`` in wrans) and things we do not index (``division``, ``gidredirect``).

Every contribution becomes a `ParsedContribution`, the same record the
Parliamentary Search text parser produces, so the importer has one shape to store.

Only the standard library is used. Expat expands the entities declared in the
file's internal DTD (``&ndash;``, ``&pound;`` ...) and refuses external entities
("undefined entity"), so a hostile file cannot make us read local files or the
network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pyexpat import ErrorString

from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS, ParsedContribution, ParseError, Reference
from storage.reference_data import BillTitles, MemberDirectory
from storage.twfy_versions import REMOVED, DayKey, Redirect, parse_gid

__all__ = [
    "TwfyFile",
    "bill_after_heading",
    "bill_in_heading",
    "day_scope",
    "debate_title_under",
    "heading_text",
    "is_bill_subsection",
    "looks_like_twfy",
    "parse_twfy_file",
    "read_twfy_file",
    "twfy_gid",
    "twfy_uri",
    "uris_for_id",
]

TWFY_BASE_URL = "https://www.theyworkforyou.com"


@dataclass(frozen=True, slots=True)
class _Series:
    """What one publicwhip id namespace (``uk.org.publicwhip/<ns>/...``) means."""

    twfy_path: str  # the section of theyworkforyou.com that shows it
    chamber: str
    debate_type: str
    contribution_type: str  # for <speech>; wrans use per-element types below
    # Column series of the printed Hansard. wms and wrans colnums carry it
    # ("5WS", "967W") but Westminster Hall colnums are bare ("257" for 257WH).
    column_suffix: str
    folder: str  # TWFY's folder of the series, which names its days (`DayKey`)
    house: str = HOUSE_OF_COMMONS


_SERIES: dict[str, _Series] = {
    "debate": _Series("debates", "House of Commons chamber", "Debate", "Proceeding contribution", "", "debates"),
    "westminhall": _Series(
        "whall", "Westminster Hall", "Westminster Hall debate", "Proceeding contribution", "WH", "westminhall"
    ),
    "wms": _Series(
        "wms", "House of Commons chamber", "Written ministerial statement", "Written statement", "WS", "wms"
    ),
    "wrans": _Series("wrans", "House of Commons chamber", "Written question", "Written question", "W", "wrans"),
    "lords": _Series(
        "lords", "House of Lords chamber", "Debate", "Proceeding contribution", "", "lordspages", HOUSE_OF_LORDS
    ),
}
# Lords written statements and answers share the Commons' id namespaces: their files
# say which House they are from (Lords speakers, House of Lords urls). Lords columns
# are bare numbers; the printed series is WS for statements and WA for answers.
_LORDS_SERIES: dict[str, _Series] = {
    "wms": _Series(
        "wms",
        "House of Lords chamber",
        "Written ministerial statement",
        "Written statement",
        "WS",
        "lordswms",
        HOUSE_OF_LORDS,
    ),
    "wrans": _Series(
        "wrans", "House of Lords chamber", "Written question", "Written question", "WA", "lordswrans", HOUSE_OF_LORDS
    ),
}
_TWFY_PATHS = {series.twfy_path: namespace for namespace, series in _SERIES.items()}

# Written answers have no <speech>: each question is a <ques> and each answer a
# <reply>, so the element name, not the series, says which it is.
_CONTRIBUTION_TAGS: dict[str, tuple[str, str] | None] = {
    "speech": None,  # types come from the series
    "ques": ("Written question", "Written question"),
    "reply": ("Written answer", "Written answer"),
}
_HEADING_TAGS = frozenset({"major-heading", "minor-heading", "oral-heading"})

# uk.org.publicwhip/debate/2010-02-09b.737.4 -> ("debate", "2010-02-09", "2010-02-09b.737.4")
_ID_RE = re.compile(r"^uk\.org\.publicwhip/([a-z]+)/((\d{4}-\d{2}-\d{2})[a-z]*\..+)$")
# The id alone, as TheyWorkForYou shows it in its addresses: 2010-02-10a.1022.0
_SHORT_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[a-z]*\.\S+$")
_ADDRESS_ID_RE = re.compile(r"theyworkforyou\.com/.*[?&]id=(\d{4}-\d{2}-\d{2}[a-z]*\.[^&#\s]+)")
_MEMBER_REF_RE = re.compile(r"^uk\.org\.publicwhip/(?:member|lord)/\d+$")
_LORDS_SPEAKER_PREFIX = "uk.org.publicwhip/lord/"
# A TWFY address: https://www.theyworkforyou.com/debates/?id=2009-10-27a.225.1
_URI_RE = re.compile(r"^https?://(?:www\.)?theyworkforyou\.com/([a-z]+)/\?id=(\S+)$")
# "737", "257WH", "5WS", "967W": column number then the column-series suffix.
_COLNUM_RE = re.compile(r"^(\d+)([A-Z]*)$")
# The session is in the Hansard url path: .../pa/cm200910/cmhansrd/... -> "2009-10" (ld200809 for the Lords).
_SESSION_URL_RE = re.compile(r"/(?:cm|ld)(\d{4})(\d{2})/")
_LORDS_URL_RE = re.compile(r"/pa/ld\d")
# Headings carry who took the chair, before or after the title or on their own:
# "[Sir Nicholas Winterton in the Chair] — Fuel Duty (Rural Areas)" (Westminster
# Hall), "[Sylvia Heal  in the Chair.]" (Committee of the whole House). It is not
# part of the debate's name, so it is moved to extra["chair"].
_CHAIR_RE = re.compile(r"\s*(?:[\u2013\u2014-]\s*)?\[([^\]]*?\bin the Chair)\.?\]\s*(?:[\u2013\u2014-]\s*)?")
# Most speech times in these files have a zero-padded three-digit hour
# ("017:45:00"); the hour is read as a number so both forms give "17:45:00".
_TIME_RE = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})$")
_SNIFF_RE = re.compile(rb"<(?:!DOCTYPE\s+)?publicwhip[\s>\[]")
# Elements whose boundary is a word break even when the source has no space there.
_BREAKING_TAGS = frozenset({"br", "td", "th", "tr", "li"})


def twfy_uri(raw_id: str) -> str | None:
    """The TheyWorkForYou address of a publicwhip id ("uk.org.publicwhip/wrans/2010-02-10a.1.q0"), or None."""
    match = _ID_RE.match(raw_id)
    series = _SERIES.get(match.group(1)) if match else None
    if match is None or series is None:
        return None
    return f"{TWFY_BASE_URL}/{series.twfy_path}/?id={match.group(2)}"


def looks_like_twfy(head: bytes) -> bool:
    """Cheap sniff of a file's first few KB: is it publicwhip XML?

    The internal DTD takes about 2 KB, so we look at the DOCTYPE name as well as
    the root element in case the caller passes less than the whole prologue.
    """
    return _SNIFF_RE.search(head[:8192]) is not None


@dataclass(slots=True)
class TwfyFile:
    """One file: its contributions (none in a superseded version's stub) and its redirects."""

    records: list[ParsedContribution] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    latest: bool = True  # False for a stub: root <publicwhip latest="no">
    day: DayKey | None = None  # the day and series its contributions belong to
    version: str = ""  # the version letters of its contributions' ids


def read_twfy_file(
    data: bytes, source: str, members: MemberDirectory | None = None, bill_titles: BillTitles | None = None
) -> TwfyFile:
    """The whole file at once: see `parse_twfy_file`, and `TwfyFile` for what else it says."""
    state = _State(source=source, data=data, members=members, bill_titles=bill_titles)
    records = list(_walk(data, source, state))
    return TwfyFile(records, state.redirects, not state.superseded, state.day, state.version)


def parse_twfy_file(
    data: bytes, source: str, members: MemberDirectory | None = None, bill_titles: BillTitles | None = None
) -> Iterator[ParsedContribution]:
    """Yield one `ParsedContribution` per speech, statement, question or answer with text.

    ``source`` names the file in errors. ``members`` supplies party names by
    member id; without it ``party`` is None. ``bill_titles`` gives a Bill named
    in a heading its official title ("Crime and security Bill" -> "Crime and
    Security Bill"); without it the heading's spelling is kept. Raises `ParseError` (lazily, while
    iterating, so earlier records may already have been yielded) on malformed
    XML or on a contribution whose id or column the parser cannot understand.
    A superseded version's stub yields nothing.
    """
    return _walk(data, source, _State(source=source, data=data, members=members, bill_titles=bill_titles))


def twfy_gid(uri: str) -> str | None:
    """The publicwhip id behind a TheyWorkForYou address (`twfy_uri` backwards)."""
    match = _URI_RE.match(uri.strip())
    namespace = _TWFY_PATHS.get(match.group(1)) if match is not None else None
    if match is None or namespace is None:
        return None
    return f"uk.org.publicwhip/{namespace}/{match.group(2)}"


def day_scope(day: DayKey) -> tuple[str, str]:
    """(house, address prefix) of the contributions of one series' day: what a newer version replaces."""
    series = next(
        (s for s in (*_SERIES.values(), *_LORDS_SERIES.values()) if s.folder == day.series), _SERIES["debate"]
    )
    return series.house, f"{TWFY_BASE_URL}/{series.twfy_path}/?id={day.day.isoformat()}"


def xml_events(data: bytes, source: str) -> Iterator[tuple[str, ET.Element]]:
    """``iterparse``'s start and end events, with malformed XML, or an encoding Python does not
    know (``encoding="SO-8859-1"``), raised as a located `ParseError`."""
    try:
        yield from ET.iterparse(io.BytesIO(data), events=("start", "end"))
    except ET.ParseError as err:
        line, column = err.position
        raise ParseError(source, line, f"malformed XML: {ErrorString(err.code)} (column {column})") from err
    except (LookupError, UnicodeError) as err:
        # The encoding is named in the XML declaration, on the first line.
        raise ParseError(source, 1, f"cannot read the XML: {err}") from err


def _walk(data: bytes, source: str, state: _State) -> Iterator[ParsedContribution]:
    # iterparse + removing each finished top-level element keeps only one
    # contribution's subtree in memory, whatever the size of the file.
    root: ET.Element | None = None
    depth = 0
    pending: ParsedContribution | None = None
    for event, elem in xml_events(data, source):
        if event == "start":
            depth += 1
            if root is None:
                root = elem
                if elem.tag != "publicwhip":
                    start = data.find(f"<{elem.tag}".encode("latin-1", "replace"))
                    line = data.count(b"\n", 0, start) + 1 if start >= 0 else 1
                    raise ParseError(source, line, f"root element is <{elem.tag}>, expected <publicwhip>")
                state.superseded = elem.get("latest") == "no"
            continue
        depth -= 1
        if depth != 1 or root is None:
            continue  # inside a top-level element (or the root closing): wait for its end
        next_column = _COLNUM_RE.match(elem.get("colnum", ""))
        if pending is not None and next_column is not None:
            # The next element's column says where this contribution stopped: it is
            # cited up to that column ("c536-45"), as Hansard cites a speech that runs
            # on to where the next item starts. The record has not been handed out yet.
            pending.extra["next_colnum"] = next_column.group(1)
            yield _ending_at(pending, int(next_column.group(1)))
            pending = None
        record = state.handle(elem)
        if record is not None:
            if pending is not None:  # the element between had no colnum
                yield pending
            pending = record
        root.remove(elem)
    if pending is not None:
        yield pending


def _ending_at(record: ParsedContribution, next_column: int) -> ParsedContribution:
    """The record with its reference's end column set, when the next item starts on a later column."""
    reference = record.references[0]
    if next_column <= reference.start_column:
        return record
    return dataclasses.replace(record, references=(dataclasses.replace(reference, end_column=next_column),))


class _State:
    """Running headings and context while walking one file's top-level elements."""

    def __init__(
        self, source: str, data: bytes, members: MemberDirectory | None, bill_titles: BillTitles | None
    ) -> None:
        self.source = source
        self.data = data
        self.members = members
        self.major: str | None = None
        self.minor: str | None = None
        self.chair: str | None = None
        self.bill_titles = bill_titles
        # The Bill under debate: set by a heading that names it, kept over its
        # clause-by-clause subsections ("New Clause 88 — ...", "[6th Allocated Day]"),
        # ended by any other heading. TWFY headings can be stale (a "BILL PRESENTED"
        # major heading stays set over later business), so it is tracked apart.
        self.bill: str | None = None
        # Ids of wrans questions not yet answered: a <reply> answers the <ques>
        # elements just before it (several questions can share one answer).
        self.open_questions: list[str] = []
        # A superseded version: only its redirects count (the old text it keeps of
        # changed items is history, not the day as it stands).
        self.superseded = False
        self.redirects: list[Redirect] = []
        self.day: DayKey | None = None
        self.version = ""

    def handle(self, elem: ET.Element) -> ParsedContribution | None:
        tag = elem.tag
        if tag == "gidredirect":
            old, new, matchtype = elem.get("oldgid"), elem.get("newgid"), elem.get("matchtype")
            if old and matchtype and (new or matchtype == REMOVED):
                self.redirects.append(Redirect(old, new or "", matchtype))
            return None
        if self.superseded:
            return None
        if tag in _HEADING_TAGS:
            self._heading(elem)
            return None
        if tag in _CONTRIBUTION_TAGS:
            record = self._contribution(elem)
            if record is not None and self.day is None:
                gid = parse_gid(record.extra["twfy_id"])
                if gid is not None:
                    self.day, self.version = DayKey(self.series_of(elem, gid.namespace).folder, gid.day), gid.version
            return record
        return None  # division: not a contribution

    def series_of(self, elem: ET.Element, namespace: str) -> _Series:
        """The series of an item: Lords written statements and answers share the Commons' namespaces."""
        lords = _LORDS_SERIES.get(namespace)
        if lords is not None and (
            elem.get("speakerid", "").startswith(_LORDS_SPEAKER_PREFIX) or _LORDS_URL_RE.search(elem.get("url", ""))
        ):
            return lords
        return _SERIES[namespace]

    def _heading(self, elem: ET.Element) -> None:
        text, chair = heading_text(elem)
        if chair is not None:
            self.chair = chair
        self.bill = bill_after_heading(self.bill, text, self.bill_titles)
        if elem.tag == "minor-heading":
            self.minor = text or None
        else:
            # A new major (or oral-questions) heading starts a new debate, so the
            # old minor heading no longer applies.
            self.major = text or None
            self.minor = None
            self.open_questions = []
            if chair is None:  # a chair note lasts until the business changes
                self.chair = None

    def _debate_title(self) -> str | None:
        """The Bill under debate, else the debate's own heading.

        A major heading that names a Bill ("BILL PRESENTED — Climate Change (Sectoral
        Targets) Bill") stays set over later business in TWFY files; once that Bill's
        debate is over, the minor heading names the debate, not the stale major one.
        Westminster Hall files have only minor headings.
        """
        return debate_title_under(self.major, self.minor, self.bill)

    def _contribution(self, elem: ET.Element) -> ParsedContribution | None:
        raw_id = elem.get("id", "")
        match = _ID_RE.match(raw_id)
        if match is None:
            raise self._error(raw_id, f"<{elem.tag}> has an unrecognised id {raw_id!r}")
        namespace, short_id, date_text = match.groups()
        if namespace not in _SERIES:
            raise self._error(raw_id, f"unknown publicwhip series {namespace!r} in id {raw_id!r}")
        series = self.series_of(elem, namespace)
        try:
            sitting_date = dt.date.fromisoformat(date_text)
        except ValueError:
            raise self._error(raw_id, f"bad date in id {raw_id!r}") from None
        reference = self._reference(elem, raw_id, series)

        paragraphs = tuple(text for child in elem if (text := _flatten(child)))

        tag_types = _CONTRIBUTION_TAGS[elem.tag]
        debate_type, contribution_type = (
            tag_types if tag_types is not None else (series.debate_type, series.contribution_type)
        )
        if elem.tag == "ques":
            self.open_questions.append(raw_id)
        if not paragraphs:
            return None  # nothing to quote or search

        hansard_url = elem.get("url", "")
        extra: dict[str, str] = {"twfy_id": raw_id}
        if hansard_url:
            extra["hansard_url"] = hansard_url
        member, member_ref = self._speaker(elem, extra)
        party = None
        if member_ref is not None and self.members is not None:
            party = self.members.party_on(member_ref)
        self._optional_extras(elem, extra)
        if elem.tag == "reply" and self.open_questions:
            extra["question_ids"] = " ".join(self.open_questions)
            self.open_questions = []

        return ParsedContribution(
            uri=f"{TWFY_BASE_URL}/{series.twfy_path}/?id={short_id}",  # as twfy_uri(raw_id)
            contribution_id=None,
            title=self.minor or self.major or "",
            member=member,
            party=party,
            houses=(series.house,),
            sitting_date=sitting_date,
            debate_types=(debate_type,),
            debate_title=self._debate_title(),
            contribution_type=contribution_type,
            references=(reference,),
            session=_session(hansard_url, sitting_date),
            chamber=series.chamber,
            subjects=(),
            index_timestamp=None,
            paragraphs=paragraphs,
            member_ref=member_ref,
            extra=extra,
        )

    def _speaker(self, elem: ET.Element, extra: dict[str, str]) -> tuple[str | None, str | None]:
        """(member name, member id), both None for procedural text or an unidentified speaker."""
        if elem.get("nospeaker") == "true":
            return None, None
        name = _collapse(elem.get("speakername", "")) or None
        speaker_id = elem.get("speakerid", "")
        if _MEMBER_REF_RE.match(speaker_id):
            return name, speaker_id
        # speakerid="unknown": parlparse could not tell who spoke ("Hon. Members",
        # "The Second Deputy Chairman"). Not a Member we can cite, but keep the words.
        if name is not None:
            extra["speaker_name"] = name
        return None, None

    def _optional_extras(self, elem: ET.Element, extra: dict[str, str]) -> None:
        office = _collapse(elem.get("speakeroffice", ""))
        if office:
            extra["speaker_office"] = office
        oral_qnum = elem.get("oral-qnum")
        if oral_qnum:
            extra["oral_question_number"] = oral_qnum
        # The tabled question number (e.g. 316129) sits on the question's <p>.
        for child in elem:
            qnum = child.get("qnum")
            if qnum:
                extra["question_number"] = qnum
                break
        time = _TIME_RE.match(elem.get("time", ""))
        if time is not None:  # absent or "unknown" otherwise
            extra["time"] = f"{int(time.group(1)):02d}:{time.group(2)}:{time.group(3)}"
        if self.chair is not None:
            extra["chair"] = self.chair

    def _reference(self, elem: ET.Element, raw_id: str, series: _Series) -> Reference:
        colnum = elem.get("colnum", "")
        match = _COLNUM_RE.match(colnum)
        if match is None:
            raise self._error(raw_id, f"<{elem.tag}> {raw_id} has a bad colnum {colnum!r}")
        # No column-break markers occur inside speeches, so a single start column
        # is all the file states; extra["next_colnum"] bounds where it ends.
        number, suffix = match.group(1), match.group(2) or series.column_suffix
        return Reference(
            volume=None,
            start_column=int(number),
            end_column=None,
            suffix=suffix,
            raw=f"c{number}{suffix}",
        )

    def _error(self, raw_id: str, reason: str) -> ParseError:
        """A ParseError at the element's line, found by searching for its id.

        ElementTree does not keep line numbers, and this only runs on the error path.
        """
        line = 1
        if raw_id:
            pos = self.data.find(f'id="{raw_id}"'.encode("latin-1", "replace"))
            if pos >= 0:
                line = self.data.count(b"\n", 0, pos) + 1
        return ParseError(self.source, line, reason)


def _flatten(elem: ET.Element) -> str:
    """All text inside an element, inline markup dropped, whitespace collapsed."""
    parts: list[str] = []
    _collect_text(elem, parts)
    return _collapse("".join(parts))


def _collect_text(elem: ET.Element, parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        # Table cells and line breaks separate words even when written without
        # whitespace between them; inline tags (<i>P</i><i>roducts</i>) do not.
        breaking = child.tag in _BREAKING_TAGS
        if breaking:
            parts.append(" ")
        _collect_text(child, parts)
        if breaking:
            parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def _collapse(text: str) -> str:
    # str.split() also splits on NBSP, which the files use as ordinary spacing.
    return " ".join(text.split())


# "Constitutional Reform and Governance Bill (Money) (No. 3)": the words up to "Bill"
# and a "[HL]"/"[Lords]" mark after it; at least one word must come before "Bill"
# ("BILL PRESENTED" names no Bill).
_BILL_IN_HEADING = re.compile(r"^\s*(\S[^—–]*?\s\bBill\b(?:\s*\[\s*(?:HL|Lords)\s*\])?)", re.IGNORECASE)
_HEADING_SEGMENTS = re.compile(r"\s*[—–]\s*")
_SMALL_WORDS = frozenset({"and", "for", "of", "the", "in", "on", "to", "a", "an", "etc"})
# Headings that continue a Bill's debate rather than start other business: clause
# by clause ("Clause 1 — ...", "New Clause 88 — ...", "Schedule 2", "New Schedule 1",
# amendments), stage notes ("[6th Allocated Day]", "Report (2nd Day)", "Third
# Reading") and motions on it ("Programme", "Money", "Allocation of Time").
_BILL_SUBSECTION = re.compile(
    r"^(?:"
    r"\[[^\]]*\]$"  # a heading that is only a bracketed note
    r"|(?:new\s+)?(?:clauses?|schedules?)\s+\d+[a-z]?\b"
    r"|(?:lords\s+|commons\s+)?amendments?\s*(?:\(|\d|no\b|to\b|$)"
    r"|(?:(?:first|second|third)\s+reading|report|committee|consideration|remaining\s+stages"
    r"|programme|money|ways\s+and\s+means|allocation\s+of\s+time|order\s+of\s+consideration|title)"
    r"\s*(?:\(|\[|$|motion\b|resolution\b|stage\b|\(continued\))"
    r")",
    re.IGNORECASE,
)


def _title_case(text: str) -> str:
    """Upper-case headings ("MARRIAGE (WALES) BILL") in the usual title style."""
    if text != text.upper():
        return text
    words = text.lower().split(" ")
    return " ".join(
        w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] if w[:1].isalpha() else w[:2].upper() + w[2:]
        for i, w in enumerate(words)
    )


def bill_in_heading(heading: str, bill_titles: BillTitles | None = None) -> str | None:
    """The Bill a heading names, e.g. "Constitutional Reform and Governance Bill (Money) (No. 3)"
    -> "Constitutional Reform and Governance Bill"; None when it names none.

    Each part of a dashed heading is tried in turn: "BILL PRESENTED — Climate Change
    (Sectoral Targets) Bill", "Holocaust (Return of Cultural Objects) Bill — Third
    Reading". With ``bill_titles``, the official spelling wins over the heading's.
    """
    for segment in _HEADING_SEGMENTS.split(heading):
        match = _BILL_IN_HEADING.search(segment)
        if match is None:
            continue
        title = _title_case(" ".join(match.group(1).split()).strip(" -:"))
        title = re.sub(
            r"\[\s*(HL|Lords)\s*\]",
            lambda m: f"[{m.group(1).upper() if m.group(1).upper() == 'HL' else 'Lords'}]",
            title,
            flags=re.IGNORECASE,
        )
        if title[:1].isalpha():
            return bill_titles.official(title) if bill_titles is not None else title
    return None


def heading_text(elem: ET.Element) -> tuple[str, str | None]:
    """A heading's text, and the "[X in the Chair]" note taken out of it (or None)."""
    return _split_chair(_flatten(elem))


def bill_after_heading(current: str | None, heading: str, bill_titles: BillTitles | None = None) -> str | None:
    """The Bill under debate after ``heading``: the Bill it names, else ``current`` over a clause, a
    stage or a motion on it; any other heading ("Business without Debate", a ten minute rule Bill's
    next business, the next oral question) ends the Bill's debate.

    The one rule for contributions and divisions alike.
    """
    bill = bill_in_heading(heading, bill_titles)
    if bill is not None:
        return bill
    return current if is_bill_subsection(heading) else None


def debate_title_under(major: str | None, minor: str | None, bill: str | None) -> str | None:
    """The Bill under debate, else the debate's own heading.

    A major heading that names a Bill ("BILL PRESENTED — Climate Change (Sectoral
    Targets) Bill") stays set over later business in TWFY files; once that Bill's
    debate is over, the minor heading names the debate, not the stale major one.
    Westminster Hall files have only minor headings.
    """
    if bill is not None:
        return bill
    if major is not None and minor is not None and bill_in_heading(major) is not None:
        return minor
    return major or minor


def is_bill_subsection(heading: str) -> bool:
    """Whether a heading continues the Bill debate before it (a clause, a stage, a motion on it).

    An empty heading (only a "[... in the Chair]" note, already removed) changes nothing either.
    """
    return not heading or _BILL_SUBSECTION.match(heading) is not None


def _split_chair(heading: str) -> tuple[str, str | None]:
    """Remove a "[X in the Chair]" note from a heading, returning (heading, chair)."""
    match = _CHAIR_RE.search(heading)
    if match is None:
        return heading, None
    rest = (heading[: match.start()] + " " + heading[match.end() :]).strip()
    return _collapse(rest), match.group(1).removesuffix(" in the Chair").strip()


def _session(hansard_url: str, sitting_date: dt.date) -> str:
    """The parliamentary session, e.g. "2009-10".

    Hansard's own url path names it (cm200910), which is exact, so that wins.
    Otherwise approximate from the date: sessions of this era opened in
    November, so Nov-Dec belong to the session starting that year. This is
    wrong around general elections (2010-12 opened in May 2010).
    """
    match = _SESSION_URL_RE.search(hansard_url)
    if match is not None:
        return f"{match.group(1)}-{match.group(2)}"
    start = sitting_date.year if sitting_date.month >= 11 else sitting_date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def uris_for_id(text: str) -> list[str]:
    """The stored URIs a TheyWorkForYou id may stand for: a full id names its series
    (``uk.org.publicwhip/debate/2010-02-10a.1022.0``); a short one (``2010-02-10a.1022.0``) may be any."""
    key = text.strip()
    match = _ID_RE.match(key)
    if match is not None:
        series = _SERIES.get(match.group(1))
        return [f"{TWFY_BASE_URL}/{series.twfy_path}/?id={match.group(2)}"] if series else []
    address = _ADDRESS_ID_RE.search(key)
    if address is not None:
        # An address of theyworkforyou.com in another form (http, no www, more parameters).
        paths = [series.twfy_path for series in _SERIES.values()]
        named = [path for path in paths if f"/{path}/" in key]
        return [f"{TWFY_BASE_URL}/{path}/?id={address.group(1)}" for path in named or paths]
    if _SHORT_ID_RE.match(key):
        return [f"{TWFY_BASE_URL}/{series.twfy_path}/?id={key}" for series in _SERIES.values()]
    return []
