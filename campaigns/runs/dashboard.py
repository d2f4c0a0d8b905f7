"""Reads the console needs besides the other services' answers: the runs in progress in the caller's scope with
their counts by status (campaign visibility as in `list_campaigns`), the grids its tree starts from, and an outline
of the top levels of the caller's grids for the audience picker."""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.directory.grids import grid_to_dict, load_grid
from campaigns.identity.access import Actor, scope_condition
from campaigns.models import Campaign, Grid, OutboxMessage, OutboxStatus, Run, RunKind, RunStatus
from campaigns.models.grid import path_ids

DONE_STATUSES = (
    OutboxStatus.SENT,
    OutboxStatus.DELIVERED,
    OutboxStatus.UNDELIVERED,
    OutboxStatus.FAILED,
    OutboxStatus.CANCELLED,
    OutboxStatus.SKIPPED,
    OutboxStatus.EXPIRED,
)


class ActiveRun(TypedDict):
    """A run sending or paused, with its campaign and how far it got."""

    run_id: int
    status: str
    planned: int
    campaign_id: int
    campaign: str
    occurrence_at: str
    drill: bool
    by_status: dict[str, int]
    total: int
    done: int
    percent: int


def active_runs(session: Session, actor: Actor, limit: int = 20) -> list[ActiveRun]:
    """Runs sending or paused, newest first, each with its campaign and outbox counts by status."""
    query = (
        select(Run.id, Run.status, Run.planned, Campaign.id, Campaign.name, Run.occurrence_at, Campaign.is_drill)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .outerjoin(Grid, Campaign.scope_grid_id == Grid.id)
        .where(Run.status.in_((RunStatus.SENDING, RunStatus.PAUSED)), Run.kind == RunKind.REGULAR)
        .order_by(Run.id.desc())
        .limit(limit)
    )
    if actor.scope_path is not None:
        query = query.where(scope_condition(actor, Grid.path))
    runs = session.execute(query).all()
    counts: dict[int, dict[str, int]] = {run[0]: {} for run in runs}
    if counts:
        grouped = session.execute(
            select(OutboxMessage.run_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.run_id.in_(list(counts)))
            .group_by(OutboxMessage.run_id, OutboxMessage.status)
        )
        for run_id, status, count in grouped:
            counts[run_id][status] = count
    result: list[ActiveRun] = []
    for run_id, status, planned, campaign_id, name, occurrence_at, is_drill in runs:
        by_status = counts[run_id]
        total = sum(by_status.values())
        done = sum(by_status.get(key, 0) for key in DONE_STATUSES)
        result.append(
            {
                "run_id": run_id,
                "status": status,
                "planned": planned,
                "campaign_id": campaign_id,
                "campaign": name,
                "occurrence_at": occurrence_at.isoformat(),
                "drill": is_drill,
                "by_status": by_status,
                "total": total,
                "done": done,
                "percent": round(100 * done / total) if total else 0,
            }
        )
    return result


REACHED_STATUSES = ("sent", "delivered")


def alert_counts(session: Session, actor: Actor) -> dict[str, dict[str, int]]:
    """Launched alerts in scope and the messages they got out (sent or delivered), real alerts apart from drills,
    so a drill never counts in the real numbers."""
    counts = {"real": {"alerts": 0, "reached": 0}, "drills": {"alerts": 0, "reached": 0}}
    launched = (
        select(Campaign.is_drill, func.count())
        .outerjoin(Grid, Campaign.scope_grid_id == Grid.id)
        .where(Campaign.kind == "alert", Campaign.status != "draft", scope_condition(actor, Grid.path))
        .group_by(Campaign.is_drill)
    )
    for is_drill, count in session.execute(launched):
        counts["drills" if is_drill else "real"]["alerts"] = count
    reached = (
        select(Campaign.is_drill, func.count())
        .select_from(OutboxMessage)
        .join(Run, Run.id == OutboxMessage.run_id)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .outerjoin(Grid, Campaign.scope_grid_id == Grid.id)
        .where(Campaign.kind == "alert", OutboxMessage.status.in_(REACHED_STATUSES), scope_condition(actor, Grid.path))
        .group_by(Campaign.is_drill)
    )
    for is_drill, count in session.execute(reached):
        counts["drills" if is_drill else "real"]["reached"] = count
    return counts


def top_grids(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Where the console's grid tree starts: the actor's scope grid, or every root grid for an unscoped actor."""
    if actor.scope_path is not None:
        return [grid_to_dict(load_grid(session, actor, actor.scope_grid_id))]
    return [
        grid_to_dict(grid) for grid in session.scalars(select(Grid).where(Grid.parent_id.is_(None)).order_by(Grid.code))
    ]


def grid_outline(session: Session, actor: Actor, levels: int = 3, limit: int = 2000) -> list[dict[str, Any]]:
    """The top `levels` levels of the caller's grids in tree order (for pickers), each with its depth under the top."""
    top = path_depth(actor.scope_path) if actor.scope_path else 0
    query = (
        select(Grid)
        .where(scope_condition(actor, Grid.path), Grid.depth < top + levels)
        .order_by(Grid.path)
        .limit(limit)
    )
    return [{**grid_to_dict(grid), "indent": grid.depth - top} for grid in session.scalars(query)]


def path_depth(path: str) -> int:
    return len(path_ids(path)) - 1
