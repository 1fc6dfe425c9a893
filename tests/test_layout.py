"""The layout keeps its promises (docs/architecture.md): dependencies run one way, no
import loops, project imports at the top (but the aligner's numba, deferred), and small
functions. Read from the source with `ast`; nothing is imported."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"
# Lower layers first; a module may import from its own layer or below.
LAYERS = [
    ("pipeline.cli", 6),
    ("pipeline.__main__", 6),
    ("pipeline.commands", 5),
    ("pipeline.job", 4),
    ("pipeline.evaluation", 4),
    ("pipeline.corpus", 3),
    ("pipeline.document", 2),
    ("pipeline.translate", 1),
    ("pipeline.align", 1),
    ("pipeline", 0),
]
DEFERRED = ("pipeline.align",)  # numba: imported where the aligner runs
MAX_FUNCTION_LINES = 60
LONG_ALLOWED = {"pipeline/align/kernels.py"}  # numba kernels: one loop nest each


def layer(module: str) -> int:
    return next(level for prefix, level in LAYERS if module == prefix or module.startswith(prefix + "."))


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports() -> tuple[dict[str, set[str]], list[str]]:
    """Module → the project modules it imports; and the imports made inside functions."""
    names = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    inner = []
    for name, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_functions = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline")):
                continue
            subs = [a.name for a in node.names if f"{node.module}.{a.name}" in names]
            edges[name].update(f"{node.module}.{s}" for s in subs)
            if node.module in names and len(subs) < len(node.names) and node.module != name:
                edges[name].add(node.module)
            if id(node) in in_functions and not node.module.startswith(DEFERRED):
                inner.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}")
    return edges, inner


def test_dependencies_run_one_way():
    edges, _ = imports()
    upward = [f"{a} → {b}" for a, targets in edges.items() for b in targets if layer(b) > layer(a)]
    assert not upward, upward


def test_no_import_loops():
    edges, _ = imports()
    state: dict[str, int] = {}
    loops = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                loops.append(path[path.index(nxt):] + [nxt])
            elif not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in modules():
        if not state.get(module):
            visit(module, [module])
    assert not loops, loops


def test_project_imports_are_at_the_top():
    _, inner = imports()
    assert not inner, inner


def test_functions_are_small():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if str(path.relative_to(ROOT)) in LONG_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, long
