"""Names folded for matching: what people type and what the data holds, compared alike."""

from __future__ import annotations

import html
import re

from storage.query import unaccented

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces.

    Accents, case and punctuation go; HTML entities (the alias file has
    ``Th&#233;r&#232;se``) are decoded first; apostrophes join (O'Brien ->
    obrien) while other punctuation separates (Asset-Freezing -> asset freezing).
    """
    text = html.unescape(text)
    text = unaccented(text).casefold().replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())
