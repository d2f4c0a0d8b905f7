"""The phone simulator: pick a contact, see what their phone received, reply as them, answer a call waiting for
staff with a key press or a hang-up, or text in from a number that is no contact's (only without Twilio)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError
from campaigns.directory import contacts
from campaigns.models.base import utcnow
from campaigns.simulator.phones import (
    HANG_UP,
    answer_call,
    phone_messages,
    simulate_reply,
    simulate_unknown_sender,
)
from gateway.console import console
from gateway.console.web import _, current_actor, form_errors, record, service_text
from gateway.runtime import current_runtime
from gateway.web.jobs import enqueue_simulated_reply, simulator_region
from gateway.web.session import after_commit, db
from workers.channel_factory import simulated_voice


@console.get("/simulator")
def simulator():
    simulator_region()
    q = (request.args.get("q") or "").strip()
    found = contacts.list_contacts(db(), current_actor(), q=q or None, per_page=30)
    return render_template("console/simulator.html", found=found, q=q)


@console.post("/simulator")
def unknown_sender():
    """Text in from a number that is no contact's (staff without a scope), to try the unknown-sender path."""
    region = simulator_region()
    actor, data = current_actor(), {"phone": request.form.get("phone", ""), "body": request.form.get("body", "")}
    try:
        message = simulate_unknown_sender(db(), actor, data, utcnow(), region)
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc), "error")
        return redirect(url_for("console.simulator"))
    inbound_id = message.id
    after_commit(lambda: enqueue_simulated_reply(inbound_id))
    record("simulator.unknown_sender", grid_id=None, target=f"phone {message.from_phone[-4:]}", inbound_id=inbound_id)
    flash(_("Received from an unknown number: see the inbox."), "ok")
    return redirect(url_for("console.simulator"))


@console.get("/simulator/<phone>")
def phone(phone: str):
    region = simulator_region()
    screen = phone_messages(db(), current_actor(), phone, region)
    return render_template("console/phone.html", screen=screen, errors={}, body="")


@console.post("/simulator/<phone>")
def phone_reply(phone: str):
    region = simulator_region()
    actor, body = current_actor(), request.form.get("body", "")
    try:
        message = simulate_reply(db(), actor, {"phone": phone, "body": body}, utcnow(), region)
    except DomainError as exc:
        db().rollback()
        screen = phone_messages(db(), actor, phone, region)
        return render_template("console/phone.html", screen=screen, errors=form_errors(exc), body=body), 422
    inbound_id = message.id
    after_commit(lambda: enqueue_simulated_reply(inbound_id))
    grid_id = contacts.get_contact(db(), actor, message.contact_id)["grid_id"] if message.contact_id else None
    record("simulator.reply", grid_id=grid_id, target=f"phone {message.from_phone[-4:]}", inbound_id=inbound_id)
    flash(_("Sent from the simulated phone."), "ok")
    return redirect(url_for("console.phone", phone=phone))


@console.post("/simulator/<phone>/calls/<int:call_id>")
def phone_call_key(phone: str, call_id: int):
    region = simulator_region()
    actor, key = current_actor(), request.form.get("key", "")
    voice = simulated_voice(current_runtime().settings)
    call = answer_call(db(), actor, phone, call_id, key, voice, utcnow(), region)
    contact_id = phone_messages(db(), actor, phone, region, limit=1)["contact_id"]
    grid_id = contacts.get_contact(db(), actor, contact_id)["grid_id"]
    record("simulator.call_key", grid_id=grid_id, target=f"phone {call.phone[-4:]}", call_id=call.id, key=key,
           status=call.status)  # fmt: skip
    flash(_("Hung up.") if key == HANG_UP else _("Pressed {key}.", key=key), "ok")
    return redirect(url_for("console.phone", phone=phone))
