"""Import and export routes: upload grids or contacts as CSV/XLSX, fetch import reports and their rejected rows,
download contacts as CSV (streamed) or XLSX.

An upload above GRIDCAST_IMPORT_INLINE_MAX_KB is stored and imported by a worker: the answer is 202 with the
queued report, whose status and progress `GET /imports/<id>` shows. A smaller one is imported in the request
(201, the finished report). A file over the size limit is refused with 413 before it is read; any other broken
limit gives 422 naming the limit and the value.
"""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, stream_with_context, url_for
from pydantic import Field

from campaigns.common.errors import ValidationError
from campaigns.common.upload_limits import LimitExceeded, UploadTooLarge
from campaigns.directory import contact_export
from campaigns.directory import import_reports as imports
from campaigns.models import ImportKind, ImportStatus
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.common import QueryId, QueryModel
from gateway.api.models.imports import (
    FinishedImport,
    GridImportUpload,
    ImportLimitError,
    ImportRefusal,
    ImportReport,
    ImportUpload,
    QueuedImport,
)
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db
from gateway.web.uploads import start_import

TAGS = ("imports",)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_ID = {"report_id": "the import report's id"}
REJECTED_CSV = "姓名,手机,网格编码,语言,error\r\n卓玛,13800000002,623025999,藏语,row 4: grid_code: no grid...\r\n"
EXPORT_CSV = (
    "name,phone,grid_code,grid_name,role,language,channels,households,tags,opted_out\r\n"
    '才让,+8613800000031,623025101201,秀玛村,grid_leader,bo,"sms,voice",1,herder,\r\n'
)
UPLOAD_ANSWERS = responses(
    (400, 403),
    HTTP_201=(FinishedImport, "A small file, imported at once: the import report (saved, dry runs too)"),
    HTTP_202=(QueuedImport, "A larger file, stored and queued for a worker: the report to poll (Location)"),
    HTTP_413=(ImportLimitError, "The file is larger than GRIDCAST_IMPORT_MAX_UPLOAD_MB"),
    HTTP_422=(ImportRefusal, "Invalid input, or a broken import limit (then `limit`, `max` and `value` say which)"),
)


def _start(kind: ImportKind):
    upload: ImportUpload = context().form
    filename = upload.file.filename or "upload"
    report = start_import(current_actor(), kind, upload.file.data, filename, upload.dry_run)
    report["rejected_url"] = url_for("api.rejected_rows_csv", report_id=report["id"])
    response = jsonify(report)
    response.status_code = 201 if report["status"] == ImportStatus.DONE else 202
    response.headers["Location"] = url_for("api.get_import", report_id=report["id"])
    return response


@api.errorhandler(LimitExceeded)
def limit_exceeded(exc: LimitExceeded):
    """A broken import limit: 413 for the upload's size, 422 for the others, naming the limit and the value."""
    response = jsonify({"error": {**exc.as_dict(), "fields": exc.fields}})
    response.status_code = 413 if isinstance(exc, UploadTooLarge) else 422
    return response


@api.post("/grids/import")
@validated(form=GridImportUpload, resp=UPLOAD_ANSWERS, tags=TAGS, operation_id="importGrids")
def import_grids():
    """Import grids (code, name, parent_code, level; or 编码, 名称, 上级编码, 层级) from CSV or XLSX"""
    return _start(ImportKind.GRIDS)


@api.post("/contacts/import")
@validated(form=ImportUpload, resp=UPLOAD_ANSWERS, tags=TAGS, operation_id="importContacts")
def import_contacts():
    """Import contacts (name, phone, grid_code, role, language, channels, households, tags; or 姓名, 手机...)"""
    return _start(ImportKind.CONTACTS)


@api.get(f"/imports/<{ID}:report_id>")
@validated(
    resp=responses((404,), HTTP_200=ImportReport),
    tags=TAGS,
    operation_id="getImport",
    path_parameter_descriptions=REPORT_ID,
)
def get_import(report_id: int):
    """An import report with its status and progress (only its author, or an admin whose scope covers it)"""
    report = imports.get_report(db(), current_actor(), report_id)
    report["rejected_url"] = url_for("api.rejected_rows_csv", report_id=report_id)
    return jsonify(report)


REJECTED = {"text/csv": {"schema": {"type": "string"}, "example": REJECTED_CSV}}


@api.get(f"/imports/<{ID}:report_id>/rejected.csv")
@validated(
    resp=responses((404,), HTTP_200=None),
    tags=TAGS,
    operation_id="getImportRejectedRows",
    path_parameter_descriptions=REPORT_ID,
    media={200: ("UTF-8 CSV with a BOM", REJECTED)},
)
def rejected_rows_csv(report_id: int):
    """The rejected rows as CSV: the original columns plus `error`, to fix and import again"""
    text = "".join(imports.rejected_csv(db(), current_actor(), report_id))
    disposition = f'attachment; filename="import-{report_id}-rejected.csv"'
    return Response(text, content_type=CSV_TYPE, headers={"Content-Disposition": disposition})


class ExportQuery(QueryModel):
    format: str = Field(default="csv", description="csv (default) or xlsx", examples=["csv"])
    grid_id: QueryId | None = Field(default=None, description="only this grid's subtree", examples=[2])
    role: str | None = Field(default=None, description="only this role", examples=["liaison"])
    language: str | None = Field(default=None, description="only this language", examples=["bo"])
    tag: str | None = Field(default=None, description="only contacts with this tag", examples=["herder"])
    opted_out: bool | None = Field(default=None, description="only opted-out (true) or reachable (false)")
    q: str | None = Field(default=None, description="name contains, or phone contains these digits")


EXPORTED = {
    "text/csv": {"schema": {"type": "string"}, "example": EXPORT_CSV},
    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


@api.get("/contacts/export")
@validated(
    query=ExportQuery,
    resp=responses((404, 422), HTTP_200=None),
    tags=("imports",),
    operation_id="exportContacts",
    media={200: ("The contacts, one per row, with the import's column names", EXPORTED)},
)
def export_contacts():
    """Download the contacts in your scope as CSV (streamed) or XLSX; cells are formula-safe"""
    query: ExportQuery = context().query
    export_format = query.format.strip().lower()
    if export_format not in contact_export.EXPORT_FORMATS:
        raise ValidationError("format must be csv or xlsx", fields={"format": "unknown"})
    filters = query.model_dump(exclude={"format"})
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
