"""Runs: create the run of a due occurrence and write its outbox rows in one INSERT ... SELECT.

Planning is idempotent: a run is unique per campaign and occurrence, and an outbox row per run, contact and
channel, so a tick that fires twice plans nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, insert, literal, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.campaign_service import activate_campaign, load_campaign
from campaigns.broadcasts.schedules import ScheduleKind, next_occurrence, window_opens_at
from campaigns.broadcasts.templates import has_placeholders
from campaigns.common.errors import ValidationError
from campaigns.common.sms_segments import count_segments
from campaigns.delivery.expiry import outbox_expiry
from campaigns.identity.access import Actor
from campaigns.identity.audit import record_action
from campaigns.models import Campaign, CampaignStatus, Contact, OutboxMessage, OutboxStatus, Run, RunStatus
from campaigns.runs.alerts import prepare_alert_launch
from campaigns.runs.approvals import DEFAULT_APPROVAL_THRESHOLD, require_approval
from campaigns.runs.preview import launch_blockers, sms_segments_estimate
from campaigns.runs.recipients import body_expr, language_expr, recipients_select
from campaigns.voice.voice_campaigns import VOICE, voice_rows_select


@dataclass(frozen=True)
class PlannedRun:
    """A run that was just planned: the caller enqueues its sending after commit."""

    run_id: int
    campaign_id: int
    planned: int
    alert: bool = False  # its sending takes the alerts' lane (workers/lane.py)


def launch_campaign(
    session: Session,
    actor: Actor,
    campaign_id: int,
    now: datetime,
    approval_threshold: int = DEFAULT_APPROVAL_THRESHOLD,
    outbox_ttl: timedelta | None = None,
) -> PlannedRun | None:
    """Launch a campaign: a 'now' campaign gets its run planned at once; a scheduled one waits for the tick.

    A campaign to more than `approval_threshold` people, and any alert, needs a second person's approval first
    (campaigns.runs.approvals). An alert's update or cancel first stops the unsent rows of the alert it
    refers to (campaigns.runs.alerts); a cancel without an all-clear sends nothing itself. Routine rows
    expire `outbox_ttl` after planning (None: never), an alert's with the alert.
    """
    campaign = load_campaign(session, actor, campaign_id)
    require_approval(session, actor, campaign, approval_threshold, now)
    if campaign.status == "draft":
        prepare_alert_launch(session, actor, campaign, now)
    if campaign.kind == ALERT and not campaign.channels:
        activate_campaign(session, actor, campaign_id, now)
        campaign.status, campaign.next_run_at = "finished", None
        session.flush()
        return None
    blockers = launch_blockers(session, campaign)
    if blockers:
        raise ValidationError.coded(
            "launch.blocked",
            "the campaign cannot launch: %(reasons)s",
            fields={"audience": blockers[0].message},
            reasons=blockers,
        )
    campaign = activate_campaign(session, actor, campaign_id, now)
    if campaign.schedule["kind"] == ScheduleKind.NOW:
        return plan_occurrence(session, campaign, now, now, outbox_ttl)
    return None


EXPIRED_BEFORE_PLANNING = "alert.expired_unsent"


def plan_due_runs(session: Session, now: datetime, outbox_ttl: timedelta | None = None) -> list[PlannedRun]:
    """Plan every campaign occurrence that is due; called by the periodic tick. A scheduled alert whose expiry has
    passed is not planned: it is finished, with an audit entry saying why."""
    due = session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.SCHEDULED, Campaign.next_run_at <= now)
        .order_by(Campaign.id)
    ).all()
    planned_runs = []
    for campaign in due:
        if campaign.kind == ALERT and campaign.expires_at is not None and campaign.expires_at <= now:
            _finish_expired_alert(session, campaign, now)
        elif planned := plan_occurrence(session, campaign, campaign.next_run_at, now, outbox_ttl):
            planned_runs.append(planned)
    return planned_runs


def _finish_expired_alert(session: Session, campaign: Campaign, now: datetime) -> None:
    campaign.status, campaign.next_run_at = "finished", None
    reason = "the alert expired before its scheduled time came: nothing was sent"
    detail = {"expires_at": campaign.expires_at.isoformat() if campaign.expires_at else None, "reason": reason}
    record_action(session, Actor.system(), EXPIRED_BEFORE_PLANNING, now, grid_id=campaign.scope_grid_id,
                  target=f"campaign:{campaign.id}", detail=detail)  # fmt: skip


def plan_occurrence(session: Session, campaign: Campaign, occurrence: datetime, now: datetime,
                    outbox_ttl: timedelta | None = None) -> PlannedRun | None:  # fmt: skip
    """Create the run for `occurrence` with its outbox rows, then move the campaign to its next occurrence."""
    planned = None
    try:
        with session.begin_nested():
            run = Run(campaign_id=campaign.id, occurrence_at=occurrence, status=RunStatus.SENDING)
            session.add(run)
            session.flush()
    except IntegrityError:
        run = None
    if run is not None:
        first_attempt = window_opens_at(campaign.send_window, campaign.timezone, now)
        run.planned = _write_outbox(session, campaign, run, first_attempt, outbox_expiry(campaign, now, outbox_ttl))
        run.estimated_segments = sms_segments_estimate(session, campaign)
        planned = PlannedRun(run.id, campaign.id, run.planned, alert=campaign.kind == ALERT)
    campaign.next_run_at = next_occurrence(campaign.schedule, campaign.timezone, max(occurrence, now))
    if campaign.next_run_at is None:
        campaign.status = CampaignStatus.FINISHED
    session.flush()
    return planned


ANALYZE_AFTER_ROWS = 10_000

OUTBOX_COLUMNS = ["run_id", "contact_id", "grid_id", "channel", "to", "language", "body", "segments", "status",
                  "attempts", "next_attempt_at"]  # fmt: skip


def _write_outbox(session: Session, campaign: Campaign, run: Run, first_attempt: datetime,
                  expires_at: datetime | None) -> int:  # fmt: skip
    columns = [*OUTBOX_COLUMNS, "expires_at"]
    expiry = literal(expires_at, OutboxMessage.expires_at.type)
    for channel in campaign.channels:
        if channel == VOICE:
            voice_rows = voice_rows_select(session, campaign, run.id, first_attempt).add_columns(expiry)
            session.execute(insert(OutboxMessage).from_select(columns, voice_rows))
            continue
        rows = recipients_select(
            session,
            campaign,
            channel,
            literal(run.id),
            Contact.id,
            Contact.grid_id,
            literal(channel),
            Contact.phone,
            language_expr(campaign),
            body_expr(campaign),
            _segments_expr(campaign),
            literal(OutboxStatus.QUEUED.value),
            literal(0),
            literal(first_attempt, OutboxMessage.next_attempt_at.type),
            expiry,
        )
        session.execute(insert(OutboxMessage).from_select(columns, rows))
    planned = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.run_id == run.id))
    if planned >= ANALYZE_AFTER_ROWS and session.get_bind().dialect.name == "postgresql":
        # PostgreSQL has no statistics on a run just written, takes its id for a rare value and would claim each
        # batch by scanning all of the run's queued rows (0.8 s a claim at 100k rows, measured) instead of the
        # batch's id range (14 ms). ANALYZE sees this transaction's own rows; autovacuum would come too late.
        session.execute(sql_text("ANALYZE outbox"))
    return planned


def _segments_expr(campaign: Campaign):
    """Segments per language for fixed texts; templated texts are counted again by the sender once rendered."""
    segments = {lang: count_segments(text).segments for lang, text in campaign.texts.items()}
    if any(has_placeholders(text) for text in campaign.texts.values()):
        return literal(1)
    return case(segments, value=language_expr(campaign), else_=1)
