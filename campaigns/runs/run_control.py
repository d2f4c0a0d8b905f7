"""Staff controls over campaigns and runs: pause, resume, cancel, retry failed and undelivered rows, settle unknown
ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.schedules import next_occurrence
from campaigns.common.errors import Conflict, ValidationError
from campaigns.common.typed_sql import rowcount
from campaigns.delivery.claim_release import hold_runs, release_unhanded
from campaigns.delivery.expiry import outbox_expiry
from campaigns.identity.access import Actor, require_write
from campaigns.models import Campaign, CampaignStatus, OutboxMessage, OutboxStatus, Run, RunStatus
from campaigns.models.base import utcnow
from campaigns.runs.progress import RunSummary, load_run, run_to_dict


class PausedCounts(TypedDict):
    """The runs a pause held and what became of their claimed messages."""

    runs: list[int]
    requeued: int
    with_provider: int


class RetryAnswer(TypedDict):
    """A retry's result as the API shows it."""

    requeued: int
    by_status: dict[str, int]
    reason: str | None
    opted_out: int
    unknown_left: int


@dataclass(frozen=True)
class Paused:
    """A paused campaign, and what became of its runs' claimed messages: back in the queue, or already with the
    provider (those are not recalled; their outcome is still recorded)."""

    campaign: Campaign
    runs: list[int]
    requeued: int = 0
    with_provider: int = 0

    def counts(self) -> PausedCounts:
        return {"runs": self.runs, "requeued": self.requeued, "with_provider": self.with_provider}


def pause_campaign(session: Session, actor: Actor, campaign_id: int, now: datetime | None = None) -> Paused:
    """Hold a campaign: no new runs, and its sending runs stop at once. Queued rows wait; rows claimed by a sender but
    not yet handed to the provider go back to the queue (the sender hands nothing more of a paused run); rows already
    handed over are counted. Nothing is lost or sent twice."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status in ("cancelled", "draft"):
        raise Conflict.coded("campaign.cannot_pause", "a %(status)s campaign cannot be paused", status=campaign.status)
    held = list(session.scalars(select(Run.id).where(Run.campaign_id == campaign.id, Run.status == "sending")))
    if held:
        session.execute(
            update(Run)
            .where(Run.id.in_(held), Run.status == RunStatus.SENDING)
            .values(status=RunStatus.PAUSED)
            .execution_options(synchronize_session="fetch")
        )
    if campaign.status == CampaignStatus.SCHEDULED:
        campaign.status = CampaignStatus.PAUSED
    elif not held:
        raise Conflict.coded("campaign.nothing_to_cancel", "nothing is sending or scheduled")
    rows = hold_runs(session, held, now or utcnow())
    return Paused(campaign, held, rows.requeued, rows.with_provider)


def resume_campaign(session: Session, actor: Actor, campaign_id: int, now: datetime) -> Campaign:
    """Resume paused runs, and a paused schedule from its next occurrence after now. The caller enqueues the
    resumed runs' dispatch after the commit (`sending_run_ids`), so sending starts at once."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    resumed = rowcount(
        session.execute(
            update(Run)
            .where(Run.campaign_id == campaign.id, Run.status == RunStatus.PAUSED)
            .values(status=RunStatus.SENDING)
        )
    )
    if campaign.status == CampaignStatus.PAUSED:
        campaign.next_run_at = next_occurrence(campaign.schedule, campaign.timezone, now)
        campaign.status = CampaignStatus.SCHEDULED if campaign.next_run_at else CampaignStatus.FINISHED
    elif not resumed:
        raise Conflict.coded(
            "campaign.cannot_resume",
            "a %(status)s campaign with no paused run cannot be resumed",
            status=campaign.status,
        )
    return campaign


def sending_run_ids(session: Session, campaign_id: int) -> list[int]:
    """The campaign's runs that are sending (after a resume: the ones to dispatch now)."""
    return list(session.scalars(select(Run.id).where(Run.campaign_id == campaign_id, Run.status == RunStatus.SENDING)))


def cancel_campaign(session: Session, actor: Actor, campaign_id: int, now: datetime) -> Campaign:
    """Cancel a campaign and every run of it; rows not yet handed to the provider become `cancelled`."""
    require_write(actor)
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.status == CampaignStatus.CANCELLED:
        return campaign
    campaign.status, campaign.next_run_at = CampaignStatus.CANCELLED, None
    for run in session.query(Run).filter(
        Run.campaign_id == campaign.id, Run.status.in_((RunStatus.SENDING, RunStatus.PAUSED))
    ):
        _cancel_rows(session, run, now)
    return campaign


