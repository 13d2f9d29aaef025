"""hansard-bot trend, quote, context, who and search --csv on the bundled real data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from bot.cli import main as cli
from storage.query import parse_query
from storage.search import search
from storage.twfy import parse_twfy_file
from tests.commands.test_insight import _perturbed_sentences
from tests.conftest import DATA

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(engine: Engine, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--database-url", engine.url.render_as_string(hide_password=False), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_trend_json_and_png(bundled_sqlite: Engine, tmp_path: Path) -> None:
    out = tmp_path / "trend.png"
    code, output = run(bundled_sqlite, "trend", "afghanistan", '"climate change"', "--json", "--out", str(out))
    assert code == 0, output
    data = json.loads(output[: output.rindex("}") + 1])
    assert data["granularity"] == "day" and [s["term"] for s in data["series"]] == ["afghanistan", '"climate change"']
    assert len(data["series"][0]["counts"]) == len(data["periods"]) == len(data["totals"])
    assert sum(data["series"][0]["counts"]) == search(bundled_sqlite, parse_query("afghanistan"), limit=1).total
    assert out.read_bytes().startswith(PNG_MAGIC)
    code, output = run(bundled_sqlite, "trend", "afghanistan", "--by", "party", "--from", "2010-02-01")
    assert code == 0 and "afghanistan — Labour: " in output and "in all" in output
    code, output = run(bundled_sqlite, "trend", "school", "--from", "nonsense")
    assert code == 1 and "date" in output.lower()


def test_quote_json_lists_results_with_uri_member_date_reference_passage_score(bundled_sqlite: Engine) -> None:
    uri, _sentence, perturbed = _perturbed_sentences(1)[0]
    code, output = run(bundled_sqlite, "quote", perturbed, "--json")
    assert code == 0, output
    best = json.loads(output)["results"][0]
    assert best["uri"] == uri
    assert {"uri", "member", "date", "reference", "passage", "score"} <= set(best)
    assert best["score"] >= 80 and best["passage"]


def test_context_json_before_nearest_last_after_nearest_first(bundled_sqlite: Engine) -> None:
    path = DATA / "hansard_twfy_xml_2010" / "westminhall" / "westminster2010-02-10a.xml"
    in_xml = [r.uri for r in parse_twfy_file(path.read_bytes(), str(path))]
    code, output = run(bundled_sqlite, "context", in_xml[10], "--before", "2", "--after", "3", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert [i["uri"] for i in data["before"]] == in_xml[8:10]
    assert [i["uri"] for i in data["after"]] == in_xml[11:14]
    code, output = run(bundled_sqlite, "context", "nothing-like-this")
    assert code == 1 and "No contribution" in output


def test_who_ranks_members(bundled_sqlite: Engine) -> None:
    code, output = run(bundled_sqlite, "who", "afghanistan", "--limit", "3", "--json")
    assert code == 0, output
    speakers = json.loads(output)["speakers"]
    assert len(speakers) == 3 and speakers[0]["count"] >= speakers[-1]["count"] > 0


def test_search_csv_writes_every_match(bundled_sqlite: Engine, tmp_path: Path) -> None:
    target = tmp_path / "school.csv"
    code, output = run(bundled_sqlite, "search", "school", "--csv", str(target))
    assert code == 0, output
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = search(bundled_sqlite, parse_query("school"), limit=1000)
    assert len(rows) == expected.total and f"All {expected.total} matches" in output
    assert {r["uri"] for r in rows} == {h.contribution.uri for h in expected.hits}
    assert all(r["official_url"] == "" or r["official_url"].startswith("http") for r in rows)
