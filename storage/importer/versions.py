"""TheyWorkForYou re-issued days in a batch: which rows a newer version replaces, updates or removes.

Whatever order the versions of a day arrive in, the store converges to the newest:
- a full file older than the version stored for its day is skipped (`should_replace`);
- a contribution of a newer version updates the row of its predecessor in place (same
  row id, so digests keyed on ids do not see it as new): the predecessor is found
  through the stored and incoming redirects, or else by the same id in an older version;
- rows of older versions of the day that the newer version no longer holds are removed,
  as are those a stub's ``removed`` redirect names;
- redirects are kept, so old addresses resolve (`storage.store.find_contribution`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, select, tuple_

from storage.importer.rows import PackedOutcome, PackedRow
from storage.models import CONTRIBUTION_TABLE, TWFY_DAY_VERSION_TABLE, TWFY_REDIRECT_TABLE
from storage.twfy import day_scope, twfy_gid, twfy_uri
from storage.twfy_versions import (
    DayKey,
    Redirect,
    follow,
    is_newer,
    older_versions,
    parse_gid,
    predecessors,
    should_replace,
)

C = CONTRIBUTION_TABLE
R = TWFY_REDIRECT_TABLE
V = TWFY_DAY_VERSION_TABLE
# Keys per lookup query.
CHUNK = 500


@dataclass(slots=True)
class Reconciliation:
    """What a batch's TheyWorkForYou versions change besides writing its rows."""

    rows: list[PackedRow]  # the rows to write: those of files not superseded
    superseded: int = 0  # rows skipped: their day holds a newer version
    redirects: dict[str, Redirect] = field(default_factory=dict)  # to store, by old gid
    day_versions: dict[DayKey, str] = field(default_factory=dict)  # to store
    claims: dict[str, int] = field(default_factory=dict)  # new uri -> id of the row it updates
    deletes: set[int] = field(default_factory=set)  # rows to remove


