"""Throughput and memory of `storage.importer.import_paths` on synthetic contributions.

Not a test: run it and read the figures.

    /work/venv/bin/python bench/bench_import.py --n 100000 --dir /tmp/hansard_bench_100k

It writes ``--n`` contribution pages in the layout of
``data/samples/CONTRIBUTION_622898.txt`` (speech paragraphs, title, the
preliminary sentence over several lines, Type / Reference (with the trailing
NBSP) / Session / Chamber / Subjects, Librarians' tools with Timestamp / URI /
In Indexing / In Solr, no final newline) into ``--dir`` (reused by later runs
with the same ``--n`` and ``--seed``; generating is not timed), then imports
them into a fresh SQLite file and a fresh PostgreSQL database, and imports the
same files a second time (every row "unchanged").

Each import runs in its own Python process, so the figures are the importer's
alone: wall time, contributions per second end to end (parsing, rows, the
full-text index, commits), peak RSS of the importer process (``RUSAGE_SELF``)
and of its parse worker (``RUSAGE_CHILDREN``), and the database size.

The text is built from the words of the bundled TheyWorkForYou XML (read with
`storage.twfy`): each document draws its content words mostly from one real
speech and a few from the whole corpus, and its function words from the corpus's
commonest words, so that common words such as "government" occur in 10-25% of
documents, as in real Hansard. Members are real (``data/members_flat.csv``),
as are bill titles (``data/bills_uk_seen_2005-2022.csv``) and other debate
titles (the XML's headings).

``--keep`` keeps the databases for ``bench/bench_search.py``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.reference_data import bundled_data_dir  # noqa: E402

SEED = 20100223
FORMAT_VERSION = 1
MANIFEST = ".bench-manifest.json"
SHARD_SIZE = 10_000
FIRST_ID = 10_000_000
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Text model (calibrated so "government" is in ~24% of documents, "minister" and
# "people" in ~17%, "school" in ~2%: see the module docstring).
FUNCTION_WORDS = 120
FUNCTION_SHARE = 0.45
GLOBAL_CONTENT_SHARE = 0.03
MIN_SEED_WORDS = 10
KEEP_AS_CONTENT = frozenset({"government", "minister", "people", "secretary", "state", "house", "member", "bill"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SUBJECTS = (
    "Education",
    "Health services",
    "Defence",
    "Housing",
    "Taxation",
    "Police",
    "Transport",
    "Climate change",
    "Employment",
    "Social security benefits",
)
OTHER_DEBATE_TYPES = ("Debate", "Adjournment debate", "Oral answers to questions", "Ministerial statement")


# --- the corpus model -------------------------------------------------------------------------


@dataclass
class Corpus:
    function_words: list[str]
    function_cum: list[int]
    content_words: list[str]
    content_cum: list[int]
    seeds: list[list[str]]
    members: list[tuple[str, str, str | None]]  # (name, house, party)
    bills: list[str]
    debates: list[str]

    @property
    def vocabulary(self) -> list[tuple[str, int]]:
        """Content words with their corpus counts, commonest first (for the search benchmark)."""
        counts = [self.content_cum[0]] + [b - a for a, b in zip(self.content_cum, self.content_cum[1:], strict=False)]
        return sorted(zip(self.content_words, counts, strict=True), key=lambda pair: -pair[1])


def _is_usable_title(title: str | None) -> bool:
    return bool(
        title
        and 3 <= len(title) <= 200
        and title[0].isupper()
        and title[-1].isalnum()
        and "\n" not in title
        and " on " not in title
        and "://" not in title
    )


def load_corpus() -> Corpus:
    from storage.twfy import parse_twfy_file

    data = bundled_data_dir()
    speeches: list[list[str]] = []
    debates: set[str] = set()
    for path in sorted((data / "hansard_twfy_xml_2010").rglob("*.xml")):
        for record in parse_twfy_file(path.read_bytes(), path.name):
            speeches.append(_WORD.findall(record.text))
            if _is_usable_title(record.debate_title) and "Bill" not in (record.debate_title or ""):
                debates.add(record.debate_title or "")
    counts = Counter(word.lower() for words in speeches for word in words)
    function = [w for w, _ in counts.most_common(FUNCTION_WORDS) if w not in KEEP_AS_CONTENT]
    function_set = set(function)
    bags = [[w for w in words if w.lower() not in function_set] for words in speeches]
    content_counts = Counter(w for bag in bags for w in bag)
    content_words = sorted(content_counts)

    def cumulative(words: list[str], weights: Counter[str]) -> list[int]:
        total, result = 0, []
        for word in words:
            total += weights[word]
            result.append(total)
        return result

    members: dict[tuple[str, str], str | None] = {}
    with open(data / "members_flat.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            members[(row["display_name"], row["house"])] = row["party_name"] or None
    bills: list[str] = []
    with open(data / "bills_uk_seen_2005-2022.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if _is_usable_title(row["title"]) and row["title"] not in bills:
                bills.append(row["title"])
    return Corpus(
        function_words=function,
        function_cum=cumulative(function, counts),
        content_words=content_words,
        content_cum=cumulative(content_words, content_counts),
        seeds=[bag for bag in bags if len(bag) >= MIN_SEED_WORDS],
        members=sorted((name, house, party) for (name, house), party in members.items()),
        bills=bills,
        debates=sorted(debates),
    )


def _speech(corpus: Corpus, rng: random.Random) -> list[str]:
    size = rng.randint(150, 400)
    function = round(size * FUNCTION_SHARE)
    content = size - function
    common = max(1, round(content * GLOBAL_CONTENT_SHARE))
    seed = rng.choice(corpus.seeds)
    words = rng.choices(corpus.function_words, cum_weights=corpus.function_cum, k=function)
    words += rng.choices(seed, k=content - common)
    words += rng.choices(corpus.content_words, cum_weights=corpus.content_cum, k=common)
    rng.shuffle(words)
    sentences: list[str] = []
    pos = 0
    while pos < len(words):
        length = rng.randint(6, 28)
        chunk = words[pos : pos + length]
        pos += length
        first = chunk[0]
        chunk[0] = first[:1].upper() + first[1:]
        sentences.append(" ".join(chunk) + ".")
    paragraphs = min(rng.randint(1, 6), len(sentences))
    cuts = sorted(rng.sample(range(1, len(sentences)), paragraphs - 1)) if paragraphs > 1 else []
    bounds = [0, *cuts, len(sentences)]
    return [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]


def _date(rng: random.Random) -> dt.date:
    start = dt.date(2005, 1, 3)
    while True:
        day = start + dt.timedelta(days=rng.randrange(18 * 365))
        if day.weekday() < 4:  # Monday to Thursday
            return day


def _session(day: dt.date) -> str:
    first = day.year if day.month >= 11 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def contribution_text(corpus: Corpus, seed: int, index: int) -> str:
    """One contribution page in the sample's layout, a pure function of (seed, index)."""
    rng = random.Random(seed * 1_000_003 + index)
    name, house, party = rng.choice(corpus.members)
    day = _date(rng)
    session = _session(day)
    if rng.random() < 0.6:
        title = rng.choice(corpus.bills)
        types = "Debate on bills"
    else:
        title = rng.choice(corpus.debates)
        types = rng.choice(OTHER_DEBATE_TYPES)
    commons = house == "House of Commons"
    if commons:
        chamber, suffix = ("Westminster Hall", "WH") if rng.random() < 0.2 else ("House of Commons chamber", "")
    else:
        chamber, suffix = ("Grand Committee", "GC") if rng.random() < 0.15 else ("House of Lords chamber", "")
    volume = (400 if commons else 650) + (day.year - 2005) * 12 + day.month
    column = rng.randint(1, 1600)
    span = rng.randint(0, 3)
    reference = f"{volume} c{column}{suffix}" if span == 0 else f"{volume} cc{column}-{(column + span) % 10}{suffix}"
    if span and (column + span) % 10 < column % 10:  # crosses a ten: write the end column out
        reference = f"{volume} cc{column}-{column + span}{suffix}"
    date_text = f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"
    subjects = rng.sample(SUBJECTS, rng.randint(1, 2)) if rng.random() < 0.1 else []
    stamp = dt.datetime(2024, 6, 1) + dt.timedelta(seconds=rng.randrange(300 * 86400))
    uri = f"http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_{FIRST_ID + index}"
    lines = [
        *_speech(corpus, rng),
        title,
        "Proceeding contribution from",
        name,
        *([f"({party})"] if party else []),
        f"in the {house} on {date_text}.",
        f"It occurred during {types} on {title}.",
        "Type",
        "Proceeding contribution",
        "Reference",
        reference + "\xa0",
        "Session",
        session,
        "Chamber / Committee",
        chamber,
        "Subjects",
        *subjects,
        "Librarians' tools",
        "Timestamp",
        stamp.strftime("%Y-%m-%d %H:%M:%S +0000"),
        "URI",
        uri,
        "In Indexing",
        f"http://indexing.parliament.uk/Content/Edit/1?uri={uri}",
        "In Solr",
        f"https://search.parliament.uk/claw/solr/?id={uri}",
    ]
    return "\n".join(lines)


def file_path(root: Path, index: int) -> Path:
    return root / f"{index // SHARD_SIZE:04d}" / f"CONTRIBUTION_{FIRST_ID + index}.txt"


def _write_shard(args: tuple[str, int, int, int]) -> int:
    root, seed, start, stop = args
    corpus = load_corpus()
    for index in range(start, stop):
        path = file_path(Path(root), index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(contribution_text(corpus, seed, index), encoding="utf-8")
    return stop - start


def generate(root: Path, n: int, seed: int) -> float:
    """Write the files unless ``root`` already holds this (n, seed); returns the seconds spent."""
    manifest = root / MANIFEST
    wanted = {"format": FORMAT_VERSION, "n": n, "seed": seed}
    if manifest.is_file() and json.loads(manifest.read_text()) == wanted:
        return 0.0
    if root.exists() and any(root.iterdir()):
        if not manifest.is_file():
            raise SystemExit(f"{root} is not empty and holds no benchmark manifest: refusing to overwrite it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Check the layout once against the real parser before writing a million files.
    from storage.parser import parse_contribution

    corpus = load_corpus()
    for index in range(min(n, 200)):
        parse_contribution(contribution_text(corpus, seed, index), f"check-{index}")
    jobs = [(str(root), seed, start, min(start + SHARD_SIZE, n)) for start in range(0, n, SHARD_SIZE)]
    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        done = 0
        for count in pool.imap_unordered(_write_shard, jobs):
            done += count
            print(f"\r  generated {done:,}/{n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    manifest.write_text(json.dumps(wanted))
    return time.perf_counter() - started


# --- one import, in a process of its own ------------------------------------------------------


def speed_check() -> float:
    """Seconds a fixed pure-Python loop takes: how fast this machine runs now.

    This VM's speed drifts (by 1.7x within an hour, at times), so figures from
    different runs compare only alongside this (lower is faster).
    """
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number * number
    return time.perf_counter() - started


def machine_busy_seconds() -> float | None:
    """CPU time every process on the machine has used since boot (Linux /proc/stat), or None.

    Over an import, this less the importer's and its workers' own CPU is what
    the rest of the machine did: on PostgreSQL, mostly the server.
    """
    try:
        with open("/proc/stat") as handle:
            ticks = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = ticks[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def cpu_seconds_since(before: os.times_result) -> tuple[float, float]:
    """CPU seconds (user and system) since ``before``: this process's, and its reaped children's."""
    after = os.times()
    own = (after.user - before.user) + (after.system - before.system)
    children = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return own, children


def cpu_per_row(rows: int, importer: float, workers: float, machine: float | None) -> str:
    """CPU seconds of an import as microseconds per row: the importer, its workers, the rest of the machine."""
    text = f"CPU per row: importer {importer / rows * 1e6:.0f} us, workers {workers / rows * 1e6:.0f} us"
    if machine is not None:
        others = max(machine - importer - workers, 0)
        text += f", rest of the machine (on PostgreSQL, the server) {others / rows * 1e6:.0f} us"
    return text


def run_import_child(url: str, root: Path, migrate_first: bool, batch_size: int | None, profile: str | None) -> None:
    """The child's side: import ``root`` into ``url`` and print one JSON line of figures."""
    import importlib

    from storage.db import database_size_bytes, make_engine, migrate

    # --importer: another module with the same import_paths, for before/after comparisons.
    import_paths = importlib.import_module(os.environ.get("HANSARD_BENCH_IMPORTER", "storage.importer")).import_paths

    engine = make_engine(url)
    if migrate_first:
        migrate(engine)
    kwargs: dict[str, Any] = {}
    if batch_size:
        kwargs["batch_size"] = batch_size
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    speed = speed_check()
    busy_before = machine_busy_seconds()
    cpu_before = os.times()
    started = time.perf_counter()
    marks = {"rows": 0, "at": started, "cpu": time.process_time()}

    def progress(summary: Any) -> None:
        # The rate over each stretch of ~100,000 rows, to see how it changes as the store grows.
        rows = summary.new + summary.updated + summary.unchanged
        if rows - marks["rows"] >= 100_000:
            now, cpu = time.perf_counter(), time.process_time()
            print(
                f"  {rows:>9,} rows: {(rows - marks['rows']) / (now - marks['at']):7,.0f}/s, importer CPU "
                f"{(cpu - marks['cpu']) / (rows - marks['rows']) * 1e6:4.0f} us/row",
                file=sys.stderr,
                flush=True,
            )
            marks.update(rows=rows, at=now, cpu=cpu)

    summary = import_paths(engine, [root], requested_by="bench", progress=progress, **kwargs)
    wall = time.perf_counter() - started
    cpu_self, cpu_worker = cpu_seconds_since(cpu_before)
    busy_after = machine_busy_seconds()
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "wall": wall,
        "new": summary.new,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "failed": summary.failed,
        "errors": summary.errors[:5],
        "rss_self_mb": self_usage.ru_maxrss / 1024,
        "rss_worker_mb": child_usage.ru_maxrss / 1024,
        "cpu_self": cpu_self,
        "cpu_worker": cpu_worker,
        "db_bytes": database_size_bytes(engine),
        "speed_check": speed,
        "cpu_machine": None if busy_before is None or busy_after is None else busy_after - busy_before,
    }
    engine.dispose()
    print("RESULT " + json.dumps(result), flush=True)


def import_in_child(
    url: str, root: Path, migrate_first: bool, batch_size: int | None, profile: str | None = None
) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--url", url, "--dir", str(root)]
    if migrate_first:
        command.append("--migrate")
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    raise SystemExit(f"import failed (exit {done.returncode}):\n{done.stdout}")


# --- databases --------------------------------------------------------------------------------


def postgres_database(admin_url: str, name: str, *, create: bool) -> str:
    """(Re)create the scratch database ``name``; returns its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        return admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.dispose()


def report(label: str, n: int, result: dict[str, Any]) -> None:
    wall = result["wall"]
    moved = result["new"] + result["updated"] + result["unchanged"]
    size = result["db_bytes"]
    print(
        f"{label:<22} {moved / wall:>10,.0f}/s  wall {wall:7.1f} s  "
        f"new {result['new']:>9,} upd {result['updated']:>5,} unch {result['unchanged']:>9,} "
        f"failed {result['failed']:>3}  RSS importer {result['rss_self_mb']:6.0f} MB worker "
        f"{result['rss_worker_mb']:6.0f} MB  CPU importer {result['cpu_self']:6.1f} s worker "
        f"{result['cpu_worker']:6.1f} s  DB {size / 1e6 if size else 0:8.0f} MB",
        flush=True,
    )
    cpu_machine = result.get("cpu_machine")
    if cpu_machine is not None and moved:
        print(
            f"   {cpu_per_row(moved, result['cpu_self'], result['cpu_worker'], cpu_machine)}; "
            f"cores busy {cpu_machine / wall:.2f} of {os.cpu_count()}; speed check {result['speed_check']:.2f} s",
            flush=True,
        )
    if result["errors"]:
        print("   errors:", *result["errors"], sep="\n   ")
    if moved != n:
        print(f"   WARNING: {moved:,} contributions counted, expected {n:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="contributions to generate and import")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dir", type=Path, help="where the files go (reused when it holds the same --n/--seed)")
    parser.add_argument("--sqlite-path", type=Path, help="SQLite file to build (default: a temporary file)")
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL, help="admin URL used to create the scratch DB")
    parser.add_argument("--postgres-db", help="scratch database name (default: bench_hansard_<n>)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-reimport", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases (for bench_search.py)")
    parser.add_argument("--batch-size", type=int, help="override storage.importer.BATCH_SIZE")
    parser.add_argument("--profile", help="write cProfile stats of the first import to this file prefix")
    parser.add_argument(
        "--importer",
        help="module to take import_paths from instead of storage.importer (an older copy, for comparisons; "
        "put its directory on PYTHONPATH)",
    )
    # Internal: the child process that runs one import.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.importer:
        os.environ["HANSARD_BENCH_IMPORTER"] = args.importer
    if args.child:
        run_import_child(args.url, args.dir, args.migrate, args.batch_size, args.profile)
        return

    temp = Path(tempfile.mkdtemp(prefix="hansard_bench_"))
    root: Path = args.dir or temp / "files"
    seconds = generate(root, args.n, args.seed)
    print(
        f"{args.n:,} files in {root} ({f'generated in {seconds:.0f} s' if seconds else 'reused'}); "
        f"{os.cpu_count()} CPUs, SQLite via Python {sys.version.split()[0]}",
        flush=True,
    )

    if not args.skip_sqlite:
        db_path: Path = args.sqlite_path or temp / "bench.db"
        for stale in db_path.parent.glob(db_path.name + "*"):
            stale.unlink()
        url = f"sqlite:///{db_path}"
        profile = f"{args.profile}.sqlite.prof" if args.profile else None
        report("sqlite import", args.n, import_in_child(url, root, True, args.batch_size, profile))
        if not args.skip_reimport:
            report("sqlite re-import", args.n, import_in_child(url, root, False, args.batch_size))
        if args.keep:
            print(f"   kept {url}")

    if not args.skip_postgres:
        name = args.postgres_db or f"bench_hansard_{args.n}"
        url = postgres_database(args.postgres_url, name, create=True)
        try:
            profile = f"{args.profile}.postgres.prof" if args.profile else None
            report("postgres import", args.n, import_in_child(url, root, True, args.batch_size, profile))
            if not args.skip_reimport:
                report("postgres re-import", args.n, import_in_child(url, root, False, args.batch_size))
        finally:
            if args.keep:
                print(f"   kept {url}")
            else:
                postgres_database(args.postgres_url, name, create=False)
    if not args.keep:
        shutil.rmtree(temp, ignore_errors=True)
    elif not any(temp.iterdir()):
        temp.rmdir()  # --dir and --sqlite-path given: nothing was kept here


if __name__ == "__main__":
    main()
