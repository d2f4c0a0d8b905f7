"""Grid and contact imports: the multipart upload, the import report (finished at once, or queued for a worker and
polled for its progress), and the errors of a file that breaks an import limit."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, NonNegativeInt

from campaigns.common.upload_limits import ImportLimits
from campaigns.models import ImportKind, ImportStatus
from gateway.api.models.common import CodedMessage, ErrorDetail, FormBool, FormFile, example

CONTACTS_CSV = "姓名,手机,网格编码,语言,标签\r\n才让,138 0000 0101,623025101201,藏语,herder\r\n"
GRIDS_CSV = "编码,名称,上级编码,层级\r\n623025101203,新村,623025101,村\r\n62302510120301,新村一组,623025101203,组\r\n"
COUNTS_EXAMPLE = {"total": 4, "created": 2, "updated": 1, "unchanged": 0, "rejected": 1}
REJECTED_EXAMPLE = {
    "row": 4,
    "reason": "unknown_grid",
    "error": "grid_code: unknown grid code 623025999",
    "values": ["卓玛", "13800000002", "623025999", "藏语"],
    "truncated": False,
    "details": [
        {
            "message_id": "import.field_problem",
            "template": "%(field)s: %(problem)s",
            "params": {
                "field": "grid_code",
                "problem": {
                    "message_id": "import.unknown_grid",
                    "template": "unknown grid code %(code)s",
                    "params": {"code": "623025999"},
                },
            },
        }
    ],
}
REPORT_EXAMPLE = {
    "id": 7,
    "kind": "contacts",
    "filename": "齐哈玛镇联系人.xlsx",
    "dry_run": False,
    "created_at": "2024-03-01T08:30:00+00:00",
    "status": "done",
    "progress": {"done": 8, "total": 8},
    "error": None,
    "counts": COUNTS_EXAMPLE,
    "rejected": [REJECTED_EXAMPLE],
    "rejected_truncated": False,
    "rejected_url": "/api/v1/imports/7/rejected.csv",
}
UPLOAD_ANSWER_EXAMPLE = {**REPORT_EXAMPLE, "ignored_columns": ["备注"]}
QUEUED_EXAMPLE = {
    **REPORT_EXAMPLE,
    "id": 8,
    "filename": "玛曲县联系人.xlsx",
    "status": "queued",
    "progress": {"done": 0, "total": 0},
    "counts": dict.fromkeys(COUNTS_EXAMPLE, 0),
    "rejected": [],
    "rejected_url": "/api/v1/imports/8/rejected.csv",
    "ignored_columns": [],
}
LIMIT_MESSAGE = "cell B3 holds 5,000 characters; the limit is 1,000 (max_cell_chars)"
TOO_LARGE_MESSAGE = "the file is too large: 52.4 MB; the limit is 20.0 MB (max_upload_bytes)"
LIMIT_DETAIL_EXAMPLE = {
    "code": "limit_exceeded",
    "message": LIMIT_MESSAGE,
    "limit": "max_cell_chars",
    "max": 1000,
    "value": 5000,
    "where": "B3",
    "fields": {"file": LIMIT_MESSAGE},
}
TOO_LARGE_EXAMPLE = {
    "code": "upload_too_large",
    "message": TOO_LARGE_MESSAGE,
    "limit": "max_upload_bytes",
    "max": 20971520,
    "value": 54945997,
    "where": None,
    "fields": {"file": TOO_LARGE_MESSAGE},
}

ImportLimit = Literal[tuple(limit.name for limit in fields(ImportLimits))]  # type: ignore[misc]


class ImportUpload(BaseModel):
    """A spreadsheet to import, as a multipart form."""

    model_config = example({"file": CONTACTS_CSV, "dry_run": False})

    file: FormFile = Field(description="a CSV (UTF-8, GB18030) or XLSX file")
    dry_run: FormBool = Field(
        default=False, description="check and report only; write nothing but the report (true/false, 1/0, yes/no)"
    )


class GridImportUpload(ImportUpload):
    """A spreadsheet of grids to import, as a multipart form."""

    model_config = example({"file": GRIDS_CSV, "dry_run": False})


class ImportCounts(BaseModel):
    total: NonNegativeInt
    created: NonNegativeInt
    updated: NonNegativeInt
    unchanged: NonNegativeInt
    rejected: NonNegativeInt


class RejectedRow(BaseModel):
    row: int = Field(description="row number as the spreadsheet shows it (header = row 1)")
    reason: str = Field(examples=["bad_phone"])
    error: str
    values: list[str] = Field(
        description="the row's cells, each cut to 200 characters (ending in …); empty once a report holds "
        "1,000,000 characters of them"
    )
    truncated: bool = Field(default=False, description="a cell was cut, or the cells were left out")
    details: list[CodedMessage] = Field(
        default_factory=list,
        description="each problem of the row as a message id, its English template and parameters, to show it in "
        "another language; empty when they would quote a long cell",
    )


class ImportProgress(BaseModel):
    """Work done of the total (a contacts import counts each row twice: checked, then written); equal once done."""

    done: int
    total: int


class ImportFailure(BaseModel):
    """Why a failed import failed: a broken limit (`limit`, `max`, `value`, `where`), a coded domain error
    (`message_id`, `template`, `params`), or an unexpected error (`server_error`, logged)."""

    code: str = Field(examples=["limit_exceeded"])
    message: str
    limit: ImportLimit | None = None
    max: int | None = None
    value: int | None = None
    where: str | None = None
    message_id: str | None = None
    template: str | None = None
    plural: str | None = None
    params: dict[str, Any] | None = None


class ImportReport(BaseModel):
    """An import's report: its status and progress while a worker runs it, then its counts and rejected rows."""

    model_config = example(REPORT_EXAMPLE)

    id: int
    kind: ImportKind
    filename: str
    dry_run: bool
    created_at: datetime
    status: ImportStatus = Field(
        description="queued and running imports are run by a worker; poll this report until done or failed"
    )
    progress: ImportProgress
    error: ImportFailure | None
    counts: ImportCounts
    rejected: list[RejectedRow] = Field(description="the first 1000 rejected rows; all of them are in rejected_url")
    rejected_truncated: bool
    rejected_url: str = Field(description="the rejected rows as CSV, with an `error` column")
    ignored_columns: list[str] | None = Field(
        default=None, description="columns of the file that were not read (only in the answer to an upload)"
    )


