"""The daily report board: which grids reported on a day (zero report, incident) and which are missing, rolled up
the tree from the county to the reporting grids, and the same counts per day over the last weeks.

The roll-up is set-based: one GROUP BY counts the reporting grids of each parent grid by report kind, and Python
adds those few thousand rows up the parents' materialized paths; only the nodes that are shown (down to `depth`
levels below the board's grid) are read by name. So a county of 100,000 grids costs a handful of queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from campaigns.common.errors import NotFound, ValidationError
from campaigns.directory.grids import load_grid
from campaigns.directory.tabular import csv_chunks
from campaigns.identity.access import Actor
from campaigns.models import DailyReport, Grid, GridLevel, ReportDuty, ReportKind
from campaigns.models.grid import path_ids, subtree_bounds
from campaigns.reports.board_results import BoardNode, DayCounts, GridLabel, ReportBoard, ReportCounts, ReportHistory
from campaigns.reports.daily_reports import duty_day
from campaigns.reports.report_duties import list_duties, load_duty
from campaigns.reports.report_tick import local_moment

MAX_DEPTH = 8
MAX_HISTORY_DAYS = 90
KINDS = tuple(ReportKind)


@dataclass
class Node:
    """A grid on the board with the counts of the reporting grids at or under it."""

    id: int
    path: str
    reporting: int = 0
    zero: int = 0
    incident: int = 0
    status: str | None = None
    report_id: int | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, kind: str | None, count: int) -> None:
        self.reporting += count
        if kind == ReportKind.ZERO_REPORT:
            self.zero += count
        elif kind == ReportKind.INCIDENT:
            self.incident += count


def pick_duty(session: Session, actor: Actor, duty_id: int | None) -> ReportDuty:
    """The duty asked for, or the only active duty the caller sees."""
    if duty_id is not None:
        return load_duty(session, actor, duty_id)
    visible = list_duties(session, actor, active=True)
    if not visible:
        raise NotFound.coded("duty.none_in_scope", "no report duty covers your grids")
    if len(visible) > 1:
        names = ", ".join(f"{duty['id']} {duty['name']}" for duty in visible[:10])
        raise ValidationError.coded(
            "duty.ambiguous",
            "several report duties: give duty_id (%(names)s)",
            fields={"duty_id": "required"},
            names=names,
        )
    return session.get(ReportDuty, visible[0]["id"])


def board_grid(session: Session, actor: Actor, duty: ReportDuty, grid_id: int | None) -> Grid:
    """The board's top grid: `grid_id` (in the caller's scope, on the duty's tree), else the deeper of the duty's
    root and the caller's scope grid."""
    root = session.get(Grid, duty.root_grid_id)
    if grid_id is None:
        if actor.scope_path and actor.scope_path.startswith(root.path):
            return session.get(Grid, actor.scope_grid_id)
        return root
    grid = load_grid(session, actor, grid_id)
    if not (grid.path.startswith(root.path) or root.path.startswith(grid.path)):
        raise ValidationError.coded(
            "duty.grid_outside", "the grid is not on this duty's tree", fields={"grid_id": "outside the duty"}
        )
    return grid


def _reporting_range(duty: ReportDuty, root_path: str, top: Grid) -> tuple[str, str]:
    return subtree_bounds(top.path if top.path.startswith(root_path) else root_path)


def roll_up(session: Session, duty: ReportDuty, top: Grid, day: date, depth: int) -> Node:
    """The board's tree under `top`, `depth` levels deep, each node with its counts."""
    low, high = _reporting_range(duty, session.get(Grid, duty.root_grid_id).path, top)
    parent = aliased(Grid)
    on_day = and_(DailyReport.grid_id == Grid.id, DailyReport.duty_id == duty.id, DailyReport.day == day)
    reporting = (Grid.level_id == duty.level_id, Grid.path >= low, Grid.path < high)
    per_parent = session.execute(
        select(parent.path, DailyReport.kind, func.count())
        .select_from(Grid)
        .join(parent, parent.id == Grid.parent_id)
        .outerjoin(DailyReport, on_day)
        .where(*reporting)
        .group_by(parent.path, DailyReport.kind)
    )
    first, last = len(path_ids(top.path)) - 1, len(path_ids(top.path)) - 1 + depth
    nodes: dict[int, Node] = {top.id: Node(top.id, top.path)}
    leaves_shown = False
    for path, kind, count in per_parent:
        ids = path_ids(path)
        leaves_shown = leaves_shown or len(ids) - 1 < last
        for index in range(first, min(len(ids), last + 1)):
            node = nodes.get(ids[index])
            if node is None:
                node = nodes[ids[index]] = Node(ids[index], "/" + "/".join(map(str, ids[: index + 1])) + "/")
            node.add(kind, count)
    if not leaves_shown:
        return _link(nodes, top.id)
    leaves = session.execute(
        select(Grid.id, Grid.path, DailyReport.kind, DailyReport.id)
        .outerjoin(DailyReport, on_day)
        .where(*reporting, Grid.depth <= top.depth + depth)
    )
    for grid_id, path, kind, report_id in leaves:
        node = nodes.setdefault(grid_id, Node(grid_id, path))
        node.add(kind, 1)
        node.status, node.report_id = kind or "missing", report_id
    return _link(nodes, top.id)


