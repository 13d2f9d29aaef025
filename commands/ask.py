"""Natural questions, answered by rules: find the member, bill, dates, house and topic.

"what did tim loughton say about serious case reviews", "who spoke most about
Yarl's Wood", "did anyone mention sunbeds", "when was tuition fees debated",
"what did the prime minister say about afghanistan", "what did the member for
bedford say last week", "latest from jack straw", "how many times did Frank Field
speak in February 2010". The reply says how the question was understood;
anything not recognised falls back to a plain search.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from storage.people import data_dates
from storage.query import parse_query
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.search import SortOrder, debate_days

from commands.catalogue import CHOICE_PREFIX, Resolved, ambiguous, candidate
from commands.core import HansardCore, SearchSpec
from commands.dates import DateError, DateRange, find_date_range, find_relative_range
from commands.inputs import user_input
from commands.names import NameMatch
from commands.people import find_office, find_seat
from commands.replies import (
    CountReply,
    DebateDayCount,
    LookupReply,
    PersonCount,
    Problem,
    SearchReply,
    TallyReply,
)
from commands.text import truncate
from commands.vote_replies import VoteAnswer
from commands.votes import answer_vote_question, votes_core
from commands.who import WhoRequest, speakers_about

AskReply = SearchReply | LookupReply | CountReply | TallyReply | VoteAnswer

_HOUSE_WORDS = [
    (re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:house\s+of\s+lords|lords|peers)\b", re.I), HOUSE_OF_LORDS),
    (re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:house\s+of\s+commons|commons)\b", re.I), HOUSE_OF_COMMONS),
]
_COUNT = re.compile(r"\bhow\s+(?:many\s+times|often|many\s+(?:speeches|contributions))\b", re.I)
_LATEST = re.compile(r"\b(?:latest|recent(?:ly)?|newest|last\s+(?:said|speech|contribution))\b", re.I)
_WHEN = re.compile(r"\bwhen\s+(?:was|were|did|is|has|have)\b", re.I)
# "who spoke most about X", "who talks about X", "which MPs mentioned X": people, ranked.
_WHO = re.compile(r"\bwho\b|\bwhich\s+(?:mps?|members?|peers?|lords|people|politicians|ministers)\b", re.I)
_DATE_LEAD = re.compile(r"\b(?:in|on|during|since|from)\s*$", re.I)
# Question words that carry no topic; removed before the rest is searched.
_FILLER = re.compile(
    r"\b(?:what|did|does|do|has|have|had|was|were|is|are|the|a|an|who|whom|which|when|where|how|many|times|often|"
    r"say|said|says|saying|speak|spoke|spoken|speaks|speaking|talk|talks|talked|talking|mention|mentions|"
    r"mentioned|mentioning|raise|raised|refer|referred|discuss|discusses|"
    r"about|on|regarding|concerning|of|in|from|by|to|for|latest|recent|recently|newest|last|most|ever|"
    r"anyone|anybody|someone|somebody|people|politicians|ministers|parliament|"
    r"debated|debate|discussed|anything|something|me|tell|show|find|any|mp|mps|member|members|lord|"
    r"speeches|contributions|contribution|speech|bill|act)\b",
    re.I,
)
PEOPLE_SHOWN = 10
DAYS_SHOWN = 15
SPEECHES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the rules found in a question."""

    member: NameMatch | None
    bill: NameMatch | None
    dates: DateRange | None
    house: str | None
    topic: str
    # Why the member was chosen, when the question named an office or a seat ("the Prime Minister").
    member_as: str | None = None
    # An office or seat no one held in the loaded Hansard on those dates: said instead of answering.
    unresolved: str | None = None
    # A name, office or chair that several Members answer to ("Lord Hunt"): the reply asks which.
    choices: Resolved | None = None


