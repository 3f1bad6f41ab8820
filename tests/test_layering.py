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
