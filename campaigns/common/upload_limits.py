"""Limits on uploaded spreadsheets, checked before and while a file is read, so that no upload can make a process
read, inflate or keep more than the limits allow.

The upload's size is checked first. An XLSX is a zip: its central directory declares every member's packed and
unpacked size, and those are checked before anything is inflated (Python's zipfile never inflates a member past
its declared size: a member that lies fails its CRC check). Rows are then read one at a time (openpyxl read-only,
the csv module), and reading stops at the first row past the row limit, the first cell past the column limit or the
first cell longer than the cell limit. Each limit hit raises LimitExceeded naming the limit and the value found.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from campaigns.common.errors import ValidationError

MB = 1024 * 1024
RATIO_CHECKED_ABOVE_BYTES = MB


@dataclass(frozen=True)
class ImportLimits:
    """The largest upload, unpacked XLSX, packing ratio, row count, column count and cell an import accepts."""

    max_upload_bytes: int = 20 * MB
    max_unpacked_bytes: int = 200 * MB
    max_compression_ratio: int = 100
    max_rows: int = 200_000
    max_columns: int = 50
    max_cell_chars: int = 1000


DEFAULT_LIMITS = ImportLimits()


class LimitExceeded(ValidationError):
    """The file breaks one of the import limits: `limit` names it, `maximum` and `value` are the numbers, `where`
    the cell (B3) or row (12) when there is one."""

    code = "limit_exceeded"

    def __init__(self, limit: str, maximum: int, value: int | None, message: str, where: str | None = None):
        super().__init__(message, fields={"file": message})
        self.limit, self.maximum, self.value, self.where = limit, maximum, value, where

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "limit": self.limit,
            "max": self.maximum,
            "value": self.value,
            "where": self.where,
        }


class UploadTooLarge(LimitExceeded):
    """The upload is larger than max_upload_bytes (HTTP 413)."""

    code = "upload_too_large"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def check_upload_size(size: int | None, limits: ImportLimits) -> None:
    """Raise UploadTooLarge when `size` bytes (None: unknown, but over the limit) is more than the limit."""
    if size is None or size > limits.max_upload_bytes:
        found = "more than that" if size is None else _mb(size)
        raise UploadTooLarge(
            "max_upload_bytes",
            limits.max_upload_bytes,
            size,
            f"the file is too large: {found}; the limit is {_mb(limits.max_upload_bytes)} (max_upload_bytes)",
        )


def check_xlsx_archive(data: bytes, limits: ImportLimits) -> None:
    """Check an XLSX's declared sizes before inflating anything: the unpacked total and, for members above 1 MB,
    the packing ratio (a zip bomb packs hundreds of times smaller than any real sheet)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(f"the file cannot be read as an Excel .xlsx workbook ({exc})") from exc
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise LimitExceeded(
            "max_unpacked_bytes",
            limits.max_unpacked_bytes,
            unpacked,
            f"the workbook unpacks to {_mb(unpacked)}; the limit is {_mb(limits.max_unpacked_bytes)} "
            "(max_unpacked_bytes): split it into smaller files",
        )
    for member in members:
        if member.file_size <= RATIO_CHECKED_ABOVE_BYTES:
            continue
        ratio = member.file_size // max(member.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise LimitExceeded(
                "max_compression_ratio",
                limits.max_compression_ratio,
                ratio,
                f"{member.filename} unpacks {ratio:,} times larger than it is packed; the limit is "
                f"{limits.max_compression_ratio} (max_compression_ratio)",
            )


def column_name(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


def cell_too_long(limits: ImportLimits, row: int, column: int, length: int | None) -> LimitExceeded:
    found = "more characters than that" if length is None else f"{length:,} characters"
    return LimitExceeded(
        "max_cell_chars",
        limits.max_cell_chars,
        length,
        f"cell {column_name(column)}{row} holds {found}; the limit is {limits.max_cell_chars:,} (max_cell_chars)",
        where=f"{column_name(column)}{row}",
    )


def too_many_columns(limits: ImportLimits, row: int, count: int) -> LimitExceeded:
    return LimitExceeded(
        "max_columns",
        limits.max_columns,
        count,
        f"row {row} has {count:,} columns; the limit is {limits.max_columns:,} (max_columns)",
        where=str(row),
    )


def limited_rows(rows: Iterable[tuple[int, list[str]]], limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    """Pass numbered rows through, trailing empty cells dropped, and stop with LimitExceeded at the first row,
    column or cell past the limits."""
    for number, cells in rows:
        if number > limits.max_rows:
            raise LimitExceeded(
                "max_rows",
                limits.max_rows,
                number,
                f"the file has more than {limits.max_rows:,} rows; the limit is {limits.max_rows:,} (max_rows): "
                "split it into smaller files",
            )
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.max_columns:
            raise too_many_columns(limits, number, len(cells))
        for column, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                raise cell_too_long(limits, number, column, len(cell))
        yield number, cells
