"""The grid picker: staff type a grid's name and pick it from the grids of their scope; a chosen grid is shown by its
name and path, never by a bare id.

A picker sends two fields: `<field>` (the chosen grid's id, set by console.js when a grid is picked from the list)
and `<field>_name` (the text typed). Without JavaScript, or when the text was typed but not picked, the grid is
found by its exact name (or code) in the caller's scope; none or several come back as an error beside the field.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from campaigns.common.errors import DomainError, ValidationError
from campaigns.directory.grid_names import find_grids, grid_by_name, grid_labels
from gateway.console import console
from gateway.console.forms import int_param
from gateway.console.web import _, current_actor
from gateway.web.session import db


class GridChoiceError(Exception):
    """The typed grid name matched no grid or several: `message` goes beside the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@console.get("/grids/find")
def find_grids_json():
    """Up to 20 grids in the caller's scope matching the typed text, for the picker's list."""
    try:
        items = find_grids(db(), current_actor(), request.args.get("q"))
    except ValidationError:
        items = []
    return jsonify({"items": items})


def grid_label(grid_id: int | None) -> dict[str, Any] | None:
    """The grid's name and path when the caller may see it."""
    found = grid_labels(db(), current_actor(), [grid_id]) if grid_id else []
    return found[0] if found else None


def grid_label_by_code(code: str | None) -> dict[str, Any] | None:
    """The grid with this code, by name and path, when the caller may see it."""
    if not code:
        return None
    try:
        found = grid_by_name(db(), current_actor(), code)
    except DomainError:
        return None
    return found if found["code"] == code else None


def chosen_grid(field: str, source: Any = None, *, required: bool = False) -> dict[str, Any] | None:
    """The grid a picker names (see the module docstring); None when left empty; GridChoiceError otherwise."""
    source = source if source is not None else request.args
    typed = (source.get(f"{field}_name") or "").strip()
    try:
        grid_id = int_param(field, source)
    except ValidationError:
        grid_id = None
    picked = grid_label(grid_id)
    if picked is not None and (f"{field}_name" not in source or typed == picked["name"]):
        return picked
    if not typed:
        if required:
            raise GridChoiceError(field, _("Choose a grid."))
        return None
    try:
        return grid_by_name(db(), current_actor(), typed, field)
    except DomainError as exc:
        if exc.fields.get(field) == "ambiguous":
            message = _("Several grids are named {name}: pick one from the list.", name=typed)
        else:
            message = _("No grid named {name} in your area.", name=typed)
        raise GridChoiceError(field, message) from exc


@console.app_context_processor
def picker_helpers() -> dict[str, Any]:
    if g.get("actor") is None:
        return {}
    return {
        "grid_label": grid_label,
        "grid_by_code": grid_label_by_code,
        "grid_labels": lambda ids: grid_labels(db(), current_actor(), [int(i) for i in ids or [] if str(i).isdigit()]),
    }
