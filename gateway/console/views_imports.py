"""The console's import progress: a queued import's page with a progress bar that console.js keeps up to date from
a small JSON status route, and the import limits as messages in the console's language (413 for a file over the
size limit, before its body is read)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from campaigns.common.upload_limits import MB
from campaigns.directory import import_reports as imports
from campaigns.models import ImportStatus
from gateway.console import console
from gateway.console.web import _, current_actor, http_error, service_text
from gateway.runtime import current_runtime
from gateway.web.session import db
from gateway.web.uploads import FORM_OVERHEAD_BYTES

UPLOAD_ENDPOINTS = {"console.import_submit"}


def limit_message(error: dict[str, Any]) -> str:
    """A broken import limit (LimitExceeded.as_dict(), or a failed import's stored error) in the page's language;
    any other error is the service's message, translated where the console knows it."""
    limit, maximum, value, where = error.get("limit"), error.get("max"), error.get("value"), error.get("where")
    if limit == "max_upload_bytes":
        size = f"{value / MB:,.1f} MB" if value else _("more than that")
        return _("The file is too large: {size}. The limit is {limit} MB.", size=size, limit=f"{maximum / MB:,.0f}")
    if limit == "max_unpacked_bytes":
        size, limit_mb = f"{value / MB:,.0f}", f"{maximum / MB:,.0f}"
        return _("The workbook unpacks to {size} MB; the limit is {limit} MB.", size=size, limit=limit_mb)
    if limit == "max_compression_ratio":
        return _("The workbook packs {value} to 1; the limit is {limit}.", value=value, limit=maximum)
    if limit == "max_rows":
        return _("The file has more than {limit} rows. Split it into smaller files.", limit=f"{maximum:,}")
    if limit == "max_columns":
        return _("Row {row} has {value} columns; the limit is {limit}.", row=where, value=value, limit=maximum)
    if limit == "max_cell_chars":
        if value is None:
            return _("Cell {cell} is longer than {limit} characters.", cell=where, limit=f"{maximum:,}")
        value_text, limit_text = f"{value:,}", f"{maximum:,}"
        return _(
            "Cell {cell} holds {value} characters; the limit is {limit}.",
            cell=where,
            value=value_text,
            limit=limit_text,
        )
    return service_text(error if "message_id" in error else error.get("message") or "")


@console.before_app_request
def limit_upload_size():
    """Cap the body of an import upload before anything (the CSRF check) reads its form."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        limits = current_runtime().settings.import_limits
        request.max_content_length = limits.max_upload_bytes + FORM_OVERHEAD_BYTES


@console.errorhandler(RequestEntityTooLarge)
def upload_too_large(exc: RequestEntityTooLarge):
    if request.endpoint not in UPLOAD_ENDPOINTS:
        return http_error(exc)
    limits = current_runtime().settings.import_limits
    error = {"limit": "max_upload_bytes", "max": limits.max_upload_bytes, "value": request.content_length}
    return render_template("console/import.html", report=None, errors={"file": limit_message(error)}), 413


def report_view(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the import page shows it: with its progress in percent and its error as a message."""
    progress = report["progress"]
    percent = 100 if report["status"] == ImportStatus.DONE else 100 * progress["done"] // max(progress["total"], 1)
    message = limit_message(report["error"]) if report["error"] else ""
    return {**report, "percent": percent, "error_message": message}


@console.get("/imports/<int:report_id>")
def import_page(report_id: int):
    report = report_view(imports.get_report(db(), current_actor(), report_id))
    return render_template("console/import.html", report=report, errors={})


@console.get("/imports/<int:report_id>/status")
def import_status(report_id: int):
    report = report_view(imports.get_report(db(), current_actor(), report_id, rejected_limit=0))
    keys = ("status", "progress", "percent", "error_message")
    return jsonify({key: report[key] for key in keys})
