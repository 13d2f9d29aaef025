"""A speech is its speaker's, whatever name Hansard printed it under.

The chair's speeches are printed under the office: "Mr. Deputy Speaker" is Alan
Haselhurst on one day and Michael Lord on another (real 2010 XML). Expectations
come from each speech's ``speakerid`` and members_flat.csv.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Engine, insert, select

from commands.catalogue import NameCatalogue
from storage.models import CONTRIBUTION_TABLE, MEMBER_TABLE
from storage.reference_data import MemberDirectory, bundled_data_dir
from storage.twfy import twfy_uri
from tests.conftest import sqlite_copy

DATA = bundled_data_dir()


def _speeches() -> list[tuple[str, str, str]]:
    """(uri, printed name, speakerid) of every speech by a known Member in the 2010 debates."""
    found = []
    for path in sorted((DATA / "hansard_twfy_xml_2010" / "debates").glob("*.xml")):
        for elem in ET.parse(path).getroot():
            speaker = elem.get("speakerid", "")
            if (
                elem.tag == "speech"
                and speaker.startswith("uk.org.publicwhip/member/")
                and "".join(elem.itertext()).strip()
            ):
                uri = twfy_uri(elem.get("id", ""))
                assert uri is not None
                found.append((uri, elem.get("speakername", ""), speaker))
    return found


def test_each_speech_is_its_speakers_under_the_printed_name(bundled_store: Engine) -> None:
    directory = MemberDirectory.from_csv(DATA / "members_flat.csv")
    c, m = CONTRIBUTION_TABLE.c, MEMBER_TABLE.c
    with bundled_store.connect() as conn:
        stored = {
            uri: (printed, person)
            for uri, printed, person in conn.execute(
                select(c.uri, c.member_name, m.person_ref).join_from(
                    CONTRIBUTION_TABLE, MEMBER_TABLE, m.id == c.member_id
                )
            )
        }
    speeches = _speeches()
    printed_by: dict[str, set[str]] = defaultdict(set)
    for uri, printed, speaker in speeches:
        record = directory.by_member_ref(speaker)
        assert record is not None, speaker
        printed_by[printed].add(record.person_ref)
        assert stored[uri] == (printed, record.person_ref), (uri, printed, speaker)
    # The data has the case this is about: one printed name, two people.
    assert len(printed_by["Mr. Deputy Speaker"]) == 2


def test_a_printed_office_name_finds_whoever_was_printed_under_it(bundled_store: Engine) -> None:
    names = NameCatalogue(bundled_store)
    directory = MemberDirectory.from_csv(DATA / "members_flat.csv")
    people: dict[str, set[str]] = defaultdict(set)
    for _, printed, speaker in _speeches():
        record = directory.by_member_ref(speaker)
        assert record is not None
        people[printed].add(record.display_name)
    for printed in ("Mr. Speaker", "Madam Deputy Speaker", "Mr. Deputy Speaker"):
        resolved = names.resolve_member(printed)
        found = {resolved.candidate.name} if resolved.candidate else {c.name for c in resolved.candidates}
        assert found == people[printed], printed


def test_a_member_row_left_without_speeches_names_nobody(bundled_sqlite: Engine, tmp_path: Path) -> None:
    # As a store imported before member rows were keyed by the Member's own name has it
    # after a re-import: the printed name's row is still there, with nothing in it.
    engine = sqlite_copy(bundled_sqlite, tmp_path / "copy.db")
    with engine.begin() as conn:
        conn.execute(
            insert(MEMBER_TABLE).values(
                member_key="house of commons|mr. deputy speaker",
                name="Mr. Deputy Speaker",
                house="House of Commons",
                party="Chairman of Ways and Means",
                person_ref="uk.org.publicwhip/person/10263",
            )
        )
    resolved = NameCatalogue(engine).resolve_member("Mr. Deputy Speaker")
    assert resolved.candidate is None
    assert {c.name for c in resolved.candidates} == {"Alan Haselhurst", "Michael Lord"}
    engine.dispose()
