"""The audit log: every staff action in the console or written through the API (who, what, when, on which grid),
readable by admins.

An entry belongs to the grid it acted on; an admin with a scope reads the entries of grids in their subtree, an
admin without one reads them all (entries without a grid too).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.common.pagination import Page, check_page
from campaigns.identity.access import Actor, require_admin, scope_condition
from campaigns.models import AuditEntry, Grid


def record_action(
    session: Session,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    grid_id: int | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an entry for `actor` doing `action` (e.g. "campaign.launch") on `target` in grid `grid_id`."""
    record_event(session, action, now, username=actor.username, user_id=actor.user_id, grid_id=grid_id,
                 target=target, detail=detail)  # fmt: skip


def record_event(
    session: Session,
    action: str,
    now: datetime,
    *,
    username: str,
    user_id: int | None = None,
    grid_id: int | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an entry for something that happened to an account rather than by a logged-in actor (a failed login,
    a lockout), under the username given."""
    session.add(
        AuditEntry(
            at=now,
            user_id=user_id,
            username=username[:64],
            action=action[:64],
            grid_id=grid_id,
            target=target[:200],
            detail=detail or {},
        )
    )
    session.flush()


def entry_to_dict(entry: AuditEntry, grid: Grid | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "username": entry.username,
        "action": entry.action,
        "grid": {"id": grid.id, "code": grid.code, "name": grid.name} if grid else None,
        "target": entry.target,
        "detail": entry.detail,
    }


def list_audit(
    session: Session,
    actor: Actor,
    *,
    username: str | None = None,
    action: str | None = None,
    exact_action: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Audit entries the admin may read, newest first, optionally for one username and one action (or, unless
    `exact_action`, an action prefix such as "api.")."""
    require_admin(actor)
    query = select(AuditEntry, Grid).outerjoin(Grid, Grid.id == AuditEntry.grid_id)
    if actor.scope_path is not None:
        query = query.where(scope_condition(actor, Grid.path))
    if username:
        query = query.where(AuditEntry.username == username.strip())
    if action and exact_action:
        query = query.where(AuditEntry.action == action.strip())
    elif action:
        query = query.where(AuditEntry.action.startswith(action.strip(), autoescape=True))
    check_page(page, per_page)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page([entry_to_dict(*row) for row in rows], total, page, per_page)
