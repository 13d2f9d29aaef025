"""The search and read service: search, member, bill, contribution, about.

`HansardCore` takes plain typed input and returns reply objects from
`commands.replies`. What people type (a member's name, a bill's title, dates) is
resolved first, through the name catalogue (`commands.catalogue.NameCatalogue`) and
`commands.dates`, into a `SearchSpec` of resolved entries; `run_search` takes that
spec, so callers that already know the entries (`ask`) pass them straight in. All
methods are blocking (database work), so the Discord shell calls them in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from storage.models import Contribution
from storage.query import parse_query
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.search import SearchFilters, SortOrder, count_contributions, search
from storage.store import StoreStats, activity_summary, find_contribution, record_dict, store_stats
from storage.written import written_counterparts

from commands.catalogue import CHOICE_PREFIX, NameCatalogue, Resolved
from commands.citations import formal_reference, official_url
from commands.dates import DateError, DateRange, parse_date_range
from commands.inputs import user_input
from commands.replies import (
    BillSummary,
    Candidate,
    ContributionReply,
    CountItem,
    LookupReply,
    MemberProfile,
    PairedText,
    Problem,
    ResultItem,
    SearchReply,
)
from commands.spelling import suggest
from commands.text import excerpt, truncate
from commands.votes import member_voting_summary

__all__ = ["CHOICE_PREFIX", "HOUSES", "HansardCore", "SearchRequest", "SearchSpec"]

MAX_PAGE_SIZE = 10
# Past any store's last result, and inside every database's integer range: a page further on is empty.
MAX_RESULT_OFFSET = 2**31 - 1
# The other half of a written question and answer is quoted this long beside it.
PAIRED_EXCERPT_CHARS = 300
# The query as typed is quoted back to the user at most this long.
UNDERSTOOD_QUERY_CHARS = 200
# "Did you mean" is offered only when a search finds fewer results than this.
FEW_RESULTS = 3

SORT_ORDERS = tuple(order.value for order in SortOrder)
HOUSES = {
    "commons": HOUSE_OF_COMMONS,
    "house of commons": HOUSE_OF_COMMONS,
    "hc": HOUSE_OF_COMMONS,
    "lords": HOUSE_OF_LORDS,
    "house of lords": HOUSE_OF_LORDS,
    "hl": HOUSE_OF_LORDS,
}


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search as typed: every option is text still to be understood."""

    query: str = ""
    member: str | None = None
    bill: str | None = None
    house: str | None = None
    party: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    session: str | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 5


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """A search with every option resolved: entries, a house name, date ranges."""

    query: str = ""
    member: Candidate | None = None
    bill: Candidate | None = None
    house: str | None = None
    party: str | None = None
    session: str | None = None
    date_from: DateRange | None = None
    date_to: DateRange | None = None
    sort: SortOrder = SortOrder.RELEVANCE
    page: int = 1
    page_size: int = 5


@dataclass(frozen=True, slots=True)
class ResolvedFilters:
    """A request's options resolved to store filters, and each filter as understood, in words."""

    filters: SearchFilters
    described: list[str]


def _as_typed(query: str | None) -> str:
    """The query as the user typed it, on one line and of a readable length."""
    return truncate(" ".join((query or "").split()), UNDERSTOOD_QUERY_CHARS)


