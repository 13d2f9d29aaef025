"""hansard-bot division / divisions / votes, on a store of the bundled Feb 2010 debates."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main as cli
from tests.conftest import DATA


def test_division_divisions_and_votes_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    runner = CliRunner()
    day = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"
    assert runner.invoke(cli, ["--database-url", url, "import", str(day)]).exit_code == 0

    shown = runner.invoke(cli, ["--database-url", url, "division", "8 Feb 2010", "72", "--json"])
    division = json.loads(shown.output)["division"]
    assert (division["ayes"], division["noes"], division["result"]) == (376, 56, "passed")
    assert "McDonnell, John" in {r["name"] for r in division["rebels"]}

    found = runner.invoke(cli, ["--database-url", url, "divisions", "--bill", "terrorist asset freezing", "--json"])
    assert [d["number"] for d in json.loads(found.output)["divisions"]] == [75, 74, 73, 72]

    votes = runner.invoke(cli, ["--database-url", url, "votes", "John", "McDonnell", "--json"])
    listed = json.loads(votes.output)["votes"]
    assert [(v["number"], v["vote"]) for v in listed] == [
        (75, "no recorded vote"),
        (74, "Aye"),
        (73, "No"),
        (72, "No"),
    ]
    assert all({"date", "number", "vote", "result", "question"} <= set(v) for v in listed)

    text = runner.invoke(cli, ["--database-url", url, "division", "2010-02-08", "99"])
    assert text.exit_code == 0 and "No division 99" in text.output and "Traceback" not in text.output


def test_both_houses_bills_from_the_lords_and_lords_labels(tmp_path: Path) -> None:
    """TheyWorkForYou's October 2009 fixtures: Commons divisions on a "[Lords]" Bill, and Lords divisions."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    runner = CliRunner()
    scraped = DATA / "twfy_uml_2009" / "scrapedxml"
    for folder in ("debates", "lordspages"):
        assert runner.invoke(cli, ["--database-url", url, "import", str(scraped / folder)]).exit_code == 0

    def ask(question: str) -> dict[str, object]:
        result = runner.invoke(cli, ["--database-url", url, "ask", question, "--json"])
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        answer: dict[str, object] = json.loads(result.output)
        return answer

    # "[Lords]" is part of the Bill's title, not the House: its divisions were in the Commons.
    for question in (
        "how did Chloe Smith vote on the Marine and Coastal Access Bill [Lords]",
        "how did Chloe Smith vote on the Marine and Coastal Access Bill [HL]",
    ):
        answer = ask(question)
        assert [(v["number"], v["vote"]) for v in answer["votes"]] == [(231, "Aye"), (230, "Aye")], question  # type: ignore[index, union-attr]
    # A Lords division's party lines say contents and not-contents, in the terminal as in Discord.
    text = runner.invoke(cli, ["--database-url", url, "ask", "how did the crossbenchers vote on amendment 62"])
    assert "Crossbench: 24 Contents, 3 Not contents" in text.output, text.output
