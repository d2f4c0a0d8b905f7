"""Outbox rows that expire: a row not handed to a channel before its `expires_at` ends `expired` and is never sent.

An alert's rows expire with the alert, a routine run's rows GRIDCAST_OUTBOX_TTL_HOURS after planning (NULL: never).
The claim takes no expired row and expires those of its batch; a claimed row is handed over only before its expiry
(else it expires instead of going back to the queue, claim_release.py); the tick expires every queued row whose time
has passed, so runs that can send no more rows finish.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from campaigns.common.typed_sql import rowcount
from campaigns.models import OutboxMessage

EXPIRED = "expired"
EXPIRED_MESSAGE = "not handed to the provider before it expired"


def not_expired(at: datetime) -> ColumnElement[bool]:
    """The condition that an outbox row may still be sent at `at`."""
    return OutboxMessage.expires_at.is_(None) | (OutboxMessage.expires_at > at)


def has_expired(at: datetime) -> ColumnElement[bool]:
    """The condition that an outbox row's expiry has come by `at`."""
    return OutboxMessage.expires_at.is_not(None) & (OutboxMessage.expires_at <= at)


def expired_values(at: datetime) -> dict:
    """What an outbox row becomes when it expires: finished, lease freed."""
    return {
        "status": EXPIRED,
        "error_code": EXPIRED,
        "error_message": EXPIRED_MESSAGE,
        "finished_at": at,
        "lease_token": None,
        "lease_expires_at": None,
        "updated_at": at,
    }


def expire_queued(session: Session, at: datetime, condition: ColumnElement[bool] | None = None) -> int:
    """Mark the queued rows (matching `condition`, when given) whose expiry has come `expired`; returns how many."""
    where = (OutboxMessage.status == "queued") & has_expired(at)
    if condition is not None:
        where = where & condition
    return rowcount(
        session.execute(
            update(OutboxMessage).where(where).values(**expired_values(at)).execution_options(synchronize_session=False)
        )
    )
