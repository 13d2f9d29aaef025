"""The preliminary sentence: "<object> from <member> (<party>) in the <house> on <date>. It occurred during ...".

Which line may start one (`prelim_object_name`) and what a sentence, already joined
onto one line, says (`parse_prelim`); gathering its pieces from the page is the
readers' job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from storage.seed_format.dates import parse_sitting_date
from storage.seed_format.names import is_name
from storage.seed_format.vocabulary import HOUSES, KNOWN_START_RE, OCCURRED

# Other object names are accepted when they look like one (a capitalised word and
# up to four lower-case words) and the sentence names a house or a date; without
# that a speech line such as "It is clear from the evidence ..." would qualify.
_GENERIC_OBJECT_RE = re.compile(r"([A-Z][a-z]+(?:['’]s)?(?: [a-z]+(?:['’]s)?){0,4}) (?:from|in the|on)(?: |$)")


def _split_list(text: str) -> list[str]:
    """Split "A", "A and B", "A, B and C" (and the Oxford-comma "A, B, and C")."""
    if ", " not in text and " and " not in text:
        return [text.strip()]
    items = text.split(", ")
    last = items.pop()
    if last.startswith("and ") and items:
        last = last[4:]
    items.extend(last.split(" and "))
    return [item.strip() for item in items]


def _split_member(text: str) -> tuple[str, str | None] | None:
    """Split "Tim Loughton (Conservative)" into ("Tim Loughton", "Conservative"); None if malformed.

    The last bracketed group is the party. It is matched from the end so that a
    party such as "Labour (Co-op)" survives. A disambiguation in brackets stays
    in the name when a party follows it; without a party it cannot be told
    apart from one (the page prints both the same way), so it is taken as the party.
    """
    text = text.strip()
    if not text.endswith(")"):
        return (text, None) if text else None
    opening = text.rfind("(")
    if opening > 0 and ")" not in text[opening:-1]:
        # The common case: one plain bracketed group at the end.
        member, party = text[:opening].strip(), text[opening + 1 : -1].strip()
        return (member, party) if member and party else None
    depth = 0
    for pos in range(len(text) - 1, -1, -1):
        char = text[pos]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                member, party = text[:pos].strip(), text[pos + 1 : -1].strip()
                if not member or not party:
                    return None
                return member, party
    return None


@dataclass(slots=True)
class Prelim:
    """What the preliminary sentence says (internal; not frozen because that is slower to build)."""

    object_name: str
    member: str | None
    party: str | None
    houses: tuple[str, ...]
    sitting_date: dt.date | None
    debate_types: tuple[str, ...]
    debate_title: str | None


class NotPrelim(Exception):
    """A candidate preliminary sentence does not parse; ``pos`` is an offset in the joined text."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


def parse_prelim(joined: str, object_name: str, known: bool) -> Prelim:
    """Parse the whole preliminary sentence, already joined onto one line.

    ``{object} [from {member} [({party})]] [in the {houses}] [on {date}].
    [It occurred during {types} on {title}.]``
    """
    occurred = joined.find(" " + OCCURRED)
    first = joined if occurred < 0 else joined[:occurred]
    if not first.endswith("."):
        raise NotPrelim("expected '.' at the end of the preliminary sentence", max(len(first) - 1, 0))
    base = len(object_name)
    rest = first[base:-1]

    sitting_date: dt.date | None = None
    on = rest.rfind(" on ")
    if on >= 0:
        try:
            sitting_date = parse_sitting_date(rest[on + 4 :])
        except ValueError as exc:
            raise NotPrelim(f"{exc} after 'on'", base + on + 4) from None
        rest = rest[:on]

    houses: tuple[str, ...] = ()
    in_the = rest.find(" in the ")
    if in_the >= 0:
        names = _split_list(rest[in_the + 8 :])
        known_houses = [HOUSES[name] for name in names if name in HOUSES]
        if len(known_houses) != len(names):
            raise NotPrelim("expected 'House of Commons' or 'House of Lords' after 'in the'", base + in_the + 8)
        houses = tuple(known_houses)
        rest = rest[:in_the]

    member: str | None = None
    party: str | None = None
    if rest:
        if not rest.startswith(" from "):
            raise NotPrelim(f"expected 'from <member>', 'in the <house>' or 'on <date>' after {object_name!r}", base)
        split = _split_member(rest[6:])
        if (
            split is None
            or split[0].startswith("(")
            or split[0].count("(") != split[0].count(")")
            # A bracket inside a name only ends it ("Lord Jones (Cardiff)"): text
            # after one means pieces of the sentence are out of order.
            or (")" in split[0] and not split[0].endswith(")"))
            or not is_name(split[0])
            or (split[1] is not None and not is_name(split[1]))
        ):
            raise NotPrelim("expected '<member>' or '<member> (<party>)' after 'from'", base + 6)
        member, party = split

    if not known and not houses and sitting_date is None:
        # An unfamiliar object name alone is too weak a signal (see _GENERIC_OBJECT_RE).
        raise NotPrelim("not a preliminary sentence", 0)

    debate_types: tuple[str, ...] = ()
    debate_title: str | None = None
    if occurred >= 0:
        second_start = occurred + 1
        second = joined[second_start:]
        if not second.endswith("."):
            raise NotPrelim("expected '.' at the end of the 'It occurred during' sentence", len(joined) - 1)
        proceeding = split_proceeding(second[len(OCCURRED) : -1])
        if proceeding is None:
            raise NotPrelim("expected 'It occurred during <proceeding type> on <proceeding title>.'", second_start)
        debate_types, debate_title = proceeding

    return Prelim(object_name, member, party, houses, sitting_date, debate_types, debate_title)


def split_proceeding(inner: str) -> tuple[tuple[str, ...], str] | None:
    """Split the "<types> on <title>" of "It occurred during <types> on <title>."; None if malformed."""
    # Types contain " on " themselves ("Debate on bills"); the title starts
    # with a capital, so split at the first " on " not followed by lower case.
    split_at = inner.find(" on ")
    first_on = split_at
    while split_at >= 0 and split_at + 4 < len(inner) and inner[split_at + 4].islower():
        split_at = inner.find(" on ", split_at + 1)
    if split_at < 0:
        split_at = first_on
    if split_at <= 0 or split_at + 4 >= len(inner):
        return None
    types = _split_list(inner[:split_at])
    debate_title = inner[split_at + 4 :].strip()
    if not all(types) or not debate_title:
        return None
    return tuple(types), debate_title


def prelim_object_name(line: str, next_line: str) -> tuple[str, bool] | None:
    """(object name, is a known name) if ``line`` may start a preliminary sentence."""
    match = KNOWN_START_RE.match(line)
    if match is not None:
        return match[1], True
    # A sentence with an unfamiliar name must name a house or a date (see
    # parse_prelim), so most speech lines are ruled out before the regex runs.
    if not (
        "House of " in line
        or "day, " in line
        or line.endswith((" from", " in the", " on"))
        or next_line.startswith(("(", "from", "in the", "on "))
    ):
        return None
    match = _GENERIC_OBJECT_RE.match(line)
    if match is not None:
        return match[1], False
    # An unfamiliar name alone on its line only counts if the next piece continues it.
    if (
        len(line) < 60
        and next_line.startswith(("from", "in the", "on "))
        and (full := _GENERIC_OBJECT_RE.match(line + " " + next_line)) is not None
        and full[1] == line
    ):
        return line, False
    return None
