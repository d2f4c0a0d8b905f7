"""Grids by name for pickers: find grids in the caller's scope by a piece of their name (or code), and name chosen
grids by their path ("玛曲县 › 齐哈玛镇 › 秀玛村"), never by a bare id.

The path lists only the ancestors the caller may see, so a township coordinator reads "齐哈玛镇 › 秀玛村".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaigns.common.errors import ValidationError
from campaigns.common.text import search_text
from campaigns.identity.access import Actor, scope_condition
from campaigns.models import Grid
from campaigns.models.grid import path_ids

PATH_JOIN = " › "
MAX_ID = 2**31 - 1


def _labels(session: Session, actor: Actor, grids: list[Grid]) -> list[dict[str, Any]]:
    wanted = {ancestor for grid in grids for ancestor in path_ids(grid.path)}
    known = {grid.id: grid for grid in session.scalars(select(Grid).where(Grid.id.in_(wanted)))} if wanted else {}
    labels = []
    for grid in grids:
        names = [known[i].name for i in path_ids(grid.path) if i in known and actor.sees_path(known[i].path)]
        labels.append({"id": grid.id, "code": grid.code, "name": grid.name, "level": grid.level.key,
                       "path": PATH_JOIN.join(names)})  # fmt: skip
    return labels


def find_grids(session: Session, actor: Actor, q: str | None, limit: int = 20) -> list[dict[str, Any]]:
    """Grids in scope whose name or code contains `q`: names starting with it first, then higher levels first."""
    text = search_text(q)
    if not text:
        return []
    starts_first = case((Grid.name.startswith(text, autoescape=True), 0), else_=1)
    query = (
        select(Grid)
        .where(scope_condition(actor, Grid.path))
        .where(Grid.name.contains(text, autoescape=True) | Grid.code.startswith(text, autoescape=True))
        .order_by(starts_first, Grid.depth, func.length(Grid.name), Grid.path)
        .limit(max(1, min(limit, 50)))
    )
    return _labels(session, actor, list(session.scalars(query)))


def grid_labels(session: Session, actor: Actor, grid_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The grids with these ids that the caller may see, in the given order, each with its name and path."""
    ids = [i for i in dict.fromkeys(grid_ids) if isinstance(i, int) and 1 <= i <= MAX_ID]
    if not ids:
        return []
    found = {g.id: g for g in session.scalars(select(Grid).where(Grid.id.in_(ids))) if actor.sees_path(g.path)}
    return _labels(session, actor, [found[i] for i in ids if i in found])


def grid_by_name(session: Session, actor: Actor, name: str, field: str = "grid") -> dict[str, Any]:
    """The one grid in scope whose name (or code) is exactly `name`; ValidationError on `field` when there is
    none or several (then the caller picks one from the list)."""
    text = search_text(name, field)
    if not text:
        raise ValidationError.coded(
            "grid_picker.choose_grid", "%(field)s: choose a grid", fields={field: "required"}, field=field
        )
    query = (
        select(Grid)
        .where(scope_condition(actor, Grid.path), (Grid.name == text) | (Grid.code == text))
        .order_by(Grid.path)
        .limit(2)
    )
    matches = list(session.scalars(query))
    if not matches:
        raise ValidationError.coded(
            "grid_picker.no_grid_named_your",
            "no grid named %(text)s in your area",
            fields={field: "not found"},
            text=text,
        )
    if len(matches) > 1:
        raise ValidationError.coded(
            "grid_picker.several_grids_are_named",
            "several grids are named %(text)s: pick one from the list",
            fields={field: "ambiguous"},
            text=text,
        )
    return _labels(session, actor, matches)[0]
