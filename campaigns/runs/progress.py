"""Run progress: counts by status, grid and language, the current rate and time left, SMS segments and cost
(estimated and actual), failures with reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.errors import NotFound
from campaigns.identity.access import Actor
from campaigns.models import Grid, OutboxMessage, Run
from campaigns.models.outbox import OUTBOX_STATUSES

RATE_WINDOW = timedelta(minutes=1)


def load_run(session: Session, actor: Actor, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound.coded("run.not_found", "run not found")
    load_campaign(session, actor, run.campaign_id)
    return run


def run_to_dict(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "campaign_id": run.campaign_id,
        "occurrence_at": run.occurrence_at.isoformat(),
        "status": run.status,
        "planned": run.planned,
        "alert": run.alert,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def list_runs(session: Session, actor: Actor, campaign_id: int) -> list[dict[str, Any]]:
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
) -> dict[str, Any]:
    """Counts by status, by grid and by language; the send rate and the time left (none unless the run is
    sending); SMS segments and cost, estimated by the preview and actually sent."""
    run = load_run(session, actor, run_id)
    mine = OutboxMessage.run_id == run.id
    by_status = {status: 0 for status in OUTBOX_STATUSES}
    by_status.update(dict(session.execute(_grouped(OutboxMessage.status).where(mine)).all()))
    by_language: dict[str, dict[str, int]] = {}
    for language, status, count in session.execute(_grouped(OutboxMessage.language, OutboxMessage.status).where(mine)):
        by_language.setdefault(language, {})[status] = count
    by_grid: dict[int, dict[str, Any]] = {}
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
        select(func.min(OutboxMessage.next_attempt_at)).where(mine, OutboxMessage.status == "queued")
    )
    remaining = by_status["queued"] + by_status["sending"]
    failed = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.to,
            OutboxMessage.status,
            OutboxMessage.error_code,
            OutboxMessage.error_message,
        )
        .where(mine, OutboxMessage.status.in_(("failed", "undelivered", "unknown")))
        .order_by(OutboxMessage.id)
        .limit(failed_limit)
    ).all()
    return {
        "run": run_to_dict(run),
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_language": by_language,
        "by_grid": sorted(by_grid.values(), key=lambda entry: entry["code"]),
        "rate_per_second": round(rate, 2),
        "remaining": remaining,
        "estimated_seconds_left": round(remaining / rate, 1)
        if rate and remaining and run.status == "sending"
        else None,
        **_segments_and_cost(session, run, price_per_segment),
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


def _segments_and_cost(session: Session, run: Run, price_per_segment: float | None) -> dict[str, Any]:
    sms = (OutboxMessage.run_id == run.id) & (OutboxMessage.channel == "sms")
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
