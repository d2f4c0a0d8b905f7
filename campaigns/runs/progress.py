"""Run progress: counts by status, grid and language, the current rate and time left, SMS segments and cost
(estimated and actual), failures with reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.errors import NotFound
from campaigns.identity.access import Actor
from campaigns.models import Channel, Grid, OutboxMessage, OutboxStatus, Run, RunStatus
from campaigns.models.outbox import OUTBOX_STATUSES

RATE_WINDOW = timedelta(minutes=1)


class RunSummary(TypedDict):
    """A run as the API shows it."""

    id: int
    campaign_id: int
    occurrence_at: str
    status: str
    planned: int
    alert: str | None
    finished_at: str | None


class GridCounts(TypedDict):
    """A grid's outbox rows of a run, counted by status."""

    grid_id: int
    code: str
    name: str
    counts: dict[str, int]


class Problem(TypedDict):
    """A failed, undelivered or unknown row of a run, with the provider's reason."""

    outbox_id: int
    to: str
    status: str
    error_code: str | None
    error: str | None


class Segments(TypedDict):
    estimated: int
    actual: int


class SegmentsAndCost(TypedDict):
    segments: Segments
    estimated_cost: float | None
    actual_cost: float | None


class RunProgress(TypedDict):
    """A run's progress: counts by status, language and grid, rate and time left, SMS segments and cost, problems."""

    run: RunSummary
    total: int
    by_status: dict[str, int]
    by_language: dict[str, dict[str, int]]
    by_grid: list[GridCounts]
    rate_per_second: float
    remaining: int
    estimated_seconds_left: float | None
    segments: Segments
    estimated_cost: float | None
    actual_cost: float | None
    currency: str | None
    waiting_until: str | None
    problems: list[Problem]


def load_run(session: Session, actor: Actor, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound.coded("run.not_found", "run not found")
    load_campaign(session, actor, run.campaign_id)
    return run


def run_to_dict(run: Run) -> RunSummary:
    return {
        "id": run.id,
        "campaign_id": run.campaign_id,
        "occurrence_at": run.occurrence_at.isoformat(),
        "status": run.status,
        "planned": run.planned,
        "alert": run.alert,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def list_runs(session: Session, actor: Actor, campaign_id: int) -> list[RunSummary]:
    load_campaign(session, actor, campaign_id)
    runs = session.scalars(select(Run).where(Run.campaign_id == campaign_id).order_by(Run.occurrence_at.desc()))
    return [run_to_dict(run) for run in runs]


def run_progress(
    session: Session,
    actor: Actor,
    run_id: int,
    now: datetime,
    failed_limit: int = 100,
    price_per_segment: float | None = None,
    currency: str | None = None,
) -> RunProgress:
    """Counts by status, by grid and by language; the send rate and the time left (none unless the run is
    sending); SMS segments and cost, estimated by the preview and actually sent."""
    run = load_run(session, actor, run_id)
    mine = OutboxMessage.run_id == run.id
    by_status: dict[str, int] = {status: 0 for status in OUTBOX_STATUSES}
    by_status.update(dict(session.execute(_grouped(OutboxMessage.status).where(mine)).all()))
    by_language: dict[str, dict[str, int]] = {}
    for language, status, count in session.execute(_grouped(OutboxMessage.language, OutboxMessage.status).where(mine)):
        by_language.setdefault(language, {})[status] = count
    by_grid: dict[int, GridCounts] = {}
    grid_rows = session.execute(
        select(Grid.id, Grid.code, Grid.name, OutboxMessage.status, func.count())
        .join(Grid, Grid.id == OutboxMessage.grid_id)
        .where(mine)
        .group_by(Grid.id, Grid.code, Grid.name, OutboxMessage.status)
    )
    for grid_id, code, name, status, count in grid_rows:
        entry = by_grid.setdefault(grid_id, {"grid_id": grid_id, "code": code, "name": name, "counts": {}})
        entry["counts"][status] = count
    rate = _send_rate(session, mine, now)
    next_due = session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(mine, OutboxMessage.status == OutboxStatus.QUEUED)
    )
    remaining = by_status[OutboxStatus.QUEUED] + by_status[OutboxStatus.SENDING]
    failed = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.to,
            OutboxMessage.status,
            OutboxMessage.error_code,
            OutboxMessage.error_message,
        )
        .where(mine, OutboxMessage.status.in_((OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.UNKNOWN)))
        .order_by(OutboxMessage.id)
        .limit(failed_limit)
    ).all()
    segments = _segments_and_cost(session, run, price_per_segment)
    return {
        "run": run_to_dict(run),
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_language": by_language,
        "by_grid": sorted(by_grid.values(), key=lambda entry: entry["code"]),
        "rate_per_second": round(rate, 2),
        "remaining": remaining,
        "estimated_seconds_left": round(remaining / rate, 1)
        if rate and remaining and run.status == RunStatus.SENDING
        else None,
        "segments": segments["segments"],
        "estimated_cost": segments["estimated_cost"],
        "actual_cost": segments["actual_cost"],
        "currency": currency,
        "waiting_until": next_due.isoformat() if next_due and next_due > now else None,
        "problems": [
            {"outbox_id": row[0], "to": row[1], "status": row[2], "error_code": row[3], "error": row[4]}
            for row in failed
        ],
    }


def _send_rate(session: Session, mine, now: datetime) -> float:
    """Messages handed to the network per second, from the first send of the last minute to now: right from the
    first seconds of a run (or of a resumed one), not diluted over a whole minute."""
    recent, since = session.execute(
        select(func.count(), func.min(OutboxMessage.sent_at)).where(mine, OutboxMessage.sent_at >= now - RATE_WINDOW)
    ).one()
    elapsed = (now - since).total_seconds() if since is not None else 0.0
    return recent / elapsed if elapsed > 0 else 0.0


def _segments_and_cost(session: Session, run: Run, price_per_segment: float | None) -> SegmentsAndCost:
    sms = (OutboxMessage.run_id == run.id) & (OutboxMessage.channel == Channel.SMS)
    planned, sent = session.execute(
        select(
            func.coalesce(func.sum(OutboxMessage.segments), 0),
            func.coalesce(func.sum(case((OutboxMessage.sent_at.is_not(None), OutboxMessage.segments), else_=0)), 0),
        ).where(sms)
    ).one()
    estimated = run.estimated_segments if run.estimated_segments is not None else int(planned)

    def cost(segments: int) -> float | None:
        return round(segments * price_per_segment, 2) if price_per_segment is not None else None

    return {
        "segments": {"estimated": estimated, "actual": int(sent)},
        "estimated_cost": cost(estimated),
        "actual_cost": cost(int(sent)),
    }


def _grouped(*columns):
    return select(*columns, func.count()).group_by(*columns)
