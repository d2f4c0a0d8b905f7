"""Import and export routes: upload grids or contacts as CSV/XLSX, fetch import reports and their rejected rows,
download contacts as CSV (streamed) or XLSX."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request, stream_with_context, url_for

from campaigns import contact_export, contact_import, grid_import, imports
from campaigns.errors import ValidationError
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, db, int_arg
from gateway.api.spec import error_responses, json_response, path_id, query_param
from gateway.app import current_runtime

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload() -> tuple[bytes, str, bool]:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as the multipart form field 'file'", fields={"file": "required"})
    raw = (request.form.get("dry_run") or "false").strip().lower()
    if raw not in ("true", "1", "yes", "false", "0", "no"):
        raise ValidationError("dry_run must be true or false", fields={"dry_run": "not a boolean"})
    return upload.read(), upload.filename or "upload", raw in ("true", "1", "yes")


def _created(report: dict):
    report["rejected_url"] = url_for("api.rejected_rows_csv", report_id=report["id"])
    response = jsonify(report)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_import", report_id=report["id"])
    return response


@api.post("/grids/import")
def import_grids():
    data, filename, dry_run = _upload()
    return _created(grid_import.import_grids(db(), current_actor(), data, filename, dry_run=dry_run))


@api.post("/contacts/import")
def import_contacts():
    data, filename, dry_run = _upload()
    region = current_runtime().settings.default_region
    return _created(
        contact_import.import_contacts(db(), current_actor(), data, filename, region=region, dry_run=dry_run)
    )


@api.get(f"/imports/<{ID}:report_id>")
def get_import(report_id: int):
    report = imports.get_report(db(), current_actor(), report_id)
    report["rejected_url"] = url_for("api.rejected_rows_csv", report_id=report_id)
    return jsonify(report)


@api.get(f"/imports/<{ID}:report_id>/rejected.csv")
def rejected_rows_csv(report_id: int):
    text = "".join(imports.rejected_csv(db(), current_actor(), report_id))
    disposition = f'attachment; filename="import-{report_id}-rejected.csv"'
    return Response(text, content_type=CSV_TYPE, headers={"Content-Disposition": disposition})


@api.get("/contacts/export")
def export_contacts():
    export_format = (request.args.get("format") or "csv").strip().lower()
    if export_format not in contact_export.EXPORT_FORMATS:
        raise ValidationError("format must be csv or xlsx", fields={"format": "unknown"})
    filters = {
        "grid_id": int_arg("grid_id"),
        "role": request.args.get("role"),
        "language": request.args.get("language"),
        "tag": request.args.get("tag"),
        "opted_out": bool_arg("opted_out"),
        "q": request.args.get("q"),
    }
    actor = current_actor()
    disposition = f'attachment; filename="contacts-{date.today():%Y%m%d}.{export_format}"'
    if export_format == "xlsx":
        data = contact_export.export_xlsx(db(), actor, **filters)
        return Response(data, content_type=XLSX_TYPE, headers={"Content-Disposition": disposition})
    contact_export.check_export(db(), actor, **filters)
    session_factory = current_runtime().session_factory

    def stream():
        session = session_factory()
        try:
            yield from contact_export.export_csv(session, actor, **filters)
        finally:
            session.close()

    return Response(stream_with_context(stream()), content_type=CSV_TYPE, headers={"Content-Disposition": disposition})


COUNTS_EXAMPLE = {"total": 4, "created": 2, "updated": 1, "unchanged": 0, "rejected": 1}
REJECTED_EXAMPLE = {
    "row": 4,
    "reason": "unknown_grid",
    "error": "grid_code: unknown grid code 623025999",
    "values": ["卓玛", "13800000002", "623025999", "藏语"],
}
REPORT_EXAMPLE = {
    "id": 7,
    "kind": "contacts",
    "filename": "齐哈玛镇联系人.xlsx",
    "dry_run": False,
    "created_at": "2024-03-01T08:30:00+00:00",
    "counts": COUNTS_EXAMPLE,
    "rejected": [REJECTED_EXAMPLE],
    "rejected_truncated": False,
    "rejected_url": "/api/v1/imports/7/rejected.csv",
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
            "values": {"type": "array", "items": {"type": "string"}, "description": "the row's original cells"},
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
            "201": json_response("The import report (saved, dry runs too)", _REPORT, example),
            **error_responses(400, 403, 422),
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
            "summary": "An import report (only its author, or an admin whose scope covers it)",
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
    "/api/v1/contacts/export": {
        "get": {
            "tags": ["imports"],
            "operationId": "exportContacts",
            "summary": "Download the contacts in your scope as CSV (streamed) or XLSX; cells are formula-safe",
            "parameters": [
                query_param("format", "csv (default) or xlsx", {"type": "string", "enum": ["csv", "xlsx"]}, "csv"),
                query_param("grid_id", "only this grid's subtree", {"type": "integer"}, 2),
                query_param("role", "only this role", {"type": "string"}, "liaison"),
                query_param("language", "only this language", {"type": "string"}, "bo"),
                query_param("tag", "only contacts with this tag", {"type": "string"}, "herder"),
                query_param("opted_out", "only opted-out (true) or reachable (false)", {"type": "boolean"}, False),
                query_param("q", "name contains, or phone contains these digits", {"type": "string"}),
            ],
            "responses": {
                "200": {
                    "description": "The contacts, one per row, with the import's column names",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}, "example": EXPORT_CSV},
                        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                **error_responses(404, 422),
            },
        },
    },
}
