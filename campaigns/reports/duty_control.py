"""Pausing, resuming and ending a report duty, and reading its runs.

A paused duty takes no reports and sends no reminders or escalations until it is resumed; its reminders not yet
handed to the network are withdrawn (a reminder sent late, after the deadline, would only confuse). An ended duty
stays ended: it can no longer be changed or resumed, and its reports and runs stay readable. Only staff who may
change the duty (its root grid in their scope) may do this.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, ValidationError
from campaigns.identity.access import Actor, require_write
from campaigns.reports.duty_runs import list_duty_runs, withdraw_unsent
from campaigns.reports.report_duties import duty_to_dict, load_duty, require_not_ended


def pause_duty(session: Session, actor: Actor, duty_id: int, now: datetime) -> dict[str, Any]:
    """Stop the duty's reminders and escalations (and withdraw unsent ones) until it is resumed."""
    require_write(actor)
    duty = load_duty(session, actor, duty_id, write=True)
    require_not_ended(duty)
    if not duty.active:
        raise Conflict.coded("duty.already_paused", "the duty is already paused")
    duty.active = False
    withdraw_unsent(session, duty.id, now)
    return duty_to_dict(session, duty)


def resume_duty(session: Session, actor: Actor, duty_id: int) -> dict[str, Any]:
    """Let a paused duty take reports and send its next reminders and escalations again."""
    require_write(actor)
    duty = load_duty(session, actor, duty_id, write=True)
    require_not_ended(duty)
    if duty.active:
        raise Conflict.coded("duty.not_paused", "the duty is not paused")
    duty.active = True
    session.flush()
    return duty_to_dict(session, duty)


def end_duty(session: Session, actor: Actor, duty_id: int, now: datetime) -> dict[str, Any]:
    """End the duty for good: no more reports, reminders or escalations; unsent ones are withdrawn."""
    require_write(actor)
    duty = load_duty(session, actor, duty_id, write=True)
    require_not_ended(duty)
    duty.active, duty.ended_at = False, now
    withdraw_unsent(session, duty.id, now)
    return duty_to_dict(session, duty)


def duty_runs(session: Session, actor: Actor, duty_id: int, day: str | None = None) -> dict[str, Any]:
    """The duty's reminder and escalation runs (of one day, when `day` is given), newest first."""
    duty = load_duty(session, actor, duty_id)
    chosen = None
    if day:
        try:
            chosen = date.fromisoformat(day)
        except ValueError as exc:
            raise ValidationError.coded(
                "duty.bad_date", "date must look like 2026-11-23", fields={"date": "not a date"}
            ) from exc
    return {"duty_id": duty.id, "items": list_duty_runs(session, duty.id, day=chosen)}
