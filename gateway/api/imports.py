"""Import and export routes: upload grids or contacts as CSV/XLSX, fetch import reports and their rejected rows,
download contacts as CSV (streamed) or XLSX.

An upload above GRIDCAST_IMPORT_INLINE_MAX_KB is stored and imported by a worker: the answer is 202 with the
queued report, whose status and progress `GET /imports/<id>` shows. A smaller one is imported in the request
(201, the finished report). A file over the size limit is refused with 413 before it is read; any other broken
limit gives 422 naming the limit and the value.
"""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request, stream_with_context, url_for
from pydantic import Field

from campaigns.common.errors import ValidationError
from campaigns.common.upload_limits import LimitExceeded, UploadTooLarge
from campaigns.directory import contact_export
from campaigns.directory import import_reports as imports
from campaigns.models import ImportKind, ImportStatus
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.imports_spec import EXPORT_CSV, PATHS, SCHEMAS, XLSX_TYPE
from gateway.api.models.common import QueryId, QueryModel
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db
from gateway.web.uploads import read_upload, start_import

__all__ = ["PATHS", "SCHEMAS"]

CSV_TYPE = "text/csv; charset=utf-8"


def _upload() -> tuple[bytes, str, bool]:
    found = read_upload()
    if found is None:
        raise ValidationError("send the file as the multipart form field 'file'", fields={"file": "required"})
    raw = (request.form.get("dry_run") or "false").strip().lower()
    if raw not in ("true", "1", "yes", "false", "0", "no"):
        raise ValidationError("dry_run must be true or false", fields={"dry_run": "not a boolean"})
    data, filename = found
    return data, filename or "upload", raw in ("true", "1", "yes")


def _answer(report: dict):
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
def import_grids():
    return _answer(start_import(current_actor(), ImportKind.GRIDS, *_upload()))


@api.post("/contacts/import")
def import_contacts():
    return _answer(start_import(current_actor(), ImportKind.CONTACTS, *_upload()))


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
