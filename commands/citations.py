"""Formal Hansard references, e.g. ``HC Deb 23 February 2010 vol 506 c185-6``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from storage.records import HOUSE_OF_LORDS


def abbreviate_range(start: int, end: int) -> str:
    """``185, 186`` -> ``185-6``; ``1560, 1561`` -> ``1560-1``; ``99, 101`` -> ``99-101``."""
    first, last = str(start), str(end)
    if len(first) != len(last):
        return f"{first}-{last}"
    common = 0
    while common < len(first) - 1 and first[common] == last[common]:
        common += 1
    return f"{first}-{last[common:]}"


def format_columns(reference: Mapping[str, Any]) -> str:
    """The column part: ``c185-6``, ``cc1560-1``, ``c257WH``, ``c967W``.

    A range keeps the ``c`` or ``cc`` that the source wrote (both are in use).
    """
    start = reference["start_column"]
    end = reference.get("end_column")
    suffix = reference.get("suffix") or ""
    prefix = "cc" if end and "cc" in (reference.get("raw") or "") else "c"
    columns = abbreviate_range(start, end) if end and end != start else str(start)
    return f"{prefix}{columns}{suffix}"


def formal_reference(
    house: str | None, sitting_date: dt.date | None, references: Sequence[Mapping[str, Any]]
) -> str | None:
    """The citation as Hansard prints it, or None without a column reference."""
    if not references:
        return None
    reference = references[0]
    parts = ["HL Deb" if house == HOUSE_OF_LORDS else "HC Deb"]
    if sitting_date is not None:
        parts.append(f"{sitting_date.day} {sitting_date:%B %Y}")
    if reference.get("volume") is not None:
        parts.append(f"vol {reference['volume']}")
    parts.append(format_columns(reference))
    return " ".join(parts)


def official_url(extra: Mapping[str, str]) -> str | None:
    """The official Hansard address the source gives (publications.parliament.uk), if any.

    TheyWorkForYou XML carries it on every contribution (``url``); the Parliamentary
    Search pages are themselves the official record, so their ``uri`` is the address.
    """
    url = extra.get("hansard_url") or ""
    return url if url.startswith(("https://", "http://")) else None
