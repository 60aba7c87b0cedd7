"""CSV output for every list and statistics endpoint, streamed so that no export sits in memory.

A list with ``?format=csv`` (or ``Accept: text/csv``) returns every filtered row, unpaginated,
written row by row from ``queryset.iterator(chunk_size=2000)`` through ``csv.writer`` into a
pseudo-buffer that hands each line straight to the response: 100,000 rows cost one chunk of
memory, not 100,000 objects.

Every CSV the project writes goes through ``csv_writer`` here, which makes the file safe to
open in a spreadsheet (OWASP's CSV-injection advice). Firms write their own names, websites
and texts, and a manager opens the export in Excel or LibreOffice, where a cell that starts
with ``=``, ``+``, ``-``, ``@`` (and ``|``, ``%`` for older Excel, a tab or a carriage return)
may be run as a formula — ``=HYPERLINK(...)`` leaks data with one click. Such a cell is written
with an apostrophe in front (``'=HYPERLINK(...)``), which spreadsheets read as "this is
text"; a ``|`` inside such a cell gets a backslash before it (``defusedcsv`` does both; the tab and
carriage return are added here). A reader who wants the exact text takes the apostrophe off,
or uses the JSON, which is never altered.

Plain numbers stay numbers, negative ones included: a cell that is only an optional minus,
digits, commas and dots (``-2.8``, ``-1,250``) cannot be a formula, and the agency's sheets
must be able to sum and sort a market's negative GDP growth. Numbers are therefore written
without an exponent (``0.00000133``, not ``1.33e-06``, which is no plain number and would
be quoted if negative). Anything else after a minus (``-1+2``, ``-A1``, a firm's narrative
``- met 12 buyers``) is text and gets the apostrophe.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from defusedcsv import csv as defused_csv
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer

CSV_MEDIA_TYPE = "text/csv"
CSV_CHUNK_SIZE = 2000
# Excel only reads a UTF-8 CSV as UTF-8 (Korean names!) when it starts with a byte-order mark;
# csv readers that expect one ("utf-8-sig") and pandas skip it.
BOM = "\ufeff"


class CSVRenderer(BaseRenderer):
    """Registered on list and statistics endpoints so that content negotiation (and the
    schema) know about ``text/csv``. The views stream CSV themselves; this ``render`` only
    serves the rare non-streamed case of a list of flat rows."""

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        rows: list[Mapping[str, Any]] = (
            list(data.get("results", [data])) if isinstance(data, Mapping) else list(data or [])
        )
        header = list(rows[0].keys()) if rows else []
        writer = csv_writer(_Echo())
        lines = [BOM + writer.writerow(header)] if header else []
        lines += [writer.writerow([csv_value(row.get(key)) for key in header]) for row in rows]
        return "".join(lines).encode(self.charset)


class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


# defusedcsv neutralises = + - @ | % at the start of a cell; OWASP names these two as well.
_ALSO_FORMULA_STARTS = ("\t", "\r")


class _SpreadsheetSafeWriter:
    """``defusedcsv``'s writer, with a cell that starts with a tab or a carriage return
    neutralised too (see the module docstring)."""

    def __init__(self, out: Any) -> None:
        self._writer = defused_csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(
            "'" + cell if isinstance(cell, str) and cell.startswith(_ALSO_FORMULA_STARTS) else cell for cell in row
        )


def csv_writer(out: Any) -> _SpreadsheetSafeWriter:
    """The only CSV writer the project uses: the ``csv`` module's, made safe for spreadsheets."""
    return _SpreadsheetSafeWriter(out)


def csv_value(value: Any) -> str:
    """One cell: empty for None, ISO 8601 for dates, ``;``-joined for lists, numbers without
    an exponent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        # repr is the shortest exact form; only its exponent goes (1.33e-06 → 0.00000133).
        return format(Decimal(text), "f") if "e" in text and math.isfinite(value) else text
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return ";".join(csv_value(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class CsvColumn:
    """A column of a list export: its header (a stable machine name, never translated) and
    how to read it from a row, as a dotted attribute path or a function of the row."""

    header: str
    source: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.source):
            return self.source(row)
        value = row
        for part in self.source.split("."):
            if value is None:
                return None
            value = getattr(value, part)
        return value


def stream_rows(*, header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> StreamingHttpResponse:
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_value(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_queryset(*, queryset: QuerySet[Model], columns: Sequence[CsvColumn], filename: str) -> StreamingHttpResponse:
    """Stream every row of ``queryset``; prefetches run once per chunk (Django ≥ 4.1)."""
    rows = ([column.read(obj) for column in columns] for obj in queryset.iterator(chunk_size=CSV_CHUNK_SIZE))
    return stream_rows(header=[column.header for column in columns], rows=rows, filename=filename)
