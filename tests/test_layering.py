"""Each package imports only the packages below it (shared/reference/style.md §2)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "pixtask"
ALLOWED = {
    "core": {"core"},
    "tasks": {"core", "tasks"},
    "models": {"core", "models"},
    "instructions": {"core", "instructions"},
    "data": {"core", "tasks", "instructions", "models", "data"},  # token folders encode with the VQ model
    "evaluation": {"core", "tasks", "instructions", "data", "evaluation"},
    "viz": {"core", "data", "viz"},
    "pipelines": {"core", "models", "pipelines"},
    "training": {"core", "tasks", "data", "models", "evaluation", "viz", "training"},
    "studies": {
        "core",
        "tasks",
        "instructions",
        "data",
        "models",
        "evaluation",
        "pipelines",
        "training",
        "viz",
        "studies",
    },
}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "pixtask" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_packages_respect_the_layers():
    violations = []
    for package, allowed in ALLOWED.items():
        for path in (SRC / package).rglob("*.py"):
            extra = _imported_packages(path) - allowed
            if extra:
                violations.append(f"{path.relative_to(SRC)} imports {sorted(extra)}")
    assert not violations, violations


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _module_imports(path: Path, modules: set[str]) -> set[str]:
    """The pixtask modules ``path`` imports, at module level or inside functions alike."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pixtask"):
            for alias in node.names:  # `from pixtask.x import y` names module x.y when it is one
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pixtask")}
    return found & modules


def import_cycles() -> list[list[str]]:
    """Groups of modules that import each other (strongly connected, Tarjan's algorithm)."""
    paths = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {m: _module_imports(p, set(paths)) - {m} for m, p in paths.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return cycles


def test_no_modules_import_each_other_in_a_loop():
    """Apart from the task families registering themselves with the registry they import."""
    allowed = {m for m in (_module_name(p) for p in SRC.rglob("*.py")) if m.startswith("pixtask.tasks")}
    loops = [group for group in import_cycles() if not set(group) <= allowed]
    assert not loops, loops
