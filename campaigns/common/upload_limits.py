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
from typing import Any, Self

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

    def __init__(self, limit: str, maximum: int, value: int | None, message: str, where: str | None = None, **coded):
        super().__init__(message, fields={"file": message}, **coded)
        self.limit, self.maximum, self.value, self.where = limit, maximum, value, where

    @classmethod
    def broken(
        cls,
        limit: str,
        maximum: int,
        value: int | None,
        message_id: str,
        template: str,
        /,
        where: str | None = None,
        **params: Any,
    ) -> Self:
        """The limit `limit` broken, with an English `template` filled with `params` (see DomainError.coded)."""
        message = template % params
        return cls(limit, maximum, value, message, where, message_id=message_id, template=template, params=params)

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
        limit = _mb(limits.max_upload_bytes)
        if size is None:
            raise UploadTooLarge.broken(
                "max_upload_bytes",
                limits.max_upload_bytes,
                size,
                "import.file_too_large_unknown",
                "the file is too large: more than that; the limit is %(maximum)s (max_upload_bytes)",
                maximum=limit,
            )
        raise UploadTooLarge.broken(
            "max_upload_bytes",
            limits.max_upload_bytes,
            size,
            "import.file_too_large",
            "the file is too large: %(size)s; the limit is %(maximum)s (max_upload_bytes)",
            size=_mb(size),
            maximum=limit,
        )


def check_xlsx_archive(data: bytes, limits: ImportLimits) -> None:
    """Check an XLSX's declared sizes before inflating anything: the unpacked total and, for members above 1 MB,
    the packing ratio (a zip bomb packs hundreds of times smaller than any real sheet)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError.coded(
            "import.bad_xlsx", "the file cannot be read as an Excel .xlsx workbook (%(reason)s)", reason=exc
        ) from exc
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise LimitExceeded.broken(
            "max_unpacked_bytes",
            limits.max_unpacked_bytes,
            unpacked,
            "import.unpacked_too_large",
            "the workbook unpacks to %(size)s; the limit is %(maximum)s (max_unpacked_bytes): "
            "split it into smaller files",
            size=_mb(unpacked),
            maximum=_mb(limits.max_unpacked_bytes),
        )
    for member in members:
        if member.file_size <= RATIO_CHECKED_ABOVE_BYTES:
            continue
        ratio = member.file_size // max(member.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise LimitExceeded.broken(
                "max_compression_ratio",
                limits.max_compression_ratio,
                ratio,
                "import.compression_ratio",
                "%(member)s unpacks %(ratio)s times larger than it is packed; the limit is %(maximum)s "
                "(max_compression_ratio)",
                member=member.filename,
                ratio=f"{ratio:,}",
                maximum=limits.max_compression_ratio,
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
    cell = f"{column_name(column)}{row}"
    if length is None:
        return LimitExceeded.broken(
            "max_cell_chars",
            limits.max_cell_chars,
            length,
            "import.cell_too_long_unknown",
            "cell %(cell)s holds more characters than that; the limit is %(maximum)s (max_cell_chars)",
            where=cell,
            cell=cell,
            maximum=f"{limits.max_cell_chars:,}",
        )
    return LimitExceeded.broken(
        "max_cell_chars",
        limits.max_cell_chars,
        length,
        "import.cell_too_long",
        "cell %(cell)s holds %(length)s characters; the limit is %(maximum)s (max_cell_chars)",
        where=cell,
        cell=cell,
        length=f"{length:,}",
        maximum=f"{limits.max_cell_chars:,}",
    )


def too_many_columns(limits: ImportLimits, row: int, count: int) -> LimitExceeded:
    return LimitExceeded.broken(
        "max_columns",
        limits.max_columns,
        count,
        "import.too_many_columns",
        "row %(row)s has %(count)s columns; the limit is %(maximum)s (max_columns)",
        where=str(row),
        row=row,
        count=f"{count:,}",
        maximum=f"{limits.max_columns:,}",
    )


def limited_rows(rows: Iterable[tuple[int, list[str]]], limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    """Pass numbered rows through, trailing empty cells dropped, and stop with LimitExceeded at the first row,
    column or cell past the limits."""
    for number, cells in rows:
        if number > limits.max_rows:
            raise LimitExceeded.broken(
                "max_rows",
                limits.max_rows,
                number,
                "import.too_many_rows",
                "the file has more than %(maximum)s rows; the limit is %(maximum)s (max_rows): "
                "split it into smaller files",
                maximum=f"{limits.max_rows:,}",
            )
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.max_columns:
            raise too_many_columns(limits, number, len(cells))
        for column, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                raise cell_too_long(limits, number, column, len(cell))
        yield number, cells
