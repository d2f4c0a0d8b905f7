"""Spreadsheets staff upload and download: CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16) and XLSX.

Rows keep the number the spreadsheet shows (the first line is row 1), so a rejected row can be found in the
original file. Headers are matched through aliases (English keys and the Chinese words offices use); title rows
above the header are skipped. Cells written back out are defused against spreadsheet formula injection.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._reader import WorkSheetParser

from campaigns.common.errors import ValidationError
from campaigns.common.upload_limits import (
    DEFAULT_LIMITS,
    ImportLimits,
    LimitExceeded,
    cell_too_long,
    check_upload_size,
    check_xlsx_archive,
    limited_rows,
    too_many_columns,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A cell starting with a field separator (Excel in many locales splits CSV at ";") or with the apostrophe that
# defuse adds is prefixed too, so that undefuse(defuse(value)) == value for every value.
QUOTED_PREFIXES = (*FORMULA_PREFIXES, ";", ",", "'")
E164_PATTERN = re.compile(r"\+\d{6,15}")
HEADER_SEARCH_ROWS = 10
ERROR_COLUMN = "error"
ERROR_ALIASES = ("error", "错误", "错误原因")

Row = tuple[int, list[str]]


@dataclass(frozen=True)
class Table:
    """A sheet after its header row was found: header cells, field -> column index, the columns nobody reads,
    and the data rows as (spreadsheet row number, cells padded to the header's width)."""

    headers: list[str]
    columns: dict[str, int]
    ignored: list[str]
    rows: list[Row]

    def get(self, cells: list[str], field: str) -> str | None:
        """The cell of `field`, or None when the file has no such column."""
        index = self.columns.get(field)
        return None if index is None else cells[index]


def defuse(value: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (or split into one at a leading `;`),
    and to a cell that already starts with an apostrophe; an E.164 phone stays as it is."""
    if value.startswith(QUOTED_PREFIXES) and not E164_PATTERN.fullmatch(value):
        return "'" + value
    return value


def undefuse(value: str) -> str:
    """Undo `defuse`, so that an exported or rejected file imports back to the same values."""
    if value.startswith("'") and value[1:].startswith(QUOTED_PREFIXES):
        return value[1:]
    return value


def cell_text(value: Any) -> str:
    """A cell as text: 13800000001.0 (an XLSX number) -> "13800000001", dates as ISO, None as ""."""
    if isinstance(value, str):
        return undefuse(value.strip())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: a BOM decides; otherwise UTF-8, and GB18030 (what Excel saves in China) when that fails."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8", data[len(codecs.BOM_UTF8) :])]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValidationError.coded(
        "import.unknown_encoding", "the file is neither UTF-8, UTF-16 nor GB18030 text, nor an .xlsx workbook"
    )


FIELD_LIMIT_MESSAGE = "field larger than field limit"


def _csv_rows(text: str, limits: ImportLimits) -> Iterator[Row]:
    sample = text[:10_000]
    delimiter = max(",\t;", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [cell_text(cell) for cell in cells]
    except csv.Error as exc:
        if FIELD_LIMIT_MESSAGE in str(exc):
            raise cell_too_long(limits, number + 1, 0, None) from exc
        raise ValidationError.coded("import.bad_csv", "the CSV file cannot be read: %(reason)s", reason=exc) from exc


def _sheet_rows(workbook, sheet, limits: ImportLimits) -> Iterator[Row]:
    """The first sheet's rows as openpyxl's read-only parser sees them: only the cells the file holds, so a lone
    cell in column XFD is counted, not padded out to 16,384 cells."""
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        expected = 1
        for number, cells in parser.parse():
            for missing in range(expected, number):
                yield missing, []
            expected = number + 1
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] not in (None, "")}
            width = max(values, default=0)
            if width > limits.max_columns:
                raise too_many_columns(limits, number, width)
            yield number, [cell_text(values.get(column)) for column in range(1, width + 1)]


def _xlsx_rows(data: bytes, limits: ImportLimits) -> Iterator[Row]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError.coded(
            "import.bad_xlsx", "the file cannot be read as an Excel .xlsx workbook (%(reason)s)", reason=exc
        ) from exc
    try:
        rows = _sheet_rows(workbook, workbook.worksheets[0], limits)
        while True:
            try:
                row = next(rows, None)
            except LimitExceeded:
                raise
            except Exception as exc:
                raise ValidationError.coded(
                    "import.bad_xlsx", "the file cannot be read as an Excel .xlsx workbook (%(reason)s)", reason=exc
                ) from exc
            if row is None:
                return
            yield row
    finally:
        workbook.close()


def is_xlsx(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def check_upload(data: bytes, filename: str, limits: ImportLimits) -> None:
    """What can be refused before reading a row: too large, empty, an old .xls, an XLSX whose declared sizes
    break the limits (LimitExceeded, UploadTooLarge or ValidationError)."""
    check_upload_size(len(data), limits)
    if not data.strip():
        raise ValidationError.coded("import.empty_file", "the file is empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError.coded(
            "import.old_xls",
            "%(filename)s is an old Excel .xls file: save it as .xlsx or CSV",
            filename=filename or "the file",
        )
    if is_xlsx(data):
        check_xlsx_archive(data, limits)


def iter_rows(data: bytes, filename: str = "", limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Row]:
    """The rows of a CSV or XLSX file (by content, not by name), numbered as the spreadsheet shows them, read one
    at a time and stopped with LimitExceeded at the first row, column or cell past `limits`."""
    check_upload(data, filename, limits)
    if is_xlsx(data):
        return limited_rows(_xlsx_rows(data, limits), limits)
    return limited_rows(_csv_rows(decode_text(data), limits), limits)


def read_rows(data: bytes, filename: str = "", limits: ImportLimits = DEFAULT_LIMITS) -> list[Row]:
    """Every row of a CSV or XLSX file within `limits` (see iter_rows)."""
    return list(iter_rows(data, filename, limits))


def header_key(text: str) -> str:
    """Normalize a header cell: 'Grid Code', 'grid-code*' and ' grid_code (必填)' all become 'grid_code'."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = re.sub(r"\(.*?\)|[*:：]", "", key).strip()
    return re.sub(r"[\s\-]+", "_", key)


def _alias_index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {header_key(alias): field for field, names in aliases.items() for alias in (field, *names)}
    index.update({header_key(alias): ERROR_COLUMN for alias in ERROR_ALIASES})
    return index


def _map_header(cells: list[str], index: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        field = index.get(header_key(cell))
        if field is None or field == ERROR_COLUMN:
            if cell:
                ignored.append(cell)
            continue
        if field in columns:
            first = cells[columns[field]]
            raise ValidationError.coded(
                "import.duplicate_column",
                "columns '%(first)s' and '%(cell)s' both hold %(field)s; keep one of them",
                first=first,
                cell=cell,
                field=field,
            )
        columns[field] = position
    return columns, ignored


def describe_columns(aliases: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{field} ({'/'.join(names)})" for field, names in aliases.items())


def read_table(
    data: bytes,
    filename: str,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    limits: ImportLimits = DEFAULT_LIMITS,
) -> Table:
    """Read a file and find its header: the first of the top rows that names every required column.

    Columns that match no alias are listed in `ignored` (an old `error` column of a rejects file too).
    Raises ValidationError naming the missing columns and the known ones when no row qualifies, LimitExceeded when
    the file breaks `limits`.
    """
    rows = [(number, cells) for number, cells in iter_rows(data, filename, limits) if any(cells)]
    if not rows:
        raise ValidationError.coded("import.no_rows", "the file has no rows")
    index = _alias_index(aliases)
    for header_position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, ignored = _map_header(cells, index)
        if all(field in columns for field in required):
            width = len(cells)
            body = [(number, (row + [""] * width)[:width]) for number, row in rows[header_position + 1 :]]
            return Table(headers=list(cells), columns=columns, ignored=ignored, rows=body)
    columns, _ignored = _map_header(rows[0][1], index)
    missing = [field for field in required if field not in columns]
    found = ", ".join(cell for cell in rows[0][1] if cell) or "nothing"
    raise ValidationError.coded(
        "import.missing_columns",
        "missing columns: %(missing)s. The first row holds: %(found)s. Known columns: %(aliases)s",
        fields={field: "missing column" for field in missing},
        missing=missing,
        found=found,
        aliases=describe_columns(aliases),
    )


def csv_chunks(rows: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text for `rows` (header first), in chunks for streaming; UTF-8 with a BOM so Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow([defuse(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(rows: Iterable[list[str]], title: str = "Sheet1") -> bytes:
    """An XLSX workbook of `rows` where every value is a defused string cell (never a formula or a number)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=defuse(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
