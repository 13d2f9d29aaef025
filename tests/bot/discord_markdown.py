"""A small model of how Discord turns message Markdown into what people see.

Independent of the bot's escaper, so tests can check that text "shows literally": after
every construct Discord would apply (escapes, mentions, line-start blocks, inline
formatting, masked links), the text is still there word for word.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"
# What Discord would turn into a ping: a mass mention or a user/role/channel mention.
PING = re.compile(r"@(everyone|here)|<@!?&?\d+>|<#\d+>", re.IGNORECASE)

_ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")
_LINE_START = re.compile(r"(?m)^[ \t]*(?:#{1,3}|-#|>{1,3}|[-*+]|\d+\.)[ \t]+")
_INLINE = [re.compile(p, re.S) for p in (r"\*\*(.+?)\*\*", r"\|\|(.+?)\|\|", r"__(.+?)__", r"~~(.+?)~~", r"`(.+?)`")]
_INLINE += [re.compile(r"\*(\S.*?)\*"), re.compile(r"(?<!\w)_(\S.*?)_(?!\w)"), re.compile(r"\[(.+?)\]\((.+?)\)")]
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>")


def shown(markup: str) -> str:
    """What Discord would display for ``markup`` (formatting applied, so its markers vanish)."""
    placeholders: list[str] = []

    def hold(match: re.Match[str]) -> str:
        placeholders.append(match.group(1))
        return f"\ue100{len(placeholders) - 1}\ue101"

    text = _ESCAPED.sub(hold, markup)
    text = _MENTION.sub("@someone", text)
    text = _LINE_START.sub("", text)
    for pattern in _INLINE:
        text = pattern.sub(lambda m: m.group(1), text)
    text = re.sub("\ue100(\\d+)\ue101", lambda m: placeholders[int(m.group(1))], text)
    return text.replace(ZERO_WIDTH_SPACE, "")
