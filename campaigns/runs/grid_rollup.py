"""A run's counts by grid rolled up the tree: township > village > group, each with the sums of the grids below it.

The outbox counts rows by the recipient's own grid (often a household unit); staff read them by township, village
and group. Each recipient's counts are added to each of its ancestors at those levels (and to its own grid when it
sits at none of them), so a village shows the sum of its groups and of the people registered on the village itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Grid, GridLevel
from campaigns.models.grid import path_ids

ROLLUP_LEVELS = ("township", "village", "group")


def roll_up_by_grid(
    session: Session, by_grid: list[dict[str, Any]], levels: tuple[str, ...] = ROLLUP_LEVELS
) -> list[dict[str, Any]]:
    """`by_grid` rows ({"grid_id", "counts"}) as a tree of nodes {grid_id, code, name, level, counts, total,
    children}, the roots at the highest of `levels` present, every list in code order."""
    ids = [row["grid_id"] for row in by_grid]
    paths: dict[int, str] = {
        grid_id: path for grid_id, path in session.execute(select(Grid.id, Grid.path).where(Grid.id.in_(ids)))
    }
    ancestor_ids = {grid_id for path in paths.values() for grid_id in path_ids(path)}
    grids = {
        grid.id: grid
        for grid in session.scalars(select(Grid).join(GridLevel).where(Grid.id.in_(ancestor_ids)).order_by(Grid.depth))
    }
    nodes: dict[int, dict[str, Any]] = {}
    roots: dict[int, dict[str, Any]] = {}
    for row in by_grid:
        chain = [grid_id for grid_id in path_ids(paths[row["grid_id"]]) if grids[grid_id].level.key in levels]
        chain = chain or [row["grid_id"]]
        parent: dict[str, Any] | None = None
        for grid_id in chain:
            node = nodes.get(grid_id) or nodes.setdefault(grid_id, _node(grids[grid_id]))
            (parent["children"] if parent else roots).setdefault(grid_id, node)
            for status, count in row["counts"].items():
                node["counts"][status] = node["counts"].get(status, 0) + count
                node["total"] += count
            parent = node
    return _ordered(roots)


def _node(grid: Grid) -> dict[str, Any]:
    return {"grid_id": grid.id, "code": grid.code, "name": grid.name, "level": grid.level.key, "counts": {},
            "total": 0, "children": {}}  # fmt: skip


def _ordered(nodes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(nodes.values(), key=lambda node: node["code"])
    return [{**node, "children": _ordered(node["children"])} for node in ordered]
