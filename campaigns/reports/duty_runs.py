"""A report duty's own runs (its reminders and escalations): listed on the duty, withdrawn when it stops.

Duty runs have kind "duty_reminder" or "duty_escalation", name their duty in `duty_id` and are keyed by day and
step ("2026-11-23 reminder 08:00"). They hang on the duty's hidden campaign row only for the sender's sake; staff
see them here, never among campaigns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaigns.common.typed_sql import rowcount
from campaigns.models import Confirmation, OutboxMessage, OutboxStatus, Run, RunKind, RunStatus

DUTY_RUN_KINDS = (RunKind.DUTY_REMINDER, RunKind.DUTY_ESCALATION)
UNFINISHED = (RunStatus.SENDING, RunStatus.PAUSED)
RUNS_SHOWN = 200


class DutyRun(TypedDict):
    """A duty's reminder or escalation run, with its messages counted by status and the reporters it got."""

    id: int
    kind: str
    key: str
    day: str
    occurrence_at: str
    status: str
    planned: int
    messages: dict[str, int]
    confirmed: int
    alert: str | None
    created_at: str
    finished_at: str | None


def duty_run_to_dict(run: Run, messages: dict[str, int], confirmed: int) -> DutyRun:
    return {
        "id": run.id,
        "kind": run.kind,
        "key": run.run_key,
        "day": run.run_key.split(" ", 1)[0],
        "occurrence_at": run.occurrence_at.isoformat(),
        "status": run.status,
        "planned": run.planned,
        "messages": messages,
        "confirmed": confirmed,
        "alert": run.alert,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def list_duty_runs(session: Session, duty_id: int, *, day: date | None = None) -> list[DutyRun]:
    """The duty's runs (of `day`, when given), newest first, with their messages counted by status and the
    reporters who confirmed a reminder by reporting; at most RUNS_SHOWN."""
    query = select(Run).where(Run.duty_id == duty_id, Run.kind.in_(DUTY_RUN_KINDS))
    if day is not None:
        query = query.where(Run.run_key.startswith(f"{day.isoformat()} "))
    found = list(session.scalars(query.order_by(Run.occurrence_at.desc(), Run.id.desc()).limit(RUNS_SHOWN)))
    ids = [run.id for run in found] or [-1]
    messages: dict[int, dict[str, int]] = {}
    counted = (
        select(OutboxMessage.run_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.run_id.in_(ids))
        .group_by(OutboxMessage.run_id, OutboxMessage.status)
    )
    for run_id, status, count in session.execute(counted):
        messages.setdefault(run_id, {})[status] = count
    confirmed = dict(
        session.execute(
            select(Confirmation.run_id, func.count()).where(Confirmation.run_id.in_(ids)).group_by(Confirmation.run_id)
        ).all()
    )
    return [duty_run_to_dict(run, messages.get(run.id, {}), confirmed.get(run.id, 0)) for run in found]


def withdraw_unsent(session: Session, duty_id: int, now: datetime) -> int:
    """Cancel the duty's runs still sending and their queued messages (those already handed over stay as they
    are); returns how many messages were withdrawn."""
    withdrawn = 0
    for run in session.scalars(select(Run).where(Run.duty_id == duty_id, Run.status.in_(UNFINISHED))):
        run.status, run.finished_at = RunStatus.CANCELLED, now
        withdrawn += rowcount(
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.run_id == run.id, OutboxMessage.status == OutboxStatus.QUEUED)
                .values(status=OutboxStatus.CANCELLED, finished_at=now, updated_at=now)
            )
        )
    session.flush()
    return withdrawn


def awaiting_duty_reminder(session: Session, duty_id: int, day: date, contact_id: int) -> int | None:
    """The duty's latest reminder run of `day` whose SMS reached `contact_id` (a daily report answers it)."""
    reached = (
        OutboxStatus.SENDING,
        OutboxStatus.SENT,
        OutboxStatus.DELIVERED,
        OutboxStatus.UNDELIVERED,
        OutboxStatus.UNKNOWN,
    )
    return session.scalar(
        select(Run.id)
        .join(OutboxMessage, OutboxMessage.run_id == Run.id)
        .where(
            Run.duty_id == duty_id,
            Run.kind == RunKind.DUTY_REMINDER,
            Run.run_key.startswith(f"{day.isoformat()} "),
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.status.in_(reached),
        )
        .order_by(Run.occurrence_at.desc(), Run.id.desc())
        .limit(1)
    )
