"""The shape of the code base, checked: a rule a newcomer is told in the README holds."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_test_module_imports_another():
    """Shared builders live in tests/builders.py (and the server helpers beside it): renaming
    a test file must never break another one."""
    offenders = {
        path.name: sorted(m for m in imported_modules(path)
                          if m.startswith(("tests.test_", "tests.conftest")))
        for path in TESTS.glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
