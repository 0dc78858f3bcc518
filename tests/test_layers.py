"""The shape of bot/ (issue 8): an import graph with no cycle and no arrow up the layers,
no private name imported from another module, and one logger name.

Read with ast from the source, every import counted: at the top of a module, inside a
function (the lazy ones that keep `depeche --help` fast) and under TYPE_CHECKING alike, so
no import can dodge a cycle. A new package takes its place in LAYERS.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# From the bottom up: a module imports only from a lower layer, or from its own package.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot", "bot.errors", "bot.story", "bot.failpoints", "bot.log"),  # shared types
    ("bot.faults", "bot.breaker", "bot.sanitize", "bot.net"),
    ("bot.config", "bot.seo", "bot.nlp"),  # settings, and text primitives of no stage
    ("bot.feeds", "bot.quality"),
    ("bot.cluster",),
    ("bot.store",),
    ("bot.publish",),
    ("bot.writer",),
    ("bot.select",),
    ("bot.pipeline",),
    ("bot.app",),
    ("bot.scheduler",),
    ("bot.cli",),
    ("bot.__main__",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def unit(module: str) -> str:
    """The package a module belongs to for the layers: bot.quality.rules -> bot.quality."""
    return ".".join(module.split(".")[:2])


def imported(module: str) -> Iterator[str]:
    """Every bot module `module` imports (a name imported from a package that is a module
    of its own counts as that module)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *filter(None, [node.module])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        yield from (t for t in targets if t == "bot" or t.startswith("bot."))


GRAPH = {module: sorted(set(imported(module)) - {module}) for module in MODULES}


def test_every_package_has_a_layer():
    assert sorted({unit(m) for m in MODULES} - set(RANK)) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_goes_up_the_layers(module: str):
    upward = [
        target for target in GRAPH[module]
        if unit(target) != unit(module) and RANK[unit(target)] >= RANK[unit(module)]
    ]
    assert upward == [], f"{module} imports from its own layer or above"


def test_quality_and_publish_import_nothing_from_the_writer_and_config_no_stage():
    stages = {"bot.feeds", "bot.store", "bot.writer", "bot.quality", "bot.publish",
              "bot.select", "bot.cluster", "bot.pipeline", "bot.scheduler", "bot.app", "bot.cli"}
    for module, targets in GRAPH.items():
        if unit(module) in ("bot.quality", "bot.publish"):
            assert not [t for t in targets if unit(t) == "bot.writer"], module
        if unit(module) == "bot.config":
            assert not [t for t in targets if unit(t) in stages], module


def test_no_cycle():
    """Depth-first over the module graph: a module met again on the current path is a cycle."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError(" -> ".join([*path[path.index(module):], module]))
        if module in done:
            return
        for target in GRAPH.get(module, []):
            visit(target, [*path, module])
        done.add(module)

    for module in GRAPH:
        visit(module, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_one_logger_name(module: str):
    """A module's logger is `log = logging.getLogger(__name__)`, under one name everywhere."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and ast.unparse(node.value) == "logging.getLogger(__name__)"):
            assert [ast.unparse(t) for t in node.targets] == ["log"], module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_imported_from_another_module(module: str):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot")
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__version__"
    ]
    assert private == [], module
