"""Receiving an SMS: store it whole, once per provider message id, linked to its sender when they are a contact.

The Twilio webhook and the phone simulator both come through `receive_sms`; classification and its effects happen
later in a job (campaigns/replies.py), so receiving stays one small INSERT.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import Contact, InboundMessage
from campaigns.phones import normalize_phone

MAX_BODY = 1600  # Twilio's longest message
_NUL = re.compile("\x00")


def sender_phone(raw: str, region: str = "CN") -> str:
    """The sender as E.164 when it is a phone number; otherwise (a short code, a name) the raw text, trimmed."""
    try:
        return normalize_phone(raw, region)
    except ValidationError:
        return _NUL.sub("", str(raw or "")).strip()[:32]


def contact_for_phone(session: Session, phone: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.phone == phone)) if phone.startswith("+") else None


def _clean_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """Provider fields as given (PostgreSQL cannot store NUL characters, so those go)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _NUL.sub("", value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return {_NUL.sub("", str(key)): clean(value) for key, value in raw.items()}


def receive_sms(
    session: Session,
    provider: str,
    provider_sid: str,
    from_phone: str,
    to_phone: str,
    body: str,
    raw: dict[str, Any],
    now: datetime,
    region: str = "CN",
) -> tuple[InboundMessage, bool]:
    """Store one received SMS; returns (the message, created). A repeated provider id returns the stored one.

    Safe against a concurrent delivery of the same message: the unique (provider, provider_sid) row is inserted in
    a savepoint, and the loser reads the winner's row. Senders who are not contacts are kept with contact_id NULL.
    """
    sid = str(provider_sid or "").strip()
    if not sid or len(sid) > 64:
        raise ValidationError("the provider message id is missing or too long", fields={"provider_sid": "invalid"})
    existing = _find(session, provider, sid)
    if existing is not None:
        return existing, False
    phone = sender_phone(from_phone, region)
    contact = contact_for_phone(session, phone)
    message = InboundMessage(
        provider=provider,
        provider_sid=sid,
        from_phone=phone,
        to_phone=_NUL.sub("", str(to_phone or "")).strip()[:32],
        body=_NUL.sub("", str(body or ""))[:MAX_BODY],
        raw=_clean_raw(raw),
        received_at=now,
        contact_id=contact.id if contact else None,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        existing = _find(session, provider, sid)
        if existing is None:
            raise
        return existing, False
    return message, True


def _find(session: Session, provider: str, sid: str) -> InboundMessage | None:
    return session.scalar(
        select(InboundMessage).where(InboundMessage.provider == provider, InboundMessage.provider_sid == sid)
    )
