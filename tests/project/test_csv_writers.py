"""Every CSV the project writes goes through ``sme_support.api.csv_export.csv_writer``, the
writer that neutralises formulas for spreadsheets (OWASP CSV injection). A module that writes
with the standard library's ``csv.writer`` or ``csv.DictWriter`` would bypass it; reading
CSV (the WDI import, the country list) is fine."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.project.test_import_structure import ROOT, _project_modules

UNSAFE = {"writer", "DictWriter"}


def _unsafe_writers(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            lines += [node.lineno for alias in node.names if alias.name in UNSAFE]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in UNSAFE
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_writes_csv_around_the_safe_writer() -> None:
    modules: list[Path] = [*_project_modules(), *(ROOT / "bench").rglob("*.py")]
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in modules for line in _unsafe_writers(path.read_text())]
    assert offenders == [], "Write CSV with sme_support.api.csv_export.csv_writer:\n" + "\n".join(offenders)


def test_the_check_finds_the_standard_writers() -> None:
    assert _unsafe_writers("import csv\nw = csv.writer(f)\nd = csv.DictWriter(f, [])\nr = csv.reader(f)") == [2, 3]
    assert _unsafe_writers("from csv import DictReader, writer") == [1]
    assert _unsafe_writers("from defusedcsv import csv as safe\nw = safe.writer(f)") == []
