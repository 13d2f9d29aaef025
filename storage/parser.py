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
them, are first read by one regex over the end of the page (`parse_sample_layout`),
several times faster; any other page, and any page it is not sure of, goes to
the general reader (`parse_general`), which gives the same record.

This module is the format's public entry: the sniff and the choice between the two
readers. The readers and what they share live in `storage.seed_format`.
"""

from __future__ import annotations

from storage.records import ParsedContribution
from storage.seed_format.dates import parse_sitting_date
from storage.seed_format.fast_path import parse_sample_layout
from storage.seed_format.page import parse_general
from storage.seed_format.references import parse_reference, parse_references

__all__ = [
    "looks_like_contribution",
    "parse_contribution",
    "parse_reference",
    "parse_references",
    "parse_sitting_date",
]

# Phrases of the page that settle the sniff at once.
_SNIFF_MARKERS = (
    "Proceeding contribution",
    "It occurred during ",
    "Librarians' tools",
    "Secondary information",
    "About this proceeding contribution",
    "data.parliament.uk/pimsdata/",
    "hansard.intranet.data.parliament.uk/",
)


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
    # Nearly every page is laid out like the sample, which `parse_sample_layout`
    # reads several times faster; whatever it is not sure of goes the general way.
    record = parse_sample_layout(text)
    if record is not None:
        return record
    return parse_general(text, source)