def cancel_run(session: Session, actor: Actor, run_id: int, now: datetime) -> RunSummary:
    require_write(actor)
    run = load_run(session, actor, run_id)
    if run.status in ("done", "cancelled"):
        raise Conflict.coded("run.already_in_status", "the run is already %(status)s", status=run.status)
    _cancel_rows(session, run, now)
    return run_to_dict(run)


def _cancel_rows(session: Session, run: Run, now: datetime) -> None:
    run.status, run.finished_at = RunStatus.CANCELLED, now
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.run_id == run.id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.CANCELLED, finished_at=now, updated_at=now)
    )
    session.flush()
    release_unhanded(session, OutboxMessage.run_id == run.id, now)  # claimed, never handed over: cancelled too


RETRIED_STATUSES = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)
NEVER_RETRIED_CODES = ("21610", "opted_out")  # the contact replied STOP to the provider, or opted out here


@dataclass(frozen=True)
class RetryResult:
    """What a retry queued again, by the status each row had; and when nothing was, why."""

    requeued: int
    by_status: dict[str, int]
    reason: str | None = None
    opted_out: int = 0
    unknown_left: int = 0

    def as_dict(self) -> RetryAnswer:
        return RetryAnswer(
            requeued=self.requeued,
            by_status=dict(self.by_status),
            reason=self.reason,
            opted_out=self.opted_out,
            unknown_left=self.unknown_left,
        )


def retry_failed(
    session: Session, actor: Actor, run_id: int, now: datetime, include_unknown: bool = False,
    outbox_ttl: timedelta | None = None,
) -> RetryResult:  # fmt: skip
    """Queue the run's `failed` and `undelivered` rows again (and `unknown` ones when staff accept the risk of a
    duplicate), as new sends: the provider's earlier answer (id, channel, error) is cleared so the new send's reports
    bind to it, and the rows get a fresh expiry by the outbox's rule (campaigns.delivery.expiry: an alert's, else
    `outbox_ttl` from now). Rows whose contact opted out through the provider are never retried; a run whose rows
    would expire at once (an expired alert's) is not retried at all."""
    require_write(actor)
    run = load_run(session, actor, run_id)
    if run.status == "cancelled":
        raise ValidationError.coded("run.cancelled_no_retry", "a cancelled run cannot be retried")
    expires_at = outbox_expiry(run.campaign, now, outbox_ttl)
    if expires_at is not None and expires_at <= now:
        raise ValidationError.coded(
            "run.expired_no_retry",
            "the run's messages expired at %(expires_at)s: they cannot be retried",
            expires_at=expires_at.isoformat(),
        )
    statuses = (*RETRIED_STATUSES, "unknown") if include_unknown else RETRIED_STATUSES
    of_run = OutboxMessage.run_id == run.id
    allowed = OutboxMessage.error_code.is_(None) | OutboxMessage.error_code.not_in(NEVER_RETRIED_CODES)
    retried = of_run & OutboxMessage.status.in_(statuses) & allowed
    by_status = _count_by_status(session, retried)
    fresh = {"status": OutboxStatus.QUEUED, "next_attempt_at": now, "attempts": 0, "updated_at": now,
             "expires_at": expires_at}  # fmt: skip
    forgotten = dict.fromkeys(("finished_at", "sent_at", "provider_sid", "provider", "error_code", "error_message"))
    fresh.update(forgotten)
    count = rowcount(
        session.execute(
            update(OutboxMessage).where(retried).values(**fresh).execution_options(synchronize_session=False)
        )
    )
    if count:
        run.status, run.finished_at = RunStatus.SENDING, None
        return RetryResult(count, by_status)
    opted_out = sum(_count_by_status(session, of_run & OutboxMessage.status.in_(statuses) & ~allowed).values())
    unknown_left = 0
    if not include_unknown:
        unknown_left = _count_by_status(session, of_run & (OutboxMessage.status == OutboxStatus.UNKNOWN)).get(
            OutboxStatus.UNKNOWN, 0
        )
    if opted_out:
        went = "failed message went" if opted_out == 1 else "failed messages went"
        reason = f"{opted_out} {went} to contacts who opted out; they are never sent again"
    elif unknown_left:
        have = "message has" if unknown_left == 1 else "messages have"
        reason = f"{unknown_left} {have} an unknown outcome: retry with include_unknown to resend them"
    else:
        reason = "the run has no failed or undelivered messages"
    return RetryResult(0, {}, reason, opted_out, unknown_left)


def _count_by_status(session: Session, condition) -> dict[str, int]:
    query = select(OutboxMessage.status, func.count()).where(condition).group_by(OutboxMessage.status)
    return {status: count for status, count in session.execute(query)}
