"""File builders: CSV and XLSX, streamed, memory flat whatever the size.

Both take an SQLAlchemy ``Connection`` and a ``Select`` (see ``app.reports.query``) and write to a file; the
background job calls them, and so does ``benchmarks/export.py``.

CSV: the database formats every value (``Column.as_text``), so on PostgreSQL the rows come straight from
``COPY (SELECT ...) TO STDOUT WITH CSV`` and on SQLite from the bare DB-API cursor into ``csv.writer``.
XLSX: openpyxl in write-only mode with typed cells, fed by a server-side cursor (``stream_results``); data rows
are serialised by ``_RawRowsWriter``.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as _ILLEGAL
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from app.labels import label_of
from app.reports.columns import BOOL, DATETIME, DECIMAL, ENUM, MONEY, TEXT, Column
from app.reports.columns import converters as column_converters

Progress = Callable[[int], None]
CHUNK = 5000
XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header
# PostgreSQL's COPY ends lines with \n (and quotes any field holding \r or \n). Python's csv module only quotes
# a field holding a character of its line terminator, so the cursor path keeps RFC 4180's \r\n: a lone \r
# inside a value is then quoted too. Both files read back the same.
COPY_LINE_END, CSV_LINE_END = "\n", "\r\n"
_NUMBER_FORMATS = {MONEY: "#,##0.00", DECIMAL: "0.00", DATETIME: "yyyy-mm-dd hh:mm:ss"}
_TEXT_KINDS = (TEXT, ENUM)


def _noop(_rows: int) -> None:
    pass


# --- CSV -----------------------------------------------------------------------------------------

def write_csv(conn: sa.Connection, stmt: sa.Select, labels: Sequence[str], out: BinaryIO, *, bom: bool = False,
              progress: Progress = _noop) -> int:
    """Header + rows of ``stmt`` (text columns, see ``Column.as_text``) as UTF-8 CSV; returns the row count."""
    if bom:
        out.write("\ufeff".encode())
    copy = conn.dialect.name == "postgresql"
    header = io.StringIO()
    csv.writer(header, lineterminator=COPY_LINE_END if copy else CSV_LINE_END).writerow(labels)
    out.write(header.getvalue().encode())
    if copy:
        return _copy_csv(conn, stmt, out, progress)
    return _cursor_csv(conn, stmt, out, progress)


def literal_sql(stmt: sa.Select, dialect: sa.Dialect) -> str:
    """``stmt`` as one SQL string with its values inlined, for ``COPY`` (which takes no bound parameters).

    Rendered by SQLAlchemy's own literal rendering for this server (quotes doubled, backslashes as the
    server's ``standard_conforming_strings`` wants them), with a ``named`` paramstyle so ``%`` is not
    doubled for a driver that will never see parameters. The values come from ``parse_order_filter``
    (typed: enums, ints, dates, Decimals) plus the search text, which is tested with quotes, backslashes,
    ``%`` and ``_`` in tests/test_reports_files.py.
    """
    named = type(dialect)(paramstyle="named")
    named._backslash_escapes = getattr(dialect, "_backslash_escapes", True)
    named.server_version_info = dialect.server_version_info
    return str(stmt.compile(dialect=named, compile_kwargs={"literal_binds": True}))


def _copy_csv(conn: sa.Connection, stmt: sa.Select, out: BinaryIO, progress: Progress) -> int:
    sql = f"COPY ({literal_sql(stmt, conn.dialect)}) TO STDOUT WITH (FORMAT csv)"
    raw = conn.connection.driver_connection  # psycopg 3
    n = 0
    write = out.write
    with raw.cursor() as cur:
        with cur.copy(sql) as copy:
            for data in copy:  # one row per item
                write(data)
                n += 1
                if not n % CHUNK:
                    progress(n)
        n = cur.rowcount if cur.rowcount >= 0 else n
    progress(n)
    return n


def _cursor_csv(conn: sa.Connection, stmt: sa.Select, out: BinaryIO, progress: Progress) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    writer = csv.writer(text, lineterminator=CSV_LINE_END)
    # No stream_results here: it could make SQLAlchemy pre-buffer rows we then read past. The SQLite cursor
    # steps lazily anyway.
    result = conn.execute(stmt)
    cur = result.cursor  # the DB-API cursor: values are already text, no per-row processing needed
    n = 0
    try:
        while rows := cur.fetchmany(CHUNK):
            writer.writerows(rows)
            n += len(rows)
            progress(n)
    finally:
        result.close()
        text.flush()
        text.detach()
    progress(n)
    return n


# --- XLSX ----------------------------------------------------------------------------------------

def write_xlsx(conn: sa.Connection, stmt: sa.Select, columns: Sequence[Column], path, *,
               totals: dict | None = None, sheet_title: str = "Orders", progress: Progress = _noop,
               zone: ZoneInfo | None = None) -> int:
    """Typed cells, bold frozen header with autofilter, column widths, and a "Totals" sheet. Times are local
    to ``zone`` (the shop's by default), named in their header."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    for i, c in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    ws._writer = writer = _RawRowsWriter(ws, columns)  # before the first append, which would make its own
    writer.write_top()
    ws.append([_cell(ws, c.heading(zone), font=bold) for c in columns])
    writer.raw_rows()
    converters = column_converters(columns, zone)
    n = 0
    try:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(stmt)
        try:
            for rows in result.partitions():
                if n + len(rows) > XLSX_MAX_ROWS:
                    raise ValueError(f"Excel sheets hold at most {XLSX_MAX_ROWS:,} rows; export CSV instead.")
                for row in rows:
                    ws.append([conv(v) for conv, v in zip(converters, row)])
                n += len(rows)
                progress(n)
        finally:
            result.close()
        writer.flush_rows()
        last = get_column_letter(max(len(columns), 1))
        ws.auto_filter.ref = f"A1:{last}{n + 1}"
        if totals is not None:
            _totals_sheet(wb, totals, bold)
        wb.save(path)
    except BaseException:
        for close in (ws.close, writer.close):  # end the sheet's generators now, not at garbage collection
            try:
                close()
            except Exception:  # noqa: BLE001 - the sheet is abandoned anyway
                pass
        Path(writer.out).unlink(missing_ok=True)  # openpyxl's temporary sheet file
        raise
    progress(n)
    return n


class _RawRowsWriter(WorksheetWriter):
    """openpyxl's write-only sheet writer, except that data rows are serialised as plain strings.

    openpyxl builds a ``Cell`` and an lxml element context per value; here a row is one f-string, written to the
    same file between lxml's own output (``xf.flush()`` keeps the order). That halves the CPU time of an XLSX
    export (133 → 57 µs a row of 16 columns, reading included).
    Everything else (header, styles, widths, frozen pane, autofilter, the zip) is openpyxl's write-only
    workbook. The XML is what openpyxl writes: inline strings, numbers, Excel serial dates with a date style,
    booleans. Relies on openpyxl 3.1's ``WorksheetWriter`` (pinned in requirements.txt); the files are read
    back with openpyxl in tests/test_reports_files.py."""

    BATCH = 500

    def __init__(self, ws, columns: Sequence[Column]):
        self._pending: list[str] = []
        self._file = self._xf = None
        epoch = ws.parent.epoch
        self._to_excel = lambda v: repr(to_excel(v, epoch))
        self._spec = []
        for i, c in enumerate(columns, 1):
            style = (f' s="{_cell(ws, None, number_format=_NUMBER_FORMATS[c.kind]).style_id}"'
                     if c.kind in _NUMBER_FORMATS else "")
            self._spec.append((get_column_letter(i), c.kind, style))
        super().__init__(ws)

    def get_stream(self):  # as WorksheetWriter.get_stream, on a file object this class also writes to
        with open(self.out, "wb") as fh, xmlfile(fh) as xf:
            self._file, self._xf = fh, xf
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        el = (yield)
                        if el is True:
                            yield xf
                        elif el is not None:
                            xf.write(el)
                except GeneratorExit:
                    pass

    def raw_rows(self) -> None:
        """From now on ``ws.append`` takes plain converted values (see CONVERTERS), one per column."""
        self.ws._values_to_row = lambda values, _row_idx: values
        self.write_row = self._write_raw_row

    def _write_raw_row(self, _xf, values, row_idx) -> None:
        r = str(row_idx)
        parts = [f'<row r="{r}">']
        for (letter, kind, style), v in zip(self._spec, values):
            if v is None:
                continue
            if kind in _TEXT_KINDS:
                v = _ILLEGAL.sub("", v)
                space = ' xml:space="preserve"' if v != v.strip() else ""
                parts.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t{space}>{_xml_text(v)}</t></is></c>')
            elif kind == DATETIME:
                parts.append(f'<c r="{letter}{r}"{style} t="n"><v>{self._to_excel(v)}</v></c>')
            elif kind == BOOL:
                parts.append(f'<c r="{letter}{r}"{style} t="b"><v>{1 if v else 0}</v></c>')
            else:
                parts.append(f'<c r="{letter}{r}"{style} t="n"><v>{v}</v></c>')
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= self.BATCH:
            self.flush_rows()

    def flush_rows(self) -> None:
        """Write the pending rows; must run before the sheet is closed (``write_xlsx`` does)."""
        if self._pending:
            self._xf.flush()
            self._file.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


def _xml_text(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _cell(ws, value, *, font=None, number_format=None):
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _totals_sheet(wb: Workbook, totals: dict, bold: Font) -> None:
    """``totals``: {"shape": ..., "status": [(key, currency, rows, qty, amount)], "channel": [...]}."""
    ws = wb.create_sheet("Totals")
    lines = totals.get("shape") == "lines"
    for i, width in enumerate((22, 10, 12, 12, 16), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    money = lambda v: _cell(ws, v, number_format="#,##0.00")  # noqa: E731
    head = ["Currency", "Lines", "Quantity", "Line total"] if lines else ["Currency", "Orders", "Total"]
    grand: dict[str, list] = {}
    for by, title in (("status", "Item status" if lines else "Status"), ("channel", "Channel")):
        ws.append([_cell(ws, f"Totals by {by}", font=bold)])
        ws.append([_cell(ws, h, font=bold) for h in [title, *head]])
        for key, currency, rows, qty, amount in totals[by]:
            amount = amount if amount is not None else Decimal("0.00")
            ws.append([label_of(key), currency, rows, *([qty or 0] if lines else []), money(amount)])
            if by == "status":
                g = grand.setdefault(currency, [0, 0, Decimal("0.00")])
                g[0], g[1], g[2] = g[0] + rows, g[1] + (qty or 0), g[2] + amount
        ws.append([])
    ws.append([_cell(ws, "All", font=bold)])
    ws.append([_cell(ws, h, font=bold) for h in ["", *head]])
    for currency, (rows, qty, amount) in sorted(grand.items()):
        ws.append(["All", currency, rows, *([qty] if lines else []), money(amount)])


__all__ = ["write_csv", "write_xlsx", "literal_sql", "XLSX_MAX_ROWS"]