class HansardCore:
    def __init__(
        self,
        engine: Engine,
        *,
        excerpt_length: int = 700,
        data_dir: Path | None = None,
        names: NameCatalogue | None = None,
    ) -> None:
        self.engine = engine
        self.excerpt_length = excerpt_length
        self.names = names or NameCatalogue(engine, data_dir)
        self.data_dir = self.names.data_dir

    def result_item(
        self,
        row: Contribution,
        highlighted: str | None = None,
        score: float | None = None,
        excerpt_length: int | None = None,
    ) -> ResultItem:
        assert row.id is not None
        passage = excerpt(row.text, highlighted, excerpt_length or self.excerpt_length)
        return ResultItem(
            row_id=row.id,
            uri=row.uri,
            member=row.speaker,
            party=row.party,
            house=row.house,
            date=row.sitting_date,
            title=row.title,
            debate_title=row.debate_title,
            reference=formal_reference(row.house, row.sitting_date, row.references),
            excerpt=passage.text,
            highlights=passage.highlights,
            score=round(score, 4) if score is not None else None,
            official_url=official_url(row.extra),
            paired=tuple(
                PairedText(
                    kind="question" if other.contribution_type == "Written question" else "answer",
                    member=other.speaker,
                    excerpt=excerpt(other.text, None, PAIRED_EXCERPT_CHARS).text,
                    uri=other.uri,
                    reference=formal_reference(other.house, other.sitting_date, other.references),
                )
                for other in written_counterparts(self.engine, row)
            ),
        )

    # --- search ----------------------------------------------------------------------------

    @user_input
    def search(self, request: SearchRequest) -> SearchReply:
        """A search as typed: its options resolved (or the reply saying which is wrong), then run."""
        spec = self.resolve(request)
        if isinstance(spec, SearchReply):
            return spec
        return self.run_search(spec)

    def resolve(self, request: SearchRequest) -> SearchSpec | SearchReply:
        """The options of ``request`` resolved into a spec, or the reply explaining which option is wrong."""
        understood = _as_typed(request.query) or "your search"

        def problem(resolved: Resolved) -> SearchReply:
            return SearchReply(
                understood=understood,
                problem=resolved.problem,
                message=resolved.message,
                candidates=list(resolved.candidates),
            )

        def bad_input(message: str) -> SearchReply:
            return SearchReply(understood=understood, problem=Problem.BAD_INPUT, message=message)

        member = bill = None
        if request.member:
            resolved = self.names.resolve_member(request.member)
            if resolved.candidate is None:
                return problem(resolved)
            member = resolved.candidate
        if request.bill:
            resolved = self.names.resolve_bill(request.bill)
            if resolved.candidate is None:
                return problem(resolved)
            bill = resolved.candidate
        house = None
        if request.house:
            house = HOUSES.get(request.house.strip().lower())
            if house is None:
                return bad_input("House must be Commons or Lords.")
        try:
            date_from = parse_date_range(request.date_from) if request.date_from else None
            date_to = parse_date_range(request.date_to) if request.date_to else None
        except DateError as exc:
            return bad_input(str(exc))
        if date_from and date_to and date_from.start > date_to.end:
            return bad_input("The “from” date is after the “to” date.")
        party = session = None
        if request.party and request.party.strip():
            party = self.names.people.parties.resolve(request.party)
            if party is None:
                return bad_input(self.names.people.parties.unknown(truncate(request.party.strip(), 80)))
        if request.session and request.session.strip():
            session = self.names.session_named(request.session)
            if session is None:
                known = ", ".join(self.names.sessions) or "none yet"
                return bad_input(
                    f"No session called “{truncate(request.session.strip(), 80)}”; sessions in the data are {known}."
                )
        sort = SortOrder(request.sort) if request.sort in SortOrder._value2member_map_ else SortOrder.RELEVANCE
        return SearchSpec(
            query=request.query or "",
            member=member,
            bill=bill,
            house=house,
            party=party,
            session=session,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=request.page,
            page_size=request.page_size,
        )

    def filters(self, spec: SearchSpec) -> SearchFilters:
        return SearchFilters(
            member_ids=(int(spec.member.key),) if spec.member else (),
            debate_ids=self.names.bill_debate_ids(str(spec.bill.key)) if spec.bill else (),
            party=spec.party,
            house=spec.house,
            session=spec.session,
            date_from=spec.date_from.start if spec.date_from else None,
            date_to=spec.date_to.end if spec.date_to else None,
        )

    def resolve_filters(self, request: SearchRequest) -> ResolvedFilters | SearchReply:
        """The filters of ``request`` (the search's own option handling: same fuzzy names, House
        names, date forms and messages), or the reply explaining which option is wrong."""
        spec = self.resolve(request)
        if isinstance(spec, SearchReply):
            return spec
        filters, member, bill = self.filters(spec), spec.member, spec.bill
        described = [
            part
            for part in (
                f"by {member.name}" if member else "",
                f"on {bill.name}" if bill else "",
                filters.party or "",
                filters.house or "",
                f"from {filters.date_from.isoformat()}" if filters.date_from else "",
                f"to {filters.date_to.isoformat()}" if filters.date_to else "",
            )
            if part
        ]
        return ResolvedFilters(filters, described)

    def run_search(self, spec: SearchSpec) -> SearchReply:
        """One page of results for a resolved search, with "did you mean" when it finds little."""
        page_size = max(1, min(spec.page_size, MAX_PAGE_SIZE))
        page = max(1, spec.page)
        query = parse_query(spec.query)
        filters = self.filters(spec)
        understood = self.describe(spec)
        if query.is_empty and not (filters.member_ids or filters.debate_ids):
            message = (
                'Your search has no words to look for: try plain words, a "quoted phrase", or name a member or bill.'
                if not spec.query.strip() or not query.excluded
                else "Exclusions (-word) need at least one word to search for as well."
            )
            return SearchReply(understood=understood, problem=Problem.NO_USABLE_WORDS, message=message)
        sort = SortOrder.NEWEST if query.is_empty and spec.sort is SortOrder.RELEVANCE else spec.sort
        found = search(
            self.engine,
            None if query.is_empty else query,
            filters,
            sort,
            limit=page_size,
            offset=min((page - 1) * page_size, MAX_RESULT_OFFSET),
        )
        reply = SearchReply(
            understood=understood,
            results=[self.result_item(h.contribution, h.highlighted, h.score) for h in found.hits],
            total=found.total,
            total_capped=found.total_capped,
            page=page,
            page_size=page_size,
            member=spec.member,
            bill=spec.bill,
        )
        if not query.is_empty and found.total < FEW_RESULTS:
            reply.suggestion = self.suggest(spec.query, filters, found.total)
        if not reply.results:
            reply.problem = Problem.NO_RESULTS
            hint = f" Did you mean “{reply.suggestion}”?" if reply.suggestion else ""
            reply.message = (
                f"Nothing in the loaded Hansard matches {understood}.{hint} "
                "Try fewer words, another spelling, or a wider date range."
                if page == 1
                else f"There is no page {page}: the results end at page {reply.pages}."
            )
        return reply

    def suggest(self, typed: str, filters: SearchFilters, total: int) -> str | None:
        """ "Did you mean": the query with its unknown words corrected, if that finds more than ``total``."""
        suggestion = suggest(typed, self.names.vocabulary)
        if suggestion is None:
            return None
        corrected = parse_query(suggestion)
        if corrected.is_empty or search(self.engine, corrected, filters, SortOrder.NEWEST, limit=1).total <= total:
            return None
        return suggestion

    def describe(self, spec: SearchSpec) -> str:
        """How the search was understood, in words (the query as the user typed it)."""
        typed = _as_typed(spec.query)
        parts = [f"“{typed}”" if typed else "contributions"]
        if spec.member:
            parts.append(f"by {spec.member.name}")
        if spec.bill:
            parts.append(f"on {spec.bill.name}")
        if spec.house:
            parts.append(f"in the {spec.house}")
        if spec.party:
            parts.append(f"({spec.party})")
        if spec.date_from:
            parts.append(f"from {spec.date_from.describe()}")
        if spec.date_to:
            parts.append(f"to {spec.date_to.describe()}")
        return " ".join(parts)

    # --- member, bill, contribution, about --------------------------------------------------

    def latest(self, filters: SearchFilters, limit: int = 3) -> list[ResultItem]:
        page = search(self.engine, None, filters, SortOrder.NEWEST, limit=limit)
        return [self.result_item(hit.contribution) for hit in page.hits]

    @staticmethod
    def _unresolved(kind: str, text: str, resolved: Resolved) -> LookupReply:
        return LookupReply(
            understood=f"{kind} “{truncate(text, 80)}”",
            problem=resolved.problem,
            message=resolved.message,
            candidates=list(resolved.candidates),
        )

    @user_input
    def member(self, name: str) -> LookupReply:
        """A member's profile, from a name as typed."""
        resolved = self.names.resolve_member(name)
        if resolved.candidate is None:
            return self._unresolved("member", name, resolved)
        return self.member_profile(resolved.candidate)

    def member_profile(self, member: Candidate) -> LookupReply:
        member_id = int(member.key)
        member_ids = self.names.same_person(member_id)
        summary = activity_summary(self.engine, member_ids=member_ids)
        row = self.names.member_row(member_id)
        profile = MemberProfile(
            member=member,
            party=row.party if row else None,
            house=row.house if row else None,
            contributions=summary.contributions,
            first_date=summary.first_date,
            last_date=summary.last_date,
            top_debates=[CountItem(t, n) for t, is_bill, n in summary.top_debates if not is_bill][:5],
            top_bills=[CountItem(t, n) for t, is_bill, n in summary.top_debates if is_bill][:5],
            latest=self.latest(SearchFilters(member_ids=member_ids)),
            constituency=self.names.people.constituency(member_id, summary.last_date),
            memberships=self.names.memberships(member_id),
            voting=member_voting_summary(self.engine, member_id, self.data_dir),
        )
        return LookupReply(understood=f"member {member.name}", profile=profile)

    @user_input
    def bill(self, title: str) -> LookupReply:
        """A bill's summary, from a title as typed."""
        resolved = self.names.resolve_bill(title)
        if resolved.candidate is None:
            return self._unresolved("bill", title, resolved)
        return self.bill_summary(resolved.candidate)

    def bill_summary(self, bill: Candidate) -> LookupReply:
        debate_ids = self.names.bill_debate_ids(str(bill.key))
        summary = activity_summary(self.engine, debate_ids=debate_ids, top=5)
        profile = BillSummary(
            bill=bill,
            sessions=summary.sessions,
            houses=summary.houses,
            dates=summary.dates,
            contributions=summary.contributions,
            top_speakers=[CountItem(name, n) for name, n in summary.top_members],
            latest=self.latest(SearchFilters(debate_ids=debate_ids)),
        )
        return LookupReply(understood=f"bill {bill.name}", profile=profile)

    @user_input
    def contribution(self, uri_or_id: str) -> ContributionReply:
        row = find_contribution(self.engine, uri_or_id[:500])
        if row is None:
            return ContributionReply(
                item=None,
                problem=Problem.NOT_FOUND,
                message=f"No contribution with URI or id “{truncate(uri_or_id, 80)}” is loaded.",
            )
        return ContributionReply(item=self.result_item(row), paragraphs=list(row.paragraphs))

    @user_input
    def stored_record(self, uri_or_id: str) -> dict[str, Any] | None:
        """One stored contribution with the parsed record's field names (``show --json``)."""
        row = find_contribution(self.engine, uri_or_id[:500])
        return record_dict(row) if row is not None else None

    def count(self, filters: SearchFilters) -> int:
        """How many contributions match the filters (exact, not capped)."""
        return count_contributions(self.engine, filters)

    def about(self) -> StoreStats:
        return store_stats(self.engine)
