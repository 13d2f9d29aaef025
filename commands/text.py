"""Making Hansard text safe and short for chat: escaping, neutralised mentions, excerpts.

Everything quoted from Hansard passes through `safe_text` before it reaches a
reply, so it shows as written and can never ping anyone, even if a later layer
forgot to disable mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.search import MARK_END, MARK_START

ELLIPSIS = "…"
ZERO_WIDTH_SPACE = "\u200b"

# Characters that Discord Markdown gives meaning to anywhere in a line.
_INLINE_MARKDOWN = re.compile(r"([\\*_~`|\[\]()<>])")
# Constructs that only mean something at the start of a line: quotes, headings, lists.
_LINE_START_MARKDOWN = re.compile(r"(?m)^(\s*)([>#-]|\d+\.)(?=\s)")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")


def neutralise_mentions(text: str) -> str:
    """Break ``@everyone``/``@here`` and ``<@id>``, ``<@&id>``, ``<#id>`` so they cannot ping."""
    text = _MASS_MENTION.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)
    return re.sub(r"<([@#/])", lambda m: f"<{ZERO_WIDTH_SPACE}{m.group(1)}", text)


def escape_markdown(text: str) -> str:
    text = _INLINE_MARKDOWN.sub(r"\\\1", text)
    return _LINE_START_MARKDOWN.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def safe_text(text: str) -> str:
    """Hansard text as it should be quoted in Discord: shown as written, pinging no one."""
    # Escaping first turns "<@123>" into "\<@123>"; neutralising afterwards still breaks it.
    return neutralise_mentions(escape_markdown(text))


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    # Never leave a dangling escape backslash or half a bold marker at the cut...
    cut = cut.rstrip("\\* ")
    # ...nor an open bold run (escaped text has no "**" of its own, so these are ours).
    if cut.count("**") % 2:
        cut = cut[: cut.rfind("**")] + cut[cut.rfind("**") + 2 :]
    return cut + ELLIPSIS


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str
    matched: bool


def _segments(marked: str) -> list[_Segment]:
    """Split text carrying MARK_START/MARK_END into plain and matched runs."""
    segments: list[_Segment] = []
    position = 0
    while position < len(marked):
        start = marked.find(MARK_START, position)
        if start == -1:
            segments.append(_Segment(marked[position:], False))
            break
        if start > position:
            segments.append(_Segment(marked[position:start], False))
        end = marked.find(MARK_END, start)
        end = len(marked) if end == -1 else end
        segments.append(_Segment(marked[start + 1 : end], True))
        position = end + 1
    return [s for s in segments if s.text]


def _render(marked: str) -> str:
    """Escape a marked passage and put matched words in bold."""
    out: list[str] = []
    for segment in _segments(marked):
        escaped = safe_text(segment.text)
        out.append(f"**{escaped}**" if segment.matched and escaped.strip() else escaped)
    return "".join(out)


def _render_within(marked: str, limit: int, from_start: bool) -> tuple[str, bool]:
    """Render as many whole words of ``marked`` as fit in ``limit``; True if all fitted."""
    rendered = _render(marked)
    if len(rendered) <= limit:
        return rendered, True
    words = marked.split(" ")
    low, high = 0, len(words)
    # Binary search on the number of words kept: rendering is linear, so this stays cheap.
    while low < high:
        middle = (low + high + 1) // 2
        kept = words[:middle] if from_start else words[-middle:]
        if len(_render(_close_marks(" ".join(kept)))) <= limit:
            low = middle
        else:
            high = middle - 1
    kept = words[:low] if from_start else words[-low:] if low else []
    return _render(_close_marks(" ".join(kept))), False


def _close_marks(marked: str) -> str:
    """Repair marks that a cut left unbalanced."""
    if marked.count(MARK_START) > marked.count(MARK_END):
        marked += MARK_END
    first_end, first_start = marked.find(MARK_END), marked.find(MARK_START)
    if first_end != -1 and (first_start == -1 or first_end < first_start):
        marked = MARK_START + marked
    return marked


def excerpt(text: str, highlighted: str | None = None, max_chars: int = 700) -> str:
    """The passage of ``text`` that best matches, cut at sentence or word boundaries.

    ``highlighted`` is the same text with matched words between MARK_START and
    MARK_END (from the search back end, which knows its own stemming). The result
    is escaped for Discord, matched words are bold, and it is at most
    ``max_chars`` characters long.
    """
    source = highlighted if highlighted and MARK_START in highlighted else text
    sentences = [s for s in _SENTENCE_END.split(source.strip()) if s.strip()]
    if not sentences:
        return ""
    budget = max_chars - 2  # room for an ellipsis at each end
    scores = [s.count(MARK_START) for s in sentences]
    best_start, best_score = 0, -1
    for start in range(len(sentences)):
        if scores[start] == 0 and best_score > 0:
            continue
        length, score, distinct = 0, 0, set()
        for index in range(start, len(sentences)):
            length += len(sentences[index]) + 1
            if length > budget and index > start:
                break
            score += scores[index]
            distinct.update(re.findall(f"{MARK_START}([^{MARK_END}]*){MARK_END}", sentences[index].lower()))
        total = score + 10 * len(distinct)
        if total > best_score:
            best_start, best_score = start, total

    chosen: list[str] = []
    length = 0
    for sentence in sentences[best_start:]:
        if chosen and length + len(_render(sentence)) + 1 > budget:
            break
        chosen.append(sentence)
        length += len(_render(sentence)) + 1
    passage = " ".join(chosen)
    rendered, whole = _render_within(passage, budget, from_start=True)
    if not whole and MARK_START in passage and "**" not in rendered:
        # The match sits beyond the cut of one long sentence: keep the words around it.
        first = passage.find(MARK_START)
        tail = passage[max(0, passage.rfind(" ", 0, max(0, first - 80)) + 1) :]
        rendered, whole = _render_within(tail, budget, from_start=True)
        rendered = ELLIPSIS + rendered
    ends_early = best_start + len(chosen) < len(sentences) or not whole
    prefix = ELLIPSIS if best_start > 0 and not rendered.startswith(ELLIPSIS) else ""
    result = prefix + rendered + (ELLIPSIS if ends_early else "")
    return result[:max_chars]


_ESCAPED = re.compile(r"\\([\\*_~`|\[\]()<>#\-]|\d+\.)")


def plain_text(safe: str, bold: tuple[str, str] = ("", "")) -> str:
    """Undo `safe_text` for a terminal: no escapes, no zero-width spaces, bold as given."""
    text = safe.replace(ZERO_WIDTH_SPACE, "")
    parts = re.split(r"(?<!\\)\*\*", text)
    # Odd-numbered parts were between bold markers.
    text = "".join(f"{bold[0]}{part}{bold[1]}" if i % 2 else part for i, part in enumerate(parts))
    return _ESCAPED.sub(r"\1", text)
