"""Line shapes: whether a line could be a one-line name or a title, or reads as prose.

These checks keep speech text out of name fields in files whose lines have been
shuffled or cut, and tell the title from the paragraphs around it.
"""

from __future__ import annotations

import re

from storage.seed_format.vocabulary import KNOWN_START_RE, OCCURRED

# A line ending like this reads as prose, not as a title, a type or a subject.
_PROSE_ENDINGS = ("?", "!", ":", ";", ",", '"', "”", "’")
# Abbreviations that end a name with "." without making it a sentence.
_ABBREVIATIONS = frozenset({"etc.", "no.", "co.", "ltd.", "st.", "inc.", "bros.", "plc."})
# Generous bounds on one-line names; a longer line is speech text out of place.
_MAX_TITLE = 300
_MAX_NAME = 200


def reads_as_prose(text: str) -> bool:
    """True for a line that ends like a sentence; titles, types and subjects never do."""
    if text.endswith(_PROSE_ENDINGS):
        return True
    if text.endswith("."):
        return text[text.rfind(" ") + 1 :].lower() not in _ABBREVIATIONS
    return False


def is_name(text: str, limit: int = _MAX_NAME) -> bool:
    """Could ``text`` be a one-line name (title, member, type, chamber, subject)?

    Used to refuse files whose lines have been shuffled or cut, where a speech
    paragraph or a link would otherwise land in a name field.
    """
    return len(text) <= limit and "://" not in text and not reads_as_prose(text)


def is_title(text: str, question: bool = True) -> bool:
    """Could ``text`` be a title? It may be in quotation marks and, with ``question``, end with "?" or "!".

    A question or an exclamation reads as prose, so where a speech paragraph could
    be taken for the title instead (`_Page._untitled`) plain titles are tried first.
    """
    if text.startswith((OCCURRED, "(")) or KNOWN_START_RE.match(text) is not None:
        return False  # a piece of a preliminary sentence
    inner = _unquoted(text)
    if question and inner.endswith(("?", "!")):
        inner = inner[:-1].rstrip()
    if inner == text:
        return is_name(text, _MAX_TITLE)
    # Quoted, or a question: one sentence at most, as titles are.
    return (
        bool(inner) and len(text) <= _MAX_TITLE and is_name(inner, _MAX_TITLE) and not _SENTENCE_BREAK_RE.search(inner)
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
