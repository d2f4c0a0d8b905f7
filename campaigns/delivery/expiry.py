"""Outbox rows that expire: a row not handed to a channel before its `expires_at` ends `expired` and is never sent.

Every writer of outbox rows (the planner, confirmation reminders and escalations, report reminders and escalations,
visit lists, auto-replies, a retry) takes the expiry from `outbox_expiry`, the one rule: a row of an alert's run (its
messages, reminders, escalations, visit lists; an all-clear is an alert of its own) expires with the alert; any other
row GRIDCAST_OUTBOX_TTL_HOURS after it was written (NULL: never), and a report reminder at its report's deadline if
that comes first.

The claim takes no expired row and expires those of its batch; a claimed row is handed over only before its expiry
(else it expires instead of going back to the queue, claim_release.py); the tick expires every queued row whose time
has passed, so runs that can send no more rows finish.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.common.typed_sql import rowcount
from campaigns.models import Campaign, OutboxMessage

EXPIRED = "expired"
EXPIRED_MESSAGE = "not handed to the provider before it expired"


def routine_expiry(at: datetime, ttl: timedelta | None) -> datetime | None:
    """When a routine row written at `at` expires: `ttl` later; None (never) without a time to live."""
    return at + ttl if ttl else None


def outbox_expiry(
    campaign: Campaign, at: datetime, ttl: timedelta | None, deadline: datetime | None = None
) -> datetime | None:
    """When a row of `campaign`'s run written (or queued again) at `at` expires: with the alert for an alert's rows,
    else `ttl` later (the routine time to live from the settings, GRIDCAST_OUTBOX_TTL_HOURS; None: never), or at
    `deadline` when that comes first."""
    if campaign.kind == ALERT:
        return campaign.expires_at
    moments = [moment for moment in (routine_expiry(at, ttl), deadline) if moment is not None]
    return min(moments, default=None)


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
