"""Spreadsheet uploads, shared by the API and the console: read within the import limits, then imported now
(small files) or stored and imported by a job enqueued after the commit."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from campaigns.common.upload_limits import check_upload_size
from campaigns.directory import contact_import, grid_import
from campaigns.directory.import_jobs import queue_import
from campaigns.identity.access import Actor
from gateway.runtime import current_runtime
from gateway.web.jobs import enqueue_import_soon
from gateway.web.session import after_commit, db

FORM_OVERHEAD_BYTES = 64 * 1024


def read_upload(field: str = "file") -> tuple[bytes, str] | None:
    """The uploaded file `field` of a multipart request, read within the import size limit: (bytes, filename, ""
    when the browser sent none), or None when the field is missing. Raises UploadTooLarge, before reading the body
    when Content-Length tells."""
    limits = current_runtime().settings.import_limits
    request.max_content_length = limits.max_upload_bytes + FORM_OVERHEAD_BYTES
    try:
        upload = request.files.get(field)
    except RequestEntityTooLarge:
        size = request.content_length
        check_upload_size(size if size and size > limits.max_upload_bytes else None, limits)
        raise
    if upload is None:
        return None
    data = upload.stream.read(limits.max_upload_bytes + 1)
    check_upload_size(len(data), limits)
    return data, upload.filename or ""


def start_import(actor: Actor, kind: str, data: bytes, filename: str, dry_run: bool) -> dict:
    """Import a small upload now, or store a larger one and enqueue its job after the commit; returns the report."""
    settings = current_runtime().settings
    limits = settings.import_limits
    if len(data) > settings.import_inline_max_bytes:
        report = queue_import(db(), actor, kind, data, filename, dry_run=dry_run, limits=limits)
        after_commit(lambda: enqueue_import_soon(report["id"]))
        return report
    if kind == "grids":
        return grid_import.import_grids(db(), actor, data, filename, dry_run=dry_run, limits=limits)
    region = settings.default_region
    return contact_import.import_contacts(db(), actor, data, filename, region=region, dry_run=dry_run, limits=limits)
