"""A county's rule for its most severe alerts: whether its admins may launch an extreme (特别重大) alert without a
second person's approval. The rule is a flag on the county's grid, set by an admin whose scope holds the county;
each change and each skipped approval is written to the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT, HIGHEST_SEVERITY
from campaigns.common.errors import ValidationError
from campaigns.directory.grids import load_grid
from campaigns.identity.access import Actor, require_admin
from campaigns.identity.audit import record_action
from campaigns.models import Campaign, Grid, GridLevel
from campaigns.models.grid import path_ids

COUNTY = "county"


def county_of(session: Session, grid_id: int | None) -> Grid | None:
    """The county grid above (or at) a grid; None without a grid or when no ancestor is a county."""
    if grid_id is None:
        return None
    grid = session.get(Grid, grid_id)
    if grid is None:
        return None
    return session.scalar(
        select(Grid)
        .join(GridLevel, GridLevel.id == Grid.level_id)
        .where(Grid.id.in_(path_ids(grid.path)), GridLevel.key == COUNTY)
    )


def county_rule(session: Session, actor: Actor, grid_id: int) -> dict[str, Any]:
    """The alert rule of a county grid in the actor's scope."""
    grid = _county(session, actor, grid_id)
    return {"grid_id": grid.id, "code": grid.code, "name": grid.name,
            "skip_approval_for_extreme": grid.alert_skip_extreme_approval}  # fmt: skip


def set_county_rule(session: Session, actor: Actor, grid_id: int, allow: bool, now: datetime) -> dict[str, Any]:
    """Allow or forbid (admins only) launching extreme alerts of the county without a second person's approval."""
    require_admin(actor)
    if not isinstance(allow, bool):
        raise ValidationError.coded(
            "alert_rule.skip_not_boolean",
            "skip_approval_for_extreme must be true or false",
            fields={"skip_approval_for_extreme": "not a boolean"},
        )
    grid = _county(session, actor, grid_id)
    grid.alert_skip_extreme_approval = allow
    record_action(session, actor, "alert.county_rule", now, grid_id=grid.id, target=f"grid {grid.code}",
                  detail={"skip_approval_for_extreme": allow})  # fmt: skip
    return county_rule(session, actor, grid_id)


def _county(session: Session, actor: Actor, grid_id: int) -> Grid:
    grid = load_grid(session, actor, grid_id)
    if grid.level.key != COUNTY:
        raise ValidationError.coded(
            "alert_rule.alert_rule_set_on", "the alert rule is set on a county grid", fields={"grid_id": "not a county"}
        )
    return grid


def may_skip_approval(session: Session, actor: Actor, campaign: Campaign) -> bool:
    """An admin launching an extreme alert of a county whose rule allows it needs no second person."""
    if campaign.kind != ALERT or campaign.severity != HIGHEST_SEVERITY or not actor.is_admin:
        return False
    county = county_of(session, campaign.scope_grid_id)
    return county is not None and county.alert_skip_extreme_approval
