"""Admins: staff accounts (create, change role, scope, password, disable) and the audit log."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError, NotFound
from campaigns.identity import accounts, audit, staff_sessions
from campaigns.identity.access import ROLES, require_admin
from campaigns.models import StaffRole
from campaigns.models.base import utcnow
from gateway.console import console
from gateway.console.audit_words import audit_action_choices
from gateway.console.forms import checked, page_param
from gateway.console.grid_picker import GridChoiceError, chosen_grid
from gateway.console.web import _, current_actor, form_errors, record
from gateway.web.session import db


def _users_page(errors: dict, values: dict, status: int = 200):
    users = accounts.list_users(db(), current_actor())
    return render_template("console/users.html", users=users, errors=errors, values=values, roles=ROLES), status


@console.get("/users")
def users():
    require_admin(current_actor())
    return _users_page({}, {"role": StaffRole.COORDINATOR})


def _scope_code(form) -> str:
    """The scope grid's code from the form's grid picker ("" for none); GridChoiceError when the name is unknown."""
    grid = chosen_grid("scope_grid_id", form)
    return grid["code"] if grid else ""


def _scope_errors(exc: DomainError) -> dict[str, str]:
    errors = form_errors(exc)
    if "scope_grid_code" in errors:
        errors["scope_grid_id"] = errors.pop("scope_grid_code")
    return errors


@console.post("/users")
def create_user():
    form = request.form
    values: dict = {key: form.get(key, "") for key in ("username", "display_name", "role")}
    try:
        values["scope_grid_code"] = _scope_code(form)
    except GridChoiceError as exc:
        return _users_page({exc.field: exc.message}, values, 422)
    try:
        user = accounts.create_user(db(), current_actor(), password=form.get("password") or None, **values)
    except DomainError as exc:
        db().rollback()
        return _users_page(_scope_errors(exc), values, 422)
    record("user.create", target=user["username"], role=user["role"], scope=user["scope_grid_code"])
    flash(_("User {name} created.", name=user["username"]), "ok")
    return redirect(url_for("console.users"))


def _find(username: str) -> dict:
    for user in accounts.list_users(db(), current_actor()):
        if user["username"] == username:
            return user
    raise NotFound.coded("user.not_found", "user not found")


@console.get("/users/<username>")
def user_page(username: str):
    require_admin(current_actor())
    return render_template("console/user.html", user=_find(username), errors={}, roles=ROLES)


@console.post("/users/<username>")
def update_user(username: str):
    actor, form = current_actor(), request.form
    current = _find(username)
    try:
        scope_code = _scope_code(form)
    except GridChoiceError as exc:
        return render_template("console/user.html", user=current, errors={exc.field: exc.message}, roles=ROLES), 422
    data = {
        "role": form.get("role", ""),
        "scope_grid_code": scope_code,
        "display_name": form.get("display_name", ""),
        "disabled": checked("disabled"),
    }
    if form.get("password"):
        data["password"] = form["password"]
    if username == actor.username:
        data = {key: value for key, value in data.items() if key in ("display_name", "password")}
    try:
        user = accounts.update_user(db(), actor, username, data)
    except DomainError as exc:
        db().rollback()
        return render_template("console/user.html", user=current, errors=_scope_errors(exc), roles=ROLES), 422
    if user.pop("changed_access"):
        staff_sessions.end_user_sessions(db(), user["id"], utcnow())
    record(
        "user.update",
        target=username,
        role=user["role"],
        scope=user["scope_grid_code"],
        disabled=user["disabled"],
        password_changed="password" in data,
    )
    flash(_("User {name} saved.", name=username), "ok")
    return redirect(url_for("console.users"))


@console.get("/audit")
def audit_log():
    page = audit.list_audit(
        db(),
        current_actor(),
        username=request.args.get("username") or None,
        action=request.args.get("action") or None,
        exact_action=not (request.args.get("action") or "").endswith("."),
        page=page_param(),
    )
    return render_template("console/audit.html", page=page, actions=audit_action_choices(g.lang))
