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


ROOT = TESTS.parent
MAX_MODULE_LINES = 400


def tracked_files() -> list[Path]:
    """The repository's own files (what a clone holds), without git: everything but the
    virtualenv, caches and generated output."""
    skip = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ruff_cache",
            ".mypy_cache", "test-artifacts", ".hypothesis", "build", "dist"}
    return [p for p in ROOT.rglob("*") if p.is_file()
            and not skip & set(p.relative_to(ROOT).parts)
            and not p.name.endswith((".egg-info", ".pyc", ".skops"))
            and p.suffix in (".py", ".md", ".toml", ".ipynb", ".txt", ".j2", ".cfg", "")]


def test_no_module_is_over_400_lines():
    """A module a reader can hold at once; a longer one has a second subject to move out."""
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "inboxcoach").rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_file_points_outside_the_repository():
    """A clone stands on its own: nothing a user or contributor needs is in a folder beside it."""
    outside = ("../" + "shared", "DESIGN" + ".md", "/work/" + "shared")
    found = {str(p.relative_to(ROOT)): word for p in tracked_files()
             for word in outside if word in p.read_text("utf-8", errors="replace")}
    assert found == {}
