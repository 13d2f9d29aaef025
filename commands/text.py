"""Plain text made short: excerpts around the matched words, and cuts at word boundaries.

Nothing here formats for a front end. An excerpt is plain text plus the spans of
its matched words; each front end (Discord, the terminal, JSON) shows them its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.search import MARK_END, MARK_START

ELLIPSIS = "…"
# A matched word in an excerpt: (start, end) offsets into the excerpt's text.
Span = tuple[int, int]

# Hansard's abbreviations: a full stop after one of these never ends a sentence
# ("the hon. Gentleman", "Mr. Speaker", "the rt. hon. Member", "No. 10").
_ABBREVIATIONS = frozenset(
    {
        "hon", "rt", "mr", "mrs", "ms", "dr", "st", "no", "nos", "col", "cols", "c", "cc", "vol",
        "gen", "lt", "sgt", "capt", "cllr", "prof", "rev", "revd", "cf", "viz", "vs", "etc", "eg", "ie",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "q", "qq",
    }
)  # fmt: skip
# A full stop after these ends a sentence only when a capital follows ("5 per cent. The ...").
_CLOSING_ABBREVIATIONS = frozenset({"cent", "etc"})
# A candidate sentence end: closing punctuation (and any closing quote or bracket), then space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+|\n\s*")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A passage of a speech and where its matched words are."""

    text: str
    highlights: tuple[Span, ...] = ()


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def unmark(marked: str) -> Excerpt:
    """Plain text and match spans from text whose matched words sit between MARK_START and MARK_END."""
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    position = 0
    while position < len(marked):
        start = marked.find(MARK_START, position)
        if start == -1:
            out.append(marked[position:].replace(MARK_END, ""))
            break
        before = marked[position:start].replace(MARK_END, "")
        out.append(before)
        length += len(before)
        end = marked.find(MARK_END, start)
        end = len(marked) if end == -1 else end
        word = marked[start + 1 : end].replace(MARK_START, "")
        if word.strip():
            spans.append((length, length + len(word)))
        out.append(word)
        length += len(word)
        position = end + 1
    return Excerpt("".join(out), tuple(spans))


def _is_sentence_end(text: str, match: re.Match[str]) -> bool:
    if match.group().startswith("\n"):
        return True
    stop = match.start()
    if text[stop] != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, stop - 20), stop + 1)
    if word is None:
        return True
    before = word.group(1)
    following = text[match.end() : match.end() + 1]
    lowered = before.lower()
    if lowered in _CLOSING_ABBREVIATIONS:
        return following.isupper()
    if lowered in _ABBREVIATIONS or (len(before) == 1 and before.isupper()):
        return False  # "hon. Gentleman", "Mr. Speaker", an initial: "J. Smith"
    # A full stop followed by a lower-case word is no sentence end ("e.g. the", "approx. five").
    return not following.islower()


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` starts (paragraph breaks end sentences too)."""
    starts = [len(text) - len(text.lstrip())]
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text) and _is_sentence_end(text, match):
            starts.append(match.end())
    return sorted(set(starts))


def _collapse(text: str, spans: list[Span]) -> Excerpt:
    """``text`` with each run of white space made one space, spans moved to match."""
    out: list[str] = []
    moved: list[Span] = []
    old_to_new: list[int] = []
    length = 0
    for piece in re.split(r"(\s+)", text):
        if not piece:
            continue
        if piece.isspace():
            old_to_new.extend([length] * len(piece))
            if out:
                out.append(" ")
                length += 1
            continue
        old_to_new.extend(range(length, length + len(piece)))
        out.append(piece)
        length += len(piece)
    old_to_new.append(length)
    for start, end in spans:
        new_start, new_end = old_to_new[start], old_to_new[end] if end < len(old_to_new) else length
        if new_end > new_start:
            moved.append((new_start, new_end))
    return Excerpt("".join(out).rstrip(), tuple(moved))


def _cut(passage: Excerpt, limit: int) -> Excerpt:
    """The first whole words of ``passage`` that fit in ``limit`` characters, spans kept inside."""
    text = passage.text
    if len(text) <= limit:
        return passage
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    end = space if space > limit // 2 else limit
    kept = text[:end].rstrip()
    return Excerpt(kept, tuple((s, min(e, len(kept))) for s, e in passage.highlights if s < len(kept)))


def _shift(passage: Excerpt, start: int) -> Excerpt:
    text = passage.text[start:]
    spans = tuple((max(0, s - start), e - start) for s, e in passage.highlights if e > start)
    return Excerpt(text, spans)


def excerpt(text: str, highlighted: str | None = None, max_chars: int = 700) -> Excerpt:
    """The passage of ``text`` that best shows the matched words, at most ``max_chars`` long.

    ``highlighted`` is the same text with matched words between MARK_START and
    MARK_END (from the search back end, which knows its own stemming). The passage
    starts at a sentence boundary and holds a matched word whenever the text has one;
    it is marked with an ellipsis where it was cut.
    """
    source = unmark(highlighted) if highlighted and MARK_START in highlighted else Excerpt(text)
    plain = source.text
    starts = sentence_starts(plain)
    if not plain.strip():
        return Excerpt("")
    budget = max(1, max_chars - 2)  # room for an ellipsis at each end
    ends = [*starts[1:], len(plain)]
    spans = source.highlights
    # Which matched words each sentence holds: more matches, and more different words, is better.
    words_in: list[list[str]] = [[] for _ in starts]
    sentence = 0
    for start, end in spans:
        while sentence + 1 < len(starts) and starts[sentence + 1] <= start:
            sentence += 1
        words_in[sentence].append(plain[start:end].lower())
    best_start, best_score = 0, -1
    for first in range(len(starts)):
        if not words_in[first] and best_score > 0:
            continue
        matched: list[str] = []
        for index in range(first, len(starts)):
            if ends[index] - starts[first] > budget and index > first:
                break
            matched += words_in[index]
        score = len(matched) + 10 * len(set(matched))
        if score > best_score:
            best_start, best_score = first, score

    window_end = best_start + 1
    while window_end < len(starts) and ends[window_end] - starts[best_start] <= budget:
        window_end += 1
    offset = starts[best_start]
    raw = plain[offset : ends[window_end - 1]]
    inside = [(s - offset, e - offset) for s, e in spans if offset <= s and e <= offset + len(raw)]
    passage = _collapse(raw, inside)
    lead = ELLIPSIS if best_start > 0 else ""
    more_after = window_end < len(starts)
    whole = passage
    if passage.highlights and not _cut(passage, budget).highlights:
        # The match sits beyond the cut of one long sentence: start a few words before it.
        space = passage.text.rfind(" ", 0, max(0, passage.highlights[0][0] - 80))
        whole, lead = _shift(passage, space + 1), ELLIPSIS
    cut = _cut(whole, budget)
    tail = ELLIPSIS if more_after or len(cut.text) < len(whole.text) else ""
    shifted = tuple((s + len(lead), e + len(lead)) for s, e in cut.highlights)
    return Excerpt(lead + cut.text + tail, shifted)
