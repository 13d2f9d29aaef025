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


def test_an_import_killed_with_sigkill_does_not_block_the_next_one(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import text

    from storage.db import make_engine, migrate
    from storage.import_lock import current_holder
    from tests.conftest import DATA

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    engine = make_engine(url)
    migrate(engine)
    twfy = str(DATA / "hansard_twfy_xml_2010")
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "--database-url", url, "import", twfy, twfy, twfy],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DATABASE_URL": url},
    )
    try:
        deadline = time.monotonic() + 60
        while (holder := current_holder(engine)) is None or str(child.pid) not in holder.holder:
            assert child.poll() is None and time.monotonic() < deadline, "the import never took the lock"
            time.sleep(0.02)
        assert child.poll() is None  # still importing when killed
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    result = CliRunner().invoke(cli, ["--database-url", url, "import", str(DATA / "samples")])
    assert result.exit_code == 0, result.output
    assert current_holder(engine) is None
    with engine.connect() as conn:
        statuses = [row[0] for row in conn.execute(text("SELECT status FROM import_run ORDER BY id"))]
    assert statuses[-1] == "succeeded" and "running" not in statuses
    if len(statuses) > 1:  # the killed import had started its run: closed as failed
        assert statuses[0] == "failed"
    engine.dispose()


def _imported(tmp_path: Path) -> str:
    from tests.conftest import DATA

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        cli, ["--database-url", url, "import", str(DATA / "samples"), str(DATA / "hansard_twfy_xml_2010")]
    )
    assert result.exit_code == 0, result.output
    return url


def test_a_failing_console_command_says_why_and_the_prompt_goes_on(tmp_path: Path) -> None:
    url = _imported(tmp_path)
    lines = ["show 12345", "show no-such-thing", "search vote --page 2000000000000000000", "search tabloid", "quit"]
    result = CliRunner().invoke(cli, ["--database-url", url, "console"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "No contribution with URI or id '12345'" in result.output
    assert "No contribution with URI or id 'no-such-thing'" in result.output
    assert "There is no page 2000000000000000000" in result.output
    assert "Tim Loughton (Conservative)" in result.output
    assert result.output.rstrip().endswith("hansard>")
    assert "Traceback" not in result.output


def test_show_takes_the_short_theyworkforyou_id(tmp_path: Path) -> None:
    url = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["--database-url", url, "show", "2010-02-10a.1022.0", "--json"])
    assert result.exit_code == 0, result.output
    assert '"uri": "https://www.theyworkforyou.com/debates/?id=2010-02-10a.1022.0"' in result.output
    missing = CliRunner().invoke(cli, ["--database-url", url, "show", "12345"])
    assert missing.exit_code == 1 and "No contribution" in missing.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "vote", "--page", "2000000000000000000"], "There is no page 2000000000000000000: the results end"),
        (["search", "vote", "--page", "99999"], "There is no page 99999: the results end"),
        (["digest", "preview", "99999999999999999999"], "No digest #99999999999999999999."),
        (["digest", "preview", "0"], "No digest #0."),
        (["errors", "--page", "99999999999999999999"], "No import has run yet."),
    ],
)
def test_out_of_range_numbers_get_a_clear_message(tmp_path: Path, args: list[str], message: str) -> None:
    url = f"sqlite:///{tmp_path / 'range.db'}"
    if args[0] == "search":
        url = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["--database-url", url, *args])
    assert message in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)


def test_run_without_network_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Discord's address made unreachable (a closed port on this machine): one line, exit 1, no voice warnings."""
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    script = (
        "import discord.http, sys\n"
        f"discord.http.Route.BASE = 'http://127.0.0.1:{closed_port}/api/v10'\n"
        "from bot.cli import main\n"
        "sys.exit(main())\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DISCORD_TOKEN": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
    result = subprocess.run(
        [sys.executable, "-c", script, "run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.strip().splitlines() == [output.strip()], output
    assert output.startswith("Cannot reach Discord")
    assert "voice" not in output.lower() and "Traceback" not in output


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
    assert isinstance(reply["elapsed_ms"], float) and 0 < reply["elapsed_ms"] < 60_000
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


def test_ask_answers_carry_the_time_spent(bundled_sqlite: Engine) -> None:
    url = str(bundled_sqlite.url)
    result = CliRunner().invoke(cli, ["--database-url", url, "ask", "who spoke about Yarl's Wood", "--json"])
    assert result.exit_code == 0, result.output
    assert 0 < json.loads(result.output)["elapsed_ms"] < 60_000
    printed = CliRunner().invoke(cli, ["--database-url", url, "ask", "who spoke about Yarl's Wood"])
    assert printed.exit_code == 0, printed.output
    assert re.search(r"\(\d[\d,]* ms\)\s*$", printed.output)
