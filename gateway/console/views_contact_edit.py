"""Editing one contact: name, phone, grid (picked by name), role, language, channels, tags and opt-out, through the
API's contact services and scope rules."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError
from campaigns.directory import contacts
from campaigns.directory.roles import CHANNELS, CONTACT_ROLES
from campaigns.identity.access import require_write
from gateway.console import console
from gateway.console.forms import checked, split_words
from gateway.console.grid_picker import GridChoiceError, chosen_grid, grid_label
from gateway.console.web import _, current_actor, form_errors, record
from gateway.runtime import current_runtime
from gateway.web.session import db

FIELD_OF = {"grid_code": "grid_id"}  # the service's field -> the form's


def _page(contact: dict[str, Any], values: dict[str, Any], errors: dict[str, str], status: int = 200):
    return render_template("console/contact_edit.html", contact=contact, values=values, errors=errors,
                           roles=CONTACT_ROLES, channels=CHANNELS), status  # fmt: skip


@console.get("/contacts/<int:contact_id>/edit")
def edit_contact(contact_id: int):
    actor = current_actor()
    require_write(actor)
    contact = contacts.get_contact(db(), actor, contact_id)
    values = {**contact, "grid": grid_label(contact["grid_id"]), "tags": ", ".join(contact["tags"])}
    return _page(contact, values, {})


@console.post("/contacts/<int:contact_id>/edit")
def save_contact(contact_id: int):
    actor, form = current_actor(), request.form
    require_write(actor)
    contact = contacts.get_contact(db(), actor, contact_id)
    values = {
        "name": form.get("name", ""),
        "phone": form.get("phone", ""),
        "role": form.get("role", ""),
        "language": form.get("language", ""),
        "channels": [channel for channel in form.getlist("channels") if channel in CHANNELS],
        "tags": form.get("tags", ""),
        "opted_out": checked("opted_out"),
        "grid": None,
    }
    try:
        values["grid"] = chosen_grid("grid_id", form, required=True)
    except GridChoiceError as exc:
        return _page(contact, values, {exc.field: exc.message, "_": exc.message}, 422)
    data = {key: values[key] for key in ("name", "phone", "role", "language", "channels")}
    data.update(grid_code=values["grid"]["code"], tags=split_words(values["tags"]))
    try:
        saved = contacts.update_contact(db(), actor, contact_id, data, current_runtime().settings.default_region)
        if values["opted_out"] != saved["opted_out"]:
            saved = contacts.set_opted_out(db(), actor, contact_id, values["opted_out"], via="staff")
    except DomainError as exc:
        db().rollback()
        errors = {FIELD_OF.get(name, name): message for name, message in form_errors(exc).items()}
        return _page(contact, values, errors, 422)
    changed = sorted(key for key in ("name", "phone", "grid_code", "role", "language", "channels", "tags", "opted_out")
                     if saved[key] != contact[key])  # fmt: skip
    record("contact.update", grid_id=saved["grid_id"], target=f"contact {contact_id}", changed=changed)
    flash(_("Contact {name} saved.", name=saved["name"]), "ok")
    return redirect(url_for("console.contact_page", contact_id=contact_id))
