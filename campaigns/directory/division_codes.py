"""The 12-digit administrative division codes (统计用区划代码) of grids, for exports that name areas by them.

Grid codes that follow the administrative pattern stand for a division: a county's 6 digits (623025), a township's
9 (623025101) or a village's 12 (623025101201), padded with zeros to 12 (623025000000, 623025101000). A grid whose
code follows no such pattern (a group, a household unit, a code of the county's own) lies in the division of the
nearest grid above it that has one.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict
from campaigns.models import Grid
from campaigns.models.grid import path_ids

DIVISION_CODE = re.compile(r"[0-9]{6}|[0-9]{9}|[0-9]{12}")


def division_code(grid_code: str) -> str | None:
    """The 12-digit division code a grid code stands for, or None when it does not follow the pattern."""
    return grid_code.ljust(12, "0") if DIVISION_CODE.fullmatch(grid_code) else None


def area_division_codes(session: Session, grids: list[Grid]) -> list[str]:
    """The division codes of `grids` (each its own, else the nearest above it), once each, in order.

    Conflict naming the grids for which neither the grid nor any grid above it has a division code (or for none)."""
    ancestor_ids = {ancestor for grid in grids for ancestor in path_ids(grid.path)}
    rows = session.execute(select(Grid.id, Grid.code).where(Grid.id.in_(ancestor_ids)))
    codes_by_id = {grid_id: code for grid_id, code in rows}
    found: dict[str, None] = {}
    missing = []
    for grid in grids:
        own_and_above = (division_code(codes_by_id[ancestor]) for ancestor in reversed(path_ids(grid.path)))
        code = next((code for code in own_and_above if code), None)
        if code is None:
            missing.append(f"{grid.name} ({grid.code})")
        else:
            found[code] = None
    if missing or not grids:
        raise Conflict.coded(
            "ebm.grid_without_division_code",
            "%(grids)s: neither the grid nor any grid above it has a 6, 9 or 12-digit administrative division code",
            fields={"area": "no division code"},
            grids=", ".join(missing) or "-",
        )
    return list(found)
