"""The command line: the bot refuses to start without a token, with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

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
