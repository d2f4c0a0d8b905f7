"""Grid services: create, rename, move and delete grids, list and read them within the caller's scope."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import and_, func, literal, select, update
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, NotFound, ValidationError
from campaigns.common.pagination import Page, paginate
from campaigns.common.text import clean_code, clean_text, search_text
from campaigns.directory.roles import LEADER_ROLES
from campaigns.identity.access import Actor, require_write, scope_condition
from campaigns.models import Contact, Grid, GridLevel, Speaker, User
from campaigns.models.grid import path_ids, subtree_bounds


def clean_name(raw: Any) -> str:
    return clean_text(raw, "name", max_length=200, label="grid name")


def level_lookup(session: Session) -> dict[str, GridLevel]:
    """Every way staff may name a level (key, Chinese name, English name) mapped to the level."""
    lookup: dict[str, GridLevel] = {}
    for level in session.scalars(select(GridLevel)):
        for name in (level.key, level.name, level.name_en, *level.name.split("/")):
            lookup[name.strip().lower()] = level
    return lookup


def resolve_level(session: Session, raw: Any, lookup: dict[str, GridLevel] | None = None) -> GridLevel:
    lookup = lookup if lookup is not None else level_lookup(session)
    key = unicodedata.normalize("NFKC", str(raw or "")).strip().lower()
    level = lookup.get(key)
    if level is None:
        known = ", ".join(sorted({lv.key for lv in lookup.values()}))
        raise ValidationError.coded(
            "grid.unknown_level",
            "unknown level '%(raw)s' (known: %(known)s)",
            fields={"level": "unknown"},
            raw=raw,
            known=known,
        )
    return level


def grid_to_dict(grid: Grid) -> dict[str, Any]:
    return {
        "id": grid.id,
        "code": grid.code,
        "name": grid.name,
        "level": grid.level.key,
        "parent_id": grid.parent_id,
        "path": grid.path,
        "depth": grid.depth,
    }


def load_grid(session: Session, actor: Actor, grid_id: int) -> Grid:
    """The grid with `grid_id`, or NotFound when it does not exist or lies outside the actor's scope."""
    grid = session.get(Grid, grid_id)
    if grid is None or not actor.sees_path(grid.path):
        raise NotFound.coded("grid.not_found", "grid not found")
    return grid


def get_grid(session: Session, actor: Actor, grid_id: int) -> dict[str, Any]:
    """One grid with its ancestors, children count, contacts in its subtree and its leaders."""
    grid = load_grid(session, actor, grid_id)
    ancestor_ids = path_ids(grid.path)[:-1]
    ancestors = session.scalars(select(Grid).where(Grid.id.in_(ancestor_ids)).order_by(Grid.depth)).all()
    low, high = subtree_bounds(grid.path)
    contact_count = session.scalar(
        select(func.count(Contact.id)).join(Grid, Contact.grid_id == Grid.id).where(Grid.path >= low, Grid.path < high)
    )
    children = session.scalar(select(func.count(Grid.id)).where(Grid.parent_id == grid.id))
    leaders = session.scalars(
        select(Contact).where(Contact.grid_id == grid.id, Contact.role.in_(LEADER_ROLES)).order_by(Contact.name)
    ).all()
    return {
        **grid_to_dict(grid),
        "ancestors": [{"id": a.id, "code": a.code, "name": a.name} for a in ancestors if actor.sees_path(a.path)],
        "children_count": children,
        "contacts_in_subtree": contact_count,
        "leaders": [{"id": c.id, "name": c.name, "phone": c.phone} for c in leaders],
    }


