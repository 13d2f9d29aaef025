"""TheyWorkForYou's re-issued days: version letters, redirects, and which version wins.

TheyWorkForYou publishes a sitting day of a series as ``debates2009-10-27a.xml``,
then re-issues it as ``b``, ``c``... Each item's id (its "gid") carries the day
and the version: ``uk.org.publicwhip/debate/2009-10-27d.141.0``. When a newer
version appears the older file becomes a stub of ``<gidredirect oldgid newgid
matchtype>`` lines. These pure functions decide what supersedes what; the
importer (contributions) and any other importer of TWFY items (divisions) use
them, with the tables `twfy_day_version` and `twfy_redirect`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

# A redirect's matchtype when the item is gone from the newer version.
REMOVED = "removed"
# How many redirects a chain may follow (a day has a handful of versions; this bounds a cycle).
MAX_CHAIN = 32

# uk.org.publicwhip/debate/2009-10-27d.141.0 -> ("debate", "2009-10-27", "d", "141.0")
_GID_RE = re.compile(r"^uk\.org\.publicwhip/([a-z]+)/(\d{4}-\d{2}-\d{2})([a-z]*)\.(.+)$")


class Gid(NamedTuple):
    """A publicwhip id taken apart."""

    namespace: str
    day: dt.date
    version: str
    rest: str

    def with_version(self, version: str) -> str:
        return f"uk.org.publicwhip/{self.namespace}/{self.day.isoformat()}{version}.{self.rest}"


def parse_gid(gid: str) -> Gid | None:
    match = _GID_RE.match(gid)
    if match is None:
        return None
    try:
        day = dt.date.fromisoformat(match.group(2))
    except ValueError:
        return None
    return Gid(match.group(1), day, match.group(3), match.group(4))


def version_key(version: str) -> tuple[int, str]:
    """Order of version letters: "" < "a" < "b" ... < "z" < "aa"."""
    return (len(version), version)


def is_newer(version: str, than: str) -> bool:
    return version_key(version) > version_key(than)


def older_versions(version: str) -> list[str]:
    """Every single-letter version before ``version`` (the ones a day has in practice), newest first."""
    if len(version) != 1:
        return []
    return [chr(code) for code in range(ord(version) - 1, ord("a") - 1, -1)]


@dataclass(frozen=True, slots=True)
class DayKey:
    """One sitting day of one series of one House: what versions replace as a whole.

    ``series`` is TWFY's folder name for it ("debates", "westminhall", "wms",
    "wrans", "lordspages", "lordswms", "lordswrans"): Commons and Lords written
    statements share the gid namespace "wms" but are published separately.
    """

    series: str
    day: dt.date


class Redirect(NamedTuple):
    old_gid: str
    new_gid: str
    matchtype: str


class FileVersion(NamedTuple):
    """What a TheyWorkForYou file says about its version, besides its contributions."""

    day: DayKey | None  # None for a stub, or a file without contributions
    version: str
    latest: bool  # False for a superseded version's stub
    redirects: tuple[Redirect, ...]


def should_replace(stored: str | None, incoming: str) -> bool:
    """Does a full file of version ``incoming`` replace what is stored for its day (version ``stored``)?

    Equal versions replace too (a re-import of the same file); older ones never do.
    """
    return stored is None or not is_newer(stored, incoming)


def follow(gid: str, redirect_of: Callable[[str], Redirect | None]) -> tuple[str, bool]:
    """Where ``gid`` leads through the redirects: (final gid, whether the chain ends in a removal)."""
    for _ in range(MAX_CHAIN):
        redirect = redirect_of(gid)
        if redirect is None:
            return gid, False
        if redirect.matchtype == REMOVED:
            return gid, True
        gid = redirect.new_gid
    return gid, False


def predecessors(gids: Iterable[str], redirects_to: Callable[[list[str]], list[Redirect]]) -> dict[str, str]:
    """For each older gid that leads to one of ``gids`` through redirects: old gid -> the gid it leads to."""
    found: dict[str, str] = {}
    frontier = {gid: gid for gid in gids}
    for _ in range(MAX_CHAIN):
        if not frontier:
            break
        step = redirects_to(list(frontier))
        next_frontier: dict[str, str] = {}
        for redirect in step:
            if redirect.matchtype == REMOVED or redirect.old_gid in found:
                continue
            target = frontier.get(redirect.new_gid)
            if target is not None:
                found[redirect.old_gid] = target
                next_frontier[redirect.old_gid] = target
        frontier = next_frontier
    return found
