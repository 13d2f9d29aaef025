"""The fast path: a page laid out exactly like the sample, read by one regex, or None.

One regex reads such a page from the title to the end: the preliminary sentence
over the sample's five lines ("<object> from", member, "(<party>)", "in the <house>
on <date>.", "It occurred during <proceeding>."), then Type, Reference, Session,
Chamber / Committee, Subjects (any number of lines), a heading, Timestamp, URI, In
Indexing and In Solr, each label or heading alone on its line. Most values are
taken as they stand and checked in Python (once per distinct value where they
recur), so that each is exactly what the general reader (`_Page`, in page.py)
reads. Everything else goes to `_Page`: the sentence on one line or split
otherwise, no sentence or one above the title, other, missing or repeated fields,
blank lines or whitespace around labels among the fields, copy-button captions,
and anything `_Page` would reject.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from storage.records import ParsedContribution
from storage.seed_format.dates import parse_sitting_date, parse_timestamp
from storage.seed_format.names import is_name, is_title
from storage.seed_format.preliminary import prelim_object_name, split_proceeding
from storage.seed_format.references import parse_references
from storage.seed_format.uris import contribution_id_from_uri
from storage.seed_format.vocabulary import (
    BUTTON_TEXTS,
    CONTINUATION_RE,
    HEADINGS,
    HOUSES,
    KNOWN_OBJECT_NAMES,
    LABELS,
    LONGEST_STRUCTURE_LINE,
    OCCURRED,
    SESSION_RE,
    STRUCTURE_LINES,
)

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
        rf"(?P<object_name>{_one_of(KNOWN_OBJECT_NAMES)}) from",
        r"(?P<member>[^\n]*)",
        r"\((?P<party>[^\n]*)\)",
        rf"in the (?P<house>{_one_of(HOUSES)}) on (?P<date>[^\n]*)\.",
        r"It occurred during (?P<proceeding>[^\n]*)\.",
        "Type",
        r"(?P<type>[^\n]*)",
        "Reference",
        r"(?P<reference>[^\n]*\S[^\n]*)",
        "Session",
        rf"(?P<session>{SESSION_RE.pattern})",
        _one_of(label for label, name in LABELS.items() if name == "Chamber"),
        r"(?P<chamber>[^\n]*)",
        "Subjects",
    )
    + r"(?P<subjects>(?:[^\n]*\n)*?)"
    + _on_lines(
        _one_of(HEADINGS),
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
_SAMPLE_SENTENCE_STARTS = tuple(f"\n{name} from" for name in KNOWN_OBJECT_NAMES)


def parse_sample_layout(text: str) -> ParsedContribution | None:
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
        if len(line) <= LONGEST_STRUCTURE_LINE and line in STRUCTURE_LINES:
            return None  # the fields would start here
        if line and line not in BUTTON_TEXTS:
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
    # `contribution_id_from_uri` recognises no URI with whitespace around it, and the
    # other two strip (or normalise) whitespace themselves, as `_Page` would first.
    # None of them accepts a label or heading, nor does the pattern a blank reference.
    reference, timestamp, uri, indexing, solr = page.group("reference", "timestamp", "uri", "indexing", "solr")
    contribution_id = contribution_id_from_uri(uri)
    proceeding_parts = _plain_proceeding(proceeding)
    if contribution_id is None or proceeding_parts is None or not STRUCTURE_LINES.isdisjoint((indexing, solr)):
        return None
    try:
        references = parse_references(reference)
        index_timestamp = parse_timestamp(timestamp)
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
        and title not in STRUCTURE_LINES
        and not title.startswith(OCCURRED.rstrip())
        and CONTINUATION_RE.match(title) is None
        and not ("A" <= title[:1] <= "Z" and prelim_object_name(title, f"{object_name} from") is not None)
        and is_title(title)
    )


@functools.lru_cache(maxsize=4096)
def _plain_member_and_party(member: str, party: str) -> bool:
    """Does `_Page` read the sample's sentence with this member and party as they stand?

    `_Page` glues the sentence's lines into "<object> from <member> (<party>) in
    the <house> on <date>. It occurred during <proceeding>." and `parse_prelim`
    splits that at the first " It occurred during ", the last " on " and then the
    first " in the ". The house and a valid date hold none of those, so neither
    may the member or the party. A member not starting with "." or "," is glued
    with a space (one ending with "." is continued by the "(" that follows), and
    with at most one bracketed group each, at the end, `_split_member` gives back
    the member and the party as they stand.
    """
    occurred = OCCURRED.rstrip()
    return (
        _is_plain(member)
        and _is_plain(party)
        and member not in STRUCTURE_LINES
        and not member.startswith((".", ","))
        and _NAME_WITH_BRACKETS_RE.fullmatch(member) is not None
        and _NAME_WITH_BRACKETS_RE.fullmatch(party) is not None
        and occurred not in member
        and occurred not in party
        and " in the " not in f" {member} "
        and " in the " not in party
        and is_name(member)
        and is_name(party)
    )


@functools.lru_cache(maxsize=4096)
def _plain_proceeding(proceeding: str) -> tuple[tuple[str, ...], str] | None:
    """The proceeding types and title in "It occurred during <proceeding>.", as `parse_prelim` splits them."""
    return split_proceeding(proceeding) if _is_plain(proceeding) else None


@functools.lru_cache(maxsize=4096)
def _plain_name(value: str) -> bool:
    """Is a value line of Type, Chamber or Subjects, as it stands, a name that `_Page` accepts?"""
    return bool(value) and value == value.strip() and value not in STRUCTURE_LINES and is_name(value)


_sitting_date = functools.lru_cache(maxsize=8192)(parse_sitting_date)
