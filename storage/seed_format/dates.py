"""Dates on the page: the sitting date in the preliminary sentence and the index Timestamp."""

from __future__ import annotations

import datetime as dt
import re

from storage.seed_format.vocabulary import clip

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Spelt out rather than taken from `calendar`, whose names follow the process locale.
_MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTH_NAMES += ("August", "September", "October", "November", "December")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
# Applied after whitespace is collapsed, so the '%e' space-padded day ("Tuesday,  2
# February 2010") needs no special case here.
_DATE_RE = re.compile(r"([A-Z][a-z]+day), (\d{1,2}) ([A-Z][a-z]+) (\d{4})")

# "2024-12-30 18:03:24 +0000": the Solr index time, rendered in the London zone.
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-](?:[01]\d|2[0-3]):?[0-5]\d")


def parse_sitting_date(text: str) -> dt.date:
    """Parse a page date such as "Tuesday, 23 February 2010" or "Tuesday,  2 February 2010".

    Raises ValueError when the text is not such a date, names no real day, or
    names the wrong weekday.
    """
    match = _DATE_RE.fullmatch(" ".join(text.split()))
    if match is None:
        raise ValueError(f"expected a date like 'Tuesday, 23 February 2010', found {clip(text)!r}")
    weekday, day, month_name, year = match.groups()
    month = _MONTHS.get(month_name)
    if month is None or weekday not in _WEEKDAYS:
        raise ValueError(f"expected a date like 'Tuesday, 23 February 2010', found {clip(text)!r}")
    try:
        date = dt.date(int(year), month, int(day))
    except ValueError:
        raise ValueError(f"no such day: {clip(text)!r}") from None
    # The page computes the weekday from the date, so a mismatch means corruption.
    if _WEEKDAYS[date.weekday()] != weekday:
        raise ValueError(f"{date.isoformat()} was a {_WEEKDAYS[date.weekday()]}, not a {weekday}")
    return date


def parse_timestamp(text: str) -> dt.datetime:
    """Parse "2024-12-30 18:03:24 +0000" into an aware datetime. Raises ValueError."""
    # The regex pins the exact shape (fromisoformat alone accepts many more);
    # fromisoformat then does the conversion in C and rejects impossible values.
    # A text that matches as it stands has single spaces only: joining changes nothing.
    if _TIMESTAMP_RE.fullmatch(text) is None:
        text = " ".join(text.split())
        if _TIMESTAMP_RE.fullmatch(text) is None:
            raise ValueError(text)
    return dt.datetime.fromisoformat(text[:19] + text[20:])