def list_grids(
    session: Session,
    actor: Actor,
    *,
    parent_id: int | None = None,
    under_id: int | None = None,
    level: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Grids in the caller's scope, optionally the children of one grid, a subtree, a level or a name/code search."""
    query = select(Grid).where(scope_condition(actor, Grid.path)).order_by(Grid.path)
    if parent_id is not None:
        query = query.where(Grid.parent_id == load_grid(session, actor, parent_id).id)
    if under_id is not None:
        low, high = subtree_bounds(load_grid(session, actor, under_id).path)
        query = query.where(Grid.path >= low, Grid.path < high)
    if level:
        query = query.where(Grid.level_id == resolve_level(session, level).id)
    q = search_text(q)
    if q:
        query = query.where(Grid.name.contains(q, autoescape=True) | Grid.code.contains(q, autoescape=True))
    return paginate(session, query, page, per_page, grid_to_dict)


def create_grid(
    session: Session, actor: Actor, *, code: Any, name: Any, level: Any, parent_id: int | None = None
) -> dict[str, Any]:
    """Create a grid under `parent_id` (a root needs an unscoped admin). Codes are unique."""
    require_write(actor)
    code, name = clean_code(code), clean_name(name)
    grid_level = resolve_level(session, level)
    parent = load_grid(session, actor, parent_id) if parent_id is not None else None
    if parent is None and actor.scope_path is not None:
        raise ValidationError.coded(
            "grid.parent_required", "a scoped user must create grids under a parent", fields={"parent_id": "required"}
        )
    if parent is not None:
        require_level_below(grid_level, parent)
    if session.scalar(select(Grid.id).where(Grid.code == code)) is not None:
        raise Conflict.coded(
            "grid.code_taken", "grid code '%(code)s' is already taken", fields={"code": "taken"}, code=code
        )
    grid = insert_grid(session, code=code, name=name, level=grid_level, parent=parent)
    return grid_to_dict(grid)


def require_level_below(level: GridLevel, parent: Grid) -> None:
    """A grid's level must be below its parent's: no village above a township, no township under a township."""
    if level.rank <= parent.level.rank:
        raise ValidationError.coded(
            "grid.bad_parent_level",
            "a %(key)s cannot be under %(code)s, a %(key2)s",
            fields={"level": "not below the parent's level"},
            key=level.key,
            code=parent.code,
            key2=parent.level.key,
        )


def insert_grid(session: Session, *, code: str, name: str, level: GridLevel, parent: Grid | None) -> Grid:
    """Insert a grid and give it its path (which needs its id); no checks: callers validate."""
    placeholder = f"/new:{code}/"
    grid = Grid(code=code, name=name, level=level, parent_id=parent.id if parent else None, path=placeholder)
    grid.depth = parent.depth + 1 if parent else 0
    session.add(grid)
    session.flush()
    grid.path = f"{parent.path if parent else '/'}{grid.id}/"
    session.flush()
    return grid


def rename_grid(session: Session, actor: Actor, grid_id: int, name: Any) -> dict[str, Any]:
    require_write(actor)
    grid = load_grid(session, actor, grid_id)
    grid.name = clean_name(name)
    session.flush()
    return grid_to_dict(grid)


def move_grid(session: Session, actor: Actor, grid_id: int, new_parent_id: int) -> dict[str, Any]:
    """Move a grid and its whole subtree (with its contacts) under another parent in the caller's scope."""
    require_write(actor)
    grid = load_grid(session, actor, grid_id)
    if actor.scope_path is not None and grid.path == actor.scope_path:
        raise ValidationError.coded("grid.move_own_scope", "you cannot move the grid that is your own scope")
    parent = load_grid(session, actor, new_parent_id)
    if parent.path.startswith(grid.path):
        raise ValidationError.coded(
            "grid.move_into_subtree",
            "a grid cannot move under itself or its own subtree",
            fields={"parent_id": "cycle"},
        )
    if parent.id == grid.parent_id:
        return grid_to_dict(grid)
    require_level_below(grid.level, parent)
    old_path, new_path = grid.path, f"{parent.path}{grid.id}/"
    depth_change = parent.depth + 1 - grid.depth
    low, high = subtree_bounds(old_path)
    session.execute(
        update(Grid)
        .where(and_(Grid.path >= low, Grid.path < high))
        .values(
            path=literal(new_path) + func.substr(Grid.path, len(old_path) + 1),
            depth=Grid.depth + depth_change,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(update(Grid).where(Grid.id == grid.id).values(parent_id=parent.id))
    session.expire_all()
    return grid_to_dict(session.get_one(Grid, grid_id))


def delete_grid(session: Session, actor: Actor, grid_id: int) -> None:
    """Delete an empty grid; a grid with child grids, contacts or staff scoped to it is refused with Conflict."""
    require_write(actor)
    grid = load_grid(session, actor, grid_id)
    children = session.scalar(select(func.count(Grid.id)).where(Grid.parent_id == grid.id))
    contacts = session.scalar(select(func.count(Contact.id)).where(Contact.grid_id == grid.id))
    users = session.scalar(select(func.count(User.id)).where(User.scope_grid_id == grid.id))
    speakers = session.scalar(select(func.count(Speaker.id)).where(Speaker.grid_id == grid.id))
    reasons = [
        f"{count} {what}"
        for count, what in (
            (children, "child grids"),
            (contacts, "contacts"),
            (users, "staff accounts scoped to it"),
            (speakers, "loudspeakers"),
        )
        if count
    ]
    if reasons:
        raise Conflict.coded(
            "grid.not_empty",
            "grid %(code)s is not empty: it has %(reasons)s; move or delete them first",
            code=grid.code,
            reasons=reasons,
        )
    session.delete(grid)
    session.flush()