def _remove(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    return text[: span[0]] + " " + text[span[1] :]


def _dates(text: str, today: dt.date, span: tuple[dt.date, dt.date] | None) -> tuple[DateRange | None, str]:
    """The dates a question gives, and the question without them. Raises DateError for "30 February"."""
    found = find_date_range(text) or find_relative_range(text, today, span)
    if found is None:
        return None, text
    dates, where = found
    before = _DATE_LEAD.search(text[: where[0]])
    return dates, _remove(text, (before.start() if before else where[0], where[1]))


def understand(core: HansardCore, question: str, today: dt.date | None = None) -> Understanding:
    """Raises `DateError` when the question gives a date that does not exist."""
    text = " ".join(question.replace("?", " ").split())[:500]
    dates, text = _dates(text, today or dt.date.today(), data_dates(core.engine))
    house = None
    for pattern, name in _HOUSE_WORDS:
        match = pattern.search(text)
        if match:
            house = name
            text = _remove(text, match.span())
            break
    member = None
    member_as = unresolved = None
    choices = None
    office, seat = find_office(text), find_seat(text)
    if office is not None or seat is not None:
        start, end = (dates.start, dates.end) if dates else (None, None)
        holder = core.names.people.office_holder(office[0], start, end) if office else None
        if seat is not None and office is None:
            holder = core.names.people.seat_holder(seat[0], start, end)
        span = office[1] if office else seat[1] if seat else None
        text = _remove(text, span)
        entry = core.names.member_entry(holder.member_id) if holder and holder.member_id is not None else None
        when = _describe_dates(dates) if dates else "as the loaded Hansard ends"
        if holder is not None and holder.others:
            held = [e for e in map(core.names.member_entry, holder.others) if e is not None]
            choices = ambiguous(
                "member", office[0].name if office else "", [candidate(NameMatch(e, 100.0, e.name)) for e in held]
            )
        elif holder is not None and entry is not None:
            member, member_as = NameMatch(entry, 100.0, entry.name), holder.because
        elif holder is not None and holder.name is not None:
            unresolved = f"{holder.name} was {holder.because} {when}, but nothing by them is loaded."
        else:
            what = office[0].name if office else f"the Member for {seat[0] if seat else ''}"
            unresolved = f"I could not find who was {truncate(what, 80)} {when}."
    bill = core.names.bills.find_in_text(text) if re.search(r"\b(?:bill|act)\b", text, re.I) else None
    if bill is not None:
        text = _remove(text, bill.span)
    if member is None and unresolved is None and choices is None:
        member = core.names.members.find_in_text(text)
        several = core.names.members.ambiguous_in_text(text) if member is None else None
        if member is not None:
            text = _remove(text, member.span)
        elif several is not None:
            where, matches = several
            choices = ambiguous("member", text[where[0] : where[1]], [candidate(m) for m in matches])
            text = _remove(text, where)
    topic = " ".join(_FILLER.sub(" ", text).split())
    # Keep user-typed quotes, exclusions and OR intact for the search syntax.
    return Understanding(member, bill, dates, house, topic, member_as, unresolved, choices)


def _describe(kind: str, u: Understanding) -> str:
    """How the question was understood, in words: ``kind`` may place the topic with "{topic}"."""
    topic = f"“{u.topic}”" if u.topic else ""
    parts = [kind.format(topic=topic) if "{topic}" in kind else kind]
    if u.topic and "{topic}" not in kind:
        parts.append(f"about {topic}")
    if u.member:
        who = u.member.entry.name
        parts.append(f"by {who} ({u.member_as})" if u.member_as else f"by {who}")
    if u.bill:
        parts.append(f"on {u.bill.entry.name}")
    if u.house:
        parts.append(f"in the {u.house}")
    if u.dates:
        parts.append(_describe_dates(u.dates))
    return " ".join(parts)


def _describe_dates(dates: DateRange) -> str:
    """ "in February 2010", "on 9 February 2010", "last week (23 to 29 November 2026)"."""
    said = " ".join(dates.text.split()).lower()
    if dates.start == dates.end:
        plain = f"{dates.start.day} {dates.start:%B %Y}"
    elif dates.describe()[:1].isdigit() and "-" in dates.describe():
        plain = f"{dates.start.day} {dates.start:%B %Y} to {dates.end.day} {dates.end:%B %Y}"
    else:
        plain = dates.describe()
    if said[:1].isalpha() and not said.startswith(("on ", "in ")) and said not in plain.lower():
        return f"{said} ({plain})"
    return f"on {plain}" if dates.start == dates.end else f"in {plain}"


def _data_note(core: HansardCore, dates: DateRange | None) -> str | None:
    """Said plainly when the dates asked about go past the end (or start) of the loaded Hansard."""
    span = data_dates(core.engine)
    if dates is None or span is None:
        return None
    if dates.start > span[1]:
        return f"The data ends on {span[1].day} {span[1]:%B %Y}."
    if dates.end < span[0]:
        return f"The data starts on {span[0].day} {span[0]:%B %Y}."
    return None


@user_input
def ask(core: HansardCore, question: str, today: dt.date | None = None) -> AskReply:
    """Answer a question; ``today`` (for "last week", "yesterday") defaults to the real date."""
    if (about_votes := answer_vote_question(votes_core(core.engine, core.data_dir), question)) is not None:
        return about_votes
    try:
        u = understand(core, question, today)
    except DateError as exc:
        shown = truncate(" ".join(question.split()), 80)
        return SearchReply(understood=f"“{shown}”", problem=Problem.BAD_INPUT, message=str(exc))
    note = _data_note(core, u.dates)
    if u.unresolved is not None:
        message = f"{u.unresolved} {note}" if note else u.unresolved
        return SearchReply(understood=_describe("contributions", u), problem=Problem.UNKNOWN_MEMBER, message=message)
    if u.choices is not None:
        # As /hansard member and search answer a name several Members have: which one is meant.
        return SearchReply(
            understood=_describe("contributions", u),
            problem=u.choices.problem,
            message=u.choices.message,
            candidates=list(u.choices.candidates),
        )
    member = candidate(u.member) if u.member else None
    bill = candidate(u.bill) if u.bill else None

    latest = bool(_LATEST.search(question)) and not u.topic
    spec = SearchSpec(
        query=u.topic,
        member=member,
        bill=bill,
        house=u.house,
        date_from=u.dates,
        date_to=u.dates,
        sort=SortOrder.NEWEST if latest or not u.topic else SortOrder.RELEVANCE,
    )
    if _COUNT.search(question) and member and not u.topic:
        filters = core.filters(spec)
        return CountReply(
            understood=_describe("count of contributions", u),
            count=core.count(filters),
            member=member,
            latest=core.latest(filters),
        )
    if _WHEN.search(question) and bill and not member and not u.topic:
        return core.bill_summary(bill)
    reply = core.run_search(spec)
    if u.topic and not u.member and reply.problem is None:
        if _WHO.search(question):
            return _tally(core, reply, spec, "who spoke most about {topic}", u, note)
        if _WHEN.search(question):
            return _tally(core, reply, spec, "when {topic} was debated", u, note)
    kind = "latest contributions" if latest else "contributions"
    reply.understood = _describe(kind, u)
    if note and reply.problem is None:
        reply.message = note
    elif note:
        reply.message = f"{reply.message or ''} {note}".strip()
    return reply


def _tally(
    core: HansardCore, found: SearchReply, spec: SearchSpec, kind: str, u: Understanding, note: str | None
) -> TallyReply:
    """Who used the words most, or the days and debates where they were used, with the speeches behind them."""
    reply = TallyReply(understood=_describe(kind, u), results=found.results[:SPEECHES_SHOWN], message=note)
    if kind.startswith("who"):
        # The same answer as /hansard who: the one ranking, given the options as understood here.
        who = speakers_about(core, _who_request(spec, PEOPLE_SHOWN))
        reply.people = [PersonCount(s.member_key, s.name, s.party, s.count) for s in who.speakers]
    else:
        reply.days = [
            DebateDayCount(d.date, d.debate_title, d.count)
            for d in debate_days(core.engine, parse_query(spec.query), core.filters(spec), DAYS_SHOWN)
        ]
    if not reply.people and not reply.days:
        reply.problem = Problem.NO_RESULTS
        reply.message = f"No contribution in the loaded Hansard uses the words “{u.topic}”. {note or ''}".strip()
    return reply


def _who_request(spec: SearchSpec, limit: int) -> WhoRequest:
    """The question's resolved options as /hansard who takes them: entries chosen by key, dates as ISO days."""
    return WhoRequest(
        topic=spec.query,
        member=f"{CHOICE_PREFIX}{spec.member.key}" if spec.member else None,
        bill=f"{CHOICE_PREFIX}{spec.bill.key}" if spec.bill else None,
        party=spec.party,
        house=spec.house,
        date_from=spec.date_from.start.isoformat() if spec.date_from else None,
        date_to=spec.date_to.end.isoformat() if spec.date_to else None,
        limit=limit,
    )
