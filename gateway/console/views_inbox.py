"""The inbox: replies the classifier could not place, senders not in the contact list (link them to a contact), and
opt-outs."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError, ValidationError
from campaigns.directory import contacts
from campaigns.models import Intent
from campaigns.models.base import utcnow
from campaigns.replies import inbox
from campaigns.replies.auto_reply_log import list_sent_auto_replies
from gateway.console import console
from gateway.console.forms import page_param
from gateway.console.web import _, current_actor, record, service_text
from gateway.web.session import db

VIEWS = ("review", "senders", "optouts", "auto_replies")


@console.get("/inbox", endpoint="inbox")
def inbox_page():
    actor, view = current_actor(), request.args.get("view")
    view = view if view in VIEWS else "review"
    opted_out = None
    if view == "review":
        page = inbox.list_inbox(db(), actor, intent=Intent.UNKNOWN, reviewed=False, page=page_param())
    elif view == "auto_replies":
        page = list_sent_auto_replies(db(), actor, page=page_param())
    elif view == "senders":
        page = inbox.list_inbox(db(), actor, unknown_sender=True, page=page_param())
    else:
        page = inbox.list_inbox(db(), actor, intent=Intent.OPT_OUT, page=page_param())
        opted_out = contacts.list_contacts(db(), actor, opted_out=True, per_page=100)
    return render_template("console/inbox.html", page=page, view=view, opted_out=opted_out)


def _back():
    view = request.form.get("view")
    return redirect(url_for("console.inbox", view=view if view in VIEWS else "review"))


@console.post("/inbox/<int:inbound_id>/review")
def review(inbound_id: int):
    message = inbox.review_message(db(), current_actor(), inbound_id, request.form.get("note") or None, utcnow())
    grid_id = message["contact"]["grid_id"] if message["contact"] else None
    record("inbox.review", grid_id=grid_id, target=f"message {inbound_id}")
    return _back()


@console.post("/inbox/<int:inbound_id>/link")
def link(inbound_id: int):
    """Link an unknown sender's message to the one contact whose phone or name matches what staff typed."""
    actor, typed = current_actor(), (request.form.get("contact") or "").strip()
    try:
        found = contacts.list_contacts(db(), actor, q=typed, per_page=2).items if typed else []
        if len(found) != 1:
            raise ValidationError.coded(
                "inbox.ambiguous_contact",
                "type the phone number or name of exactly one contact",
                fields={"contact": "ambiguous"},
            )
        inbox.link_message(db(), actor, inbound_id, found[0]["id"], utcnow())
    except DomainError as exc:
        db().rollback()
        flash(service_text(exc), "error")
        return _back()
    record("inbox.link", grid_id=found[0]["grid_id"], target=f"message {inbound_id}", contact_id=found[0]["id"])
    flash(_("Linked to {name}; the message was processed again as theirs.", name=found[0]["name"]), "ok")
    return _back()
