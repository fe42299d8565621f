"""The layers of `sim` import only downward, and no modules import each other in a circle.

vocabulary → scenario → model → analysis → views → cli: each layer may import the
layers before it and never one after it. Every import counts, including those inside
functions and `if TYPE_CHECKING:` blocks. The package's `__init__` (lazy exports)
and `__main__` stand above the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

LAYERS = ("vocabulary", "scenario", "model", "analysis", "views", "cli")
ABOVE_THE_LAYERS = ("sim", "sim.__main__")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path) -> set[str]:
    """The modules of the package that a file imports (resolved from relative imports)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            )
            target = ".".join([*base, *([node.module] if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from . import x`
    top = module_name(next(root.glob("*/__init__.py")).parent, root)
    return {module for module in found if module == top or module.startswith(top + ".")}


def modules(package: Path) -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports."""
    root = package.parent
    files = {module_name(path, root): path for path in package.rglob("*.py")}
    return {
        name: {m for m in imports(path, root) if m in files} - {name}
        for name, path in files.items()
    }


def layer(module: str) -> int | None:
    parts = module.split(".")
    if module in ABOVE_THE_LAYERS or len(parts) < 2:
        return None
    return LAYERS.index(parts[1])


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            mine, theirs = layer(module), layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"{module} imports {target} (layer {LAYERS[theirs]} > {LAYERS[mine]})")
    return wrong


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles, each once, found by depth-first search."""
    found, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_layers_import_only_downward():
    graph = modules(ROOT / "sim")
    assert layer("sim.model.deal") == LAYERS.index("model")
    assert set(graph) > {"sim.vocabulary", "sim.model.deal", "sim.views.trace", "sim.cli"}
    assert upward_imports(graph) == []


def test_no_module_imports_itself_in_a_circle():
    assert circles(modules(ROOT / "sim")) == []


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A tiny package with an upward import (inside a function) and a circle of two modules."""
    package = tmp_path / "sim"
    for folder in ("model", "views"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "model" / "deal.py").write_text(
        "from . import committee\n\ndef draw():\n    from ..views import trace\n"
    )
    (package / "model" / "committee.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .deal import Deal\n"
    )
    (package / "views" / "trace.py").write_text("from ..model.deal import draw\n")
    return package


def test_the_checks_catch_an_upward_import_and_a_circle(broken: Path):
    graph = modules(broken)
    assert upward_imports(graph) == [
        "sim.model.deal imports sim.views (layer views > model)",
        "sim.model.deal imports sim.views.trace (layer views > model)",
    ]
    assert sorted(circles(graph)) == [
        ["sim.model.committee", "sim.model.deal", "sim.model.committee"],
        ["sim.model.deal", "sim.views.trace", "sim.model.deal"],
    ]
