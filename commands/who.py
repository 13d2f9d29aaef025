"""Who speaks about it: the Members with most contributions matching a topic, ranked.

``speakers_about`` is the one implementation, for ``/hansard who``, the CLI and natural
questions such as "who spoke most about X". Counting is one grouped query
(storage.insight.speaker_counts) over search's own matching and filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from storage.insight import SpeakerCount, speaker_counts
from storage.query import parse_query

from commands.core import HansardCore, SearchRequest
from commands.replies import Problem, SearchReply

MAX_SPEAKERS = 25


@dataclass(frozen=True, slots=True)
class WhoRequest:
    topic: str
    member: str | None = None
    bill: str | None = None
    party: str | None = None
    house: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    limit: int = 10


@dataclass(frozen=True, slots=True)
class Speaker:
    member_key: int
    name: str
    party: str | None
    house: str | None
    count: int
    first_date: dt.date | None
    last_date: dt.date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "member_key": self.member_key,
            "name": self.name,
            "party": self.party,
            "house": self.house,
            "count": self.count,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
        }


@dataclass(slots=True)
class WhoReply:
    topic: str  # the topic as understood (search syntax described)
    filters: list[str] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "filters": self.filters,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
            "speakers": [s.to_json() for s in self.speakers],
        }


def _speaker(row: SpeakerCount) -> Speaker:
    return Speaker(row.member_id, row.name, row.party, row.house, row.count, row.first_date, row.last_date)


def speakers_about(core: HansardCore, request: WhoRequest) -> WhoReply:
    """The Members who spoke most about ``request.topic`` (search syntax), most first."""
    query = parse_query(request.topic)
    reply = WhoReply(topic=query.describe() or request.topic.strip()[:80])
    if query.is_empty:
        reply.problem = Problem.NO_USABLE_WORDS
        reply.message = 'Give a topic to look for: plain words, a "quoted phrase", or this OR that.'
        return reply
    resolved = core.resolve_filters(
        SearchRequest(
            query=request.topic,
            member=request.member,
            bill=request.bill,
            party=request.party,
            house=request.house,
            date_from=request.date_from,
            date_to=request.date_to,
        )
    )
    if isinstance(resolved, SearchReply):
        reply.problem, reply.message = resolved.problem, resolved.message
        return reply
    filters, reply.filters = resolved.filters, resolved.described
    limit = max(1, min(request.limit, MAX_SPEAKERS))
    reply.speakers = [_speaker(row) for row in speaker_counts(core.engine, query, filters, limit)]
    if not reply.speakers:
        reply.problem = Problem.NO_RESULTS
        reply.message = f"No Member in the loaded Hansard spoke about {reply.topic} with those filters."
    return reply
