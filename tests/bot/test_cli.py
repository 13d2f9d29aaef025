"""The command line: the bot refuses to start without a token, with a clear message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.cli import main as cli
from bot.settings import Settings, get_settings


@pytest.mark.parametrize("command", ["run", "sync"])
def test_missing_token_is_a_clear_message(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["--database-url", f"sqlite:///{tmp_path / 'x.db'}", command])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "DISCORD_TOKEN is not set" in result.output
    assert "Traceback" not in result.output


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_USER_IDS", "12, 34 56")
    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("SHARD_IDS", "0,1")
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    settings = Settings()
    assert settings.admin_user_ids == [12, 34, 56]
    assert (settings.shard_count, settings.shard_ids) == (4, [0, 1])
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "abc"
    assert "abc" not in repr(settings)


def test_console_answers_and_quits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    from tests.conftest import DATA

    assert runner.invoke(cli, ["--database-url", url, "import", str(DATA / "samples")]).exit_code == 0
    result = runner.invoke(cli, ["--database-url", url, "console"], input="search tabloid\nloughton tabloid\nquit\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Tim Loughton (Conservative)") >= 1
    assert "HC Deb 23 February 2010 vol 506 c185-6" in result.output


def test_cli_import_waits_its_turn(tmp_path: Path) -> None:
    from storage.db import make_engine, migrate
    from storage.import_lock import acquire, current_holder, release
    from tests.conftest import DATA

    url = f"sqlite:///{tmp_path / 'lock.db'}"
    engine = make_engine(url)
    migrate(engine)
    assert acquire(engine, "bot:elsewhere:1", "alice (42)", "commons: /srv/hansard") is None
    result = CliRunner().invoke(cli, ["--database-url", url, "import", str(DATA / "samples")])
    assert result.exit_code == 2
    assert "already running" in result.output and "alice (42)" in result.output
    release(engine, "bot:elsewhere:1")
    result = CliRunner().invoke(cli, ["--database-url", url, "import", str(DATA / "samples")])
    assert result.exit_code == 0 and "1 new" in result.output
    assert current_holder(engine) is None


def _stored_titles(engine: Engine, uris: list[str]) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT uri, title FROM contribution")).all()
    return {uri: title for uri, title in rows if uri in uris}


@pytest.mark.parametrize("query", ["yarl's wood", "sunbeds"])
def test_json_is_raw_and_says_the_query_as_typed(query: str, bundled_sqlite: Engine) -> None:
    result = CliRunner().invoke(cli, ["--database-url", str(bundled_sqlite.url), "search", query, "--json"])
    assert result.exit_code == 0, result.output
    reply = json.loads(result.output)
    assert reply["understood"] == f"“{query}”"
    titles = _stored_titles(bundled_sqlite, [r["uri"] for r in reply["results"]])
    assert reply["results"] and all(r["title"] == titles[r["uri"]] for r in reply["results"])
    for r in reply["results"]:
        assert "**" not in r["excerpt"] and "\\" not in r["excerpt"]
        matched = {r["excerpt"][start:end].lower() for start, end in r["highlights"]}
        assert matched and matched <= set(query.split()) | {"sunbed"}


def test_terminal_shows_brackets_in_titles_as_written(bundled_sqlite: Engine) -> None:
    result = CliRunner().invoke(cli, ["--database-url", str(bundled_sqlite.url), "search", "sunbeds"])
    assert result.exit_code == 0, result.output
    titles = set(_stored_titles(bundled_sqlite, re.findall(r"https://\S+", result.output)).values())
    assert any("[" in title for title in titles)
    assert all(title in result.output for title in titles)
