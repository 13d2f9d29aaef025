"""Dates as people type them: ``2010-02-23``, ``23 February 2010``, ``Feb 2010``, ``2010``, ``23/2/2010``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"({_MONTH})\.?,?\s+(\d{{4}})", re.IGNORECASE)
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


class DateError(ValueError):
    """A date the user typed that could not be read; the message says how to write one."""


@dataclass(frozen=True, slots=True)
class DateRange:
    start: dt.date
    end: dt.date
    text: str

    def describe(self) -> str:
        if self.start == self.end:
            return f"{self.start.day} {self.start:%B %Y}"
        if self.start.day == 1 and self.end == _month_end(self.start):
            return f"{self.start:%B %Y}"
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return str(self.start.year)
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _date(year: int, month: int, day: int, text: str) -> DateRange:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise DateError(f"“{text}” is not a real date") from None
    return DateRange(value, value, text)


def find_date_range(text: str) -> tuple[DateRange, tuple[int, int]] | None:
    """The first date, month or year mentioned in ``text``, and where it stands."""
    for pattern in (_ISO, _DAY_FIRST, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if match:
            a, b, c = match.groups()
            if pattern is _ISO:
                found = _date(int(a), int(b), int(c), match.group(0))
            elif pattern is _DAY_FIRST:
                found = _date(int(c), int(b), int(a), match.group(0))
            elif pattern is _DAY_MONTH_YEAR:
                found = _date(int(c), MONTHS[b.lower()], int(a), match.group(0))
            else:
                found = _date(int(c), MONTHS[a.lower()], int(b), match.group(0))
            return found, match.span()
    match = _MONTH_YEAR.search(text)
    if match:
        start = _date(int(match.group(2)), MONTHS[match.group(1).lower()], 1, match.group(0)).start
        return DateRange(start, _month_end(start), match.group(0)), match.span()
    match = _YEAR.search(text)
    if match:
        year = int(match.group(1))
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), match.group(0)), match.span()
    return None


def parse_date_range(text: str) -> DateRange:
    """A whole option value as a date range; raises DateError with advice when unreadable."""
    cleaned = " ".join(text.split())
    found = find_date_range(cleaned)
    if found is None or len(found[0].text) < len(cleaned.strip(" ,.")):
        raise DateError(
            f"Could not read the date “{cleaned[:40]}”: write it like 2010-02-23, 23 February 2010 or Feb 2010."
        )
    return found[0]


# "yesterday", "last week", "this month", "in January", "on 9 February": dates people give
# without a year, read against today's date (and the data's year, see `find_relative_range`).
_RELATIVE = re.compile(
    r"\b(?P<word>yesterday|today|(?:last|this|past)\s+(?:week|month|year))\b"
    r"|\b(?:(?:on|in|during)\s+)?(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month_a>[a-z]+)"
    r"|(?P<month_b>[a-z]+)\s+(?P<day_b>\d{1,2})(?:st|nd|rd|th)?|(?:in|during)\s+(?P<month>[a-z]+))\b",
    re.IGNORECASE,
)


def find_relative_range(
    text: str, today: dt.date, data_span: tuple[dt.date, dt.date] | None = None
) -> tuple[DateRange, tuple[int, int]] | None:
    """A date given relative to today ("last week") or without a year ("in January", "on 9 February").

    A month or day without a year is in the data's year when the data covers it,
    otherwise the most recent one up to today. Raises `DateError` for "30 February".
    """
    for match in _RELATIVE.finditer(text):
        if match["word"]:
            return _relative_word(" ".join(match["word"].lower().split()), today, match[0]), match.span()
        month_name = (match["month_a"] or match["month_b"] or match["month"] or "").lower()
        if month_name not in MONTHS:
            continue
        month = MONTHS[month_name]
        day_text = match["day"] or match["day_b"]
        year = _year_for(month, int(day_text) if day_text else None, today, data_span)
        if day_text:
            return _date(year, month, int(day_text), match[0]), match.span()
        start = dt.date(year, month, 1)
        return DateRange(start, _month_end(start), match[0]), match.span()
    return None


def _relative_word(word: str, today: dt.date, text: str) -> DateRange:
    if word == "today":
        return DateRange(today, today, text)
    if word == "yesterday":
        day = today - dt.timedelta(days=1)
        return DateRange(day, day, text)
    unit = word.split()[-1]
    this = word.startswith("this")
    if unit == "week":
        monday = today - dt.timedelta(days=today.weekday())
        if this:
            return DateRange(monday, today, text)
        if word.startswith("past"):
            return DateRange(today - dt.timedelta(days=7), today, text)
        return DateRange(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), text)
    if unit == "month":
        first = today.replace(day=1)
        if this:
            return DateRange(first, today, text)
        if word.startswith("past"):
            return DateRange(today - dt.timedelta(days=30), today, text)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return DateRange(previous, _month_end(previous), text)
    if this:
        return DateRange(dt.date(today.year, 1, 1), today, text)
    if word.startswith("past"):
        return DateRange(today - dt.timedelta(days=365), today, text)
    return DateRange(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31), text)


def _year_for(month: int, day: int | None, today: dt.date, data_span: tuple[dt.date, dt.date] | None) -> int:
    if data_span is not None:
        for year in range(data_span[1].year, data_span[0].year - 1, -1):
            start = dt.date(year, month, 1)
            if start <= data_span[1] and _month_end(start) >= data_span[0]:
                return year
    this_year = dt.date(today.year, month, min(day or 1, 28))
    return today.year if this_year <= today else today.year - 1
