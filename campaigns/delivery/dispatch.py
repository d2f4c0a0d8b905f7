"""Which batches of which runs have work due, and which runs are finished.

Batches are fixed id ranges of `batch_size` rows counted from the run's first outbox id, so the same batch always
gets the same job id and a sweep can tell whether its job still exists. A batch with rows under an unexpired lease
is `leased`: a sender is working on it (the database's own heartbeat of a send job).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.models import Campaign, OutboxMessage, OutboxStatus, Run, RunStatus

OPEN_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Batch:
    """A range of outbox ids of one run that one job sends."""

    run_id: int
    first_id: int
    last_id: int
    leased: bool = field(default=False, compare=False)
    alert: bool = field(default=False, compare=False)  # an alert's: sent in the alerts' lane

    @property
    def job_id(self) -> str:
        return f"send-{self.run_id}-{self.first_id}"


def due_batches(session: Session, now: datetime, batch_size: int, run_id: int | None = None) -> list[Batch]:
    """The batches that have queued rows due now, for every sending run (or one run)."""
    runs = (
        select(Run.id, Campaign.kind)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(Run.status == RunStatus.SENDING)
    )
    if run_id is not None:
        runs = runs.where(Run.id == run_id)
    batches: list[Batch] = []
    for current, kind in session.execute(runs.order_by(Run.id)).all():
        first = session.scalar(select(func.min(OutboxMessage.id)).where(OutboxMessage.run_id == current))
        if first is None:
            continue
        index = (OutboxMessage.id - first) // batch_size
        leased = select(index).where(
            OutboxMessage.run_id == current,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.lease_expires_at >= now,
        )
        leased_batches = {int(number) for number in session.scalars(leased.group_by(index))}
        query = (
            select(index)
            .where(
                OutboxMessage.run_id == current,
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.next_attempt_at <= now,
            )
            .group_by(index)
            .order_by(index)
        )
        for number in session.scalars(query):
            low = first + int(number) * batch_size
            busy = int(number) in leased_batches
            batches.append(Batch(current, low, low + batch_size - 1, leased=busy, alert=kind == ALERT))
    return sorted(batches, key=lambda batch: not batch.alert)


def is_alert_run(session: Session, run_id: int) -> bool:
    """Whether run `run_id` belongs to an alert."""
    kind = session.scalar(select(Campaign.kind).join(Run, Run.campaign_id == Campaign.id).where(Run.id == run_id))
    return kind == ALERT


def finish_runs(session: Session, now: datetime, run_id: int | None = None) -> list[int]:
    """Mark sending runs (all, or one) with no queued or sending rows left as done; returns their ids.

    A run marked done while a row was being added to it (a reused system run) is opened again here, so that row
    is still sent: the next tick dispatches it.
    """
    open_rows = exists().where(OutboxMessage.run_id == Run.id, OutboxMessage.status.in_(OPEN_STATUSES))
    reopen = (
        update(Run).where(Run.status == RunStatus.DONE, open_rows).values(status=RunStatus.SENDING, finished_at=None)
    )
    session.execute(reopen.execution_options(synchronize_session=False))
    query = select(Run.id).where(Run.status == RunStatus.SENDING, ~open_rows)
    if run_id is not None:
        query = query.where(Run.id == run_id)
    done = list(session.scalars(query))
    if done:
        session.execute(
            update(Run)
            .where(Run.id.in_(done), Run.status == RunStatus.SENDING, ~open_rows)
            .values(status=RunStatus.DONE, finished_at=now)
            .execution_options(synchronize_session=False)
        )
    return done