def _link(nodes: dict[int, Node], top_id: int) -> Node:
    """Hang each node under its parent."""
    for node in nodes.values():
        if node.id != top_id:
            nodes[path_ids(node.path)[-2]].children.append(node)
    return nodes[top_id]


def _describe(session: Session, root: Node) -> dict[int, GridLabel]:
    """Code, name and level of every node: by id for a small board, by one subtree scan for a big one."""
    ids, stack = [], [root]
    while stack:
        node = stack.pop()
        ids.append(node.id)
        stack.extend(node.children)
    columns = select(Grid.id, Grid.code, Grid.name, GridLevel.key).join(GridLevel, GridLevel.id == Grid.level_id)
    if len(ids) > 2000:
        low, high = subtree_bounds(root.path)
        queries = [columns.where(Grid.path >= low, Grid.path < high)]
    else:
        queries = [columns.where(Grid.id.in_(ids[start : start + 500])) for start in range(0, len(ids), 500)]
    wanted, described = set(ids), dict[int, GridLabel]()
    for query in queries:
        for grid_id, code, name, level in session.execute(query):
            if grid_id in wanted:
                described[grid_id] = {"grid_id": grid_id, "code": code, "name": name, "level": level}
    return described


def counts_of(reporting: int, zero: int, incident: int) -> ReportCounts:
    reported = zero + incident
    percent = round(100 * reported / reporting, 1) if reporting else None
    return {"reporting": reporting, "reported": reported, "zero": zero, "incident": incident,
            "missing": reporting - reported, "percent": percent}  # fmt: skip


def _node_dict(node: Node, described: dict[int, GridLabel]) -> BoardNode:
    label, counts = described[node.id], counts_of(node.reporting, node.zero, node.incident)
    result: BoardNode = {
        "grid_id": label["grid_id"], "code": label["code"], "name": label["name"], "level": label["level"],
        "reporting": counts["reporting"], "reported": counts["reported"], "zero": counts["zero"],
        "incident": counts["incident"], "missing": counts["missing"], "percent": counts["percent"],
    }  # fmt: skip
    if node.status is not None:
        result["status"], result["report_id"] = node.status, node.report_id
    if node.children:
        children = [_node_dict(child, described) for child in node.children]
        result["children"] = sorted(children, key=lambda child: child["code"])
    return result


def parse_day(raw: str | None, default: date) -> date:
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError.coded(
            "report.bad_date", "date must be like 2026-11-23", fields={"date": "not a date"}
        ) from exc


def check_depth(depth: int | None, default: int = 1) -> int:
    depth = default if depth is None else depth
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationError.coded(
            "report.bad_depth",
            "depth must be 0 to %(max_depth)s",
            fields={"depth": "out of range"},
            max_depth=MAX_DEPTH,
        )
    return depth


def report_board(session: Session, actor: Actor, *, duty_id: int | None, day: str | None, grid_id: int | None,
                 depth: int | None, now: datetime) -> ReportBoard:  # fmt: skip
    """The board of one day: the top grid and `depth` levels under it, each with reporting/reported/zero/incident/
    missing counts and the per cent reported; reporting grids carry their status."""
    duty = pick_duty(session, actor, duty_id)
    top = board_grid(session, actor, duty, grid_id)
    day_value = parse_day(day, duty_day(duty, now))
    tree = roll_up(session, duty, top, day_value, check_depth(depth))
    return {
        "duty": {"id": duty.id, "name": duty.name, "deadline": duty.deadline, "timezone": duty.timezone},
        "date": day_value.isoformat(),
        "deadline_passed": now >= local_moment(day_value, duty.deadline, duty.timezone),
        "grid": _node_dict(tree, _describe(session, tree)),
    }


