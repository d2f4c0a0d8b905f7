"""Incidents: the daily reports that were not zero reports, with the grid's path, counts, text, who reported, and
whether staff handled them (and who)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, NotFound
from campaigns.common.pagination import Page, check_page
from campaigns.directory.grids import load_grid
from campaigns.identity.access import Actor, require_write, scope_condition
from campaigns.models import Contact, DailyReport, DailyReportLine, Grid, ReportDuty, ReportKind, User
from campaigns.models.grid import path_ids, subtree_bounds
from campaigns.reports.report_board import parse_day
from campaigns.reports.report_duties import load_duty


def list_incidents(session: Session, actor: Actor, *, duty_id: int | None = None, day: str | None = None,
                   handled: bool | None = None, grid_id: int | None = None, page: int = 1,
                   per_page: int = 50) -> Page:  # fmt: skip
    """Incidents in the caller's scope, newest first, filtered by duty, date, handled flag and grid subtree."""
    check_page(page, per_page)
    query = (
        select(DailyReport, Grid.path)
        .join(Grid, Grid.id == DailyReport.grid_id)
        .where(DailyReport.kind == ReportKind.INCIDENT, scope_condition(actor, Grid.path))
    )
    if duty_id is not None:
        load_duty(session, actor, duty_id)
        query = query.where(DailyReport.duty_id == duty_id)
    if day not in (None, ""):
        query = query.where(DailyReport.day == parse_day(day, None))
    if handled is not None:
        query = query.where(DailyReport.handled_at.is_not(None) if handled else DailyReport.handled_at.is_(None))
    if grid_id is not None:
        grid = load_grid(session, actor, grid_id)
        low, high = subtree_bounds(grid.path)
        query = query.where(Grid.path >= low, Grid.path < high)
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(DailyReport.id).subquery()))
    rows = session.execute(
        query.order_by(DailyReport.day.desc(), DailyReport.reported_at.desc(), DailyReport.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(_describe(session, rows), total, page, per_page)


def _describe(session: Session, rows: list) -> list[dict[str, Any]]:
    grid_ids = {grid_id for _, path in rows for grid_id in path_ids(path)}
    grids = {row[0]: row for row in session.execute(select(Grid.id, Grid.code, Grid.name).where(Grid.id.in_(grid_ids)))}
    duties = {duty.id: duty for duty in session.scalars(select(ReportDuty).where(
        ReportDuty.id.in_({report.duty_id for report, _ in rows})))}  # fmt: skip
    lines: dict[int, list[DailyReportLine]] = {report.id: [] for report, _ in rows}
    for line in session.scalars(select(DailyReportLine).where(DailyReportLine.report_id.in_(lines))
                                .order_by(DailyReportLine.id)):  # fmt: skip
        lines[line.report_id].append(line)
    contact_ids = {report.contact_id for report, _ in rows if report.contact_id}
    contact_ids |= {line.contact_id for group in lines.values() for line in group if line.contact_id}
    contacts = dict(session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids))).all())
    user_ids = {report.handled_by for report, _ in rows if report.handled_by}
    users = dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
    return [
        incident_to_dict(report, path, grids, duties[report.duty_id], contacts, users, lines[report.id])
        for report, path in rows
    ]


def incident_to_dict(report: DailyReport, path: str, grids: dict, duty: ReportDuty, contacts: dict, users: dict,
                     lines: list[DailyReportLine] = ()) -> dict[str, Any]:  # fmt: skip
    """An incident as the API shows it: the grid's summed counts, and each reporter's line under it."""
    labels = {item["key"]: item.get("label") or item["key"] for item in duty.fields or []}

    def labelled(counts: dict[str, int]) -> list[dict[str, Any]]:
        return [{"key": key, "label": labels.get(key, key), "value": value} for key, value in counts.items()]

    _, code, name = grids[report.grid_id]
    return {
        "id": report.id,
        "duty_id": duty.id,
        "duty_name": duty.name,
        "date": report.day.isoformat(),
        "grid": {"id": report.grid_id, "code": code, "name": name},
        "grid_path": " / ".join(grids[grid_id][2] for grid_id in path_ids(path) if grid_id in grids),
        "counts": labelled(report.counts),
        "text": report.text,
        "reporters": [
            {
                "contact_id": line.contact_id,
                "name": contacts.get(line.contact_id),
                "counts": labelled(line.counts or {}),
                "text": line.text,
                "reported_at": line.reported_at.isoformat(),
            }
            for line in lines
        ],
        "reporter": {"contact_id": report.contact_id, "name": contacts.get(report.contact_id)}
        if report.contact_id
        else None,
        "reported_at": report.reported_at.isoformat(),
        "handled": report.handled_at is not None,
        "handled_at": report.handled_at.isoformat() if report.handled_at else None,
        "handled_by": users.get(report.handled_by) if report.handled_by else None,
    }


def mark_handled(session: Session, actor: Actor, report_id: int, now: datetime) -> dict[str, Any]:
    """Mark an incident handled by the caller (once: marking it again keeps who handled it first)."""
    require_write(actor)
    report = session.get(DailyReport, report_id)
    grid = session.get(Grid, report.grid_id) if report else None
    if report is None or grid is None or not actor.sees_path(grid.path):
        raise NotFound.coded("incident.not_found", "incident not found")
    if report.kind != "incident":
        raise Conflict.coded("incident.zero_report", "a zero report has nothing to handle")
    if report.handled_at is None:
        report.handled_at, report.handled_by = now, actor.user_id
        session.flush()
    return _describe(session, [(report, grid.path)])[0]
