"""The House of Lords from TheyWorkForYou's XML: day pages, written statements and answers."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.cli import main as cli
from storage.importer import import_paths
from storage.records import HOUSE_OF_LORDS
from storage.reference_data import MemberDirectory
from storage.twfy import read_twfy_file
from tests.conftest import DATA

LORDS = DATA / "twfy_uml_2009" / "scrapedxml"
SERIES = [LORDS / "lordspages", LORDS / "lordswms", LORDS / "lordswrans"]


def lords_records() -> list[tuple[str, str, str | None]]:
    """(folder, column reference, speaker id) of every Lords contribution in the fixtures."""
    found = []
    for folder in SERIES:
        for path in sorted(folder.glob("*.xml")):
            for record in read_twfy_file(path.read_bytes(), path.name).records:
                found.append((folder.name, record.references[0].raw, record.member_ref))
    return found


def run(engine: Engine, *args: str) -> dict[str, object]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--database-url", url, *args, "--json"])
    assert result.exit_code == 0, result.output
    loaded: dict[str, object] = json.loads(result.output)
    return loaded


def test_lords_series_import_with_no_failures_as_the_house_of_lords(engine: Engine) -> None:
    records = lords_records()
    summary = import_paths(engine, SERIES)
    assert summary.ok, summary.errors
    assert summary.new == len(records) > 700
    with engine.connect() as conn:
        houses = conn.execute(text("SELECT house, count(*) FROM contribution GROUP BY house")).all()
        unnamed = conn.execute(
            text("SELECT count(*) FROM contribution c JOIN member m ON m.id = c.member_id WHERE m.person_ref IS NULL")
        ).scalar_one()
    assert houses == [(HOUSE_OF_LORDS, len(records))]
    assert unnamed == 0  # every Lords speaker is a peer of the people data
    # Written statements and answers are cited in their own column series.
    suffixes = {(folder, re.sub(r"^c\d+", "", raw)) for folder, raw, _ in records}
    assert suffixes == {("lordspages", ""), ("lordswms", "WS"), ("lordswrans", "WA")}


def test_search_in_the_lords_finds_peers_speeches_with_lords_citations(engine: Engine) -> None:
    import_paths(engine, [*SERIES, DATA / "hansard_twfy_xml_2010"])
    reply = run(engine, "search", "government", "--house", "Lords")
    results = reply["results"]
    assert isinstance(results, list) and results
    assert all(r["house"] == HOUSE_OF_LORDS and r["reference"].startswith("HL Deb ") for r in results)
    assert all(r["member"] for r in results[:3])
    commons = run(engine, "search", "government", "--house", "Commons")["results"]
    assert isinstance(commons, list) and commons and all(r["house"] != HOUSE_OF_LORDS for r in commons)


def test_a_peer_resolves_by_title_and_a_former_mp_by_either_name(engine: Engine) -> None:
    import_paths(engine, SERIES)
    vinson = run(engine, "member", "lord vinson")["profile"]
    assert isinstance(vinson, dict)
    assert vinson["member"]["name"] == "Lord Vinson" and vinson["house"] == HOUSE_OF_LORDS
    assert vinson["contributions"] > 0 and vinson["memberships"] == []
    royall = run(engine, "member", "Baroness Royall of Blaisdon")["profile"]
    assert isinstance(royall, dict) and royall["member"]["name"] == "Baroness Royall of Blaisdon"
    # One person, two memberships: the people data joins an MP who became a peer.
    former_mp = run(engine, "member", "peter mandelson")["profile"]
    assert isinstance(former_mp, dict) and former_mp["member"]["name"] == "Lord Mandelson"
    assert [(m["house"], m["name"]) for m in former_mp["memberships"]] == [
        ("House of Commons", "Peter Mandelson"),
        (HOUSE_OF_LORDS, "Lord Mandelson"),
    ]


def test_every_peer_who_spoke_is_found_by_their_own_name(engine: Engine) -> None:
    """ "Andrew Adonis" is Lord Adonis, as `votes` has it: the name in the member list's first and
    peerage-name columns ("Andrew Adonis" offered Andrew Murrison before)."""
    from commands.core import HansardCore
    from commands.people import names_of

    import_paths(engine, SERIES)
    directory = MemberDirectory.from_csv(DATA / "members_flat.csv")
    names = HansardCore(engine).names
    speakers = {ref for _, _, ref in lords_records() if ref}
    checked = found = 0
    for ref in sorted(speakers):
        record = directory.by_member_ref(ref)
        if record is None or not record.first_name or not record.lord_name or record.last_name:
            continue
        own = f"{record.first_name} {record.lord_name}"
        assert own in names_of([record])
        resolved = names.resolve_member(own)
        checked += 1
        if resolved.candidate is not None:
            assert resolved.candidate.name == record.display_name, own
            found += 1
        else:  # two people of that name: the peer is among the choices
            assert record.display_name in [c.name for c in resolved.candidates], own
    assert checked > 30 and found > 0.9 * checked
