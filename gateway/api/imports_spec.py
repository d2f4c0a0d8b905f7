"""The OpenAPI description of the import and export routes (gateway/api/imports.py)."""

from __future__ import annotations

from gateway.api.spec import error_responses, json_response, path_id

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COUNTS_EXAMPLE = {"total": 4, "created": 2, "updated": 1, "unchanged": 0, "rejected": 1}
REJECTED_EXAMPLE = {
    "row": 4,
    "reason": "unknown_grid",
    "error": "grid_code: unknown grid code 623025999",
    "values": ["卓玛", "13800000002", "623025999", "藏语"],
    "truncated": False,
}
LIMIT_EXAMPLE = {
    "error": {
        "code": "limit_exceeded",
        "message": "cell B3 holds 5,000 characters; the limit is 1,000 (max_cell_chars)",
        "limit": "max_cell_chars",
        "max": 1000,
        "value": 5000,
        "where": "B3",
        "fields": {"file": "cell B3 holds 5,000 characters; the limit is 1,000 (max_cell_chars)"},
    }
}
TOO_LARGE_EXAMPLE = {
    "error": {
        "code": "upload_too_large",
        "message": "the file is too large: 52.4 MB; the limit is 20.0 MB (max_upload_bytes)",
        "limit": "max_upload_bytes",
        "max": 20971520,
        "value": 54945997,
        "where": None,
        "fields": {"file": "the file is too large: 52.4 MB; the limit is 20.0 MB (max_upload_bytes)"},
    }
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
QUEUED_EXAMPLE = {
    **REPORT_EXAMPLE,
    "id": 8,
    "filename": "玛曲县联系人.xlsx",
    "status": "queued",
    "progress": {"done": 0, "total": 0},
    "counts": dict.fromkeys(COUNTS_EXAMPLE, 0),
    "rejected": [],
    "rejected_url": "/api/v1/imports/8/rejected.csv",
}
CONTACTS_CSV = "姓名,手机,网格编码,语言,标签\r\n才让,138 0000 0101,623025101201,藏语,herder\r\n"
GRIDS_CSV = "编码,名称,上级编码,层级\r\n623025101203,新村,623025101,村\r\n62302510120301,新村一组,623025101203,组\r\n"
REJECTED_CSV = "姓名,手机,网格编码,语言,error\r\n卓玛,13800000002,623025999,藏语,row 4: grid_code: no grid...\r\n"
EXPORT_CSV = (
    "name,phone,grid_code,grid_name,role,language,channels,households,tags,opted_out\r\n"
    '才让,+8613800000031,623025101201,秀玛村,grid_leader,bo,"sms,voice",1,herder,\r\n'
)

SCHEMAS = {
    "ImportUpload": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "a CSV (UTF-8, GB18030) or XLSX file"},
            "dry_run": {"type": "boolean", "description": "check and report only; write nothing but the report"},
        },
    },
    "ImportCounts": {
        "type": "object",
        "required": list(COUNTS_EXAMPLE),
        "properties": {name: {"type": "integer", "minimum": 0} for name in COUNTS_EXAMPLE},
    },
    "RejectedRow": {
        "type": "object",
        "required": ["row", "reason", "error", "values"],
        "properties": {
            "row": {"type": "integer", "description": "row number as the spreadsheet shows it (header = row 1)"},
            "reason": {"type": "string", "example": "bad_phone"},
            "error": {"type": "string"},
            "values": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the row's cells, each cut to 200 characters (ending in …); empty once a report "
                "holds 1,000,000 characters of them",
            },
            "truncated": {"type": "boolean", "description": "a cell was cut, or the cells were left out"},
        },
    },
    "ImportLimitError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "limit", "max", "value", "fields"],
                "properties": {
                    "code": {"type": "string", "enum": ["upload_too_large", "limit_exceeded"]},
                    "message": {"type": "string"},
                    "limit": {
                        "type": "string",
                        "enum": [
                            "max_upload_bytes",
                            "max_unpacked_bytes",
                            "max_compression_ratio",
                            "max_rows",
                            "max_columns",
                            "max_cell_chars",
                        ],
                    },
                    "max": {"type": "integer"},
                    "value": {"type": "integer", "nullable": True, "description": "what the file has (null: unknown)"},
                    "where": {"type": "string", "nullable": True, "description": "the cell (B3) or row (12)"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
    },
    "ImportReport": {
        "type": "object",
        "required": [*REPORT_EXAMPLE],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["grids", "contacts"]},
            "filename": {"type": "string"},
            "dry_run": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "status": {
                "type": "string",
                "enum": ["queued", "running", "done", "failed"],
                "description": "queued and running imports are run by a worker; poll this report until done or failed",
            },
            "progress": {
                "type": "object",
                "required": ["done", "total"],
                "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}},
                "description": "work done of the total (a contacts import counts each row twice: checked, then "
                "written); equal once done",
            },
            "error": {
                "type": "object",
                "nullable": True,
                "description": "why a failed import failed: code, message and, for a broken limit, limit, max, value",
            },
            "counts": {"$ref": "#/components/schemas/ImportCounts"},
            "rejected": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/RejectedRow"},
                "description": "the first 1000 rejected rows; all of them are in rejected_url",
            },
            "rejected_truncated": {"type": "boolean"},
            "rejected_url": {"type": "string", "description": "the rejected rows as CSV, with an `error` column"},
            "ignored_columns": {
                "type": "array",
                "items": {"type": "string"},
                "description": "columns of the file that were not read (only in the answer to an upload)",
            },
        },
    },
}

