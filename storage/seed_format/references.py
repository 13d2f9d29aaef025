"""Column references such as "506 c185-6": the Reference field's value as `Reference` records."""

from __future__ import annotations

import re

from storage.records import Reference
from storage.seed_format.vocabulary import clip

# One column reference. Seen: "506 c185-6", "819 cc1560-1", "675 c75GC", "vol 512
# cc113-5WH", "c5WS", "cc12 -3", "vol 169 C1907-9", "HC Deb 24 May 1999 vol 332
# cc81-133". Every repetition is bounded or separated by a literal, so matching
# is linear; the digit counts are capped so int() never sees a huge number.
_REFERENCE_RE = re.compile(
    r"(?:H[CL] Deb \d{1,2} [A-Z][a-z]+ \d{4} +)?"
    r"(?:[Vv]ol\.? *(?=\d))?"
    r"(?:(?P<volume>\d{1,6}) +)?"
    r"[Cc][Cc]? *(?P<start>\d{1,7})"
    r"(?: *- *(?P<end>\d{1,7}))?"
    r"(?P<suffix>[A-Z]{1,4})?"
)
_REFERENCE_SEPARATORS = " \t,;"


def parse_references(raw: str) -> tuple[Reference, ...]:
    """Parse a Reference field value holding one or more references.

    References are separated by whitespace, commas or semicolons ("vol 104
    cc1541-5; 104 cc1546-7"). An empty value or "." (the page hides that) gives
    an empty tuple. Raises ValueError on anything else.
    """
    # NBSP follows every value on the page; treat it as ordinary space.
    text = raw.replace("\xa0", " ").strip()
    if not text or text == ".":
        return ()
    match = _REFERENCE_RE.fullmatch(text)
    if match is not None:  # the usual case: one reference
        return (_reference_from_match(match),)
    references: list[Reference] = []
    pos, size = 0, len(text)
    while pos < size:
        while pos < size and text[pos] in _REFERENCE_SEPARATORS:
            pos += 1
        if pos >= size:
            break
        match = _REFERENCE_RE.match(text, pos)
        if match is None or (match.end() < size and text[match.end()] not in _REFERENCE_SEPARATORS):
            raise ValueError(f"expected a reference like '506 c185-6', found {clip(text[pos:])!r}")
        references.append(_reference_from_match(match))
        pos = match.end()
    return tuple(references)


def parse_reference(raw: str) -> Reference:
    """Parse one reference such as "506 c185-6", "819 cc1560-1" or "vol 512 cc113-5WH".

    The end column is expanded ("185-6" -> 186). Raises ValueError on bad input,
    including a value that holds more than one reference.
    """
    references = parse_references(raw)
    if len(references) != 1:
        raise ValueError(f"expected one reference like '506 c185-6', found {clip(raw)!r}")
    return references[0]


def _reference_from_match(match: re.Match[str]) -> Reference:
    volume, start_text, end_text, suffix = match.group("volume", "start", "end", "suffix")
    start = int(start_text)
    end: int | None = None
    if end_text is not None:
        # Hansard abbreviates the end column to its changed trailing digits:
        # "185-6" is 185 to 186, "1541-5" is 1541 to 1545; "99-101" is written out.
        if len(end_text) < len(start_text):
            end = int(start_text[: len(start_text) - len(end_text)] + end_text)
        else:
            end = int(end_text)
        if end < start:
            raise ValueError(f"reference {match[0]!r} ends before it starts")
        if end == start:  # seen in real data ("cc2102-2"): a single column
            end = None
    return Reference(
        volume=int(volume) if volume is not None else None,
        start_column=start,
        end_column=end,
        suffix=suffix or "",
        raw=match[0].strip(),
    )
