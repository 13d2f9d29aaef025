"""The general reader: any layout of the page, line by line, into a record or a located `ParseError`.

`_Page` finds where the speech text ends, places the title and the preliminary
sentence among the lines above, reads the label/value blocks below and checks each
value. It reads every page the fast path leaves to it, and would give the same
record for the pages the fast path takes.
"""

from __future__ import annotations

import bisect
import datetime as dt

from storage.records import ParsedContribution, ParseError, Reference
from storage.seed_format.dates import parse_timestamp
from storage.seed_format.names import is_name, is_title, reads_as_prose
from storage.seed_format.preliminary import (
    NotPrelim,
    Prelim,
    parse_prelim,
    prelim_object_name,
)
from storage.seed_format.references import parse_references
from storage.seed_format.uris import contribution_id_from_uri
from storage.seed_format.vocabulary import (
    BUTTON_TEXTS,
    CONTINUATION_RE,
    DEFAULT_OBJECT_NAME,
    EXTRA_FIELDS,
    HEADINGS,
    KNOWN_START_RE,
    LABELS,
    LIBRARIANS_HEADINGS,
    LONGEST_STRUCTURE_LINE,
    MAY_BE_EMPTY,
    OCCURRED,
    SESSION_RE,
    SINGLE_VALUED,
    STRUCTURE_LINES,
    VALUE_NAMES,
    clip,
)

# How far the pieces of one preliminary sentence are gathered before giving up on it.
_MAX_PRELIM_LINES = 24
_MAX_PRELIM_CHARS = 4000


def parse_general(text: str, source: str = "<string>") -> ParsedContribution:
    """`parse_contribution` without the sample-layout fast path (the tests compare the two)."""
    return _Page(text, source).parse()


