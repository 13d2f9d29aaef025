"""Who a question means: an office or a seat on given dates, a party as people type it, a person's other names.

"the Prime Minister", "the Home Secretary", "the Speaker" mean whoever held the
office on the dates asked about (or, with no dates, as the data ends); "the
member for Bedford" whoever held that seat then. Holders come from the store
first (the office a speaker was announced with, see `storage.people`), then from
the bundled reference data (dated aliases, the Speaker's terms, seats in
``members_flat.csv``). Party filters accept "lib dem", "LD", "Lab", "Tories".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine
from storage.people import data_dates, office_holdings
from storage.query import unaccented
from storage.reference_data import MemberAlias, MemberRecord
from storage.store import MemberRow

from commands.names import NameEntry, normalise_member_name

__all__ = ["Office", "Parties", "People", "find_office", "find_seat"]

# With no dates asked about, an office means its holder over this many days before the data ends.
RECENT_DAYS = 90


@dataclass(frozen=True, slots=True)
class Office:
    """An office as people name it, and the titles Hansard announces its holder with."""

    name: str  # how the reply names it: "the Home Secretary"
    titles: tuple[str, ...]  # "The Secretary of State for the Home Department"
    speaker: bool = False  # the Speaker's terms are in members_flat.csv, not in the announced offices


# What people type after "the" -> the office. Department secretaries follow one pattern.
_OFFICES: tuple[tuple[str, Office], ...] = (
    (r"deputy\s+prime\s+minister|deputy\s+pm", Office("the Deputy Prime Minister", ("The Deputy Prime Minister",))),
    (r"prime\s+minister|pm", Office("the Prime Minister", ("The Prime Minister",))),
    (r"chancellor(?:\s+of\s+the\s+exchequer)?", Office("the Chancellor", ("The Chancellor of the Exchequer",))),
    (
        r"home\s+secretary",
        Office("the Home Secretary", ("The Secretary of State for the Home Department", "The Home Secretary")),
    ),
    (
        r"foreign\s+secretary",
        Office(
            "the Foreign Secretary",
            ("The Secretary of State for Foreign and Commonwealth Affairs", "The Foreign Secretary"),
        ),
    ),
    (
        r"(?:justice\s+secretary|lord\s+chancellor)",
        Office("the Justice Secretary", ("The Secretary of State for Justice", "The Lord Chancellor")),
    ),
    (
        r"leader\s+of\s+the\s+house(?:\s+of\s+commons)?",
        Office("the Leader of the House", ("The Leader of the House of Commons", "The Leader of the House")),
    ),
    (r"(?:commons\s+)?speaker", Office("the Speaker", (), speaker=True)),
)
_DEPARTMENTS = {
    "health": "Health",
    "defence": "Defence",
    "education": "Children, Schools and Families",
    "children": "Children, Schools and Families",
    "work and pensions": "Work and Pensions",
    "transport": "Transport",
    "environment": "Environment, Food and Rural Affairs",
    "business": "Business, Innovation and Skills",
    "culture": "Culture, Media and Sport",
    "energy": "Energy and Climate Change",
    "welsh": "Wales",
    "wales": "Wales",
    "scottish": "Scotland",
    "scotland": "Scotland",
    "northern ireland": "Northern Ireland",
    "international development": "International Development",
    "communities": "Communities and Local Government",
}
_OFFICE_RE = re.compile(
    r"\bthe\s+(?:(?P<dept>"
    + "|".join(re.escape(d).replace(r"\ ", r"\s+") for d in _DEPARTMENTS)
    + r")\s+secretary|secretary\s+of\s+state\s+for\s+(?P<sos>(?:the\s+)?[a-z][a-z ,&'-]*?)"
    + r"|(?P<named>"
    + "|".join(f"(?:{pattern})" for pattern, _ in _OFFICES)
    + r")|(?P<other>[^\W\d_][\w,'&.-]*(?:\s+[\w,'&.-]+)+?))"
    + r"(?=\s+(?:say|said|says|speak|spoke|talk|talked|mention|mentioned|about|on|in|during|ever)\b|[\s?.,]*$)",
    re.IGNORECASE,
)
# Any other office is named by one of these words ("the Minister for Housing", "the Leader of the
# House", "the Solicitor General", "the Chairman of Ways and Means"), and looked up among the offices
# the stored speeches announce, not in a list.
_OFFICE_WORD = re.compile(
    r"\b(?:secretary|minister|leader|chancellor|general|whip|chairman|speaker|president|seal|advocate|"
    r"commissioner|comptroller|treasurer|paymaster)\b",
    re.IGNORECASE,
)
_GLUE = frozenset({"and", "the", "of", "for", "to"})
_SEAT_RE = re.compile(
    r"\b(?:the\s+)?(?:(?:right\s+)?hon(?:ourable|\.)?\s+)?(?:member|mp)\s+for\s+(?P<seat>[^\W\d_][\w ,&'.-]*?)"
    r"(?=\s+(?:say|said|says|speak|spoke|talk|talked|mention|mentioned|about|on|in|during|ever)\b|[\s?.,]*$)",
    re.IGNORECASE,
)


# "the member for say": the words that end a seat or department are not one themselves.
_NOT_A_PLACE = re.compile(
    r"(?:say|said|says|speak|spoke|talk|talked|mention|mentioned|about|on|in|during|ever)", re.IGNORECASE
)


def find_office(text: str) -> tuple[Office, tuple[int, int]] | None:
    """The office a question names ("what did the home secretary say"), and where."""
    match = _OFFICE_RE.search(text)
    # A "the ... say" that names no office ("the government") is passed over for a later one.
    while match is not None and match.group("other") and not _OFFICE_WORD.search(match.group("other")):
        match = _OFFICE_RE.search(text, match.start() + 1)
    if match is None:
        return None
    if match.group("other"):
        typed = " ".join(match.group("other").strip(" ,.").split())
        words = " ".join(w if w.lower() in _GLUE else w[:1].upper() + w[1:] for w in typed.split())
        office = Office(f"the {words}", (f"The {words}",))
    elif match.group("dept"):
        department = _DEPARTMENTS[" ".join(match.group("dept").lower().split())]
        office = Office(f"the {match.group('dept').title()} Secretary", (f"The Secretary of State for {department}",))
    elif match.group("sos"):
        if _NOT_A_PLACE.fullmatch(match.group("sos").strip()):
            return None
        department = " ".join(w if w in {"and", "the", "of", "for"} else w.capitalize() for w in match["sos"].split())
        office = Office(f"the Secretary of State for {department}", (f"The Secretary of State for {department}",))
    else:
        typed = match.group("named")
        office = next(o for pattern, o in _OFFICES if re.fullmatch(pattern, typed, re.IGNORECASE))
    return office, match.span()


def find_seat(text: str) -> tuple[str, tuple[int, int]] | None:
    """The constituency in "the member for Bedford", and where the phrase stands."""
    match = _SEAT_RE.search(text)
    if match is None or _NOT_A_PLACE.fullmatch(match.group("seat").strip(" ,.")):
        return None
    return match.group("seat").strip(" ,."), match.span()


def _key(text: str) -> str:
    """Lower-case letters and digits in words: "Glasgow, Springburn" -> "glasgow springburn"."""
    text = unaccented(text).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text.replace("'", "").replace("\u2019", "")).split())


# Party names as people type them -> words the party's name in the data contains.
_PARTY_ALIASES = {
    "lib dem": "liberal democrat",
    "lib dems": "liberal democrat",
    "libdem": "liberal democrat",
    "libdems": "liberal democrat",
    "ld": "liberal democrat",
    "ldem": "liberal democrat",
    "liberal democrats": "liberal democrat",
    "lab": "labour",
    "lab party": "labour",
    "labour party": "labour",
    "con": "conservative",
    "cons": "conservative",
    "tory": "conservative",
    "tories": "conservative",
    "conservatives": "conservative",
    "snp": "scottish national party",
    "scottish nationalists": "scottish national party",
    "pc": "plaid cymru",
    "plaid": "plaid cymru",
    "dup": "democratic unionist party",
    "sdlp": "social democratic and labour party",
    "uup": "ulster unionist party",
    "sf": "sinn fein",
    "ind": "independent",
    "independents": "independent",
    "green": "green party",
    "greens": "green party",
    "xb": "crossbench",
    "crossbencher": "crossbench",
    "crossbenchers": "crossbench",
}


class Parties:
    """The parties in the data, found from what people type."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted({name for name in names if name})
        self._by_key = {_key(name): name for name in self.names}

    def resolve(self, text: str) -> str | None:
        """The party in the data that ``text`` names, or None."""
        key = _key(text)
        if not key:
            return None
        key = _PARTY_ALIASES.get(key, key)
        if key not in self._by_key and key.endswith(" party"):
            key = _PARTY_ALIASES.get(key.removesuffix(" party"), key.removesuffix(" party"))  # "Conservative Party"
        if key in self._by_key:
            return self._by_key[key]
        starting = [name for k, name in self._by_key.items() if k.startswith(key)]
        return starting[0] if len(starting) == 1 else None

    def matching(self, text: str, limit: int = 25) -> list[str]:
        """Parties for an autocomplete: those starting with, then containing, what was typed."""
        key = _PARTY_ALIASES.get(_key(text), _key(text))
        first = [name for k, name in self._by_key.items() if k.startswith(key)]
        then = [name for k, name in self._by_key.items() if key in k and name not in first]
        return (first + then)[:limit]

    def unknown(self, text: str) -> str:
        return f"No party called “{text}”; parties in the data are {', '.join(self.names) or 'none yet'}."


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a question means: the Member's row id, and how the reply says why ("the Prime Minister").

    ``member_id`` is None for a holder the reference data knows who has nothing in the store.
    """

    member_id: int | None
    because: str
    name: str | None = None
    # Members who held it over the same days as ``member_id`` (with it), when the question cannot tell them apart.
    others: tuple[int, ...] = ()


@dataclass
class People:
    """Offices, seats, parties and other names over the store's Members and the reference data."""

    engine: Engine
    rows: Sequence[MemberRow]
    records: Sequence[MemberRecord] = ()
    aliases: Sequence[MemberAlias] = ()
    parties: Parties = field(init=False)
    _by_person: dict[str, list[MemberRow]] = field(init=False)
    _by_name: dict[str, list[MemberRow]] = field(init=False)
    _records_by_person: dict[str, list[MemberRecord]] = field(init=False)

    def __post_init__(self) -> None:
        self.parties = Parties(row.party for row in self.rows if row.party)
        self._by_person = {}
        self._by_name = {}
        for row in sorted(self.rows, key=lambda r: -r.contributions):
            if row.person_ref:
                self._by_person.setdefault(row.person_ref, []).append(row)
            self._by_name.setdefault(normalise_member_name(row.name), []).append(row)
        self._records_by_person = {}
        for record in self.records:
            self._records_by_person.setdefault(record.person_ref, []).append(record)

    # --- names -----------------------------------------------------------------------------

    def with_other_names(self, entries: Iterable[NameEntry]) -> list[NameEntry]:
        """Entries with the person's other names as aliases: "Mr. Speaker" is also "John Bercow"."""
        rows = {row.id: row for row in self.rows}
        result: list[NameEntry] = []
        for entry in entries:
            row = rows.get(entry.key) if isinstance(entry.key, int) else None
            records = self._records_by_person.get(row.person_ref or "", ()) if row else ()
            names = names_of(records)
            # A name that is an office ("Mr. Speaker") is also found by the holder's surname alone.
            names |= {r.last_name for r in records if r.last_name and _key(r.last_name) not in _key(entry.name)}
            extra = tuple(sorted(name for name in names if name != entry.name and name not in entry.aliases))
            result.append(replace(entry, aliases=entry.aliases + extra) if extra else entry)
        return result

    def constituency(self, member_id: int, on: dt.date | None) -> str | None:
        """The seat the Member held on ``on`` (or most recently), from members_flat.csv."""
        row = next((r for r in self.rows if r.id == member_id), None)
        if row is None or not row.person_ref:
            return None
        seats = [r for r in self._records_by_person.get(row.person_ref, ()) if r.constituency]
        if on is not None:
            held = [r for r in seats if covers(r, on, on)]
            if held:
                return held[-1].constituency
        seats.sort(key=lambda r: r.from_date or dt.date.min)
        return seats[-1].constituency if seats else None

    # --- offices and seats -----------------------------------------------------------------

    def dates_meant(self, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date] | None:
        """The dates asked about, or the last RECENT_DAYS of the data."""
        if start is not None and end is not None:
            return start, end
        span = data_dates(self.engine)
        if span is None:
            return None
        return max(span[0], span[1] - dt.timedelta(days=RECENT_DAYS)), span[1]

    def office_holder(self, office: Office, start: dt.date | None, end: dt.date | None) -> Holder | None:
        dates = self.dates_meant(start, end)
        if dates is None:
            return None
        if office.speaker:
            speakers = [r for r in self.records if r.party == "Speaker" and covers(r, *dates)]
            return self._person_holder(speakers, office.name)
        holder = self._announced_holder(office, *dates)
        if holder is None and start is None and end is None and (span := data_dates(self.engine)) is not None:
            # Nobody announced with it lately: whoever was last, earlier in the data ("the Leader of the House").
            holder = self._announced_holder(office, *span, latest=True)
        if holder is not None:
            return holder
        # Not announced in the store on those dates: the dated aliases ("The Prime Minister").
        for alias in self.aliases:
            if alias.match_type != "fullname" or _key(alias.alternate) not in {_key(t) for t in office.titles}:
                continue
            if _overlaps(alias.from_date, alias.to_date, *dates):
                rows = self._by_name.get(normalise_member_name(alias.match_value), [])
                if rows:
                    return Holder(rows[0].id, office.name)
        return None

    def _announced_holder(self, office: Office, start: dt.date, end: dt.date, *, latest: bool = False) -> Holder | None:
        """Who TWFY announced with the office between the dates: the most often (``latest``: the last) of them.

        Several Members announced with one title over the same days ("The Minister of State,
        Department of Health") are all in ``others``: the question does not say which is meant.
        """
        holdings = office_holdings(self.engine, None, start, end)
        for tier in range(3):
            found = [h for h in holdings if any(_office_tier(t, h.office) == tier for t in office.titles)]
            if found:
                break
        else:
            return None
        spans: dict[int, tuple[int, dt.date, dt.date]] = {}
        for h in found:
            times, first, last = spans.get(h.member_id, (0, h.first, h.last))
            spans[h.member_id] = (times + h.times, min(first, h.first), max(last, h.last))
        order = sorted(spans, key=lambda m: (spans[m][2], spans[m][0]) if latest else (spans[m][0], spans[m][2]))
        chosen = order[-1]
        _, first, last = spans[chosen]
        others = tuple(m for m in reversed(order) if spans[m][1] <= last and first <= spans[m][2])
        return Holder(chosen, office.name, others=others if len(others) > 1 else ())

    def seat_holder(self, seat: str, start: dt.date | None, end: dt.date | None) -> Holder | None:
        dates = self.dates_meant(start, end)
        if dates is None:
            return None
        key = _key(seat)
        seats = [r for r in self.records if r.constituency and r.house == "House of Commons"]
        exact = [r for r in seats if _key(r.constituency or "") == key]
        held = [r for r in exact if covers(r, *dates)]
        if not held:
            # "Bedford" for "Bedford & Kempston": a unique seat whose name starts with what was typed.
            starting = {r.constituency for r in seats if _key(r.constituency or "").startswith(key + " ")}
            if len(starting) == 1:
                held = [r for r in seats if r.constituency in starting and covers(r, *dates)]
        if not held:
            return None
        return self._person_holder(held, f"the Member for {held[-1].constituency}")

    def _person_holder(self, records: Sequence[MemberRecord], because: str) -> Holder | None:
        for record in reversed(records):
            rows = self._by_person.get(record.person_ref, [])
            if rows:
                return Holder(rows[0].id, because)
        return Holder(None, because, records[-1].display_name) if records else None


