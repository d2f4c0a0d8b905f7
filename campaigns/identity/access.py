"""Who is acting, and what they may see: every service that reads or writes grid data takes an `Actor`.

A scope is a grid; an actor sees that grid and its subtree, nothing else. An actor without a scope (an admin of
the whole deployment, or the system itself) sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.orm import Session

from campaigns.common.errors import NotFound, PermissionDenied
from campaigns.common.text import clean_code
from campaigns.models import Grid
from campaigns.models.account import StaffRole
from campaigns.models.grid import path_ids, subtree_bounds

ROLES = tuple(StaffRole)
WRITE_ROLES = (StaffRole.ADMIN, StaffRole.COORDINATOR)


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a user (or the system), their role and the path of their scope grid."""

    user_id: int | None
    role: str
    scope_path: str | None
    username: str = "system"

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, role=StaffRole.ADMIN, scope_path=None)

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    @property
    def scope_grid_id(self) -> int | None:
        """The id of the actor's scope grid (the last id of its path); None for an unscoped actor."""
        return path_ids(self.scope_path)[-1] if self.scope_path else None

    def sees_path(self, path: str) -> bool:
        return self.scope_path is None or path.startswith(self.scope_path)


def require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise PermissionDenied.coded("access.read_only", "role '%(role)s' may only read", role=actor.role)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied.coded("access.admin_only", "only an admin may do this")


def scope_condition(actor: Actor, path_column) -> ColumnElement[bool]:
    """A WHERE condition that keeps rows whose grid path lies in the actor's subtree."""
    if actor.scope_path is None:
        return true()
    low, high = subtree_bounds(actor.scope_path)
    return and_(path_column >= low, path_column < high)


def find_grid_by_code(session: Session, actor: Actor, code: str) -> Grid:
    """The grid with this code; NotFound, with the same message, whether it does not exist or is out of scope."""
    code = clean_code(code)
    grid = session.scalar(select(Grid).where(Grid.code == code))
    if grid is None or not actor.sees_path(grid.path):
        raise NotFound.coded("grid.code_not_found", "grid '%(code)s' not found", code=code)
    return grid
