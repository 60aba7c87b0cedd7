"""Compile ``locale/*/LC_MESSAGES/*.po`` to ``.mo`` in pure Python.

Django's ``compilemessages`` shells out to GNU ``msgfmt``, which a newcomer's laptop or a
slim container often lacks; ``make run`` and the Dockerfile call this command instead so
the only requirement stays Python. Like ``msgfmt --check-format`` it refuses a catalogue
whose translations drop or invent ``%(name)s`` placeholders, because such a string raises
``KeyError`` the first time a page renders it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# `%(name)s`-style and positional `%s`/`%d` conversions; `%%` is a literal percent sign.
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)


# A keyword line or a continuation line, each holding exactly one complete quoted string.
# polib accepts some broken lines (an unterminated string reads as empty); msgfmt does not.
_PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$')


def _syntax_errors(po_path: Path) -> list[str]:
    errors = []
    text = po_path.read_text(encoding="utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not _PO_LINE.match(line):
            errors.append(f"{po_path}:{number}: not a valid .po line: {line[:60]!r}")
    return errors


def _placeholders(text: str) -> list[str]:
    found = []
    for match in _PLACEHOLDER.finditer(text):
        if match.group("type") == "%":
            continue
        found.append(f"%({match.group('name')})" if match.group("name") is not None else "%")
    return sorted(found)


def _format_errors(catalogue: polib.POFile, po_path: Path) -> list[str]:
    """Placeholder mismatches in translated ``python-format`` entries, one line each."""
    errors = []
    for entry in catalogue.translated_entries():
        if "python-format" not in entry.flags:
            continue
        if entry.msgid_plural:
            # Plural forms may drop a positional count ("one file"), but never a named one.
            expected = {p for p in _placeholders(entry.msgid_plural) if p != "%"}
            translations = list(entry.msgstr_plural.values())
        else:
            expected = set(_placeholders(entry.msgid))
            translations = [entry.msgstr]
        for translation in translations:
            got = set(_placeholders(translation))
            if entry.msgid_plural:
                got.discard("%")
            if got != expected:
                errors.append(
                    f"{po_path}:{entry.linenum}: placeholders of {entry.msgid!r} are "
                    f"{sorted(expected)} but the translation has {sorted(got)}"
                )
    return errors


def _write_atomically(path: Path, data: bytes) -> None:
    # A running server may reload the catalogue at any moment; it must never see half a file.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po under LOCALE_PATHS to .mo without GNU gettext."
    # Like Django's compilemessages: catalogues do not depend on models, admin or URLs.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            default=[],
            help="Compile only this locale (e.g. ko). Repeatable. Default: every locale found.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: set[str] = set(options["locale"])
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        po_files = sorted(
            po
            for root in roots
            for po in root.glob("*/LC_MESSAGES/*.po")
            if not wanted or po.parent.parent.name in wanted
        )
        if not po_files:
            searched = ", ".join(str(r) for r in roots) or "(LOCALE_PATHS is empty)"
            self.stdout.write(f"No .po files under {searched}; nothing to compile.")
            return

        errors: list[str] = []
        compiled: list[tuple[Path, int, int]] = []
        for po_path in po_files:
            syntax = _syntax_errors(po_path)
            if syntax:
                errors.extend(syntax)
                continue
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                errors.append(f"{po_path}: cannot be read: {exc}")
                continue
            problems = _format_errors(catalogue, po_path)
            if problems:
                errors.extend(problems)
                continue
            mo_path = po_path.with_suffix(".mo")
            _write_atomically(mo_path, catalogue.to_binary())
            total = len([e for e in catalogue if not e.obsolete and e.msgid])
            compiled.append((mo_path, len(catalogue.translated_entries()), total))

        for mo_path, translated, total in compiled:
            self.stdout.write(f"Compiled {mo_path} ({translated}/{total} messages translated)")
        if errors:
            raise CommandError("Some catalogues were not compiled:\n" + "\n".join(errors))
