"""Typed text with characters no database can store (NUL, lone surrogates) gets the answer the
same text without them gets, on SQLite and on PostgreSQL alike, and imports the same way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.cli import main as cli
from commands.ask import ask
from commands.core import HansardCore, SearchRequest
from commands.digest import DigestCore, SubscribeRequest
from storage.importer import import_paths
from tests.conftest import DATA

# U+0000 (PostgreSQL refuses it in text) and lone surrogates (no UTF-8 for them; Python makes
# them from undecodable bytes in command-line arguments).
UNSTORABLE = ["\x00", "\ud800", "\udcff"]
TWFY_ID = "2010-02-10a.1022.0"
SAMPLE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"

_cores: dict[str, HansardCore] = {}


@pytest.fixture
def core(bundled_store: Engine) -> HansardCore:
    """One core per back end for the module: building one reads every name in the store."""
    key = bundled_store.url.render_as_string(hide_password=False)
    if key not in _cores:
        _cores[key] = HansardCore(bundled_store)
    return _cores[key]


def spoil(value: str, bad: str) -> str:
    """``value`` with ``bad`` inside it and around it."""
    middle = len(value) // 2
    return f"{bad}{value[:middle]}{bad}{value[middle:]}{bad}"


def answer(reply: Any) -> Any:
    return reply.to_json()


@pytest.mark.parametrize("bad", UNSTORABLE)
@pytest.mark.parametrize(
    "request_fields",
    [
        {"query": "tabloid", "party": "Labour"},
        {"query": "tabloid", "session": "2009-10"},
        {"query": "yarl's wood", "house": "Commons"},
        {"query": "tabloid", "member": "Tim Loughton"},
        {"query": "tabloid", "date_from": "2010-02-01"},
        {"query": "tabloid"},
    ],
)
def test_search_options_answer_as_without_the_characters(
    core: HansardCore, bad: str, request_fields: dict[str, str]
) -> None:
    clean = core.search(SearchRequest(**request_fields))  # type: ignore[arg-type]
    assert clean.total > 0
    spoilt = {name: spoil(value, bad) for name, value in request_fields.items()}
    assert answer(core.search(SearchRequest(**spoilt))) == answer(clean)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", UNSTORABLE)
@pytest.mark.parametrize("key", ["622898", SAMPLE_URI, TWFY_ID, f"uk.org.publicwhip/debate/{TWFY_ID}"])
def test_show_by_id_or_uri_answers_as_without_the_characters(core: HansardCore, bad: str, key: str) -> None:
    clean = core.contribution(key)
    assert clean.item is not None
    assert answer(core.contribution(spoil(key, bad))) == answer(clean)
    assert core.stored_record(spoil(key, bad)) == core.stored_record(key)


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_questions_and_profiles_answer_as_without_the_characters(core: HansardCore, bad: str) -> None:
    question = "what did tim loughton say about serious case reviews"
    assert answer(ask(core, spoil(question, bad))) == answer(ask(core, question))
    assert answer(core.member(spoil("Jack Straw", bad))) == answer(core.member("Jack Straw"))
    assert answer(core.bill(spoil("Constitutional Reform", bad))) == answer(core.bill("Constitutional Reform"))


@pytest.mark.parametrize(
    "key",
    [
        TWFY_ID,
        f"uk.org.publicwhip/debate/{TWFY_ID}",
        f"http://theyworkforyou.com/debates/?id={TWFY_ID}&s=yarl",
        f"https://www.theyworkforyou.com/debates/?s=yarl&id={TWFY_ID}",
    ],
)
def test_a_theyworkforyou_id_in_any_form_finds_the_contribution(core: HansardCore, key: str) -> None:
    reply = core.contribution(key)
    assert reply.item is not None and reply.item.uri == f"https://www.theyworkforyou.com/debates/?id={TWFY_ID}"


@pytest.mark.parametrize("key", ["622898", "CONTRIBUTION_622898", " contribution_622898 "])
def test_the_number_that_ends_a_uri_finds_the_contribution(core: HansardCore, key: str) -> None:
    reply = core.contribution(key)
    assert reply.item is not None and reply.item.uri == SAMPLE_URI


@pytest.mark.parametrize("key", ["2010-02-10a.99999.9", "uk.org.publicwhip/wrans/2010-02-10a.1022.0", "CONTRIBUTION_"])
def test_ids_of_nothing_stored_find_nothing(core: HansardCore, key: str) -> None:
    assert core.contribution(key).item is None


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_digest_keywords_are_stored_without_the_characters(engine: Engine, bad: str) -> None:
    digests = DigestCore(HansardCore(engine))
    now = dt.datetime(2026, 6, 10, tzinfo=dt.UTC)
    reply = digests.subscribe(
        SubscribeRequest(guild_id=1, channel_id=2, user_id=3, keywords=spoil("lighthouses", bad)), now
    )
    assert reply.ok and reply.subscription is not None
    assert reply.subscription.subscription.keywords == "lighthouses"


def test_imported_text_is_stored_without_the_characters(engine: Engine, tmp_path: Path) -> None:
    sample = (DATA / "samples" / "CONTRIBUTION_622898.txt").read_text(encoding="utf-8")
    spoilt = sample.replace("Tim Loughton", "Tim\x00 Loughton").replace("tabloid", "tab\x00loid")
    folder = tmp_path / "spoilt"
    folder.mkdir()
    (folder / "CONTRIBUTION_622898.txt").write_text(spoilt, encoding="utf-8")
    summary = import_paths(engine, [folder])
    assert summary.ok and summary.new == 1, summary.errors
    with engine.connect() as conn:
        member, body = conn.execute(text("SELECT member_name, text FROM contribution")).one()
    assert member == "Tim Loughton" and "tabloid" in body and "\x00" not in body


def test_cli_and_console_take_the_characters_on_each_back_end(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["--database-url", url, "import", str(DATA / "samples")]).exit_code == 0
    for args in (
        ["search", "tabloid", "--party", "Con\x00servative", "--session", "2009\udcff-10"],
        ["show", "622\x00898"],
    ):
        result = runner.invoke(cli, ["--database-url", url, *args])
        assert result.exit_code == 0, result.output
        assert "Tim Loughton" in result.output and "Traceback" not in result.output
    console = runner.invoke(cli, ["--database-url", url, "console"], input="search tabloid --party Lab\x00our\nquit\n")
    assert console.exit_code == 0 and "Traceback" not in console.output