def stored_day_versions(conn: Connection, days: Iterable[DayKey]) -> dict[DayKey, str]:
    """The version stored for each day (a hook for any importer of TheyWorkForYou days)."""
    wanted = list(set(days))
    found: dict[DayKey, str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        keys = [(day.series, day.day) for day in chunk]
        for series, day, version in conn.execute(
            select(V.c.series, V.c.day, V.c.version).where(tuple_(V.c.series, V.c.day).in_(keys))
        ):
            found[DayKey(series, day)] = version
    return found


class _Redirects:
    """The stored redirects and the batch's, looked up by old or by new gid (cached)."""

    def __init__(self, conn: Connection, batch: dict[str, Redirect]) -> None:
        self.conn = conn
        self.batch = batch
        self.by_old: dict[str, Redirect | None] = {}
        self.batch_by_new: dict[str, list[Redirect]] = {}
        for redirect in batch.values():
            self.batch_by_new.setdefault(redirect.new_gid, []).append(redirect)

    def of(self, old_gid: str) -> Redirect | None:
        if old_gid in self.batch:
            return self.batch[old_gid]
        if old_gid not in self.by_old:
            row = self.conn.execute(
                select(R.c.old_gid, R.c.new_gid, R.c.matchtype).where(R.c.old_gid == old_gid)
            ).first()
            self.by_old[old_gid] = Redirect(*row) if row is not None else None
        return self.by_old[old_gid]

    def to(self, new_gids: list[str]) -> list[Redirect]:
        found = [redirect for gid in new_gids for redirect in self.batch_by_new.get(gid, [])]
        for start in range(0, len(new_gids), CHUNK):
            chunk = new_gids[start : start + CHUNK]
            rows = self.conn.execute(select(R.c.old_gid, R.c.new_gid, R.c.matchtype).where(R.c.new_gid.in_(chunk)))
            found.extend(Redirect(*row) for row in rows if row[0] not in self.batch)
        return found


def _ids_of_uris(conn: Connection, uris: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(uris))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        for uri, row_id in conn.execute(select(C.c.uri, C.c.id).where(C.c.uri.in_(chunk))):
            found[uri] = row_id
    return found


def reconcile(conn: Connection, outcomes: Sequence[PackedOutcome]) -> Reconciliation:
    """Which rows of the batch to write, and the versions, redirects and removals that come with them."""
    batch_redirects = {r.old_gid: r for o in outcomes if o.version is not None for r in o.version.redirects}
    incoming: dict[DayKey, str] = {}
    for outcome in outcomes:
        version = outcome.version
        if version is not None and version.latest and version.day is not None:
            current = incoming.get(version.day)
            if current is None or is_newer(version.version, current):
                incoming[version.day] = version.version
    stored = stored_day_versions(conn, incoming)
    result = Reconciliation(rows=[], redirects=batch_redirects)
    for day_key, letters in incoming.items():
        if should_replace(stored.get(day_key), letters):
            result.day_versions[day_key] = letters
    for outcome in outcomes:
        file_version = outcome.version
        if (
            file_version is not None
            and file_version.day is not None
            and result.day_versions.get(file_version.day) != file_version.version
        ):
            result.superseded += len(outcome.rows)  # an older version than the day's
            continue
        result.rows.extend(outcome.rows)
    return result


def claim_predecessors(
    conn: Connection, result: Reconciliation, stored_uris: Iterable[str], versioned_uris: Iterable[str]
) -> None:
    """Match each new contribution of a newer version to its predecessor's row; find the rows to remove."""
    redirects = _Redirects(conn, result.redirects)
    stored = set(stored_uris)
    versioned_uris = list(versioned_uris)
    missing = {gid: uri for uri in versioned_uris if uri not in stored and (gid := twfy_gid(uri)) is not None}
    candidates: dict[str, list[str]] = {gid: [] for gid in missing}
    for old_gid, new_gid in predecessors(missing, redirects.to).items():
        candidates[new_gid].append(old_gid)
    for gid in missing:
        parts = parse_gid(gid)
        if parts is not None:
            candidates[gid].extend(parts.with_version(v) for v in older_versions(parts.version))
    candidate_uris = {old: uri for olds in candidates.values() for old in olds if (uri := twfy_uri(old)) is not None}
    row_ids = _ids_of_uris(conn, list(candidate_uris.values()))
    taken: set[int] = set()
    for gid, olds in candidates.items():
        for old in olds:
            row_id = row_ids.get(candidate_uris.get(old, ""))
            if row_id is not None and row_id not in taken:
                taken.add(row_id)
                result.claims[missing[gid]] = row_id
                break

    # Rows of older versions of a day this batch brings up to date, not carried into it.
    for day, version in result.day_versions.items():
        house, prefix = day_scope(day)
        rows = conn.execute(select(C.c.id, C.c.uri).where(and_(C.c.house == house, C.c.sitting_date == day.day)))
        for row_id, uri in rows:
            parts = parse_gid(twfy_gid(uri) or "") if uri.startswith(prefix) else None
            if parts is not None and is_newer(version, parts.version) and row_id not in taken:
                result.deletes.add(row_id)

    # A stub's redirects: its removed items go, and so does an old row whose successor is stored.
    old_uris = {uri: r.old_gid for r in result.redirects.values() if (uri := twfy_uri(r.old_gid)) is not None}
    old_rows = {uri: row_id for uri, row_id in _ids_of_uris(conn, list(old_uris)).items() if row_id not in taken}
    finals: dict[str, str | None] = {}
    for uri in old_rows:
        final, removed = follow(old_uris[uri], redirects.of)
        finals[uri] = None if removed else twfy_uri(final)
    successors = set(_ids_of_uris(conn, [f for f in finals.values() if f is not None]))
    successors |= stored | set(result.claims) | set(versioned_uris)
    for uri, row_id in old_rows.items():
        final_uri = finals[uri]
        if final_uri is None or (final_uri != uri and final_uri in successors):
            result.deletes.add(row_id)
