"""Report duties in the console: create one and edit it (root grid picked by name, reporting level, who reports,
deadline, reminder times, escalation delays, send window, reminder and escalation texts per language), through the
same services and scope rules as the API (`campaigns/reports/report_duties.py`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError, ValidationError
from campaigns.common.languages import LANGUAGES
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.identity.access import require_write
from campaigns.models.base import utcnow
from campaigns.reports import report_duties
from gateway.console import console
from gateway.console.forms import split_words
from gateway.console.grid_picker import GridChoiceError, chosen_grid, grid_label
from gateway.console.web import _, current_actor, record, service_text
from gateway.web.session import db

LEVELS = ("township", "village", "group", "unit")
TEXT_KINDS = ("reminder", "escalation")


def _values_of(duty: dict[str, Any]) -> dict[str, Any]:
    """A saved duty as the form's values."""
    values = {key: duty[key] for key in ("name", "level", "reporter_roles", "deadline", "timezone")}
    values.update(
        grid=grid_label(duty["root_grid_id"]),
        reminder_times=", ".join(duty["reminder_times"]),
        escalation_delays=", ".join(str(delay) for delay in duty["escalation_delays"]),
        window_start=(duty["send_window"] or {}).get("start", ""),
        window_end=(duty["send_window"] or {}).get("end", ""),
    )
    for kind in TEXT_KINDS:
        for code in LANGUAGES:
            values[f"{kind}_{code}"] = duty["texts"][kind].get(code, "")
    return values


def _values_from_form(form) -> dict[str, Any]:
    values: dict[str, Any] = {key: form.get(key, "").strip() for key in
                              ("name", "level", "deadline", "timezone", "reminder_times", "escalation_delays",
                               "window_start", "window_end")}  # fmt: skip
    values["reporter_roles"] = [role for role in form.getlist("reporter_roles") if role in CONTACT_ROLES]
    for kind in TEXT_KINDS:
        for code in LANGUAGES:
            values[f"{kind}_{code}"] = form.get(f"{kind}_{code}", "").strip()
    return values


def _texts_of(values: dict[str, Any], kind: str) -> dict[str, str]:
    return {code: values[f"{kind}_{code}"] for code in LANGUAGES if values[f"{kind}_{code}"]}


def _duty_data(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The form's values as the data `create_duty`/`update_duty` take (the services check the rest)."""
    delays: list[int] = []
    for word in split_words(values["escalation_delays"]):
        if not word.strip().isdigit():
            errors["escalation_delays"] = _("Minutes after the deadline, e.g. 0, 60.")
            break
        delays.append(int(word))
    data: dict[str, Any] = {
        "name": values["name"],
        "root_grid_id": values["grid"]["id"] if values.get("grid") else None,
        "level": values["level"],
        "reporter_roles": values["reporter_roles"],
        "deadline": values["deadline"],
        "timezone": values["timezone"] or "Asia/Shanghai",
        "reminder_times": split_words(values["reminder_times"]),
        "escalation_delays": delays,
        "texts": {kind: _texts_of(values, kind) for kind in TEXT_KINDS},
    }
    if values["window_start"] or values["window_end"]:
        data["send_window"] = {"start": values["window_start"], "end": values["window_end"]}
    return data


def _form(duty: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, str], status: int = 200):
    return render_template("console/duty_form.html", duty=duty, values=values, errors=errors, levels=LEVELS,
                           roles=CONTACT_ROLES, text_languages=LANGUAGES, kinds=TEXT_KINDS), status  # fmt: skip


def _errors_of(exc: DomainError) -> dict[str, str]:
    """The service's message beside each field it names (and above the form)."""
    message = service_text(exc.message)
    errors = {name.replace("texts.", "text_", 1).replace(".", "_"): message for name in exc.fields}
    errors["_"] = message
    return errors


@console.get("/reports/duties/new")
def new_duty():
    require_write(current_actor())
    values = {"name": "", "level": "group", "reporter_roles": ["grid_leader", "liaison"], "deadline": "10:00",
              "timezone": "Asia/Shanghai", "reminder_times": "08:00, 09:30", "escalation_delays": "0, 120",
              "window_start": "08:00", "window_end": "21:00", "grid": None}  # fmt: skip
    for kind in TEXT_KINDS:
        for code in LANGUAGES:
            values[f"{kind}_{code}"] = report_duties.DEFAULT_TEXTS[kind].get(code, "")
    return _form(None, values, {})


@console.get("/reports/duties/<int:duty_id>/edit")
def edit_duty(duty_id: int):
    actor = current_actor()
    require_write(actor)
    report_duties.load_duty(db(), actor, duty_id, write=True)
    duty = report_duties.get_duty(db(), actor, duty_id)
    return _form(duty, _values_of(duty), {})


def _save(duty: dict[str, Any] | None):
    actor = current_actor()
    values, errors = _values_from_form(request.form), {}
    try:
        values["grid"] = chosen_grid("root_grid_id", request.form, required=True)
    except GridChoiceError as exc:
        values["grid"], errors[exc.field] = None, exc.message
    data = _duty_data(values, errors)
    if errors:
        return _form(duty, values, errors, 422)
    try:
        if duty is None:
            saved = report_duties.create_duty(db(), actor, data, utcnow())
        else:
            saved = report_duties.update_duty(db(), actor, duty["id"], data)
    except (DomainError, ValidationError) as exc:
        db().rollback()
        return _form(duty, values, _errors_of(exc), 422)
    record(
        "duty.create" if duty is None else "duty.update",
        grid_id=saved["root_grid_id"],
        target=f"duty {saved['id']}",
        name=saved["name"],
    )
    flash(_("Duty {name} saved.", name=saved["name"]), "ok")
    return redirect(url_for("console.reports", duty_id=saved["id"]))


@console.post("/reports/duties/new")
def create_duty():
    require_write(current_actor())
    return _save(None)


@console.post("/reports/duties/<int:duty_id>/edit")
def update_duty(duty_id: int):
    actor = current_actor()
    require_write(actor)
    report_duties.load_duty(db(), actor, duty_id, write=True)
    return _save(report_duties.get_duty(db(), actor, duty_id))
