"""Search results as a spreadsheet: every match (up to EXPORT_LIMIT) as CSV rows.

The same request as a search (words, member, bill, house, party, dates, sort); the rows are
plain text (no Markdown), one per contribution, in the search's order.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

from storage.query import parse_query
from storage.search import SortOrder, search

from commands.citations import formal_reference
from commands.core import HansardCore, SearchRequest
from commands.replies import Problem, SearchReply
from commands.text import excerpt

EXPORT_LIMIT = 5_000
EXCERPT_CHARS = 700
COLUMNS = (
    "uri",
    "official_url",
    "member",
    "party",
    "house",
    "date",
    "title",
    "debate_title",
    "reference",
    "excerpt",
)


@dataclass(slots=True)
class ExportReply:
    understood: str
    rows: list[dict[str, str]] = field(default_factory=list)
    # True when there were more matches than EXPORT_LIMIT and only the first ones are here.
    cut: bool = False
    problem: Problem | None = None
    message: str | None = None

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue()

    def note(self) -> str:
        """What the file holds, in a sentence."""
        if self.cut:
            return f"The first {len(self.rows):,} matches of {self.understood} (there are more: narrow the search)."
        return f"All {len(self.rows):,} matches of {self.understood}."


def export_search(core: HansardCore, request: SearchRequest) -> ExportReply:
    """Every match of the search ``request`` (up to EXPORT_LIMIT), as rows of COLUMNS."""
    checked = core.search(replace(request, page=1, page_size=1))
    reply = ExportReply(understood=checked.understood)
    if checked.problem is not None:
        reply.problem, reply.message = checked.problem, checked.message
        return reply
    query = parse_query(request.query or "")
    spec = core.resolve(request)
    if isinstance(spec, SearchReply):  # checked above: the search's own options are fine
        reply.problem, reply.message = spec.problem, spec.message
        return reply
    filters = core.filters(spec)
    sort = SortOrder(request.sort) if request.sort in SortOrder._value2member_map_ else SortOrder.RELEVANCE
    if query.is_empty and sort is SortOrder.RELEVANCE:
        sort = SortOrder.NEWEST
    found = search(core.engine, None if query.is_empty else query, filters, sort, limit=EXPORT_LIMIT + 1)
    hits = found.hits[:EXPORT_LIMIT]
    reply.cut = len(found.hits) > EXPORT_LIMIT
    for hit in hits:
        row = hit.contribution
        reply.rows.append(
            {
                "uri": row.uri,
                # Filled once the store keeps each contribution's page on hansard.parliament.uk.
                "official_url": str(getattr(row, "official_url", None) or ""),
                "member": row.speaker or "",
                "party": row.party or "",
                "house": row.house or "",
                "date": row.sitting_date.isoformat() if row.sitting_date else "",
                "title": row.title,
                "debate_title": row.debate_title or "",
                "reference": formal_reference(row.house, row.sitting_date, row.references) or "",
                "excerpt": excerpt(row.text, hit.highlighted, EXCERPT_CHARS).text,
            }
        )
    return reply
