"""Plain text from the core made safe for Discord: escaped, highlighted, and cut to Discord's limits.

Every stored string (speech, title, member, party, constituency, debate, bill,
subjects, session, chamber) and everything a user typed passes through
`escape_for_discord` exactly once, here in the shell, on its way into a message.
The text then shows as written, whatever Markdown it holds, and can never ping
anyone even if a message were sent without ``allowed_mentions``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from commands.text import ELLIPSIS, Span

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBED_TOTAL = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MAX_FIELDS = 25
BUTTON_LABEL_LIMIT = 80
CHOICE_NAME_LIMIT = 100

ZERO_WIDTH_SPACE = "\u200b"

# Characters that Discord Markdown gives meaning to anywhere in a line ("<" opens mentions,
# timestamps and custom emoji; "[" a masked link).
_INLINE_MARKDOWN = re.compile(r"([\\*_~`|\[\]<])")
# Constructs that mean something only at the start of a line (the inline escapes already
# took care of "* item"): headings "#", "##", "###", subtext "-#", quotes "> " and ">>> ",
# list items "- " and "+ ", numbered items "1. ".
_LINE_START_MARKDOWN = re.compile(r"(?m)^([ \t]*)(?:(#{1,3}|-#|>{1,3}|[-+])(?=\s)|(\d+)(\.)(?=\s))")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_MENTION_OPENING = re.compile(r"<([@#/:]|a:|t:)")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, dot = match.groups()
    if marker is not None:
        return f"{indent}\\{marker}"
    return f"{indent}{number}\\{dot}"


def escape_for_discord(text: str) -> str:
    """Plain text as it should appear in a Discord message: shown as written, pinging no one."""
    text = _INLINE_MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START_MARKDOWN.sub(_escape_line_start, text)
    text = _MASS_MENTION.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)
    # Escaping turned "<@123>" into "\<@123\>"; breaking the opening as well makes it inert twice over.
    return _MENTION_OPENING.sub(lambda m: f"<{ZERO_WIDTH_SPACE}{m.group(1)}", text)


def _render(text: str, spans: Sequence[Span]) -> str:
    out: list[str] = []
    position = 0
    for start, end in spans:
        if start < position or end <= start:
            continue
        out.append(escape_for_discord(text[position:start]))
        word = escape_for_discord(text[start:end])
        out.append(f"**{word}**" if word.strip() else word)
        position = end
    out.append(escape_for_discord(text[position:]))
    return "".join(out)


def _word_cut(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, back to the last space if one is near."""
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    return (cut[:space] if space > length // 2 else cut).rstrip()


def _longest_prefix(text: str, spans: Sequence[Span], limit: int) -> tuple[str, list[Span]]:
    """The longest word-boundary prefix of ``text`` whose rendering, plus an ellipsis, fits ``limit``."""

    def kept_spans(kept: str) -> list[Span]:
        return [(s, min(e, len(kept))) for s, e in spans if s < len(kept)]

    # Rendering is linear and escaping only lengthens text: binary search the plain length.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        kept = _word_cut(text, middle)
        if len(_render(kept, kept_spans(kept))) + len(ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    kept = _word_cut(text, low).removesuffix(ELLIPSIS)
    return kept, kept_spans(kept)


def highlight_for_discord(text: str, spans: Sequence[Span] = (), limit: int | None = None) -> str:
    """Escape ``text``, put the words at ``spans`` in bold, and cut it to ``limit`` rendered characters.

    The cut is made in the plain text at a word boundary (never inside an escape or a
    bold run) and marked with an ellipsis; it keeps a highlighted word when the text has one.
    """
    rendered = _render(text, spans)
    if limit is None or len(rendered) <= limit:
        return rendered
    kept, kept_highlights = _longest_prefix(text, spans, limit)
    if spans and not kept_highlights:
        # Cutting from the end dropped every match: start shortly before the first one instead.
        first = spans[0][0]
        start = text.rfind(" ", 0, max(0, first - 40)) + 1
        if first - start > limit // 4:
            start = max(0, first - 40)  # no space near: start mid-word rather than miss the match
        text = ELLIPSIS + text[start:].removeprefix(ELLIPSIS)
        shift = start - len(ELLIPSIS)
        kept, kept_highlights = _longest_prefix(text, [(s - shift, e - shift) for s, e in spans if s >= start], limit)
    return _render(kept, kept_highlights) + ELLIPSIS


def fit_for_discord(text: str, limit: int) -> str:
    """Plain ``text`` escaped for Discord and cut at a word boundary to at most ``limit`` characters."""
    return highlight_for_discord(text, (), limit)


def cut_markup(markup: str, limit: int) -> str:
    """Shorten text that is already Discord Markdown (built here from escaped parts) to ``limit``.

    Cuts at a line break when one is near, never inside an escape or a link, and marks the cut.
    """
    if len(markup) <= limit:
        return markup
    cut = markup[: max(0, limit - 1)]
    newline = cut.rfind("\n")
    if newline > limit // 2:
        return cut[:newline] + "\n" + ELLIPSIS if newline + 2 <= limit else cut[:newline]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut
    # Never leave a dangling escape backslash, or a bold or a link half open.
    cut = cut.rstrip("\\ ")
    if cut.count("**") % 2:
        cut = cut[: cut.rfind("**")]
    if cut.rfind("[") > cut.rfind(")"):
        cut = cut[: cut.rfind("[")]
    return cut.rstrip("\\ ") + ELLIPSIS


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Trim the longest field values until the embed fits Discord's 6000-character total."""
    while len(embed) > EMBED_TOTAL and embed.fields:
        excess = len(embed) - EMBED_TOTAL
        index, longest = max(enumerate(embed.fields), key=lambda pair: len(pair[1].value or ""))
        value = longest.value or ""
        if len(value) <= 40:
            embed.remove_field(len(embed.fields) - 1)
            continue
        embed.set_field_at(
            index, name=longest.name, value=cut_markup(value, max(40, len(value) - excess - 1)), inline=longest.inline
        )
    return embed
