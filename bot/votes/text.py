"""Votes replies as terminal text (the CLI and the console): plain, nothing escaped."""

from __future__ import annotations

from commands.vote_replies import (
    NO_VOTE,
    DivisionDetail,
    DivisionItem,
    DivisionListReply,
    DivisionReply,
    MemberVotesReply,
    VoteAnswer,
    Voter,
)


def _item_line(item: DivisionItem) -> str:
    about = item.bill or item.debate
    return f"{item.date.isoformat()} division {item.number} ({item.house}): {item.counts}, {item.result}" + (
        f" — {about}" if about else ""
    )


def _voters(voters: list[Voter]) -> str:
    return "; ".join(f"{v.name} ({v.party or 'no party'}) {v.vote}" + (" by proxy" if v.proxy else "") for v in voters)


def _detail(detail: DivisionDetail) -> list[str]:
    item = detail.item
    lines = [f"Division {item.number}, {item.house}, {item.date:%-d %B %Y}" + (f" at {item.time}" if item.time else "")]
    lines.append(f"Question: {item.question or 'not in the record'}")
    if detail.motion and (item.question or "") not in detail.motion:
        lines.append(f"Motion: {detail.motion}")
    lines.append(f"Result: {item.counts}: {item.result}")
    if item.debate:
        lines.append(f"Debate: {item.debate}" + (f" — {item.heading}" if item.heading else ""))
    if item.bill and item.bill != item.debate:
        lines.append(f"Bill: {item.bill}")
    lines.append(f"{'Party':<32} {item.yes_label:>8} {item.no_label:>12}")
    lines.extend(f"{p.party[:32]:<32} {p.ayes:>8} {p.noes:>12}" for p in detail.parties)
    lines.append(f"Against their party's majority ({len(detail.rebels)}): {_voters(detail.rebels) or 'none'}")
    lines.append(f"Tellers: {_voters(detail.tellers) or 'none'}")
    if detail.proxies:
        lines.append(f"By proxy: {_voters(detail.proxies)}")
    lines.extend(f"{link.label}: {link.url}" for link in item.links)
    return lines


def format_vote_answer(reply: VoteAnswer) -> str:
    lines: list[str] = []
    if isinstance(reply, DivisionReply):
        lines.extend(_detail(reply.detail) if reply.detail else [reply.message or "Not found."])
    elif isinstance(reply, DivisionListReply):
        lines.append(f"{reply.understood[:1].upper()}{reply.understood[1:]}: {len(reply.divisions)}.")
        if reply.message:
            lines.append(reply.message)
        lines.extend(f"  {c.name}" + (f" — {c.detail}" if c.detail else "") for c in reply.candidates)
        details = {(d.item.house, d.item.date, d.item.number): d for d in reply.details}
        for item in reply.divisions:
            lines.append(_item_line(item))
            lines.append(f"   {item.question or 'question not recorded'}")
            detail = details.get((item.house, item.date, item.number))
            if detail is not None and reply.party:
                split = next((p for p in detail.parties if p.party == reply.party), None)
                lines.append(
                    f"   {reply.party}: "
                    + (f"{split.ayes} {item.yes_label}, {split.noes} {item.no_label}" if split else "no votes")
                )
            elif detail is not None:
                lines.append(f"   Against their party: {_voters(detail.rebels) or 'none'}")
    else:
        lines.extend(_member_votes(reply))
    return "\n".join(lines)


def _member_votes(reply: MemberVotesReply) -> list[str]:
    if reply.member is None:
        lines = [reply.message or "No such Member."]
        return lines + [f"  {c.name}" + (f" — {c.detail}" if c.detail else "") for c in reply.candidates]
    lines = [f"Votes of {reply.member.name} ({reply.member.detail})"]
    if reply.answer:
        lines.append(reply.answer)
    if reply.summary:
        lines.append(reply.summary.describe())
    if reply.message:
        lines.append(reply.message)
    for vote in reply.votes:
        said = vote.vote or ("no recorded vote" if vote.status == NO_VOTE else vote.status)
        extra = (" (teller)" if vote.teller else "") + (" (against party)" if vote.against_party else "")
        lines.append(f"{_item_line(vote.division)}: {said}{extra}")
        lines.append(f"   {vote.division.question or 'question not recorded'}")
    return lines
