"""Tests for the TheyWorkForYou / ParlParse XML parser.

The bundled Feb 2010 Commons XML is parsed in full and cross-checked against
an independent JSON-lines derivation of the same files (in /work/shared/data),
so expectations come from that file rather than from prose copied into tests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.records import ParsedContribution, ParseError, split_paragraphs
from storage.reference_data import MemberDirectory, bundled_data_dir
from storage.twfy import bill_in_heading, looks_like_twfy, parse_twfy_file

XML_DIR = bundled_data_dir() / "hansard_twfy_xml_2010"
JSONL_PATH = Path("/work/shared/data/hansard_commons_2010_speeches.jsonl")

Jsonl = dict[str, dict[str, Any]]


def _xml_files() -> list[Path]:
    return sorted(XML_DIR.glob("*/*.xml"))


@pytest.fixture(scope="module")
def members() -> MemberDirectory:
    return MemberDirectory.from_csv(bundled_data_dir() / "members_flat.csv")


@pytest.fixture(scope="module")
def parsed(members: MemberDirectory) -> dict[str, tuple[str, ParsedContribution]]:
    """twfy id -> (file name, record) for every bundled file."""
    out: dict[str, tuple[str, ParsedContribution]] = {}
    for path in _xml_files():
        for record in parse_twfy_file(path.read_bytes(), path.name, members):
            twfy_id = record.extra["twfy_id"]
            assert twfy_id not in out, f"duplicate id {twfy_id}"
            out[twfy_id] = (path.name, record)
    return out


@pytest.fixture(scope="module")
def jsonl() -> Jsonl:
    if not JSONL_PATH.exists():
        pytest.skip(f"{JSONL_PATH} not available")
    with JSONL_PATH.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {row["id"]: row for row in rows}


def _doc(body: str) -> bytes:
    """A minimal publicwhip file with an internal DTD, encoded like the real ones."""
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        "<!DOCTYPE publicwhip\n[\n"
        '<!ENTITY ndash "&#8211;">\n'
        '<!ENTITY pound "&#163;">\n'
        "]>\n"
        '<publicwhip scrapeversion="a" latest="yes">\n' + body + "\n</publicwhip>\n"
    ).encode("latin-1")


def _speech(
    speech_id: str = "uk.org.publicwhip/debate/2010-02-09b.737.4",
    text: str = "Words.",
    attrs: str = 'speakerid="uk.org.publicwhip/member/1944" speakername="Tim Loughton"',
    url: str = "http://www.publications.parliament.uk/pa/cm200910/cmhansrd/cm100209/debtext/x.htm#1",
    colnum: str = "737",
) -> str:
    return f'<speech id="{speech_id}" {attrs} colnum="{colnum}" url="{url}">\n<p pid="b.737.4/1">{text}</p>\n</speech>'


# --- whole-corpus cross-check against the JSONL derivation -----------------


def test_bundled_files_present() -> None:
    assert len(_xml_files()) == 27


def test_counts_per_file_match_jsonl(parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl) -> None:
    assert len(jsonl) == 3243
    expected = Counter(row["source_file"] for row in jsonl.values())
    got = Counter(name for name, _ in parsed.values())
    assert got == expected
    assert set(parsed) == set(jsonl)


def test_kind_counts(parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl) -> None:
    got = Counter((r.debate_types, r.contribution_type, r.chamber) for _, r in parsed.values())
    assert got == {
        (("Debate",), "Proceeding contribution", "House of Commons chamber"): 1591,
        (("Westminster Hall debate",), "Proceeding contribution", "Westminster Hall"): 176,
        (("Written ministerial statement",), "Written statement", "House of Commons chamber"): 121,
        (("Written question",), "Written question", "House of Commons chamber"): 680,
        (("Written answer",), "Written answer", "House of Commons chamber"): 675,
    }
    kinds = Counter(row["kind"] for row in jsonl.values())
    assert kinds["written_question"] == 680 and kinds["written_answer"] == 675


def test_every_record_agrees_with_jsonl(parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl) -> None:
    mismatches: list[str] = []
    for twfy_id, (_, rec) in parsed.items():
        row = jsonl[twfy_id]
        identified = not row["nospeaker"] and row["member_id"] != "unknown"
        ref = rec.references[0]
        checks = {
            "member": rec.member == (row["speaker_name"] if identified else None),
            "member_ref": rec.member_ref == (row["member_id"] if identified else None),
            "date": rec.sitting_date == dt.date.fromisoformat(row["date"]),
            "reference": (ref.raw, ref.suffix, str(ref.start_column))
            == (row["reference_without_volume"], row["column_suffix"], row["colnum"]),
            "next_colnum": rec.extra.get("next_colnum") == row["next_colnum"],
            "paragraphs": list(rec.paragraphs) == row["paragraphs"],
            "hansard_url": rec.extra["hansard_url"] == row["hansard_url"],
            "oral_qnum": rec.extra.get("oral_question_number") == row["oral_qnum"],
            "office": rec.extra.get("speaker_office") == row["speaker_office"],
            "house": rec.houses == (row["house"],),
            "session": rec.session == "2009-10",
        }
        # Mr Speaker Bercow's 2009 id and Chloe Smith (by-election) were added to
        # the JSONL by hand, and to members_flat.csv since: their party is found too.
        checks["party"] = rec.party == row["party"]
        mismatches += [f"{twfy_id}: {name}" for name, ok in checks.items() if not ok]
    assert mismatches == []


def test_headings_agree_with_jsonl(parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl) -> None:
    checked = 0
    for twfy_id, (_, rec) in parsed.items():
        row = jsonl[twfy_id]
        major, minor = row["major_heading"], row["minor_heading"]
        if "in the Chair" in f"{major} {minor}":
            continue  # the parser moves chair notes out of headings; tested below
        assert rec.title == (minor or major), twfy_id
        # The debate is the Bill under debate where a heading named one, else the major heading
        # (or the minor one, when the major heading is a stale "BILL PRESENTED — ... Bill").
        named_bill = bill_in_heading(rec.debate_title or "")
        assert rec.debate_title in (major or minor, minor) or named_bill == rec.debate_title, twfy_id
        checked += 1
    assert checked > 3000


@pytest.mark.parametrize(
    ("twfy_id", "uri"),
    [
        (
            "uk.org.publicwhip/debate/2010-02-09b.737.4",
            "https://www.theyworkforyou.com/debates/?id=2010-02-09b.737.4",
        ),
        (
            "uk.org.publicwhip/westminhall/2010-02-10a.280.1",
            "https://www.theyworkforyou.com/whall/?id=2010-02-10a.280.1",
        ),
        (
            "uk.org.publicwhip/wms/2010-01-05b.1WS.2",
            "https://www.theyworkforyou.com/wms/?id=2010-01-05b.1WS.2",
        ),
        (
            "uk.org.publicwhip/wrans/2010-02-01b.312828.q0",
            "https://www.theyworkforyou.com/wrans/?id=2010-02-01b.312828.q0",
        ),
        (
            "uk.org.publicwhip/wrans/2010-02-10a.315693.r0",
            "https://www.theyworkforyou.com/wrans/?id=2010-02-10a.315693.r0",
        ),
    ],
)
def test_spot_checks(parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl, twfy_id: str, uri: str) -> None:
    rec = parsed[twfy_id][1]
    row = jsonl[twfy_id]
    assert rec.uri == uri
    assert rec.contribution_id is None
    assert rec.index_timestamp is None
    assert rec.member == row["speaker_name"] and rec.member is not None
    assert rec.member_ref == row["member_id"]
    assert rec.party == row["party"] and rec.party is not None
    assert rec.sitting_date == dt.date.fromisoformat(row["date"])
    assert rec.references[0].raw == row["reference_without_volume"]
    assert rec.references[0].volume is None
    # The reference runs to the column where the next item starts, when that is a later one.
    next_column = int(row["next_colnum"]) if row["next_colnum"] else None
    started = rec.references[0].start_column
    expected_end = next_column if next_column is not None and next_column > started else None
    assert rec.references[0].end_column == expected_end
    assert rec.paragraphs[0] == row["paragraphs"][0]
    assert rec.text.startswith(row["paragraphs"][0])
    assert rec.house == "House of Commons"
    assert rec.session == "2009-10"


def test_westminster_hall_column_suffix_and_chair(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    # The Westminster Hall file writes bare column numbers ("257"); the printed
    # reference is 257WH.
    rec = parsed["uk.org.publicwhip/westminhall/2010-02-10a.257.1"][1]
    assert rec.references[0].raw == "c257WH"
    assert rec.references[0].suffix == "WH"
    assert rec.references[0].start_column == 257
    assert rec.title == "Fuel Duty (Rural Areas)"
    assert rec.debate_title == "Fuel Duty (Rural Areas)"
    assert rec.extra["chair"] == "Sir Nicholas Winterton"
    assert rec.member is None  # nospeaker="true" procedural line, kept


def test_written_answer_links_its_questions(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    answers = [r for _, r in parsed.values() if r.contribution_type == "Written answer"]
    assert all(r.extra.get("question_ids") for r in answers)
    reply = parsed["uk.org.publicwhip/wrans/2010-02-01b.312828.r0"][1]
    assert reply.extra["question_ids"] == "uk.org.publicwhip/wrans/2010-02-01b.312828.q0"
    question = parsed["uk.org.publicwhip/wrans/2010-02-01b.312828.q0"][1]
    assert question.debate_title == "NORTHERN IRELAND"
    assert question.title == "Departmental Manpower"
    assert question.references[0].suffix == "W"
    assert question.extra["question_number"].isdigit()


def test_unidentified_speaker_keeps_words(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    unknown = [r for _, r in parsed.values() if "speaker_name" in r.extra]
    assert len(unknown) == 40  # speakerid="unknown" in the source
    assert all(r.member is None and r.member_ref is None and r.party is None for r in unknown)
    assert all(r.paragraphs for r in unknown)


def test_times_normalised(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    # The source writes most times with a three-digit hour ("017:45:00").
    rec = parsed["uk.org.publicwhip/debate/2010-02-08b.699.4"][1]
    assert rec.extra["time"] == "20:00:00"


# --- characters ---------------------------------------------------------------


def test_dtd_entity_in_heading(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    # &mdash; is declared in the file's internal DTD.
    rec = parsed["uk.org.publicwhip/debate/2010-02-08b.699.4"][1]
    assert rec.title == "Clause 1 \u2014 Temporary validity of certain Orders in Council"
    assert rec.extra["chair"] == "Sylvia Heal"


def test_character_reference_pound(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    rec = parsed["uk.org.publicwhip/wms/2010-01-25a.37WS.5"][1]
    assert any("\u00a31.4 billion" in p for p in rec.paragraphs)


def test_latin1_speaker_name(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    names = {r.member for _, r in parsed.values() if r.member_ref == "uk.org.publicwhip/member/1720"}
    assert names == {"Lembit \u00d6pik"}


def test_synthetic_entities_and_latin1() -> None:
    data = _doc(_speech(text="Costs &pound;5 &ndash; caf\xe9 &amp; <i>P</i><i>roducts</i> a<br/>b"))
    (rec,) = parse_twfy_file(data, "x.xml")
    assert rec.paragraphs == ("Costs \u00a35 \u2013 caf\u00e9 & Products a b",)
    assert rec.party is None  # no member directory given
    assert rec.member_ref == "uk.org.publicwhip/member/1944"


# --- structure and edge cases -----------------------------------------------------


def test_skips_empty_speech_and_division() -> None:
    body = "\n".join(
        [
            '<major-heading id="uk.org.publicwhip/debate/2010-02-09b.737.1" nospeaker="true"'
            ' colnum="737">JUSTICE</major-heading>',
            _speech(speech_id="uk.org.publicwhip/debate/2010-02-09b.737.2", text="  "),
            '<division id="uk.org.publicwhip/debate/2010-02-09b.738.0" nospeaker="true" colnum="738">'
            "<divisioncount ayes='1' noes='2'/></division>",
            _speech(speech_id="uk.org.publicwhip/debate/2010-02-09b.739.1", colnum="739"),
        ]
    )
    records = list(parse_twfy_file(_doc(body), "x.xml"))
    assert [r.extra["twfy_id"] for r in records] == ["uk.org.publicwhip/debate/2010-02-09b.739.1"]
    assert records[0].debate_title == "JUSTICE"
    assert "next_colnum" not in records[0].extra  # last in the file


def test_session_from_date_without_url() -> None:
    november = _speech(speech_id="uk.org.publicwhip/debate/2009-11-20a.1.1", url="", colnum="1")
    february = _speech(speech_id="uk.org.publicwhip/debate/2010-02-01a.2.1", url="", colnum="2")
    first, second = parse_twfy_file(_doc(november + "\n" + february), "x.xml")
    assert first.session == "2009-10" and second.session == "2009-10"
    assert "hansard_url" not in first.extra
    assert first.extra["next_colnum"] == "2"


def test_parse_is_lazy_and_bounded() -> None:
    # A generator: nothing happens until iterated, and records come out one at a time.
    body = "\n".join(
        _speech(speech_id=f"uk.org.publicwhip/debate/2010-02-09b.{n}.1", colnum=str(n)) for n in range(1, 200)
    )
    records: Iterator[ParsedContribution] = parse_twfy_file(_doc(body), "x.xml")
    first = next(records)
    assert first.references[0].start_column == 1
    assert sum(1 for _ in records) == 198


# --- errors ------------------------------------------------------------------------


def test_truncated_file_raises_with_line() -> None:
    path = XML_DIR / "debates" / "debates2010-02-09b.xml"
    data = path.read_bytes()
    cut = data[: len(data) // 2]
    expected_last_line = cut.count(b"\n") + 1
    seen = 0
    with pytest.raises(ParseError) as info:
        for _ in parse_twfy_file(cut, "debates2010-02-09b.xml"):
            seen += 1
    assert seen > 100  # records before the damage still came out
    assert info.value.source == "debates2010-02-09b.xml"
    assert 1 < info.value.line <= expected_last_line
    assert str(info.value).startswith(f"debates2010-02-09b.xml:{info.value.line}: ")


def test_undeclared_entity_raises_with_line() -> None:
    data = _doc(_speech(text="a &bogus; b"))
    bad_line = next(n for n, line in enumerate(data.split(b"\n"), 1) if b"&bogus;" in line)
    with pytest.raises(ParseError) as info:
        list(parse_twfy_file(data, "bad.xml"))
    assert info.value.line == bad_line
    assert "undefined entity" in info.value.reason


def test_external_entity_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE publicwhip [<!ENTITY ext SYSTEM "{secret.as_uri()}">]>\n'
        "<publicwhip>\n" + _speech(text="&ext;") + "\n</publicwhip>\n"
    ).encode()
    with pytest.raises(ParseError):
        list(parse_twfy_file(data, "evil.xml"))


def test_wrong_root_raises() -> None:
    with pytest.raises(ParseError) as info:
        list(parse_twfy_file(b"<?xml version='1.0'?>\n<html><p>x</p></html>", "page.html"))
    assert info.value.line == 2


def test_bad_id_and_colnum_raise_with_element_line() -> None:
    data = _doc(_speech(speech_id="uk.org.publicwhip/debate/no-date"))
    with pytest.raises(ParseError) as info:
        list(parse_twfy_file(data, "x.xml"))
    speech_line = next(n for n, line in enumerate(data.split(b"\n"), 1) if line.startswith(b"<speech "))
    assert info.value.line == speech_line
    with pytest.raises(ParseError, match="colnum"):
        list(parse_twfy_file(_doc(_speech(colnum="xii")), "x.xml"))


# --- sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize("path", _xml_files(), ids=lambda p: p.name)
def test_sniff_real_files(path: Path) -> None:
    with path.open("rb") as handle:
        assert looks_like_twfy(handle.read(4096))


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b'{"id": "uk.org.publicwhip/debate/2010-02-05a.517.1"}',
        b"<!DOCTYPE html><html><body>publicwhip</body></html>",
        b"Children, Schools and Families Bill\n\nTim Loughton (Conservative)",
    ],
)
def test_sniff_rejects_other_formats(head: bytes) -> None:
    assert not looks_like_twfy(head)


def test_sniff_rejects_bundled_text_sample() -> None:
    sample = bundled_data_dir() / "samples" / "CONTRIBUTION_622898.txt"
    if not sample.exists():
        pytest.skip("sample not bundled")
    assert not looks_like_twfy(sample.read_bytes()[:4096])


def test_bill_under_debate_survives_clause_headings_and_stale_major_heading(
    parsed: dict[str, tuple[str, ParsedContribution]], jsonl: Jsonl
) -> None:
    # On 9 Feb 2010 TWFY keeps "BILL PRESENTED — Climate Change (Sectoral Targets) Bill" as the major
    # heading over the Constitutional Reform and Governance Bill's clause-by-clause debate.
    clause_88 = [
        rec
        for twfy_id, (_, rec) in parsed.items()
        if (jsonl[twfy_id]["minor_heading"] or "").startswith("New Clause 88")
    ]
    assert clause_88
    assert {rec.debate_title for rec in clause_88} == {"Constitutional Reform and Governance Bill"}


@pytest.mark.parametrize(
    ("heading", "bill"),
    [
        ("BILL PRESENTED — Climate Change (Sectoral Targets) Bill", "Climate Change (Sectoral Targets) Bill"),
        ("Constitutional Reform and Governance Bill (Money) (No. 3)", "Constitutional Reform and Governance Bill"),
        ("MARRIAGE (WALES) BILL [ LORDS]", "Marriage (Wales) Bill [Lords]"),
        ("New Clause 88", None),
        ("JUSTICE", None),
    ],
)
def test_bill_in_heading(heading: str, bill: str | None) -> None:
    assert bill_in_heading(heading) == bill


def test_paragraphs_split_back_from_the_stored_text(parsed: dict[str, tuple[str, ParsedContribution]]) -> None:
    # The store keeps only the text (paragraphs joined by blank lines) and splits it again.
    assert parsed
    for _, record in parsed.values():
        assert split_paragraphs(record.text) == list(record.paragraphs)


@pytest.mark.parametrize("encoding", [b"SO-8859-1", b"no-such-codec", b"x"])
def test_a_file_naming_an_unknown_encoding_is_a_located_error_and_the_rest_imports(
    tmp_path: Path, encoding: bytes
) -> None:
    """Expat asks Python for the codec the XML declaration names: an unknown one was a LookupError
    (a traceback from `hansard-bot import`), for speeches and divisions alike."""
    from storage.db import make_engine, migrate
    from storage.divisions import parse_divisions
    from storage.importer import import_paths

    folder = tmp_path / "debates"
    folder.mkdir()
    days = sorted((bundled_data_dir() / "hansard_twfy_xml_2010" / "debates").glob("*.xml"))
    broken = days[0].read_bytes().replace(b'encoding="ISO-8859-1"', b'encoding="' + encoding + b'"', 1)
    assert broken != days[0].read_bytes()
    (folder / days[0].name).write_bytes(broken)
    (folder / days[1].name).write_bytes(days[1].read_bytes())
    with pytest.raises(ParseError, match=r"x\.xml:1: cannot read the XML: unknown encoding"):
        list(parse_twfy_file(broken, "x.xml"))
    with pytest.raises(ParseError, match=r"x\.xml:1: cannot read the XML"):
        parse_divisions(broken.replace(b"</publicwhip>", b"<division/></publicwhip>"), "x.xml")

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    summary = import_paths(engine, [folder])
    assert summary.failed == 1 and summary.new > 0
    assert [error.split(": ", 1)[0] for error in summary.errors] == [f"{folder / days[0].name}:1"]
    engine.dispose()
