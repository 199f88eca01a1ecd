"""Rules of the code base that no linter checks: no module logger that logs nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("conflict_atlas", "conflict_atlas_core", "dashboard", "evaluation", "extract",
            "geodata")
# A change to geodata/names.py names a new gazetteer index (its fingerprint hashes the
# file): its logger goes with the next real change there. The event-coding modules are
# being rewritten as a whole.
NOT_YET = {"geodata/names.py", "extract/events.py", "extract/actors.py", "extract/dates.py"}


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                  if str(p.relative_to(ROOT)) not in NOT_YET)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_logger_is_used(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defines = any(isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "logger" for t in node.targets) for node in tree.body)
    used = any(isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
               and node.value.id == "logger" for node in ast.walk(tree))
    assert used or not defines, "logger defined and never used: remove it (or log something)"


# --------------------------------------------------------------------------- import rules
# Every import counts, also one inside a function (a lazy import that closes a cycle is a
# cycle of the design all the same); an import under `if TYPE_CHECKING:` counts too.
FORBIDDEN = {
    # the base every package may import: the standard library only
    "conflict_atlas_core": ("streamlit", "dashboard", "conflict_atlas", "extract", "geodata",
                            "evaluation"),
    "extract": ("streamlit", "dashboard", "conflict_atlas"),
    "geodata": ("streamlit", "dashboard", "conflict_atlas", "extract", "evaluation"),
    # the product never special-cases a corpus: the evaluation imports it, not the reverse
    "evaluation": ("streamlit", "dashboard", "conflict_atlas"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The modules ``path`` imports: project modules by their full name (``from a import b``
    is ``a.b`` when that is a module), other libraries by their top-level name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package of this module
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in known else base)
    return out


def _graph() -> dict[str, set[str]]:
    paths = sorted(p for pkg in PACKAGES
                   for p in (ROOT / pkg).rglob("*.py"))
    known = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, known) for p in paths}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_it_may(package: str) -> None:
    bad = sorted(f"{module} imports {name}" for module, names in _graph().items()
                 if module.split(".")[0] == package for name in names
                 if name.split(".")[0] in FORBIDDEN[package])
    assert not bad, "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    graph = _graph()
    # A package's __init__ may gather its modules' names; a module importing its own
    # package's __init__ is no cycle of the design, so those edges are left out.
    graph = {m: {n for n in names if not (m.startswith(n + ".") and n in graph)}
             for m, names in graph.items()}
    assert not _cycles(graph), _cycles(graph)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
