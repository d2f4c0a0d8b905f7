"""Giving back claimed rows that never reached a channel: when their run is paused or cancelled, or their job died.

Claiming a row (`queued -> sending` under a lease token) and handing it to the channel are two steps: right before
its send, a row's lease is renewed and `handed_at` set, only while the row still holds the token and its run is still
`sending`. So a row in `sending` without `handed_at` certainly never reached a provider: it can go back to the queue
at once (or be cancelled with its run) without asking anyone. A row with `handed_at` may be with the provider: its
sender writes the outcome, or, if the sender died, the reconciler asks the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Exists

from campaigns.common.typed_sql import rowcount
from campaigns.delivery.expiry import expired_values, has_expired, not_expired
from campaigns.models import OutboxMessage, OutboxStatus, Run, RunStatus

CLAIMED_NOT_HANDED = (OutboxMessage.status == OutboxStatus.SENDING) & OutboxMessage.handed_at.is_(None)
HANDED = (OutboxMessage.status == OutboxStatus.SENDING) & OutboxMessage.handed_at.is_not(None)


def run_is_sending() -> Exists:
    """The condition that an outbox row's run is `sending` (not paused, cancelled or done)."""
    return exists().where(Run.id == OutboxMessage.run_id, Run.status == RunStatus.SENDING)


def release_unhanded(session: Session, condition, at: datetime) -> int:
    """Give back the rows matching `condition` that are claimed but not handed to a channel: `cancelled` when their
    run is, `expired` when their expiry has come, else `queued` again (no attempt was spent). Returns how many."""
    run_cancelled = exists().where(Run.id == OutboxMessage.run_id, Run.status == RunStatus.CANCELLED)
    claimed = CLAIMED_NOT_HANDED & condition
    free = {"lease_token": None, "lease_expires_at": None, "updated_at": at}
    cancelled = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(claimed & run_cancelled)
            .values(status=OutboxStatus.CANCELLED, finished_at=at, **free)
            .execution_options(synchronize_session=False)
        )
    )
    expired = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(claimed & ~run_cancelled & has_expired(at))
            .values(**expired_values(at))
            .execution_options(synchronize_session=False)
        )
    )
    requeued = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(claimed & ~run_cancelled & not_expired(at))
            .values(status=OutboxStatus.QUEUED, **free)
            .execution_options(synchronize_session=False)
        )
    )
    return cancelled + expired + requeued


def release_refused(session_factory: sessionmaker[Session], token: str, row_ids: list[int], at: datetime) -> int:
    """A sender's rows (claim `token`) whose hand-over was refused go back, if they are still its own and unhanded:
    their run was paused or cancelled after the claim."""
    if not row_ids:
        return 0
    with session_factory.begin() as session:
        return release_unhanded(session, OutboxMessage.id.in_(row_ids) & (OutboxMessage.lease_token == token), at)


@dataclass(frozen=True)
class HeldRows:
    """What holding runs did to their claimed rows: back in the queue, or already with the provider."""

    requeued: int = 0
    with_provider: int = 0


def hold_runs(session: Session, run_ids: list[int], at: datetime) -> HeldRows:
    """For runs just paused: their claimed rows not yet handed to a channel go back to the queue; those already
    handed are counted (their outcome is still written, and they are never sent again)."""
    if not run_ids:
        return HeldRows()
    of_runs = OutboxMessage.run_id.in_(run_ids)
    requeued = release_unhanded(session, of_runs, at)
    with_provider = session.scalar(select(func.count()).select_from(OutboxMessage).where(of_runs & HANDED))
    return HeldRows(requeued, with_provider or 0)


def release_batch(session: Session, run_id: int, first_id: int, last_id: int, at: datetime) -> HeldRows:
    """A send job of this batch died (killed, or failed on an error): its claimed rows not yet handed go back to the
    queue at once, and the leases of those handed end now, so the reconciler settles them at its next pass."""
    in_batch = (OutboxMessage.run_id == run_id) & OutboxMessage.id.between(first_id, last_id)
    requeued = release_unhanded(session, in_batch, at)
    expired = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(in_batch & HANDED & (OutboxMessage.lease_expires_at > at))
            .values(lease_expires_at=at)
            .execution_options(synchronize_session=False)
        )
    )
    return HeldRows(requeued, expired)
