"""The phone simulator seen from a phone: type a reply on a contact's simulated phone, and read what it got.

A simulated reply is logged as a mobile-originated `SimulatedSms` and then received exactly like a Twilio webhook
(`receive_sms`, provider "simulator"), so it goes through the same job, classifier and effects. A call waiting for
staff (`campaigns/simulator/calls.py`: numbers ending in 5555, or GRIDCAST_SIMULATOR_CALL_KEY=staff) is
answered with `answer_call`: a key press or a hang-up, through the simulator's own call steps. Staff may only use
the phones of contacts in their scope; replying or pressing a key needs a writer role. `simulate_unknown_sender`
texts in from a number that is no contact's, for staff of the whole deployment (the only ones who see such senders).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.errors import NotFound, PermissionDenied, ValidationError
from campaigns.common.phones import normalize_phone
from campaigns.identity.access import Actor, require_write
from campaigns.models import Contact, Grid, InboundMessage, SimulatedCall, SimulatedSms
from campaigns.replies.inbound import MAX_BODY, receive_sms
from campaigns.simulator.calls import SimulatedVoice, hang_up, press_key

SIMULATOR_NUMBER = "+10000000000"  # the number simulated phones text to
PHONE_KEYS = "0123456789*#"
HANG_UP = "hangup"


def _contact(session: Session, actor: Actor, raw_phone: Any, region: str) -> Contact:
    try:
        phone = normalize_phone(str(raw_phone or ""), region)
    except ValidationError as exc:
        raise exc.with_fields({"phone": "invalid"}) from exc
    row = session.execute(select(Contact, Grid.path).join(Grid).where(Contact.phone == phone)).first()
    if row is None or not actor.sees_path(row[1]):
        raise NotFound.coded("contact.not_found", "contact not found")
    return row[0]


def _body(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError.coded(
            "simulator.body_required", "body: the text typed on the phone", fields={"body": "required"}
        )
    if len(raw) > MAX_BODY:
        raise ValidationError.coded(
            "simulator.body_too_long",
            "body is longer than %(max_body)s characters",
            fields={"body": "too long"},
            max_body=MAX_BODY,
        )
    if any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\r\t" for char in raw):
        raise ValidationError.coded(
            "simulator.body_control_characters",
            "body contains control characters",
            fields={"body": "control characters"},
        )
    return raw


def simulate_reply(
    session: Session, actor: Actor, data: dict[str, Any], now: datetime, region: str = "CN"
) -> InboundMessage:
    """Send {phone, body} from a contact's simulated phone; returns the received message (not yet processed)."""
    require_write(actor)
    contact = _contact(session, actor, data.get("phone"), region)
    body = _body(data.get("body"))
    sid = "SM" + uuid.uuid4().hex
    session.add(SimulatedSms(direction="mo", phone=contact.phone, body=body, sid=sid, status="received",
                             created_at=now))  # fmt: skip
    raw = {"MessageSid": sid, "From": contact.phone, "To": SIMULATOR_NUMBER, "Body": body, "NumSegments": "1"}
    message, _ = receive_sms(session, "simulator", sid, contact.phone, SIMULATOR_NUMBER, body, raw, now, region)
    return message


def simulate_unknown_sender(
    session: Session, actor: Actor, data: dict[str, Any], now: datetime, region: str = "CN"
) -> InboundMessage:
    """Send {phone, body} from a simulated phone that is no contact's: received like any SMS, kept with no contact.
    Only staff without a scope may, as only they see unknown senders."""
    require_write(actor)
    if actor.scope_path is not None:
        raise PermissionDenied.coded(
            "simulator.unknown_senders_forbidden", "only staff of the whole deployment see unknown senders"
        )
    try:
        phone = normalize_phone(str(data.get("phone") or ""), region)
    except ValidationError as exc:
        raise exc.with_fields({"phone": "invalid"}) from exc
    if session.scalar(select(Contact.id).where(Contact.phone == phone)) is not None:
        raise ValidationError.coded(
            "simulator.number_is_contact",
            "this number is a contact's: reply from their phone",
            fields={"phone": "a contact"},
        )
    body = _body(data.get("body"))
    sid = "SM" + uuid.uuid4().hex
    session.add(SimulatedSms(direction="mo", phone=phone, body=body, sid=sid, status="received", created_at=now))
    raw = {"MessageSid": sid, "From": phone, "To": SIMULATOR_NUMBER, "Body": body, "NumSegments": "1"}
    message, _ = receive_sms(session, "simulator", sid, phone, SIMULATOR_NUMBER, body, raw, now, region)
    return message


def answer_call(
    session: Session,
    actor: Actor,
    raw_phone: Any,
    call_id: int,
    key: str,
    voice: SimulatedVoice,
    now: datetime,
    region: str = "CN",
) -> SimulatedCall:
    """On a contact's simulated phone, press `key` (0-9, * or #) in the call `call_id` waiting for staff, or hang up
    (`key` "hangup"); returns the call (status `completed` once the call flow or the hang-up ended it). Conflict
    when the call has already ended."""
    require_write(actor)
    contact = _contact(session, actor, raw_phone, region)
    row = session.scalar(
        select(SimulatedCall).where(SimulatedCall.id == call_id, SimulatedCall.phone == contact.phone).with_for_update()
    )
    if row is None:
        raise NotFound.coded("call.not_found", "call not found")
    if key == HANG_UP:
        hang_up(session, voice, row, now)
    elif isinstance(key, str) and len(key) == 1 and key in PHONE_KEYS:
        press_key(session, voice, row, key, now)
    else:
        raise ValidationError.coded(
            "simulator.bad_key", "key: one of 0-9, * or #, or hangup", fields={"key": "invalid"}
        )
    return row


def phone_messages(session: Session, actor: Actor, raw_phone: str, region: str = "CN", limit: int = 200) -> dict:
    """What a contact's simulated phone received (`mt`) and sent (`mo`), and the calls it took (what each played,
    the keys pressed), oldest first, the last `limit` of each."""
    contact = _contact(session, actor, raw_phone, region)
    rows = session.scalars(
        select(SimulatedSms)
        .where(SimulatedSms.phone == contact.phone)
        .order_by(SimulatedSms.created_at.desc(), SimulatedSms.id.desc())
        .limit(limit)
    ).all()
    calls = session.scalars(
        select(SimulatedCall)
        .where(SimulatedCall.phone == contact.phone)
        .order_by(SimulatedCall.created_at.desc(), SimulatedCall.id.desc())
        .limit(limit)
    ).all()
    return {
        "phone": contact.phone,
        "contact_id": contact.id,
        "name": contact.name,
        "opted_out": contact.opted_out,
        "messages": [
            {
                "direction": row.direction,
                "body": row.body,
                "status": row.status,
                "at": row.created_at.isoformat(),
                "outbox_id": row.outbox_id,
            }
            for row in reversed(rows)
        ],
        "calls": [
            {
                "id": call.id,
                "status": call.status,
                "language": call.language,
                "keys": call.keys,
                "played": call.played,
                "at": call.created_at.isoformat(),
                "outbox_id": call.outbox_id,
                "attempt": call.attempt,
            }
            for call in reversed(calls)
        ],
    }
