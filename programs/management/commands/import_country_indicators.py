"""``python manage.py import_country_indicators FILE [--source "World Bank WDI"]``

Reads GDP (NY.GDP.MKTP.CD) and GDP growth (NY.GDP.MKTP.KD.ZG) from a World Bank WDI CSV in
the wide (API download) or narrow (DataBank) layout and keeps each country's most recent
value. Re-running updates in place. The work is done by ``programs.markets.services``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from programs.markets.services import SKIP_REASONS, ImportReport, country_indicators_import
from programs.markets.wdi import DEFAULT_SOURCE, WDIFormatError

# Codes listed per skip reason before "and N more".
_LIST_LIMIT = 40


def import_file(path: Path, *, source: str | None) -> ImportReport:
    """Import ``path`` (UTF-8, with or without a byte-order mark), read row by row; every
    problem with the file becomes a CommandError that says what to do."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return country_indicators_import(lines=handle, source=source)
    except FileNotFoundError:
        raise CommandError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a CSV file.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text; save the CSV as UTF-8 and try again.") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    except WDIFormatError as exc:
        raise CommandError(f"{path}: {exc}") from None
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None


def write_report(out: OutputWrapper, report: ImportReport, *, path: Path) -> None:
    out.write(f"Read {path} ({report.layout} layout); source recorded: {report.source!r}.")
    out.write(f"Created: {report.created}, updated: {report.updated}, unchanged: {report.unchanged}.")
    skipped = sum(len(entries) for entries in report.skipped.values())
    if skipped:
        out.write(f"Skipped {skipped}:")
        for reason, entries in report.skipped.items():
            shown = ", ".join(entries[:_LIST_LIMIT])
            more = f" and {len(entries) - _LIST_LIMIT} more" if len(entries) > _LIST_LIMIT else ""
            out.write(f"  {SKIP_REASONS[reason]} ({len(entries)}): {shown}{more}")
    if report.bad_lines:
        out.write(f"Bad lines skipped: {len(report.bad_lines)}")
        for bad in report.bad_lines:
            out.write(f"  line {bad.line}: {bad.reason}")
    if report.ignored_series:
        rows = sum(report.ignored_series.values())
        listed = ", ".join(f"{code} ({count})" for code, count in report.ignored_series.items())
        out.write(f"Rows of other series ignored: {rows}: {listed}")


class Command(BaseCommand):
    help = "Import GDP and real GDP growth per country from a World Bank WDI CSV file (wide or narrow layout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A WDI CSV: the API download (wide) or a DataBank export (narrow).")
        parser.add_argument(
            "--source",
            help=f"Recorded with every value (default: {DEFAULT_SOURCE!r}, or what the file's "
            "'Data Source' line says if that is not World Development Indicators).",
        )

    def handle(self, *args: Any, file: str, source: str | None, **options: Any) -> None:
        path = Path(file)
        report = import_file(path, source=source)
        write_report(self.stdout, report, path=path)
