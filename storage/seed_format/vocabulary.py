"""The seed format's vocabulary: page-structure labels and headings, object names, shared regexes.

Everything here is shared by the fast path and the general reader, with `clip`, the
one helper every error message uses; nothing here parses a page.
"""

from __future__ import annotations

import re

from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS

# --------------------------------------------------------------------------- page structure

# Field labels as printed, mapped to the name used in this package (and in `extra`).
LABELS: dict[str, str] = {
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
HEADINGS = frozenset(
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
STRUCTURE_LINES = frozenset(LABELS) | HEADINGS
# Speech paragraphs run to thousands of characters: comparing lengths first
# spares hashing each of them for a set lookup that cannot succeed.
LONGEST_STRUCTURE_LINE = max(map(len, STRUCTURE_LINES))
LIBRARIANS_HEADINGS = frozenset({"Librarians' tools", "Librarians’ tools", "About this result"})
# Button captions that end up in a paste, alone or glued to the URI line.
BUTTON_TEXTS = ("Copy URI to clipboard", "Copy text to clipboard")
# Fields with one value; the others may repeat or hold several lines.
SINGLE_VALUED = frozenset(
    {"Type", "Session", "Chamber", "Timestamp", "URI", "In Indexing", "In Solr", "Internal location"}
)
# Fields that may be printed with no value (the sample has an empty "Subjects").
MAY_BE_EMPTY = frozenset({"Subjects", "Related items", "Legislation", "Procedure", "Notes", "Link"})
# Stored in `ParsedContribution.extra` under the label name. "In Indexing" and
# "In Solr" are left out: they are links built from the URI and add nothing.
EXTRA_FIELDS = frozenset(
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
VALUE_NAMES = {
    "Type": "a type line",
    "Reference": "a reference line",
    "Session": "a session line",
    "Chamber": "a chamber line",
    "Timestamp": "a timestamp line",
    "URI": "a URI line",
}

# A session value such as "2009-10".
SESSION_RE = re.compile(r"\d{4}-\d{2}")

# --------------------------------------------------------------------------- preliminary sentence

# Object names seen or named in the template's code ("the singularised subtype or type").
KNOWN_OBJECT_NAMES = ("Proceeding contribution", "Business question", "Speaker's ruling", "Speaker’s ruling")
# A line starting the sentence with a known name: the name alone (the rest follows
# on later lines), with a full stop, or followed by "from", "in the" or "on".
KNOWN_START_RE = re.compile(
    "(" + "|".join(re.escape(name) for name in KNOWN_OBJECT_NAMES) + r")(?:\.?$| from(?: |$)| in the | on )"
)
# The start of the sentence's second half.
OCCURRED = "It occurred during "
# Pieces that continue the first sentence after a piece that happened to end in
# "." (a member name such as "Mr. Smith", say), in the per-<span> layout.
CONTINUATION_RE = re.compile(r"(?:\(|in the(?: |$)|on(?: |$)|[A-Z][a-z]+day,)")
# The houses the sentence may name after "in the", as stored.
HOUSES = {HOUSE_OF_COMMONS: HOUSE_OF_COMMONS, HOUSE_OF_LORDS: HOUSE_OF_LORDS}
# The object a page is when nothing on it names one: the template is the proceeding contribution one.
DEFAULT_OBJECT_NAME = "Proceeding contribution"

# --------------------------------------------------------------------------- error messages


def clip(text: str, size: int = 60) -> str:
    """Keep error messages short whatever the input."""
    return text if len(text) <= size else text[: size - 1] + "…"
