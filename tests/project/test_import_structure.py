"""The import graph of the project's code is acyclic and layered without tricks.

import-linter (``make lint``, ``.importlinter``) checks the layers and the app order. What it
cannot see as a trick is an import tucked inside a function to dodge a cycle: it counts the
import wherever it stands. This test finds them. Allowed: imports under ``if TYPE_CHECKING``
(they never run) and in ``AppConfig.ready`` (Django loads models only once every app is
registered, so that is where an app registers its hooks with another).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sme_support", "notifications", "firms", "programs", "applications", "reviews", "portal", "demo")


def _project_modules() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
    )


class _LocalImports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self._functions: list[str] = []
        self._classes: list[ast.ClassDef] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._classes.append(node)
        self.generic_visit(node)
        self._classes.pop()

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _in_app_config_ready(self) -> bool:
        if self._functions != ["ready"] or not self._classes:
            return False
        return any(isinstance(base, ast.Name) and base.id == "AppConfig" for base in self._classes[-1].bases)

    def _visit_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self._functions and not self._in_app_config_ready():
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            self.found.append((node.lineno, f"{'.'.join(self._functions)}: import of {module}"))

    visit_Import = _visit_import
    visit_ImportFrom = _visit_import


def test_no_function_local_imports_in_project_code() -> None:
    offenders = []
    for path in _project_modules():
        visitor = _LocalImports()
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        offenders += [f"{path.relative_to(ROOT)}:{line} {what}" for line, what in visitor.found]
    assert offenders == [], "Imports inside functions (move them to the top of the module):\n" + "\n".join(offenders)


def test_the_checker_finds_a_local_import_and_allows_the_exceptions() -> None:
    source = """
from typing import TYPE_CHECKING
from django.apps import AppConfig
if TYPE_CHECKING:
    from a import b
def f():
    from x import y
class C(AppConfig):
    def ready(self):
        from z import w
class D:
    def ready(self):
        from q import r
"""
    visitor = _LocalImports()
    visitor.visit(ast.parse(source))
    assert [what for _, what in visitor.found] == ["f: import of x", "ready: import of q"]