class _Page:
    """One parse of one text: its stripped lines, and the source name for errors."""

    def __init__(self, text: str, source: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.source = source
        # Split on "\n" only, so line numbers match what an editor shows; strip()
        # removes the "\r" of CRLF files and the NBSP the page puts after values.
        self.lines = [line.strip() for line in text.split("\n")]

    def error(self, index: int, reason: str) -> ParseError:
        """A ParseError at 0-based line ``index`` (clamped into the file)."""
        line = min(max(index, 0), len(self.lines) - 1) + 1
        return ParseError(self.source, line, reason)

    # ------------------------------------------------------------------ top level

    def parse(self) -> ParsedContribution:
        lines = self.lines
        metadata_start = len(lines)
        for index, line in enumerate(lines):
            if len(line) <= LONGEST_STRUCTURE_LINE and line in STRUCTURE_LINES:
                metadata_start = index
                break
        body = [i for i in range(metadata_start) if lines[i] and lines[i] not in BUTTON_TEXTS]
        if not body:
            if not any(lines):
                raise self.error(0, "empty input: expected a contribution page")
            raise self.error(
                metadata_start,
                "expected the speech text, a title and a preliminary sentence before the first field",
            )
        prelim, title_index, paragraph_indexes = self._body(body)
        fields = self._fields(metadata_start)

        uri_entry = fields.get("URI")
        if uri_entry is None:
            heading = next(
                (i for i in range(metadata_start, len(lines)) if lines[i] in LIBRARIANS_HEADINGS),
                len(lines) - 1,
            )
            raise self.error(heading, "no URI: expected a 'URI' label followed by the contribution URI")
        uri_index, uri = uri_entry[1][0]
        contribution_id = contribution_id_from_uri(uri)
        if contribution_id is None:
            raise self.error(
                uri_index,
                f"unrecognised URI {clip(uri)!r}: expected http://data.parliament.uk/pimsdata/hansard/"
                "CONTRIBUTION_<n>, http://hansard.intranet.data.parliament.uk/<House>/<date>/<id> or "
                "http://data.parliament.uk/pimsdata/Hansard/PARLIAMENTARY_QUESTION_<n>/-question",
            )

        references: list[Reference] = []
        for index, value in fields.get("Reference", (0, []))[1]:
            try:
                references.extend(parse_references(value))
            except ValueError as exc:
                raise self.error(index, f"{exc} after 'Reference'") from None

        session = self._single(fields, "Session")
        if session is not None and SESSION_RE.fullmatch(session[1]) is None:
            raise self.error(session[0], f"expected a session like '2009-10', found {clip(session[1])!r}")

        index_timestamp: dt.datetime | None = None
        timestamp = self._single(fields, "Timestamp")
        if timestamp is not None:
            try:
                index_timestamp = parse_timestamp(timestamp[1])
            except ValueError:
                raise self.error(
                    timestamp[0],
                    f"expected a timestamp like '2024-12-30 18:03:24 +0000' after 'Timestamp', "
                    f"found {clip(timestamp[1])!r}",
                ) from None

        extra: dict[str, str] = {}
        for name, (_, values) in fields.items():
            if values and name in EXTRA_FIELDS:
                extra[name] = "\n".join([value for _, value in values])

        for name in ("Type", "Chamber", "Subjects"):
            for index, value in fields.get(name, (0, []))[1]:
                if not is_name(value):
                    raise self.error(index, f"expected a short name after {name!r}, found {clip(value)!r}")

        type_field = self._single(fields, "Type")
        if prelim is not None:
            contribution_type = prelim.object_name
        elif type_field is not None:
            contribution_type = type_field[1]
        else:
            # Nothing names the object; the page template is the proceeding
            # contribution one, so that is what it is.
            contribution_type = DEFAULT_OBJECT_NAME
        if type_field is not None and type_field[1] != contribution_type:
            extra["Type"] = type_field[1]

        chamber = self._single(fields, "Chamber")
        return ParsedContribution(
            uri=uri,
            contribution_id=contribution_id,
            title=lines[title_index],
            member=prelim.member if prelim else None,
            party=prelim.party if prelim else None,
            houses=prelim.houses if prelim else (),
            sitting_date=prelim.sitting_date if prelim else None,
            debate_types=prelim.debate_types if prelim else (),
            debate_title=prelim.debate_title if prelim else None,
            contribution_type=contribution_type,
            references=tuple(references),
            session=session[1] if session is not None else None,
            chamber=chamber[1] if chamber is not None else None,
            subjects=tuple([value for _, value in fields.get("Subjects", (0, []))[1]]),
            index_timestamp=index_timestamp,
            paragraphs=tuple([lines[i] for i in paragraph_indexes]),
            extra=extra,
        )

    # ------------------------------------------------------------------ body

    def _body(self, body: list[int]) -> tuple[Prelim | None, int, list[int]]:
        """Find the preliminary sentence and the title among the non-blank body lines.

        Returns (prelim or None, title line index, paragraph line indexes). The
        sentence sits directly above or below the title; the title is at the
        end of the body (sample: text, title, sentence) or at its start (newer
        pages: sentence, title, text).
        """
        lines = self.lines
        best: tuple[int, Prelim, int, int] | None = None  # (rank, prelim, first k, last k)
        misplaced: int | None = None
        failure: tuple[int, str] | None = None
        count = len(body)
        # The sentence can only start on the first two body lines or end on the
        # last two, so only those positions are tried: a long speech full of
        # sentence-like lines then costs no more than a short one.
        tail = max(2, count - _MAX_PRELIM_LINES - 2)
        for k in (*range(min(2, count)), *range(tail, count)):
            index = body[k]
            line = lines[index]
            if not ("A" <= line[:1] <= "Z"):
                continue
            candidate = prelim_object_name(line, lines[body[k + 1]] if k + 1 < count else "")
            if candidate is None:
                continue
            try:
                prelim, last = self._read_prelim(body, k, *candidate)
            except _PrelimFailure as exc:
                # A known object name makes it the page's sentence, so keep the
                # reason; an unfamiliar one was most likely just a speech line.
                if candidate[1] and failure is None:
                    failure = (exc.index, exc.reason)
                continue
            before, after = k, count - 1 - last
            if before == 0 and after == 0:
                raise self.error(index, "expected a title line next to the preliminary sentence")
            if after == 0:
                rank = 0  # text, title, sentence (the sample)
            elif before == 0:
                rank = 1  # sentence, title, text (since 2026-03)
            elif before == 1 or after == 1:
                rank = 2  # title, sentence, text / text, sentence, title
            else:
                if misplaced is None:
                    misplaced = index
                continue
            if best is None or rank < best[0]:
                best = (rank, prelim, k, last)
            if rank == 0:
                break  # nothing can rank higher

        if best is None:
            if misplaced is None:
                misplaced = self._misplaced_prelim(body, 2, tail)
            if misplaced is not None:
                raise self.error(
                    misplaced,
                    "preliminary sentence is inside the speech text: expected it directly above or below the title",
                )
            if failure is not None:
                raise self.error(*failure)
            return None, *self._untitled(body)

        rank, prelim, first, last = best
        if rank == 0:  # text, title, sentence
            title_k = first - 1
            paragraphs = body[:title_k]
        elif rank == 1:  # sentence, title, text
            title_k = last + 1
            paragraphs = body[title_k + 1 :]
        elif self._title_before(body, first, last):  # title, sentence, text
            title_k = first - 1
            paragraphs = body[last + 1 :]
        else:  # text, sentence, title
            title_k = last + 1
            paragraphs = body[:first]
        title = self.lines[body[title_k]]
        if not is_title(title):
            raise self.error(body[title_k], f"expected a title next to the preliminary sentence, found {clip(title)!r}")
        if not paragraphs:
            raise self.error(body[title_k], "no speech text: expected paragraphs next to the title")
        return prelim, body[title_k], paragraphs

    def _misplaced_prelim(self, body: list[int], start: int, stop: int) -> int | None:
        """The line of a known-name preliminary sentence in the middle of the text, if any.

        Only for the error message, so only the first such line is parsed.
        """
        lines = self.lines
        for k in range(start, stop):
            match = KNOWN_START_RE.match(lines[body[k]])
            if match is not None:
                try:
                    self._read_prelim(body, k, match[1], True)
                except _PrelimFailure:
                    return None
                return body[k]
        return None

    def _title_before(self, body: list[int], first: int, last: int) -> bool:
        """For a sentence with text on one side and one line on the other: is the title before it?

        With one line on each side ("title, sentence, text" and "text, sentence,
        title" with a one-paragraph text) the paragraph is the line that reads as
        prose; ties go to the title before, the order of the sample.
        """
        before, after = first, len(body) - 1 - last
        if before != 1:
            return False
        if after != 1:
            return True
        above, below = self.lines[body[first - 1]], self.lines[body[last + 1]]
        return not (reads_as_prose(above) and not reads_as_prose(below))

    def _untitled(self, body: list[int]) -> tuple[int, list[int]]:
        """Place the title when there is no preliminary sentence (seen on some older pages)."""
        if len(body) < 2:
            raise self.error(body[0], "expected a preliminary sentence, a title and speech text")
        first, last = self.lines[body[0]], self.lines[body[-1]]
        # The sample puts the title directly above the fields; newer pages put it
        # above the text. A title does not end like a sentence, which decides it.
        for question in (False, True):
            if is_title(last, question):
                return body[-1], body[:-1]
            if is_title(first, question):
                return body[0], body[1:]
        raise self.error(
            body[-1],
            "no preliminary sentence and no line reads as the title: expected 'Proceeding contribution "
            "from <member> ...' next to the title",
        )

    def _read_prelim(self, body: list[int], k: int, object_name: str, known: bool) -> tuple[Prelim, int]:
        """Join the sentence's pieces from body line ``k`` on and parse them.

        Returns the sentence and the body position of its last line. The pieces
        are glued the way the page's <span>s were, so "(" / "Conservative" / ")"
        and "Tuesday, 23 February 2010" / "." read as one sentence.
        """
        lines = self.lines
        parts: list[str] = []
        starts: list[int] = []  # offset of each piece in the joined text
        length = 0
        j = k
        count = len(body)
        while j < count and j - k < _MAX_PRELIM_LINES and length < _MAX_PRELIM_CHARS:
            piece = " ".join(lines[body[j]].split())
            glue = "" if not parts or piece.startswith((".", ",", ")")) or parts[-1].endswith("(") else " "
            starts.append(length + len(glue))
            parts.append(glue + piece)
            length += len(glue) + len(piece)
            if piece.endswith("."):
                joined = "".join(parts)
                next_piece = lines[body[j + 1]] if j + 1 < count else ""
                if next_piece == "." or (
                    (" " + OCCURRED) not in joined
                    and (next_piece.startswith(OCCURRED.rstrip()) or CONTINUATION_RE.match(next_piece))
                ):
                    j += 1
                    continue
                try:
                    return parse_prelim(joined, object_name, known), j
                except NotPrelim as exc:
                    piece_k = bisect.bisect_right(starts, exc.pos) - 1
                    raise _PrelimFailure(body[k + max(piece_k, 0)], exc.reason) from None
            j += 1
        raise _PrelimFailure(body[k], "expected the preliminary sentence to end with '.'")

    # ------------------------------------------------------------------ fields

    def _fields(self, start: int) -> dict[str, tuple[int, list[tuple[int, str]]]]:
        """Label/value blocks from line ``start`` on: name -> (label line, [(line, value)])."""
        lines = self.lines
        fields: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        current: str | None = None  # the field being filled, None after a heading
        values: list[tuple[int, str]] = []
        label = ""  # as printed, for messages
        for index in range(start, len(lines)):
            line = lines[index]
            if not line:
                continue
            if "clipboard" in line:  # rare: only in pastes that caught the copy button
                for button in BUTTON_TEXTS:
                    line = line.replace(button, "")
                line = line.strip()
                if not line:
                    continue
            name = LABELS.get(line)
            if name is not None or line in HEADINGS:
                if current is not None and not values and current not in MAY_BE_EMPTY:
                    raise self._missing_value(current, label, index)
                if name is None:  # a heading or "Back to top"
                    current = None
                    continue
                entry = fields.get(name)
                if entry is None:
                    values = []
                    fields[name] = (index, values)
                elif name in SINGLE_VALUED:
                    raise self.error(index, f"duplicate {line!r} field")
                else:  # Procedure and Legislation can repeat
                    values = entry[1]
                current, label = name, line
                continue
            if current is None:
                raise self.error(index, f"expected a field label such as 'Reference' or 'URI', found {clip(line)!r}")
            if values and current in SINGLE_VALUED:
                raise self.error(index, f"unexpected second value for {current!r}: {clip(line)!r}")
            values.append((index, line))
        if current is not None and not values and current not in MAY_BE_EMPTY:
            raise self._missing_value(current, label, len(lines) - 1)
        return fields

    def _missing_value(self, name: str, label: str, at: int) -> ParseError:
        """A field that needs a value is followed by another label or the end: point at that line."""
        return self.error(at, f"expected {VALUE_NAMES.get(name, 'a value')} after {label!r}")

    @staticmethod
    def _single(fields: dict[str, tuple[int, list[tuple[int, str]]]], name: str) -> tuple[int, str] | None:
        entry = fields.get(name)
        if entry is None or not entry[1]:
            return None
        return entry[1][0]


class _PrelimFailure(Exception):
    """A candidate preliminary sentence failed: the 0-based line and why."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason
