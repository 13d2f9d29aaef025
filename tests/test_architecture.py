"""The dependency rule bot -> commands -> storage holds (ruff enforces it too, via TID251)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"storage": {"discord", "commands", "bot"}, "commands": {"discord", "bot"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[layer])
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


# The shell reaches storage only through its composition root (and settings, for the default database).
BOT_MODULES_ALLOWED_STORAGE = {"bot/bootstrap.py", "bot/settings.py"}


def test_only_the_bootstrap_and_settings_of_the_shell_import_storage() -> None:
    importers = {
        str(path.relative_to(ROOT)) for path in (ROOT / "bot").rglob("*.py") if "storage" in imported_packages(path)
    }
    assert importers <= BOT_MODULES_ALLOWED_STORAGE, sorted(importers - BOT_MODULES_ALLOWED_STORAGE)


def _ruff_banned_imports(path: str, source: str) -> str:
    """What ruff's banned-import rule says of ``source`` as if it were the file ``path``."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID251", "--no-cache", "--stdin-filename", path, "-"],
        cwd=ROOT,
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def test_ruff_bans_storage_in_the_shell_outside_the_bootstrap() -> None:
    source = '"""Probe."""\n\nfrom storage.db import make_engine\n\n__all__ = ["make_engine"]\n'
    assert "TID251" in _ruff_banned_imports("bot/digest/probe.py", source)
    assert "TID251" in _ruff_banned_imports("bot/cli.py", source)
    assert "TID251" not in _ruff_banned_imports("bot/bootstrap.py", source)


class _RuntimeBotImports(ast.NodeVisitor):
    """The bot.* modules a module imports when it runs: imports for type checking only are left out."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.orelse:
                self.visit(statement)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names if alias.name.startswith("bot."))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0 and node.module.split(".")[0] == "bot":
            self.found.add(node.module)


def runtime_bot_imports(path: Path) -> set[str]:
    visitor = _RuntimeBotImports()
    visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
    return visitor.found


def test_no_import_cycles_in_the_shell() -> None:
    """The digest clock and the import scheduler reach Discord through small interfaces, not through
    the bot: nothing the client imports imports the client back."""
    graph = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): runtime_bot_imports(path)
        for path in (ROOT / "bot").rglob("*.py")
    }

    def cycle_from(start: str, module: str, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        for target in sorted(graph.get(module, ())):
            if target == start:
                return (*seen, target)
            if target not in seen and target in graph:
                found = cycle_from(start, target, (*seen, target))
                if found:
                    return found
        return None

    cycles = {module: cycle_from(module, module, (module,)) for module in graph}
    assert {m: c for m, c in cycles.items() if c} == {}


@pytest.mark.parametrize(
    "module", ["commands.core", "commands.votes", "commands.ask", "storage.votes_store", "storage.importer", "bot.cli"]
)
def test_each_entry_module_imports_on_its_own(module: str) -> None:
    # A cycle hides while the test session has imported its modules in a lucky order: a fresh interpreter shows it.
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