def report_history(session: Session, actor: Actor, *, duty_id: int | None, days: int | None, grid_id: int | None,
                   now: datetime) -> ReportHistory:  # fmt: skip
    """Counts per day over the last `days` days (today included) for the top grid's reporting grids."""
    days = 7 if days is None else days
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise ValidationError.coded(
            "report.bad_days",
            "days must be 1 to %(max_history_days)s",
            fields={"days": "out of range"},
            max_history_days=MAX_HISTORY_DAYS,
        )
    duty = pick_duty(session, actor, duty_id)
    top = board_grid(session, actor, duty, grid_id)
    root_path = session.get(Grid, duty.root_grid_id).path
    low, high = _reporting_range(duty, root_path, top)
    last = duty_day(duty, now)
    first = last - timedelta(days=days - 1)
    reporting = session.scalar(
        select(func.count()).where(Grid.level_id == duty.level_id, Grid.path >= low, Grid.path < high)
    )
    query = select(DailyReport.day, DailyReport.kind, func.count()).where(
        DailyReport.day >= first, DailyReport.day <= last
    )
    if low != root_path:
        query = query.join(Grid, Grid.id == DailyReport.grid_id).where(Grid.path >= low, Grid.path < high)
    if low != root_path or session.scalar(select(func.count()).select_from(ReportDuty)) > 1:
        # Over the whole tree of the only duty every report counts: the query reads just the (day, kind) index.
        query = query.where(DailyReport.duty_id == duty.id)
    per_day: dict[date, dict[str, int]] = {}
    for day_value, kind, count in session.execute(query.group_by(DailyReport.day, DailyReport.kind)):
        per_day.setdefault(day_value, {})[kind] = count
    series: list[DayCounts] = []
    for offset in range(days):
        day_value = first + timedelta(days=offset)
        found = per_day.get(day_value, {})
        counts = counts_of(reporting, found.get(ReportKind.ZERO_REPORT, 0), found.get(ReportKind.INCIDENT, 0))
        series.append({"date": day_value.isoformat(), **counts})
    return {"duty": {"id": duty.id, "name": duty.name}, "grid_id": top.id, "days": series}


CSV_HEADERS = ["date", "code", "name", "level", "path", "status", "reporting", "reported", "zero", "incident",
               "missing", "percent", "counts", "text"]  # fmt: skip


def board_csv(session: Session, actor: Actor, *, duty_id: int | None, day: str | None, grid_id: int | None,
              now: datetime) -> Iterator[str]:  # fmt: skip
    """The whole board under the top grid (every level down to the reporting grids) as CSV chunks, one row per grid,
    cells defused against formula injection."""
    board = report_board(session, actor, duty_id=duty_id, day=day, grid_id=grid_id, depth=MAX_DEPTH, now=now)
    details = _incident_details(session, board["grid"])
    return csv_chunks(_csv_rows(board, details))


def _incident_details(session: Session, top: BoardNode) -> dict[int, tuple[dict, str]]:
    ids, stack = [], [top]
    while stack:
        node = stack.pop()
        if node.get("status") == ReportKind.INCIDENT:
            ids.append(node["report_id"])
        stack.extend(node.get("children", []))
    details = {}
    for start in range(0, len(ids), 500):
        query = select(DailyReport.id, DailyReport.counts, DailyReport.text).where(
            DailyReport.id.in_(ids[start : start + 500])
        )
        details.update({row[0]: (row[1] or {}, row[2] or "") for row in session.execute(query)})
    return details


def _csv_rows(board: ReportBoard, details: dict[int, tuple[dict, str]]) -> Iterator[list[str]]:
    yield list(CSV_HEADERS)
    stack = [(board["grid"], board["grid"]["name"])]
    while stack:
        node, path = stack.pop()
        counts, text = details.get(node.get("report_id"), ({}, ""))
        percent = "" if node["percent"] is None else str(node["percent"])
        figures = (node["reporting"], node["reported"], node["zero"], node["incident"], node["missing"])
        yield [board["date"], node["code"], node["name"], node["level"], path, node.get("status", ""),
               *map(str, figures), percent,
               "; ".join(f"{key}={value}" for key, value in counts.items()), text]  # fmt: skip
        stack.extend((child, f"{path}/{child['name']}") for child in reversed(node.get("children", [])))
