"""The Discord-free core of every read use case: search, member, bill, contribution, about.

`HansardCore` holds the store's engine and the in-memory name indexes (rebuilt by
`refresh` after an import). Each method takes plain typed input and returns a
reply object from `commands.replies`; all of them are blocking (database work),
so the Discord shell calls them in a thread.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select
from storage.models import CONTRIBUTION_TABLE, Contribution
from storage.query import ParsedQuery, parse_query
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.reference_data import bundled_data_dir, load_bill_informal_names, load_member_aliases
from storage.search import SearchFilters, SortOrder, count_contributions, search
from storage.store import (
    MemberRow,
    StoreStats,
    activity_summary,
    debate_rows,
    find_contribution,
    latest_import_run,
    member_rows,
    store_stats,
)

from commands.citations import formal_reference
from commands.dates import DateError, parse_date_range
from commands.names import MatchResult, NameEntry, NameIndex, NameMatch, member_aliases_for
from commands.replies import (
    BillSummary,
    Candidate,
    ContributionReply,
    CountItem,
    LookupReply,
    MemberProfile,
    Problem,
    ResultItem,
    SearchReply,
)
from commands.text import excerpt, truncate

MAX_PAGE_SIZE = 10
# Words from this many of the newest contributions make the "did you mean" vocabulary.
VOCABULARY_ROWS = 20_000
# The query as typed is quoted back to the user at most this long.
UNDERSTOOD_QUERY_CHARS = 200
_WORD = re.compile(r"[^\W\d_]{3,}")

HOUSES = {
    "commons": HOUSE_OF_COMMONS,
    "house of commons": HOUSE_OF_COMMONS,
    "hc": HOUSE_OF_COMMONS,
    "lords": HOUSE_OF_LORDS,
    "house of lords": HOUSE_OF_LORDS,
    "hl": HOUSE_OF_LORDS,
}
# An autocomplete choice sends "#<key>" so that a picked entry is never re-guessed.
CHOICE_PREFIX = "#"


@dataclass(frozen=True, slots=True)
class SearchRequest:
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
class _Resolved:
    """A member or bill option after matching: the entry, or the reply to send instead."""

    candidate: Candidate | None = None
    problem: Problem | None = None
    message: str | None = None
    candidates: tuple[Candidate, ...] = ()


def _as_typed(query: str | None) -> str:
    """The query as the user typed it, on one line and of a readable length."""
    return truncate(" ".join((query or "").split()), UNDERSTOOD_QUERY_CHARS)


def _candidate(match: NameMatch) -> Candidate:
    return Candidate(key=match.entry.key, name=match.entry.name, detail=match.entry.detail)


class HansardCore:
    def __init__(self, engine: Engine, *, excerpt_length: int = 700, data_dir: Path | None = None) -> None:
        self.engine = engine
        self.excerpt_length = excerpt_length
        self.data_dir = data_dir or bundled_data_dir()
        self.members = NameIndex.for_members([])
        self.bills = NameIndex.for_bills([])
        self._bill_debates: dict[str, tuple[int, ...]] = {}
        self._member_by_key: dict[str, NameEntry] = {}
        self._member_rows: dict[int, MemberRow] = {}
        self._bill_by_key: dict[str, NameEntry] = {}
        self._vocabulary: Counter[str] = Counter()
        self._refreshed_after_run: int | None = None
        self._vocabulary_words: list[str] = []
        self.refresh()

    # --- indexes ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild the name indexes and vocabulary from the store (after an import).

        The new objects replace the old ones in single assignments, so a search
        running in another thread sees either the old or the new index, whole.
        """
        members = {row.id: row for row in member_rows(self.engine)}
        member_entries = [
            NameEntry(
                key=row.id,
                name=row.name,
                detail=", ".join(part for part in (row.party, row.house) if part),
                weight=float(row.contributions),
            )
            for row in members.values()
        ]
        alias_file = self.data_dir / "member_aliases.csv"
        if alias_file.is_file():
            # Office titles, nicknames and misspelt surnames (the store has no seat dates for the rest).
            member_entries = member_aliases_for(member_entries, load_member_aliases(alias_file))
        informal: dict[str, list[str]] = {}
        informal_file = self.data_dir / "bill_informal_names.csv"
        if informal_file.is_file():
            for spoken, official in load_bill_informal_names(informal_file).items():
                informal.setdefault(official.lower(), []).append(spoken)
        bill_debates: dict[str, list[int]] = {}
        bill_sessions: dict[str, set[str]] = {}
        bill_weight: Counter[str] = Counter()
        for row in debate_rows(self.engine, bills_only=True):
            bill_debates.setdefault(row.title, []).append(row.id)
            if row.session:
                bill_sessions.setdefault(row.title, set()).add(row.session)
            bill_weight[row.title] += row.contributions
        bill_entries = [
            NameEntry(
                key=title,
                name=title,
                detail=", ".join(sorted(bill_sessions.get(title, ()))),
                aliases=tuple(informal.get(title.lower(), ())),
                weight=float(bill_weight[title]),
            )
            for title in bill_debates
        ]
        latest_run = latest_import_run(self.engine)
        vocabulary = self._load_vocabulary()
        self._member_rows = members
        self._member_by_key = {str(entry.key): entry for entry in member_entries}
        self._bill_by_key = {str(entry.key): entry for entry in bill_entries}
        self.members = NameIndex.for_members(member_entries)
        self.bills = NameIndex.for_bills(bill_entries)
        self._bill_debates = {title: tuple(ids) for title, ids in bill_debates.items()}
        self._vocabulary = vocabulary
        self._refreshed_after_run = latest_run.id if latest_run else None
        self._vocabulary_words = [word for word, count in vocabulary.items() if count >= 2]

    def refresh_if_imported(self) -> bool:
        """Refresh if an import (by any process sharing the store) ran since the last refresh."""
        latest_run = latest_import_run(self.engine)
        if (latest_run.id if latest_run else None) == self._refreshed_after_run:
            return False
        self.refresh()
        return True

    def _load_vocabulary(self) -> Counter[str]:
        c = CONTRIBUTION_TABLE.c
        words: Counter[str] = Counter()
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.title, c.text).order_by(c.id.desc()).limit(VOCABULARY_ROWS))
            for title, body in rows:
                words.update(_WORD.findall(f"{title} {body}".lower()))
        return words

    # --- resolving options -----------------------------------------------------------------

    def _resolve(self, index: NameIndex, text: str, kind: str) -> _Resolved:
        text = text.strip()
        if text.startswith(CHOICE_PREFIX):
            by_key = self._member_by_key if index is self.members else self._bill_by_key
            entry = by_key.get(text[len(CHOICE_PREFIX) :])
            if entry is not None:
                return _Resolved(Candidate(entry.key, entry.name, entry.detail))
        result: MatchResult = index.match(text)
        if result.best is not None:
            return _Resolved(_candidate(result.best))
        shown = truncate(text, 80)
        if result.candidates:
            problem = Problem.AMBIGUOUS_MEMBER if kind == "member" else Problem.AMBIGUOUS_BILL
            return _Resolved(
                problem=problem,
                message=f"More than one {kind} matches “{shown}”: pick one.",
                candidates=tuple(_candidate(m) for m in result.candidates),
            )
        problem = Problem.UNKNOWN_MEMBER if kind == "member" else Problem.UNKNOWN_BILL
        return _Resolved(problem=problem, message=f"No {kind} in the loaded Hansard matches “{shown}”.")

    def resolve_member(self, text: str) -> _Resolved:
        return self._resolve(self.members, text, "member")

    def resolve_bill(self, text: str) -> _Resolved:
        return self._resolve(self.bills, text, "bill")

    def bill_debate_ids(self, title: str) -> tuple[int, ...]:
        return self._bill_debates.get(title, ())

    def autocomplete_members(self, text: str, limit: int = 25) -> list[Candidate]:
        return [_candidate(m) for m in self.members.autocomplete(text, limit)]

    def autocomplete_bills(self, text: str, limit: int = 25) -> list[Candidate]:
        return [_candidate(m) for m in self.bills.autocomplete(text, limit)]

    # --- results ---------------------------------------------------------------------------

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
            member=row.member_name,
            party=row.party,
            house=row.house,
            date=row.sitting_date,
            title=row.title,
            debate_title=row.debate_title,
            reference=formal_reference(row.house, row.sitting_date, row.references),
            excerpt=passage.text,
            highlights=passage.highlights,
            score=round(score, 4) if score is not None else None,
        )

    def suggest(self, query: ParsedQuery) -> str | None:
        """ "Did you mean": the query with unknown words replaced by close words from the corpus."""
        if not self._vocabulary_words:
            return None
        changed = False
        corrected: list[str] = []
        for word in query.words():
            if len(word) < 4 or word.isdigit() or word in self._vocabulary:
                corrected.append(word)
                continue
            found = process.extractOne(word, self._vocabulary_words, scorer=fuzz.ratio, score_cutoff=75)
            if found is None:
                corrected.append(word)
                continue
            corrected.append(found[0])
            changed = True
        return " ".join(corrected) if changed else None

    def search(self, request: SearchRequest) -> SearchReply:
        page_size = max(1, min(request.page_size, MAX_PAGE_SIZE))
        page = max(1, request.page)
        query = parse_query(request.query or "")
        filters, member, bill, reply = self._filters(request, query)
        if reply is not None:
            return reply
        understood = self._describe(request, query, filters, member, bill)
        if query.is_empty and not (filters.member_ids or filters.debate_ids):
            message = (
                'Your search has no words to look for: try plain words, a "quoted phrase", or name a member or bill.'
                if not (request.query or "").strip() or not query.excluded
                else "Exclusions (-word) need at least one word to search for as well."
            )
            return SearchReply(understood=understood, problem=Problem.NO_USABLE_WORDS, message=message)
        sort = SortOrder(request.sort) if request.sort in SortOrder._value2member_map_ else SortOrder.RELEVANCE
        if query.is_empty and sort is SortOrder.RELEVANCE:
            sort = SortOrder.NEWEST
        found = search(
            self.engine,
            None if query.is_empty else query,
            filters,
            sort,
            limit=page_size,
            offset=(page - 1) * page_size,
        )
        reply = SearchReply(
            understood=understood,
            results=[self.result_item(h.contribution, h.highlighted, h.score) for h in found.hits],
            total=found.total,
            total_capped=found.total_capped,
            page=page,
            page_size=page_size,
            member=member,
            bill=bill,
        )
        if not query.is_empty:
            reply.suggestion = self.suggest(query)
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

    def _filters(
        self, request: SearchRequest, query: ParsedQuery
    ) -> tuple[SearchFilters, Candidate | None, Candidate | None, SearchReply | None]:
        """The search filters from the options, or the reply explaining which option is wrong."""
        member = bill = None
        member_ids: tuple[int, ...] = ()
        debate_ids: tuple[int, ...] = ()
        understood = _as_typed(request.query) or "your search"

        def problem(reply: SearchReply) -> tuple[SearchFilters, None, None, SearchReply]:
            return SearchFilters(), None, None, reply

        if request.member:
            resolved = self.resolve_member(request.member)
            if resolved.candidate is None:
                return problem(self._problem_reply(understood, resolved))
            member = resolved.candidate
            member_ids = (int(member.key),)
        if request.bill:
            resolved = self.resolve_bill(request.bill)
            if resolved.candidate is None:
                return problem(self._problem_reply(understood, resolved))
            bill = resolved.candidate
            debate_ids = self.bill_debate_ids(str(bill.key))
        house = None
        if request.house:
            house = HOUSES.get(request.house.strip().lower())
            if house is None:
                return problem(
                    SearchReply(
                        understood=understood, problem=Problem.BAD_INPUT, message="House must be Commons or Lords."
                    )
                )
        try:
            date_from = parse_date_range(request.date_from) if request.date_from else None
            date_to = parse_date_range(request.date_to) if request.date_to else None
        except DateError as exc:
            return problem(SearchReply(understood=understood, problem=Problem.BAD_INPUT, message=str(exc)))
        if date_from and date_to and date_from.start > date_to.end:
            return problem(
                SearchReply(
                    understood=understood, problem=Problem.BAD_INPUT, message="The “from” date is after the “to” date."
                )
            )
        filters = SearchFilters(
            member_ids=member_ids,
            debate_ids=debate_ids,
            party=request.party.strip() if request.party else None,
            house=house,
            session=request.session.strip() if request.session else None,
            date_from=date_from.start if date_from else None,
            date_to=date_to.end if date_to else None,
        )
        return filters, member, bill, None

    def _problem_reply(self, understood: str, resolved: _Resolved) -> SearchReply:
        return SearchReply(
            understood=understood,
            problem=resolved.problem,
            message=resolved.message,
            candidates=list(resolved.candidates),
        )

    def _describe(
        self,
        request: SearchRequest,
        query: ParsedQuery,
        filters: SearchFilters,
        member: Candidate | None,
        bill: Candidate | None,
    ) -> str:
        """How the request was understood, in words."""
        typed = _as_typed(request.query)
        parts = [f"“{typed}”" if typed else "contributions"]
        if member:
            parts.append(f"by {member.name}")
        if bill:
            parts.append(f"on {bill.name}")
        if filters.house:
            parts.append(f"in the {filters.house}")
        if filters.party:
            parts.append(f"({filters.party})")
        if request.date_from:
            parts.append(f"from {parse_date_range(request.date_from).describe()}")
        if request.date_to:
            parts.append(f"to {parse_date_range(request.date_to).describe()}")
        return " ".join(part for part in parts if part)

    # --- member, bill, contribution, about --------------------------------------------------

    def latest(self, filters: SearchFilters, limit: int = 3) -> list[ResultItem]:
        page = search(self.engine, None, filters, SortOrder.NEWEST, limit=limit)
        return [self.result_item(hit.contribution) for hit in page.hits]

    @staticmethod
    def _unresolved(kind: str, text: str, resolved: _Resolved) -> LookupReply:
        return LookupReply(
            understood=f"{kind} “{truncate(text, 80)}”",
            problem=resolved.problem,
            message=resolved.message,
            candidates=list(resolved.candidates),
        )

    def member(self, name: str) -> LookupReply:
        resolved = self.resolve_member(name)
        if resolved.candidate is None:
            return self._unresolved("member", name, resolved)
        member = resolved.candidate
        member_id = int(member.key)
        summary = activity_summary(self.engine, member_ids=[member_id])
        row = self._member_rows.get(member_id)
        profile = MemberProfile(
            member=member,
            party=row.party if row else None,
            house=row.house if row else None,
            contributions=summary.contributions,
            first_date=summary.first_date,
            last_date=summary.last_date,
            top_debates=[CountItem(t, n) for t, is_bill, n in summary.top_debates if not is_bill][:5],
            top_bills=[CountItem(t, n) for t, is_bill, n in summary.top_debates if is_bill][:5],
            latest=self.latest(SearchFilters(member_ids=(member_id,))),
        )
        return LookupReply(understood=f"member {member.name}", profile=profile)

    def bill(self, title: str) -> LookupReply:
        resolved = self.resolve_bill(title)
        if resolved.candidate is None:
            return self._unresolved("bill", title, resolved)
        bill = resolved.candidate
        debate_ids = self.bill_debate_ids(str(bill.key))
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

    def contribution(self, uri_or_id: str) -> ContributionReply:
        row = find_contribution(self.engine, uri_or_id[:500])
        if row is None:
            return ContributionReply(
                item=None,
                problem=Problem.NOT_FOUND,
                message=f"No contribution with URI or id “{truncate(uri_or_id, 80)}” is loaded.",
            )
        return ContributionReply(item=self.result_item(row), paragraphs=list(row.paragraphs))

    def count(self, filters: SearchFilters) -> int:
        """How many contributions match the filters (exact, not capped)."""
        return count_contributions(self.engine, filters)

    def about(self) -> StoreStats:
        return store_stats(self.engine)
