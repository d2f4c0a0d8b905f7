"""Receiving an SMS: store it whole, once per provider message id, linked to its sender when they are a contact.

The Twilio webhook and the phone simulator both come through `receive_sms`; classification and its effects happen
later in a job (campaigns/replies/processing.py), so receiving stays one small INSERT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from campaigns.channels.kannel.callbacks import DEDUP_WINDOW, KANNEL, IncomingSms
from campaigns.common.errors import ValidationError
from campaigns.common.phones import normalize_phone
from campaigns.common.typed_sql import table_of
from campaigns.models import Contact, InboundMessage

MAX_BODY = 1600  # Twilio's longest message
_NUL = re.compile("\x00")


def sender_phone(raw: str, region: str = "CN") -> str:
    """The sender as E.164 when it is a phone number; otherwise (a short code, a name) the raw text, trimmed."""
    try:
        return normalize_phone(raw, region)
    except ValidationError:
        return _NUL.sub("", str(raw or "")).strip()[:32]


def _clean_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """Provider fields as given (PostgreSQL cannot store NUL characters, so those go)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _NUL.sub("", value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return {_NUL.sub("", str(key)): clean(value) for key, value in raw.items()}


def contact_for_phone(session: Session, phone: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.phone == phone)) if phone.startswith("+") else None


@dataclass(frozen=True)
class ReceivedSms:
    """What storing an SMS did: the row's id, whether this call created it, and whether it was processed before."""

    id: int
    created: bool
    processed: bool


def record_sms(
    session: Session,
    provider: str,
    provider_sid: str,
    from_phone: str,
    to_phone: str,
    body: str,
    raw: dict[str, Any],
    now: datetime,
    region: str = "CN",
) -> ReceivedSms:
    """Store one received SMS with a single INSERT ... ON CONFLICT DO NOTHING; a repeated provider id stores nothing.

    The sender's contact is found inside the same statement; senders who are not contacts are kept with contact_id
    NULL. A concurrent delivery of the same message is safe: the loser's insert does nothing and it reads the
    winner's row. This is the webhooks' path, kept to one round trip for a new message.
    """
    sid = str(provider_sid or "").strip()
    if not sid or len(sid) > 64:
        raise ValidationError.coded(
            "inbound.bad_provider_sid",
            "the provider message id is missing or too long",
            fields={"provider_sid": "invalid"},
        )
    phone = sender_phone(from_phone, region)
    connection = session.connection()
    new_id = connection.execute(
        _insert_new_message(connection.dialect.name),
        {
            "provider": provider,
            "provider_sid": sid,
            "from_phone": phone,
            "to_phone": _NUL.sub("", str(to_phone or "")).strip()[:32],
            "body": _NUL.sub("", str(body or ""))[:MAX_BODY],
            "raw": _clean_raw(raw),
            "received_at": now,
            "contact_phone": phone if phone.startswith("+") else None,
        },
    ).scalar()
    if new_id is not None:
        return ReceivedSms(new_id, created=True, processed=False)
    stored = session.execute(
        select(InboundMessage.id, InboundMessage.processed_at).where(
            InboundMessage.provider == provider, InboundMessage.provider_sid == sid
        )
    ).one()
    return ReceivedSms(stored.id, created=False, processed=stored.processed_at is not None)


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
    """Store one received SMS (see `record_sms`); returns (the message, created)."""
    received = record_sms(session, provider, provider_sid, from_phone, to_phone, body, raw, now, region)
    return session.get(InboundMessage, received.id), received.created


@cache
def _insert_new_message(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT (provider, provider_sid) DO NOTHING RETURNING id, built once per dialect."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    columns = table_of(InboundMessage).c
    values = {name: bindparam(name, type_=columns[name].type) for name in _INSERTED_COLUMNS}
    values["contact_id"] = select(Contact.id).where(Contact.phone == bindparam("contact_phone")).scalar_subquery()
    return (
        insert(table_of(InboundMessage))
        .values(values)
        .on_conflict_do_nothing(index_elements=["provider", "provider_sid"])
        .returning(columns.id)
    )


_INSERTED_COLUMNS = ("provider", "provider_sid", "from_phone", "to_phone", "body", "raw", "received_at")


def record_kannel_sms(
    session: Session, message: IncomingSms, raw: dict[str, str], now: datetime, region: str = "CN"
) -> ReceivedSms:
    """Store one incoming SMS from Kannel once (`record_sms`); a text named by its receiving window is also a repeat
    of the same text stored in the window before, when that was less than `DEDUP_WINDOW` ago."""
    if message.previous_id:
        earlier = session.execute(
            select(InboundMessage.id, InboundMessage.processed_at).where(
                InboundMessage.provider == KANNEL,
                InboundMessage.provider_sid == message.previous_id,
                InboundMessage.received_at > now - DEDUP_WINDOW,
            )
        ).first()
        if earlier is not None:
            return ReceivedSms(earlier.id, created=False, processed=earlier.processed_at is not None)
    return record_sms(
        session, KANNEL, message.message_id, message.sender, message.receiver, message.text, raw, now, region
    )
