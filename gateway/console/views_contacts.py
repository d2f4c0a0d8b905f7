"""Grids and contacts: the tree, search, a contact's history, import with its row-by-row report, export."""

from __future__ import annotations

from datetime import date

from flask import Response, redirect, render_template, request, url_for

from campaigns.common.errors import ValidationError
from campaigns.common.upload_limits import LimitExceeded, UploadTooLarge
from campaigns.directory import contact_export, contacts, grids
from campaigns.directory import import_reports as imports
from campaigns.directory.contact_history import contact_history
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.models import ImportKind, ImportStatus
from campaigns.runs.dashboard import top_grids
from gateway.console import console
from gateway.console.forms import checked, int_param, page_param
from gateway.console.grid_picker import GridChoiceError, chosen_grid
from gateway.console.labels import LANGUAGE_NAMES
from gateway.console.views_imports import limit_message, report_view
from gateway.console.web import _, current_actor, form_errors, record
from gateway.web.session import db
from gateway.web.uploads import read_upload, start_import

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@console.get("/grids", endpoint="grids")
def grids_page():
    actor = current_actor()
    grid_id, q = int_param("grid_id"), (request.args.get("q") or "").strip()
    found = grids.list_grids(db(), actor, q=q, per_page=100) if q else None
    grid = grids.get_grid(db(), actor, grid_id) if grid_id else None
    children = (
        grids.list_grids(db(), actor, parent_id=grid_id, per_page=500).items if grid_id else top_grids(db(), actor)
    )
    return render_template("console/grids.html", grid=grid, children=children, found=found, q=q)


OPTED_OUT_CHOICES = {"yes": True, "no": False}


def _filters() -> dict:
    """The list's filters from the query string: a grid (picked by name), text, role, language, opted out."""
    try:
        grid = chosen_grid("grid_id")
    except GridChoiceError:
        grid = None
    return {
        "grid_id": grid["id"] if grid else int_param("grid_id"),
        "q": request.args.get("q") or None,
        "role": request.args.get("role") if request.args.get("role") in CONTACT_ROLES else None,
        "language": request.args.get("language") if request.args.get("language") in LANGUAGE_NAMES else None,
        "opted_out": OPTED_OUT_CHOICES.get(request.args.get("opted_out", "")),
    }


@console.get("/contacts", endpoint="contacts")
def contacts_page():
    errors = {}
    try:
        grid = chosen_grid("grid_id")
    except GridChoiceError as exc:
        grid, errors = None, {exc.field: exc.message}
    filters = _filters()
    page = contacts.list_contacts(db(), current_actor(), page=page_param(), per_page=50, **filters)
    export_args = {name: value for name, value in filters.items() if value is not None}
    if "opted_out" in export_args:
        export_args["opted_out"] = "yes" if export_args["opted_out"] else "no"
    return render_template("console/contacts.html", page=page, filters=filters, export_args=export_args, grid=grid,
                           errors=errors, roles=CONTACT_ROLES, opted_out=request.args.get("opted_out", ""))  # fmt: skip


@console.get("/contacts/<int:contact_id>")
def contact_page(contact_id: int):
    return render_template("console/contact.html", history=contact_history(db(), current_actor(), contact_id))


@console.get("/contacts/import")
def import_form():
    return render_template("console/import.html", report=None, errors={})


@console.post("/contacts/import")
def import_submit():
    dry_run = checked("dry_run")
    try:
        found = read_upload()
        if found is None or not found[1]:
            errors = {"file": _("Choose a CSV or XLSX file.")}
            return render_template("console/import.html", report=None, errors=errors), 422
        data, filename = found
        report = start_import(current_actor(), ImportKind.CONTACTS, data, filename, dry_run)
    except LimitExceeded as exc:
        status = 413 if isinstance(exc, UploadTooLarge) else 422
        return render_template(
            "console/import.html", report=None, errors={"file": limit_message(exc.as_dict())}
        ), status
    except ValidationError as exc:
        return render_template("console/import.html", report=None, errors={"file": form_errors(exc)["_"]}), 422
    record(
        "contacts.import",
        target=filename[:200],
        dry_run=dry_run,
        report_id=report["id"],
        counts=report["counts"],
        status=report["status"],
    )
    if report["status"] != ImportStatus.DONE:
        return redirect(url_for("console.import_page", report_id=report["id"]), 303)
    return render_template("console/import.html", report=report_view(report), errors={})


@console.get("/imports/<int:report_id>/rejected.csv")
def rejected_csv(report_id: int):
    text = "".join(imports.rejected_csv(db(), current_actor(), report_id))
    disposition = f'attachment; filename="import-{report_id}-rejected.csv"'
    return Response(text, content_type=CSV_TYPE, headers={"Content-Disposition": disposition})


@console.get("/contacts/export")
def export():
    actor, filters = current_actor(), _filters()
    export_format = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    disposition = f'attachment; filename="contacts-{date.today():%Y%m%d}.{export_format}"'
    record("contacts.export", grid_id=filters["grid_id"], target=export_format)
    if export_format == "xlsx":
        data = contact_export.export_xlsx(db(), actor, **filters)
        return Response(data, content_type=XLSX_TYPE, headers={"Content-Disposition": disposition})
    text = "".join(contact_export.export_csv(db(), actor, **filters))
    return Response(text, content_type=CSV_TYPE, headers={"Content-Disposition": disposition})