class FinishedImport(ImportReport):
    """The report of a small file, imported in the request (saved, dry runs too)."""

    model_config = example(UPLOAD_ANSWER_EXAMPLE)


class QueuedImport(ImportReport):
    """The report of a larger file, stored and queued for a worker: poll it (Location) for status and progress."""

    model_config = example(QUEUED_EXAMPLE)


class ImportLimitDetail(BaseModel):
    code: Literal["upload_too_large", "limit_exceeded"]
    message: str
    limit: ImportLimit
    max: int
    value: int | None = Field(description="what the file has (null: unknown)")
    where: str | None = Field(description="the cell (B3) or row (12)")
    fields: dict[str, str]


class ImportLimitError(BaseModel):
    """A file over GRIDCAST_IMPORT_MAX_UPLOAD_MB, refused before it is read."""

    model_config = example({"error": TOO_LARGE_EXAMPLE})

    error: ImportLimitDetail


class ImportRefusalDetail(ErrorDetail):
    limit: ImportLimit | None = Field(default=None, description="the broken import limit, if that is why")
    max: int | None = None
    value: int | None = Field(default=None, description="what the file has (null: unknown)")
    where: str | None = Field(default=None, description="the cell (B3) or row (12)")


class ImportRefusal(BaseModel):
    """Invalid input, or a broken import limit (then `limit`, `max` and `value` say which)."""

    model_config = example({"error": LIMIT_DETAIL_EXAMPLE})

    error: ImportRefusalDetail
