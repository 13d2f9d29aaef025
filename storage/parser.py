"""Parser for the "Proceeding contribution" text format.

The format is a copy-and-paste of a contribution's object page on UK Parliament's
Parliamentary Search (search-prototype). ``data/FORMAT_VARIANTS.md`` lists the
layouts seen; in the sample the page reads, one item a line::

    <speech paragraphs>
    <title>
    <preliminary sentence, possibly split over several lines>
    <label/value blocks: Type, Reference, Session, Chamber / Committee, Subjects ...>
    Librarians' tools
    <label/value blocks: Timestamp, URI, In Indexing, In Solr, Internal location>

Newer pages put the preliminary sentence above the title, older ones have an
"About this proceeding contribution" heading and a "Back to top" button, and
some have no Librarians' tools block at all. The parser is pure (text in, a
`ParsedContribution` or a `ParseError` naming the line out) and works line by
line with a handful of anchored regexes, because the importer runs it on every
file and must stay fast. Pages laid out exactly like the sample, nearly all of
them, are first read by one regex over the end of the page (`_parse_sample_layout`),
several times faster; any other page, and any page it is not sure of, goes to
the general reader (`_Page`), which gives the same record.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS, ParsedContribution, ParseError, Reference

__all__ = [
    "looks_like_contribution",
    "parse_contribution",
    "parse_reference",
    "parse_references",
    "parse_sitting_date",
]

# --------------------------------------------------------------------------- dates

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Spelt out rather than taken from `calendar`, whose names follow the process locale.
_MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTH_NAMES += ("August", "September", "October", "November", "December")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
# Applied after whitespace is collapsed, so the '%e' space-padded day ("Tuesday,  2
# February 2010") needs no special case here.
_DATE_RE = re.compile(r"([A-Z][a-z]+day), (\d{1,2}) ([A-Z][a-z]+) (\d{4})")

# "2024-12-30 18:03:24 +0000": the Solr index time, rendered in the London zone.
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-](?:[01]\d|2[0-3]):?[0-5]\d")

_SESSION_RE = re.compile(r"\d{4}-\d{2}")

# --------------------------------------------------------------------------- URIs

_PIMS_URI_RE = re.compile(r"http://data\.parliament\.uk/pimsdata/hansard/CONTRIBUTION_(\d{1,18})")
_INTRANET_URI_RE = re.compile(
    r"http://hansard\.intranet\.data\.parliament\.uk/(?:Commons|Lords)/(\d{4})-(\d{2})-(\d{2})/(\d{14,15})"
)
# Business questions live under "Hansard" with a capital H.
_QUESTION_URI_RE = re.compile(
    r"http://data\.parliament\.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_(\d{1,18})/-question"
)

# --------------------------------------------------------------------------- references

# One column reference. Seen: "506 c185-6", "819 cc1560-1", "675 c75GC", "vol 512
# cc113-5WH", "c5WS", "cc12 -3", "vol 169 C1907-9", "HC Deb 24 May 1999 vol 332
# cc81-133". Every repetition is bounded or separated by a literal, so matching
# is linear; the digit counts are capped so int() never sees a huge number.
_REFERENCE_RE = re.compile(
    r"(?:H[CL] Deb \d{1,2} [A-Z][a-z]+ \d{4} +)?"
    r"(?:[Vv]ol\.? *(?=\d))?"
    r"(?:(?P<volume>\d{1,6}) +)?"
    r"[Cc][Cc]? *(?P<start>\d{1,7})"
    r"(?: *- *(?P<end>\d{1,7}))?"
    r"(?P<suffix>[A-Z]{1,4})?"
)
_REFERENCE_SEPARATORS = " \t,;"

# --------------------------------------------------------------------------- page structure

# Field labels as printed, mapped to the name used in this module (and in `extra`).
_LABELS: dict[str, str] = {
    "Type": "Type",
    "Reference": "Reference",
    "Session": "Session",
    "Procedure": "Procedure",
    "Chamber / Committee": "Chamber",
    "Chamber/Committee": "Chamber",
    "Chamber": "Chamber",
    "Related items": "Related items",
    "Notes": "Notes",
    "Subjects": "Subjects",
    "Legislation": "Legislation",
    "Contains statistics": "Contains statistics",
    "Link": "Link",
    "Timestamp": "Timestamp",
    "URI": "URI",
    "In Indexing": "In Indexing",
    "In Solr": "In Solr",
    "Internal location": "Internal location",
}
# Headings and buttons between the blocks: they carry no value.
_HEADINGS = frozenset(
    {
        "Secondary information",
        "About this proceeding contribution",
        "About this result",
        "Librarians' tools",
        "Librarians’ tools",
        "Back to top",
    }
)
# Where the speech text ends: the first label or heading.
_STRUCTURE_LINES = frozenset(_LABELS) | _HEADINGS
# Speech paragraphs run to thousands of characters: comparing lengths first
# spares hashing each of them for a set lookup that cannot succeed.
_LONGEST_STRUCTURE_LINE = max(map(len, _STRUCTURE_LINES))
_LIBRARIANS_HEADINGS = frozenset({"Librarians' tools", "Librarians’ tools", "About this result"})
# Button captions that end up in a paste, alone or glued to the URI line.
_BUTTON_TEXTS = ("Copy URI to clipboard", "Copy text to clipboard")
# Fields with one value; the others may repeat or hold several lines.
_SINGLE_VALUED = frozenset(
    {"Type", "Session", "Chamber", "Timestamp", "URI", "In Indexing", "In Solr", "Internal location"}
)
# Fields that may be printed with no value (the sample has an empty "Subjects").
_MAY_BE_EMPTY = frozenset({"Subjects", "Related items", "Legislation", "Procedure", "Notes", "Link"})
# Stored in `ParsedContribution.extra` under the label name. "In Indexing" and
# "In Solr" are left out: they are links built from the URI and add nothing.
_EXTRA_FIELDS = frozenset(
    {
        "Procedure",
        "Related items",
        "Notes",
        "Legislation",
        "Contains statistics",
        "Link",
        "Internal location",
    }
)
_VALUE_NAMES = {
    "Type": "a type line",
    "Reference": "a reference line",
    "Session": "a session line",
    "Chamber": "a chamber line",
    "Timestamp": "a timestamp line",
    "URI": "a URI line",
}

# --------------------------------------------------------------------------- preliminary sentence

# Object names seen or named in the template's code ("the singularised subtype or type").
_KNOWN_OBJECT_NAMES = ("Proceeding contribution", "Business question", "Speaker's ruling", "Speaker’s ruling")
# A line starting the sentence with a known name: the name alone (the rest follows
# on later lines), with a full stop, or followed by "from", "in the" or "on".
_KNOWN_START_RE = re.compile(
    "(" + "|".join(re.escape(name) for name in _KNOWN_OBJECT_NAMES) + r")(?:\.?$| from(?: |$)| in the | on )"
)
# Other object names are accepted when they look like one (a capitalised word and
# up to four lower-case words) and the sentence names a house or a date; without
# that a speech line such as "It is clear from the evidence ..." would qualify.
_GENERIC_OBJECT_RE = re.compile(r"([A-Z][a-z]+(?:['’]s)?(?: [a-z]+(?:['’]s)?){0,4}) (?:from|in the|on)(?: |$)")
_OCCURRED = "It occurred during "
# Pieces that continue the first sentence after a piece that happened to end in
# "." (a member name such as "Mr. Smith", say), in the per-<span> layout.
_CONTINUATION_RE = re.compile(r"(?:\(|in the(?: |$)|on(?: |$)|[A-Z][a-z]+day,)")
_MAX_PRELIM_LINES = 24
_MAX_PRELIM_CHARS = 4000
_HOUSES = {HOUSE_OF_COMMONS: HOUSE_OF_COMMONS, HOUSE_OF_LORDS: HOUSE_OF_LORDS}
# A line ending like this reads as prose, not as a title, a type or a subject.
_PROSE_ENDINGS = ("?", "!", ":", ";", ",", '"', "”", "’")
# Abbreviations that end a name with "." without making it a sentence.
_ABBREVIATIONS = frozenset({"etc.", "no.", "co.", "ltd.", "st.", "inc.", "bros.", "plc."})
# Generous bounds on one-line names; a longer line is speech text out of place.
_MAX_TITLE = 300
_MAX_NAME = 200
_DEFAULT_OBJECT_NAME = "Proceeding contribution"

# --------------------------------------------------------------------------- sniffing

_SNIFF_MARKERS = (
    "Proceeding contribution",
    "It occurred during ",
    "Librarians' tools",
    "Secondary information",
    "About this proceeding contribution",
    "data.parliament.uk/pimsdata/",
    "hansard.intranet.data.parliament.uk/",
)


# =========================================================================== public API


def parse_sitting_date(text: str) -> dt.date:
    """Parse a page date such as "Tuesday, 23 February 2010" or "Tuesday,  2 February 2010".

    Raises ValueError when the text is not such a date, names no real day, or
    names the wrong weekday.
    """
    match = _DATE_RE.fullmatch(" ".join(text.split()))
    if match is None:
        raise ValueError(f"expected a date like 'Tuesday, 23 February 2010', found {_clip(text)!r}")
    weekday, day, month_name, year = match.groups()
    month = _MONTHS.get(month_name)
    if month is None or weekday not in _WEEKDAYS:
        raise ValueError(f"expected a date like 'Tuesday, 23 February 2010', found {_clip(text)!r}")
    try:
        date = dt.date(int(year), month, int(day))
    except ValueError:
        raise ValueError(f"no such day: {_clip(text)!r}") from None
    # The page computes the weekday from the date, so a mismatch means corruption.
    if _WEEKDAYS[date.weekday()] != weekday:
        raise ValueError(f"{date.isoformat()} was a {_WEEKDAYS[date.weekday()]}, not a {weekday}")
    return date


def parse_references(raw: str) -> tuple[Reference, ...]:
    """Parse a Reference field value holding one or more references.

    References are separated by whitespace, commas or semicolons ("vol 104
    cc1541-5; 104 cc1546-7"). An empty value or "." (the page hides that) gives
    an empty tuple. Raises ValueError on anything else.
    """
    # NBSP follows every value on the page; treat it as ordinary space.
    text = raw.replace("\xa0", " ").strip()
    if not text or text == ".":
        return ()
    match = _REFERENCE_RE.fullmatch(text)
    if match is not None:  # the usual case: one reference
        return (_reference_from_match(match),)
    references: list[Reference] = []
    pos, size = 0, len(text)
    while pos < size:
        while pos < size and text[pos] in _REFERENCE_SEPARATORS:
            pos += 1
        if pos >= size:
            break
        match = _REFERENCE_RE.match(text, pos)
        if match is None or (match.end() < size and text[match.end()] not in _REFERENCE_SEPARATORS):
            raise ValueError(f"expected a reference like '506 c185-6', found {_clip(text[pos:])!r}")
        references.append(_reference_from_match(match))
        pos = match.end()
    return tuple(references)


def parse_reference(raw: str) -> Reference:
    """Parse one reference such as "506 c185-6", "819 cc1560-1" or "vol 512 cc113-5WH".

    The end column is expanded ("185-6" -> 186). Raises ValueError on bad input,
    including a value that holds more than one reference.
    """
    references = parse_references(raw)
    if len(references) != 1:
        raise ValueError(f"expected one reference like '506 c185-6', found {_clip(raw)!r}")
    return references[0]


def looks_like_contribution(head: str) -> bool:
    """Cheap sniff of a file's first few KB: could it be a contribution text page?

    The other input format is XML, so markup is refused at once. The page's own
    phrases (preliminary sentence, headings, URIs) settle it when present, but in
    the sample layout the speech comes first and a long speech can fill the whole
    head, so plain prose is accepted too: the parser then decides, with a located
    error if it is not a contribution after all.
    """
    text = head.lstrip("\ufeff \t\r\n\xa0")
    if not text or text.startswith(("<", "{")) or "\x00" in text:
        return False
    if any(marker in head for marker in _SNIFF_MARKERS):
        return True
    # Prose, not data: the first line has words, and is not a CSV/TSV row.
    first = text.split("\n", 1)[0]
    return " " in first and "\t" not in first and any(ch.isalpha() for ch in first[:200])


def parse_contribution(text: str, source: str = "<string>") -> ParsedContribution:
    """Parse one contribution page. Raises `ParseError` (naming ``source`` and the line) on bad input."""
    # Nearly every page is laid out like the sample, which `_parse_sample_layout`
    # reads several times faster; whatever it is not sure of goes the general way.
    record = _parse_sample_layout(text)
    if record is not None:
        return record
    return _parse_general(text, source)


# =========================================================================== internals


def _parse_general(text: str, source: str = "<string>") -> ParsedContribution:
    """`parse_contribution` without the sample-layout fast path (the tests compare the two)."""
    return _Page(text, source).parse()


def _clip(text: str, size: int = 60) -> str:
    """Keep error messages short whatever the input."""
    return text if len(text) <= size else text[: size - 1] + "…"


def _reference_from_match(match: re.Match[str]) -> Reference:
    volume, start_text, end_text, suffix = match.group("volume", "start", "end", "suffix")
    start = int(start_text)
    end: int | None = None
    if end_text is not None:
        # Hansard abbreviates the end column to its changed trailing digits:
        # "185-6" is 185 to 186, "1541-5" is 1541 to 1545; "99-101" is written out.
        if len(end_text) < len(start_text):
            end = int(start_text[: len(start_text) - len(end_text)] + end_text)
        else:
            end = int(end_text)
        if end < start:
            raise ValueError(f"reference {match[0]!r} ends before it starts")
        if end == start:  # seen in real data ("cc2102-2"): a single column
            end = None
    return Reference(
        volume=int(volume) if volume is not None else None,
        start_column=start,
        end_column=end,
        suffix=suffix or "",
        raw=match[0].strip(),
    )


def _parse_timestamp(text: str) -> dt.datetime:
    """Parse "2024-12-30 18:03:24 +0000" into an aware datetime. Raises ValueError."""
    # The regex pins the exact shape (fromisoformat alone accepts many more);
    # fromisoformat then does the conversion in C and rejects impossible values.
    # A text that matches as it stands has single spaces only: joining changes nothing.
    if _TIMESTAMP_RE.fullmatch(text) is None:
        text = " ".join(text.split())
        if _TIMESTAMP_RE.fullmatch(text) is None:
            raise ValueError(text)
    return dt.datetime.fromisoformat(text[:19] + text[20:])


def _contribution_id(uri: str) -> int | None:
    """The numeric id in a recognised URI, or None when the URI is not one of the three forms."""
    match = _PIMS_URI_RE.fullmatch(uri) or _QUESTION_URI_RE.fullmatch(uri)
    if match is not None:
        return int(match[1])
    match = _INTRANET_URI_RE.fullmatch(uri)
    if match is not None:
        try:
            dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return int(match[4])
    return None


def _reads_as_prose(text: str) -> bool:
    """True for a line that ends like a sentence; titles, types and subjects never do."""
    if text.endswith(_PROSE_ENDINGS):
        return True
    if text.endswith("."):
        return text[text.rfind(" ") + 1 :].lower() not in _ABBREVIATIONS
    return False


def _is_name(text: str, limit: int = _MAX_NAME) -> bool:
    """Could ``text`` be a one-line name (title, member, type, chamber, subject)?

    Used to refuse files whose lines have been shuffled or cut, where a speech
    paragraph or a link would otherwise land in a name field.
    """
    return len(text) <= limit and "://" not in text and not _reads_as_prose(text)


def _is_title(text: str, question: bool = True) -> bool:
    """Could ``text`` be a title? It may be in quotation marks and, with ``question``, end with "?" or "!".

    A question or an exclamation reads as prose, so where a speech paragraph could
    be taken for the title instead (`_Page._untitled`) plain titles are tried first.
    """
    if text.startswith((_OCCURRED, "(")) or _KNOWN_START_RE.match(text) is not None:
        return False  # a piece of a preliminary sentence
    inner = _unquoted(text)
    if question and inner.endswith(("?", "!")):
        inner = inner[:-1].rstrip()
    if inner == text:
        return _is_name(text, _MAX_TITLE)
    # Quoted, or a question: one sentence at most, as titles are.
    return (
        bool(inner) and len(text) <= _MAX_TITLE and _is_name(inner, _MAX_TITLE) and not _SENTENCE_BREAK_RE.search(inner)
    )


# Titles in quotation marks: "Building a Society for All Ages" (straight or curly).
_QUOTE_PAIRS = (('"', '"'), ("\u201c", "\u201d"), ("'", "'"), ("\u2018", "\u2019"))
# Two sentences on one line: a title is never that.
_SENTENCE_BREAK_RE = re.compile(r"[.?!] [A-Z]")


def _unquoted(text: str) -> str:
    for opening, closing in _QUOTE_PAIRS:
        if len(text) > 2 and text.startswith(opening) and text.endswith(closing):
            return text[1:-1].strip()
    return text


def _split_list(text: str) -> list[str]:
    """Split "A", "A and B", "A, B and C" (and the Oxford-comma "A, B, and C")."""
    if ", " not in text and " and " not in text:
        return [text.strip()]
    items = text.split(", ")
    last = items.pop()
    if last.startswith("and ") and items:
        last = last[4:]
    items.extend(last.split(" and "))
    return [item.strip() for item in items]


def _split_member(text: str) -> tuple[str, str | None] | None:
    """Split "Tim Loughton (Conservative)" into ("Tim Loughton", "Conservative"); None if malformed.

    The last bracketed group is the party. It is matched from the end so that a
    party such as "Labour (Co-op)" survives. A disambiguation in brackets stays
    in the name when a party follows it; without a party it cannot be told
    apart from one (the page prints both the same way), so it is taken as the party.
    """
    text = text.strip()
    if not text.endswith(")"):
        return (text, None) if text else None
    opening = text.rfind("(")
    if opening > 0 and ")" not in text[opening:-1]:
        # The common case: one plain bracketed group at the end.
        member, party = text[:opening].strip(), text[opening + 1 : -1].strip()
        return (member, party) if member and party else None
    depth = 0
    for pos in range(len(text) - 1, -1, -1):
        char = text[pos]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                member, party = text[:pos].strip(), text[pos + 1 : -1].strip()
                if not member or not party:
                    return None
                return member, party
    return None


@dataclass(slots=True)
class _Prelim:
    """What the preliminary sentence says (internal; not frozen because that is slower to build)."""

    object_name: str
    member: str | None
    party: str | None
    houses: tuple[str, ...]
    sitting_date: dt.date | None
    debate_types: tuple[str, ...]
    debate_title: str | None


class _NotPrelim(Exception):
    """A candidate preliminary sentence does not parse; ``pos`` is an offset in the joined text."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


def _parse_prelim(joined: str, object_name: str, known: bool) -> _Prelim:
    """Parse the whole preliminary sentence, already joined onto one line.

    ``{object} [from {member} [({party})]] [in the {houses}] [on {date}].
    [It occurred during {types} on {title}.]``
    """
    occurred = joined.find(" " + _OCCURRED)
    first = joined if occurred < 0 else joined[:occurred]
    if not first.endswith("."):
        raise _NotPrelim("expected '.' at the end of the preliminary sentence", max(len(first) - 1, 0))
    base = len(object_name)
    rest = first[base:-1]

    sitting_date: dt.date | None = None
    on = rest.rfind(" on ")
    if on >= 0:
        try:
            sitting_date = parse_sitting_date(rest[on + 4 :])
        except ValueError as exc:
            raise _NotPrelim(f"{exc} after 'on'", base + on + 4) from None
        rest = rest[:on]

    houses: tuple[str, ...] = ()
    in_the = rest.find(" in the ")
    if in_the >= 0:
        names = _split_list(rest[in_the + 8 :])
        known_houses = [_HOUSES[name] for name in names if name in _HOUSES]
        if len(known_houses) != len(names):
            raise _NotPrelim("expected 'House of Commons' or 'House of Lords' after 'in the'", base + in_the + 8)
        houses = tuple(known_houses)
        rest = rest[:in_the]

    member: str | None = None
    party: str | None = None
    if rest:
        if not rest.startswith(" from "):
            raise _NotPrelim(f"expected 'from <member>', 'in the <house>' or 'on <date>' after {object_name!r}", base)
        split = _split_member(rest[6:])
        if (
            split is None
            or split[0].startswith("(")
            or split[0].count("(") != split[0].count(")")
            # A bracket inside a name only ends it ("Lord Jones (Cardiff)"): text
            # after one means pieces of the sentence are out of order.
            or (")" in split[0] and not split[0].endswith(")"))
            or not _is_name(split[0])
            or (split[1] is not None and not _is_name(split[1]))
        ):
            raise _NotPrelim("expected '<member>' or '<member> (<party>)' after 'from'", base + 6)
        member, party = split

    if not known and not houses and sitting_date is None:
        # An unfamiliar object name alone is too weak a signal (see _GENERIC_OBJECT_RE).
        raise _NotPrelim("not a preliminary sentence", 0)

    debate_types: tuple[str, ...] = ()
    debate_title: str | None = None
    if occurred >= 0:
        second_start = occurred + 1
        second = joined[second_start:]
        if not second.endswith("."):
            raise _NotPrelim("expected '.' at the end of the 'It occurred during' sentence", len(joined) - 1)
        proceeding = _split_proceeding(second[len(_OCCURRED) : -1])
        if proceeding is None:
            raise _NotPrelim("expected 'It occurred during <proceeding type> on <proceeding title>.'", second_start)
        debate_types, debate_title = proceeding

    return _Prelim(object_name, member, party, houses, sitting_date, debate_types, debate_title)


def _split_proceeding(inner: str) -> tuple[tuple[str, ...], str] | None:
    """Split the "<types> on <title>" of "It occurred during <types> on <title>."; None if malformed."""
    # Types contain " on " themselves ("Debate on bills"); the title starts
    # with a capital, so split at the first " on " not followed by lower case.
    split_at = inner.find(" on ")
    first_on = split_at
    while split_at >= 0 and split_at + 4 < len(inner) and inner[split_at + 4].islower():
        split_at = inner.find(" on ", split_at + 1)
    if split_at < 0:
        split_at = first_on
    if split_at <= 0 or split_at + 4 >= len(inner):
        return None
    types = _split_list(inner[:split_at])
    debate_title = inner[split_at + 4 :].strip()
    if not all(types) or not debate_title:
        return None
    return tuple(types), debate_title


def _object_name(line: str, next_line: str) -> tuple[str, bool] | None:
    """(object name, is a known name) if ``line`` may start a preliminary sentence."""
    match = _KNOWN_START_RE.match(line)
    if match is not None:
        return match[1], True
    # A sentence with an unfamiliar name must name a house or a date (see
    # _parse_prelim), so most speech lines are ruled out before the regex runs.
    if not (
        "House of " in line
        or "day, " in line
        or line.endswith((" from", " in the", " on"))
        or next_line.startswith(("(", "from", "in the", "on "))
    ):
        return None
    match = _GENERIC_OBJECT_RE.match(line)
    if match is not None:
        return match[1], False
    # An unfamiliar name alone on its line only counts if the next piece continues it.
    if (
        len(line) < 60
        and next_line.startswith(("from", "in the", "on "))
        and (full := _GENERIC_OBJECT_RE.match(line + " " + next_line)) is not None
        and full[1] == line
    ):
        return line, False
    return None


# --------------------------------------------------------------------------- the sample layout (fast path)
#
# One regex reads a page laid out like the sample from the title to the end: the
# preliminary sentence over the sample's five lines ("<object> from", member,
# "(<party>)", "in the <house> on <date>.", "It occurred during <proceeding>."),
# then Type, Reference, Session, Chamber / Committee, Subjects (any number of
# lines), a heading, Timestamp, URI, In Indexing and In Solr, each label or
# heading alone on its line. Most values are taken as they stand and checked in
# Python (once per distinct value where they recur), so that each is exactly
# what `_Page` reads. Everything else goes to `_Page`: the sentence on one line
# or split otherwise, no sentence or one above the title, other, missing or
# repeated fields, blank lines or whitespace around labels among the fields,
# copy-button captions, and anything `_Page` would reject.

# A line with no whitespace around it: what strip() leaves of a non-blank line.
_BARE_LINE = r"\S[^\n]*+(?<!\s)"


def _one_of(texts: Iterable[str]) -> str:
    """A pattern matching any of ``texts`` literally."""
    return "(?:" + "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True)) + ")"