def names_of(records: Iterable[MemberRecord]) -> set[str]:
    """Every name one person had in the member list: each term's name, and their own first and last
    name ("Janet Fookes" for Baroness Fookes, whose row has her peerage name where a surname would be)."""
    records = list(records)
    own = {
        f"{r.first_name} {r.last_name or r.lord_name}" for r in records if r.first_name and (r.last_name or r.lord_name)
    }
    return {r.display_name for r in records} | own


def _office_key(title: str) -> str:
    """An office title for comparing: "The Minister of State, Ministry of Justice" -> "minister of state ministry of
    justice"."""
    words = _key(title).split()
    while words and words[0] in {"the", "mr", "madam"}:
        words = words[1:]
    return " ".join(words)


def _office_tier(typed: str, announced: str) -> int | None:
    """How well an office as asked matches one as announced: 0 the same, 1 its start, 2 the same words; else None.

    "Secretary of State for Justice" starts "... for Justice and Lord Chancellor"; "the Housing
    Minister" and "the Minister of State for Health" have the words of "The Minister for Housing"
    and "The Minister of State, Department of Health".
    """
    asked, said = _office_key(typed), _office_key(announced)
    if not asked:
        return None
    if asked == said:
        return 0
    if said.startswith(asked + " "):
        return 1
    plain = {"department", "ministry", "office", "dept"} | _GLUE
    if {w for w in asked.split() if w not in plain} == {w for w in said.split() if w not in plain}:
        return 2
    return None


def covers(record: MemberRecord, start: dt.date, end: dt.date) -> bool:
    """Whether the term ran at some time between ``start`` and ``end`` (open ends: no limit)."""
    return _overlaps(record.from_date, record.to_date, start, end)


def _overlaps(a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date, b_to: dt.date) -> bool:
    return (a_from is None or a_from <= b_to) and (a_to is None or b_from <= a_to)