_REPORT = {"$ref": "#/components/schemas/ImportReport"}
_UPLOAD = {"$ref": "#/components/schemas/ImportUpload"}
_LIMIT_ERROR = {"$ref": "#/components/schemas/ImportLimitError"}
_REPORT_ID = path_id("report_id", "the import report's id")


def _upload_operation(operation_id: str, summary: str, sample: str, example: dict) -> dict:
    return {
        "tags": ["imports"],
        "operationId": operation_id,
        "summary": summary,
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": _UPLOAD, "example": {"file": sample, "dry_run": False}}},
        },
        "responses": {
            "201": json_response(
                "A small file, imported at once: the import report (saved, dry runs too)", _REPORT, example
            ),
            "202": json_response(
                "A larger file, stored and queued for a worker: the report to poll (Location)", _REPORT, QUEUED_EXAMPLE
            ),
            **error_responses(400, 403, 422),
            "413": json_response(
                "The file is larger than GRIDCAST_IMPORT_MAX_UPLOAD_MB", _LIMIT_ERROR, TOO_LARGE_EXAMPLE
            ),
            "422": json_response(
                "Invalid input, or a broken import limit (then `limit`, `max` and `value` say which)",
                {"anyOf": [{"$ref": "#/components/schemas/ErrorBody"}, _LIMIT_ERROR]},
                LIMIT_EXAMPLE,
            ),
        },
    }


def _csv_response(description: str, example: str) -> dict:
    return {"description": description, "content": {"text/csv": {"schema": {"type": "string"}, "example": example}}}


PATHS = {
    "/api/v1/grids/import": {
        "post": _upload_operation(
            "importGrids",
            "Import grids (code, name, parent_code, level; or 编码, 名称, 上级编码, 层级) from CSV or XLSX",
            GRIDS_CSV,
            {**REPORT_EXAMPLE, "kind": "grids", "rejected": [], "counts": {**COUNTS_EXAMPLE, "rejected": 0}},
        ),
    },
    "/api/v1/contacts/import": {
        "post": _upload_operation(
            "importContacts",
            "Import contacts (name, phone, grid_code, role, language, channels, households, tags; or 姓名, 手机...)",
            CONTACTS_CSV,
            REPORT_EXAMPLE,
        ),
    },
    "/api/v1/imports/{report_id}": {
        "parameters": [_REPORT_ID],
        "get": {
            "tags": ["imports"],
            "operationId": "getImport",
            "summary": "An import report with its status and progress (only its author, or an admin whose scope covers "
            "it)",
            "responses": {"200": json_response("The report", _REPORT, REPORT_EXAMPLE), **error_responses(404)},
        },
    },
    "/api/v1/imports/{report_id}/rejected.csv": {
        "parameters": [_REPORT_ID],
        "get": {
            "tags": ["imports"],
            "operationId": "getImportRejectedRows",
            "summary": "The rejected rows as CSV: the original columns plus `error`, to fix and import again",
            "responses": {
                "200": _csv_response("UTF-8 CSV with a BOM", REJECTED_CSV),
                **error_responses(404),
            },
        },
    },
}