def _on_lines(*patterns: str) -> str:
    """A pattern matching each of ``patterns`` as a whole line, one after the other."""
    return "".join(pattern + "\n" for pattern in patterns)


_SAMPLE_TAIL_RE = re.compile(
    _on_lines(
        r"(?P<title>[^\n]*)",
        rf"(?P<object_name>{_one_of(_KNOWN_OBJECT_NAMES)}) from",
        r"(?P<member>[^\n]*)",
        r"\((?P<party>[^\n]*)\)",
        rf"in the (?P<house>{_one_of(_HOUSES)}) on (?P<date>[^\n]*)\.",
        r"It occurred during (?P<proceeding>[^\n]*)\.",
        "Type",
        r"(?P<type>[^\n]*)",
        "Reference",
        r"(?P<reference>[^\n]*\S[^\n]*)",
        "Session",
        rf"(?P<session>{_SESSION_RE.pattern})",
        _one_of(label for label, name in _LABELS.items() if name == "Chamber"),
        r"(?P<chamber>[^\n]*)",
        "Subjects",
    )
    + r"(?P<subjects>(?:[^\n]*\n)*?)"
    + _on_lines(
        _one_of(_HEADINGS),
        "Timestamp",
        r"(?P<timestamp>[^\n]*)",
        "URI",
        r"(?P<uri>[^\n]*)",
        "In Indexing",
        rf"(?P<indexing>{_BARE_LINE})",
        "In Solr",
    )
    + rf"(?P<solr>{_BARE_LINE})\s*"
)
# The sentence's first line, looked for from the end of the page: the title is the line above it.
_SAMPLE_SENTENCE_STARTS = tuple(f"\n{name} from" for name in _KNOWN_OBJECT_NAMES)


