"""The staff inbox: received SMS with what they were taken to mean, marked reviewed, or linked to a contact.

Scope: a reply belongs to its contact's grid, and staff see the replies of contacts in their subtree. A reply from
an unknown sender (no contact) belongs to no grid, so only staff without a scope (admins, coordinators and viewers
of the whole deployment) see it and may link it; scoped staff never see it, since nothing says it is theirs and
the phone number is personal data. Out-of-scope replies read exactly like replies that do not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, NotFound, ValidationError
from campaigns.common.pagination import Page, check_page
from campaigns.common.text import clean_text
from campaigns.identity.access import Actor, require_write, scope_condition
from campaigns.models import Contact, Grid, InboundMessage
from campaigns.models.replies import INTENTS
from campaigns.replies.processing import process_inbound


def _visible(actor: Actor):
    query = (
        select(InboundMessage, Contact, Grid)
        .outerjoin(Contact, Contact.id == InboundMessage.contact_id)
        .outerjoin(Grid, Grid.id == Contact.grid_id)
    )
    if actor.scope_path is not None:
        query = query.where(scope_condition(actor, Grid.path))
    return query


def message_to_dict(message: InboundMessage, contact: Contact | None, grid: Grid | None) -> dict[str, Any]:
    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": message.id,
        "provider": message.provider,
        "from": message.from_phone,
        "to": message.to_phone,
        "body": message.body,
        "received_at": stamp(message.received_at),
        "intent": message.intent,
        "counts": message.counts,
        "contact": None if contact is None else {
            "id": contact.id, "name": contact.name, "role": contact.role, "language": contact.language,
            "grid_id": grid.id, "grid_code": grid.code, "grid_name": grid.name,
        },
        "run_id": message.run_id,
        "processed_at": stamp(message.processed_at),
        "reviewed_at": stamp(message.reviewed_at),
        "note": message.note,
    }  # fmt: skip


def list_inbox(
    session: Session,
    actor: Actor,
    *,
    intent: str | None = None,
    reviewed: bool | None = None,
    contact_id: int | None = None,
    unknown_sender: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Received SMS in the caller's scope, newest first, filtered by intent, reviewed or not, contact, sender."""
    check_page(page, per_page)
    query = _visible(actor)
    if intent:
        if intent not in (*INTENTS, "pending"):
            raise ValidationError.coded(
                "inbox.bad_intent",
                "intent must be one of %(intents)s or pending",
                fields={"intent": "bad"},
                intents=INTENTS,
            )
        query = query.where(InboundMessage.intent.is_(None) if intent == "pending" else InboundMessage.intent == intent)
    if reviewed is not None:
        query = query.where(
            InboundMessage.reviewed_at.is_not(None) if reviewed else InboundMessage.reviewed_at.is_(None)
        )
    if contact_id is not None:
        query = query.where(InboundMessage.contact_id == contact_id)
    if unknown_sender is not None:
        column = InboundMessage.contact_id
        query = query.where(column.is_(None) if unknown_sender else column.is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page([message_to_dict(*row) for row in rows], total, page, per_page)


def _load(session: Session, actor: Actor, inbound_id: int) -> tuple[InboundMessage, Contact | None, Grid | None]:
    row = session.execute(_visible(actor).where(InboundMessage.id == inbound_id)).first()
    if row is None:
        raise NotFound.coded("message.not_found", "message not found")
    return row[0], row[1], row[2]


def get_message(session: Session, actor: Actor, inbound_id: int) -> dict[str, Any]:
    return message_to_dict(*_load(session, actor, inbound_id))


def review_message(session: Session, actor: Actor, inbound_id: int, note: Any, now: datetime) -> dict[str, Any]:
    """Mark a received SMS as reviewed by staff, with an optional note (replacing the processing note)."""
    require_write(actor)
    message, contact, grid = _load(session, actor, inbound_id)
    if note is not None:
        message.note = clean_text(note, "note", max_length=500, required=False) or None
    message.reviewed_at = now
    session.flush()
    return message_to_dict(message, contact, grid)


def link_message(session: Session, actor: Actor, inbound_id: int, contact_id: Any, now: datetime) -> dict[str, Any]:
    """Link a reply from an unknown sender to a contact in scope, then process it again as that contact's.

    Re-processing applies its effects (opt-out, confirmation, daily report) but sends no auto-reply: the message
    may be old, and staff, not the sender, asked for it. The message counts as reviewed afterwards.
    """
    require_write(actor)
    if isinstance(contact_id, bool) or not isinstance(contact_id, int):
        raise ValidationError.coded(
            "inbox.bad_contact_id", "contact_id must be a contact's id", fields={"contact_id": "not an integer"}
        )
    message, _, _ = _load(session, actor, inbound_id)
    if message.contact_id is not None:
        raise Conflict.coded("inbox.already_linked", "the message is already linked to a contact")
    row = session.execute(select(Contact, Grid.path).join(Grid).where(Contact.id == contact_id)).first()
    if row is None or not actor.sees_path(row[1]):
        raise NotFound.coded("contact.not_found", "contact not found")
    message.contact_id = contact_id
    message.intent = message.counts = message.run_id = message.processed_at = message.reviewed_at = None
    session.flush()
    summary = process_inbound(session, message.id, now, auto_replies=False)
    message.reviewed_at = now
    session.flush()
    return {"message": get_message(session, actor, inbound_id), "processing": summary}