def _parse_sample_layout(text: str) -> ParsedContribution | None:
    """Read a page laid out like the sample, or return None to leave it to `_Page`.

    Every check that `_Page.parse` makes is made here too, and whatever fails one
    or is laid out any other way returns None, so a record from here is the one
    `_Page.parse` would build (tests/storage/test_parser_equivalence.py compares
    the two).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        # `_Page` strips each line, which takes a "\r" before the "\n" with it.
        text = text.replace("\r\n", "\n")
    for sentence_start in _SAMPLE_SENTENCE_STARTS:
        title_end = text.rfind(sentence_start)
        if title_end >= 0:
            break
    else:
        return None
    title_start = text.rfind("\n", 0, title_end) + 1
    # `_Page` cuts copy-button captions out of field lines: leave those pages to it.
    if text.find("clipboard", title_start) >= 0:
        return None
    page = _SAMPLE_TAIL_RE.fullmatch(text, title_start)
    if page is None:
        return None

    paragraphs: list[str] = []
    for line in text[:title_start].split("\n"):
        line = line.strip()
        if len(line) <= _LONGEST_STRUCTURE_LINE and line in _STRUCTURE_LINES:
            return None  # the fields would start here
        if line and line not in _BUTTON_TEXTS:
            paragraphs.append(line)
    title, object_name, member, party, date, proceeding, type_value, chamber, subjects_block = page.group(
        "title", "object_name", "member", "party", "date", "proceeding", "type", "chamber", "subjects"
    )
    subjects = subjects_block.split("\n")[:-1] if subjects_block else []
    if (
        not paragraphs
        or not paragraphs[-1].endswith(".")
        or not _takes_title_and_sentence(title, object_name)
        or not _plain_member_and_party(member, party)
        or not (_plain_name(type_value) and _plain_name(chamber) and all(map(_plain_name, subjects)))
    ):
        return None
    # These values are unique to the page, so they are not checked in advance:
    # `_contribution_id` recognises no URI with whitespace around it, and the
    # other two strip (or normalise) whitespace themselves, as `_Page` would first.
    # None of them accepts a label or heading, nor does the pattern a blank reference.
    reference, timestamp, uri, indexing, solr = page.group("reference", "timestamp", "uri", "indexing", "solr")
    contribution_id = _contribution_id(uri)
    proceeding_parts = _plain_proceeding(proceeding)
    if contribution_id is None or proceeding_parts is None or not _STRUCTURE_LINES.isdisjoint((indexing, solr)):
        return None
    try:
        references = parse_references(reference)
        index_timestamp = _parse_timestamp(timestamp)
        sitting_date = _sitting_date(date)
    except ValueError:
        return None

    return ParsedContribution(
        uri=uri,
        contribution_id=contribution_id,
        title=title,
        member=member,
        party=party,
        houses=(page["house"],),
        sitting_date=sitting_date,
        debate_types=proceeding_parts[0],
        debate_title=proceeding_parts[1],
        contribution_type=object_name,
        references=references,
        session=page["session"],
        chamber=chamber,
        subjects=tuple(subjects),
        index_timestamp=index_timestamp,
        paragraphs=tuple(paragraphs),
        # As in `_Page.parse`: the Type field is kept when the sentence names another type.
        extra={} if type_value == object_name else {"Type": type_value},
    )


# The checks below depend only on values that recur from page to page (titles,
# members, dates, proceedings, field values), so each is worked out once per value.

# A member or a party with one bracketed group at most, at the end: "Lord Jones
# (Cardiff)", "Labour (Co-op)".
_NAME_WITH_BRACKETS_RE = re.compile(r"[^()]+(?: \([^()]+\))?")


def _is_plain(text: str) -> bool:
    """Non-empty, with single spaces and no other whitespace: as `_Page` glues sentence pieces."""
    return bool(text) and " ".join(text.split()) == text


@functools.lru_cache(maxsize=4096)
def _takes_title_and_sentence(title: str, object_name: str) -> bool:
    """Would `_Page._body` take this title and the sentence starting "<object_name> from" below it?

    `_Page._body` tries the body lines in order as the start of the sentence and
    takes the first sentence that parses and ends the body. None started in the
    speech text can reach the end: it stops at the last paragraph at the latest,
    which ends with "." (checked by the caller) and which the title must not
    continue. The title must start no sentence itself, and read as a title.
    """
    return (
        bool(title)
        and title == title.strip()
        and title not in _STRUCTURE_LINES
        and not title.startswith(_OCCURRED.rstrip())
        and _CONTINUATION_RE.match(title) is None
        and not ("A" <= title[:1] <= "Z" and _object_name(title, f"{object_name} from") is not None)
        and _is_title(title)
    )


@functools.lru_cache(maxsize=4096)
def _plain_member_and_party(member: str, party: str) -> bool:
    """Does `_Page` read the sample's sentence with this member and party as they stand?

    `_Page` glues the sentence's lines into "<object> from <member> (<party>) in
    the <house> on <date>. It occurred during <proceeding>." and `_parse_prelim`
    splits that at the first " It occurred during ", the last " on " and then the
    first " in the ". The house and a valid date hold none of those, so neither
    may the member or the party. A member not starting with "." or "," is glued
    with a space (one ending with "." is continued by the "(" that follows), and
    with at most one bracketed group each, at the end, `_split_member` gives back
    the member and the party as they stand.
    """
    occurred = _OCCURRED.rstrip()
    return (
        _is_plain(member)
        and _is_plain(party)
        and member not in _STRUCTURE_LINES
        and not member.startswith((".", ","))
        and _NAME_WITH_BRACKETS_RE.fullmatch(member) is not None
        and _NAME_WITH_BRACKETS_RE.fullmatch(party) is not None
        and occurred not in member
        and occurred not in party
        and " in the " not in f" {member} "
        and " in the " not in party
        and _is_name(member)
        and _is_name(party)
    )


@functools.lru_cache(maxsize=4096)
def _plain_proceeding(proceeding: str) -> tuple[tuple[str, ...], str] | None:
    """The proceeding types and title in "It occurred during <proceeding>.", as `_parse_prelim` splits them."""
    return _split_proceeding(proceeding) if _is_plain(proceeding) else None


@functools.lru_cache(maxsize=4096)
def _plain_name(value: str) -> bool:
    """Is a value line of Type, Chamber or Subjects, as it stands, a name that `_Page` accepts?"""
    return bool(value) and value == value.strip() and value not in _STRUCTURE_LINES and _is_name(value)


_sitting_date = functools.lru_cache(maxsize=8192)(parse_sitting_date)


class _Page:
    """One parse of one text: its stripped lines, and the source name for errors."""

    def __init__(self, text: str, source: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.source = source
        # Split on "\n" only, so line numbers match what an editor shows; strip()
        # removes the "\r" of CRLF files and the NBSP the page puts after values.
        self.lines = [line.strip() for line in text.split("\n")]

    def error(self, index: int, reason: str) -> ParseError:
        """A ParseError at 0-based line ``index`` (clamped into the file)."""
        line = min(max(index, 0), len(self.lines) - 1) + 1
        return ParseError(self.source, line, reason)

    # ------------------------------------------------------------------ top level

    def parse(self) -> ParsedContribution:
        lines = self.lines
        metadata_start = len(lines)
        for index, line in enumerate(lines):
            if len(line) <= _LONGEST_STRUCTURE_LINE and line in _STRUCTURE_LINES:
                metadata_start = index
                break
        body = [i for i in range(metadata_start) if lines[i] and lines[i] not in _BUTTON_TEXTS]
        if not body:
            if not any(lines):
                raise self.error(0, "empty input: expected a contribution page")
            raise self.error(
                metadata_start,
                "expected the speech text, a title and a preliminary sentence before the first field",
            )
        prelim, title_index, paragraph_indexes = self._body(body)
        fields = self._fields(metadata_start)

        uri_entry = fields.get("URI")
        if uri_entry is None:
            heading = next(
                (i for i in range(metadata_start, len(lines)) if lines[i] in _LIBRARIANS_HEADINGS),
                len(lines) - 1,
            )
            raise self.error(heading, "no URI: expected a 'URI' label followed by the contribution URI")
        uri_index, uri = uri_entry[1][0]
        contribution_id = _contribution_id(uri)
        if contribution_id is None:
            raise self.error(
                uri_index,
                f"unrecognised URI {_clip(uri)!r}: expected http://data.parliament.uk/pimsdata/hansard/"
                "CONTRIBUTION_<n>, http://hansard.intranet.data.parliament.uk/<House>/<date>/<id> or "
                "http://data.parliament.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_<n>/-question",
            )

        references: list[Reference] = []
        for index, value in fields.get("Reference", (0, []))[1]:
            try:
                references.extend(parse_references(value))
            except ValueError as exc:
                raise self.error(index, f"{exc} after 'Reference'") from None

        session = self._single(fields, "Session")
        if session is not None and _SESSION_RE.fullmatch(session[1]) is None:
            raise self.error(session[0], f"expected a session like '2009-10', found {_clip(session[1])!r}")

        index_timestamp: dt.datetime | None = None
        timestamp = self._single(fields, "Timestamp")
        if timestamp is not None:
            try:
                index_timestamp = _parse_timestamp(timestamp[1])
            except ValueError:
                raise self.error(
                    timestamp[0],
                    f"expected a timestamp like '2024-12-30 18:03:24 +0000' after 'Timestamp', "
                    f"found {_clip(timestamp[1])!r}",
                ) from None

        extra: dict[str, str] = {}
        for name, (_, values) in fields.items():
            if values and name in _EXTRA_FIELDS:
                extra[name] = "\n".join([value for _, value in values])

        for name in ("Type", "Chamber", "Subjects"):
            for index, value in fields.get(name, (0, []))[1]:
                if not _is_name(value):
                    raise self.error(index, f"expected a short name after {name!r}, found {_clip(value)!r}")

        type_field = self._single(fields, "Type")
        if prelim is not None:
            contribution_type = prelim.object_name
        elif type_field is not None:
            contribution_type = type_field[1]
        else:
            # Nothing names the object; the page template is the proceeding
            # contribution one, so that is what it is.
            contribution_type = _DEFAULT_OBJECT_NAME
        if type_field is not None and type_field[1] != contribution_type:
            extra["Type"] = type_field[1]

        chamber = self._single(fields, "Chamber")
        return ParsedContribution(
            uri=uri,
            contribution_id=contribution_id,
            title=lines[title_index],
            member=prelim.member if prelim else None,
            party=prelim.party if prelim else None,
            houses=prelim.houses if prelim else (),
            sitting_date=prelim.sitting_date if prelim else None,
            debate_types=prelim.debate_types if prelim else (),
            debate_title=prelim.debate_title if prelim else None,
            contribution_type=contribution_type,
            references=tuple(references),
            session=session[1] if session is not None else None,
            chamber=chamber[1] if chamber is not None else None,
            subjects=tuple([value for _, value in fields.get("Subjects", (0, []))[1]]),
            index_timestamp=index_timestamp,
            paragraphs=tuple([lines[i] for i in paragraph_indexes]),
            extra=extra,
        )

    # ------------------------------------------------------------------ body

    def _body(self, body: list[int]) -> tuple[_Prelim | None, int, list[int]]:
        """Find the preliminary sentence and the title among the non-blank body lines.

        Returns (prelim or None, title line index, paragraph line indexes). The
        sentence sits directly above or below the title; the title is at the
        end of the body (sample: text, title, sentence) or at its start (newer
        pages: sentence, title, text).
        """
        lines = self.lines
        best: tuple[int, _Prelim, int, int] | None = None  # (rank, prelim, first k, last k)
        misplaced: int | None = None
        failure: tuple[int, str] | None = None
        count = len(body)
        # The sentence can only start on the first two body lines or end on the
        # last two, so only those positions are tried: a long speech full of
        # sentence-like lines then costs no more than a short one.
        tail = max(2, count - _MAX_PRELIM_LINES - 2)
        for k in (*range(min(2, count)), *range(tail, count)):
            index = body[k]
            line = lines[index]
            if not ("A" <= line[:1] <= "Z"):
                continue
            candidate = _object_name(line, lines[body[k + 1]] if k + 1 < count else "")
            if candidate is None:
                continue
            try:
                prelim, last = self._read_prelim(body, k, *candidate)
            except _PrelimFailure as exc:
                # A known object name makes it the page's sentence, so keep the
                # reason; an unfamiliar one was most likely just a speech line.
                if candidate[1] and failure is None:
                    failure = (exc.index, exc.reason)
                continue
            before, after = k, count - 1 - last
            if before == 0 and after == 0:
                raise self.error(index, "expected a title line next to the preliminary sentence")
            if after == 0:
                rank = 0  # text, title, sentence (the sample)
            elif before == 0:
                rank = 1  # sentence, title, text (since 2026-03)
            elif before == 1 or after == 1:
                rank = 2  # title, sentence, text / text, sentence, title
            else:
                if misplaced is None:
                    misplaced = index
                continue
            if best is None or rank < best[0]:
                best = (rank, prelim, k, last)
            if rank == 0:
                break  # nothing can rank higher

        if best is None:
            if misplaced is None:
                misplaced = self._misplaced_prelim(body, 2, tail)
            if misplaced is not None:
                raise self.error(
                    misplaced,
                    "preliminary sentence is inside the speech text: expected it directly above or below the title",
                )
            if failure is not None:
                raise self.error(*failure)
            return None, *self._untitled(body)

        rank, prelim, first, last = best
        if rank == 0:  # text, title, sentence
            title_k = first - 1
            paragraphs = body[:title_k]
        elif rank == 1:  # sentence, title, text
            title_k = last + 1
            paragraphs = body[title_k + 1 :]
        elif self._title_before(body, first, last):  # title, sentence, text
            title_k = first - 1
            paragraphs = body[last + 1 :]
        else:  # text, sentence, title
            title_k = last + 1
            paragraphs = body[:first]
        title = self.lines[body[title_k]]
        if not _is_title(title):
            raise self.error(
                body[title_k], f"expected a title next to the preliminary sentence, found {_clip(title)!r}"
            )
        if not paragraphs:
            raise self.error(body[title_k], "no speech text: expected paragraphs next to the title")
        return prelim, body[title_k], paragraphs

    def _misplaced_prelim(self, body: list[int], start: int, stop: int) -> int | None:
        """The line of a known-name preliminary sentence in the middle of the text, if any.

        Only for the error message, so only the first such line is parsed.
        """
        lines = self.lines
        for k in range(start, stop):
            match = _KNOWN_START_RE.match(lines[body[k]])
            if match is not None:
                try:
                    self._read_prelim(body, k, match[1], True)
                except _PrelimFailure:
                    return None
                return body[k]
        return None

    def _title_before(self, body: list[int], first: int, last: int) -> bool:
        """For a sentence with text on one side and one line on the other: is the title before it?

        With one line on each side ("title, sentence, text" and "text, sentence,
        title" with a one-paragraph text) the paragraph is the line that reads as
        prose; ties go to the title before, the order of the sample.
        """
        before, after = first, len(body) - 1 - last
        if before != 1:
            return False
        if after != 1:
            return True
        above, below = self.lines[body[first - 1]], self.lines[body[last + 1]]
        return not (_reads_as_prose(above) and not _reads_as_prose(below))

    def _untitled(self, body: list[int]) -> tuple[int, list[int]]:
        """Place the title when there is no preliminary sentence (seen on some older pages)."""
        if len(body) < 2:
            raise self.error(body[0], "expected a preliminary sentence, a title and speech text")
        first, last = self.lines[body[0]], self.lines[body[-1]]
        # The sample puts the title directly above the fields; newer pages put it
        # above the text. A title does not end like a sentence, which decides it.
        for question in (False, True):
            if _is_title(last, question):
                return body[-1], body[:-1]
            if _is_title(first, question):
                return body[0], body[1:]
        raise self.error(
            body[-1],
            "no preliminary sentence and no line reads as the title: expected 'Proceeding contribution "
            "from <member> ...' next to the title",
        )

    def _read_prelim(self, body: list[int], k: int, object_name: str, known: bool) -> tuple[_Prelim, int]:
        """Join the sentence's pieces from body line ``k`` on and parse them.

        Returns the sentence and the body position of its last line. The pieces
        are glued the way the page's <span>s were, so "(" / "Conservative" / ")"
        and "Tuesday, 23 February 2010" / "." read as one sentence.
        """
        lines = self.lines
        parts: list[str] = []
        starts: list[int] = []  # offset of each piece in the joined text
        length = 0
        j = k
        count = len(body)
        while j < count and j - k < _MAX_PRELIM_LINES and length < _MAX_PRELIM_CHARS:
            piece = " ".join(lines[body[j]].split())
            glue = "" if not parts or piece.startswith((".", ",", ")")) or parts[-1].endswith("(") else " "
            starts.append(length + len(glue))
            parts.append(glue + piece)
            length += len(glue) + len(piece)
            if piece.endswith("."):
                joined = "".join(parts)
                next_piece = lines[body[j + 1]] if j + 1 < count else ""
                if next_piece == "." or (
                    (" " + _OCCURRED) not in joined
                    and (next_piece.startswith(_OCCURRED.rstrip()) or _CONTINUATION_RE.match(next_piece))
                ):
                    j += 1
                    continue
                try:
                    return _parse_prelim(joined, object_name, known), j
                except _NotPrelim as exc:
                    piece_k = bisect.bisect_right(starts, exc.pos) - 1
                    raise _PrelimFailure(body[k + max(piece_k, 0)], exc.reason) from None
            j += 1
        raise _PrelimFailure(body[k], "expected the preliminary sentence to end with '.'")

    # ------------------------------------------------------------------ fields

    def _fields(self, start: int) -> dict[str, tuple[int, list[tuple[int, str]]]]:
        """Label/value blocks from line ``start`` on: name -> (label line, [(line, value)])."""
        lines = self.lines
        fields: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        current: str | None = None  # the field being filled, None after a heading
        values: list[tuple[int, str]] = []
        label = ""  # as printed, for messages
        for index in range(start, len(lines)):
            line = lines[index]
            if not line:
                continue
            if "clipboard" in line:  # rare: only in pastes that caught the copy button
                for button in _BUTTON_TEXTS:
                    line = line.replace(button, "")
                line = line.strip()
                if not line:
                    continue
            name = _LABELS.get(line)
            if name is not None or line in _HEADINGS:
                if current is not None and not values and current not in _MAY_BE_EMPTY:
                    raise self._missing_value(current, label, index)
                if name is None:  # a heading or "Back to top"
                    current = None
                    continue
                entry = fields.get(name)
                if entry is None:
                    values = []
                    fields[name] = (index, values)
                elif name in _SINGLE_VALUED:
                    raise self.error(index, f"duplicate {line!r} field")
                else:  # Procedure and Legislation can repeat
                    values = entry[1]
                current, label = name, line
                continue
            if current is None:
                raise self.error(index, f"expected a field label such as 'Reference' or 'URI', found {_clip(line)!r}")
            if values and current in _SINGLE_VALUED:
                raise self.error(index, f"unexpected second value for {current!r}: {_clip(line)!r}")
            values.append((index, line))
        if current is not None and not values and current not in _MAY_BE_EMPTY:
            raise self._missing_value(current, label, len(lines) - 1)
        return fields

    def _missing_value(self, name: str, label: str, at: int) -> ParseError:
        """A field that needs a value is followed by another label or the end: point at that line."""
        return self.error(at, f"expected {_VALUE_NAMES.get(name, 'a value')} after {label!r}")

    @staticmethod
    def _single(fields: dict[str, tuple[int, list[tuple[int, str]]]], name: str) -> tuple[int, str] | None:
        entry = fields.get(name)
        if entry is None or not entry[1]:
            return None
        return entry[1][0]


class _PrelimFailure(Exception):
    """A candidate preliminary sentence failed: the 0-based line and why."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason
