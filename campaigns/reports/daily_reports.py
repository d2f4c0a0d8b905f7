"""Recording a grid's daily report (零报告制度): a zero report or an incident, sent in by one of its reporters.

A contact reports for the grid of a duty's level that holds their own grid (a liaison of a household unit reports
for the group when the duty's level is the group; the grid's report stands for every household in it). A zero
report counts for every active duty the contact reports for; an incident goes to the duty whose fields its counts
name (or the most specific duty). The first report of the day creates the row; a later incident turns a zero
report into an incident, a later zero report never turns an incident back, and incident texts are kept.

Counts are kept per reporter (`DailyReportLine`): a reporter's numbers replace their own earlier numbers field by
field, and the grid's counts are the sum over its reporters' lines. So a liaison's correction never touches the
leader's numbers, and an explicit zero ("无发热", "返乡0人") zeroes that reporter's count for the field. A bare zero
report ("0") changes no numbers; it only shows that its reporter reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.broadcasts.schedules import check_timezone
from campaigns.common.errors import ValidationError
from campaigns.models import Contact, DailyReport, DailyReportLine, Grid, InboundMessage, ReportDuty, ReportKind
from campaigns.models.grid import path_ids

REPORT_KINDS = tuple(ReportKind)
MAX_TEXT = 2000


@dataclass(frozen=True)
class DutyMatch:
    """An active duty the contact reports for, and the grid they report for under it."""

    duty: ReportDuty
    grid_id: int
    root_depth: int


def duty_day(duty: ReportDuty, now: datetime) -> date:
    """The duty's local date at `now` (the day a report sent at `now` counts for)."""
    return now.astimezone(check_timezone(duty.timezone)).date()


def reporting_duties(session: Session, contact: Contact) -> list[DutyMatch]:
    """The active duties `contact` reports for (their role may report, their grid lies under the duty's level),
    most specific first (deepest root grid, then oldest duty)."""
    grid_path = session.scalar(select(Grid.path).where(Grid.id == contact.grid_id))
    if grid_path is None:
        return []
    ancestors = path_ids(grid_path)
    rows = session.execute(
        select(ReportDuty, Grid.depth)
        .join(Grid, Grid.id == ReportDuty.root_grid_id)
        .where(ReportDuty.active.is_(True), ReportDuty.root_grid_id.in_(ancestors))
        .order_by(Grid.depth.desc(), ReportDuty.id)
    ).all()
    duties = [(duty, depth) for duty, depth in rows if contact.role in (duty.reporter_roles or [])]
    if not duties:
        return []
    levels = dict(session.execute(select(Grid.id, Grid.level_id).where(Grid.id.in_(ancestors))).all())
    matches = []
    for duty, root_depth in duties:
        below_root = ancestors[ancestors.index(duty.root_grid_id) :]
        at_level = [grid_id for grid_id in below_root if levels.get(grid_id) == duty.level_id]
        if at_level:
            matches.append(DutyMatch(duty, at_level[0], root_depth))
    return matches


def clean_counts(counts: Any) -> dict[str, int]:
    """Counts keyed by field: non-negative whole numbers only (anything else is dropped)."""
    if not isinstance(counts, dict):
        return {}
    cleaned = {}
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            continue
        cleaned[str(key)[:32]] = value
    return cleaned


def record_report(
    session: Session,
    *,
    contact: Contact,
    kind: str,
    counts: dict[str, int] | None,
    text: str | None,
    inbound: InboundMessage | int | None,
    now: datetime,
) -> DailyReport | None:
    """Record a zero report or an incident from `contact` for today's duty day; None when they have no report duty.

    Returns the grid's report for the day after the merge (for a zero report under several duties, the one of the
    most specific duty). Safe against a concurrent report of the same grid: the unique row is merged, not doubled.
    """
    if kind not in REPORT_KINDS:
        raise ValidationError.coded(
            "report.bad_kind",
            "kind must be one of %(report_kinds)s",
            fields={"kind": "unknown"},
            report_kinds=REPORT_KINDS,
        )
    matches = reporting_duties(session, contact)
    if not matches:
        return None
    counts = clean_counts(counts)
    text = (text or "").strip()[:MAX_TEXT]
    inbound_id = inbound.id if isinstance(inbound, InboundMessage) else inbound
    if kind == ReportKind.INCIDENT:
        matches = [_incident_duty(matches, counts)]
    reports = [_merge_report(session, match, kind, counts, text, contact.id, inbound_id, now) for match in matches]
    return reports[0]


def _incident_duty(matches: list[DutyMatch], counts: dict[str, int]) -> DutyMatch:
    def named(match: DutyMatch) -> int:
        keys = {field.get("key") for field in match.duty.fields or [] if isinstance(field, dict)}
        return len(keys & set(counts))

    return max(matches, key=named)  # max keeps the first (most specific) among equals


def _merge_report(session: Session, match: DutyMatch, kind: str, counts: dict[str, int], text: str,
                  contact_id: int, inbound_id: int | None, now: datetime) -> DailyReport:  # fmt: skip
    day = duty_day(match.duty, now)
    key = (DailyReport.duty_id == match.duty.id, DailyReport.grid_id == match.grid_id, DailyReport.day == day)
    report = session.scalar(select(DailyReport).where(*key).with_for_update())
    if report is None:
        try:
            with session.begin_nested():
                report = DailyReport(
                    duty_id=match.duty.id, grid_id=match.grid_id, day=day, kind=kind, counts={}, text=text,
                    contact_id=contact_id, inbound_id=inbound_id, reported_at=now,
                )  # fmt: skip
                session.add(report)
                session.flush()
        except IntegrityError:
            report = session.scalar(select(DailyReport).where(*key).with_for_update())
    line = _reporter_line(session, report.id, contact_id, text, inbound_id, now)
    if kind == ReportKind.ZERO_REPORT and not counts:
        return report
    line.counts = {**(line.counts or {}), **counts}
    if line.text != text:
        line.text = _merged_text(line.text, text)
    line.inbound_id, line.reported_at = inbound_id, now
    session.flush()
    report.counts = _summed_counts(reporter_lines(session, report.id))
    if kind == ReportKind.INCIDENT and report.kind == ReportKind.ZERO_REPORT:
        report.kind, report.text = ReportKind.INCIDENT, text
    elif report.kind == ReportKind.INCIDENT:
        report.text = _merged_text(report.text, text)
    if kind == ReportKind.INCIDENT:
        report.contact_id, report.inbound_id, report.reported_at = contact_id, inbound_id, now
        report.handled_at, report.handled_by = None, None
    session.flush()
    return report


def _reporter_line(session: Session, report_id: int, contact_id: int, text: str, inbound_id: int | None,
                   now: datetime) -> DailyReportLine:  # fmt: skip
    """The reporter's line in the report (the report row is locked, so no one else adds it meanwhile)."""
    line = session.scalar(
        select(DailyReportLine).where(DailyReportLine.report_id == report_id, DailyReportLine.contact_id == contact_id)
    )
    if line is None:
        line = DailyReportLine(report_id=report_id, contact_id=contact_id, counts={}, text=text,
                               inbound_id=inbound_id, reported_at=now)  # fmt: skip
        session.add(line)
        session.flush()
    return line


def reporter_lines(session: Session, report_id: int) -> list[DailyReportLine]:
    """Each reporter's line in daily report `report_id`, in the order they first reported."""
    query = select(DailyReportLine).where(DailyReportLine.report_id == report_id).order_by(DailyReportLine.id)
    return list(session.scalars(query))


def _summed_counts(lines: list[DailyReportLine]) -> dict[str, int]:
    """The grid's figure: each field summed over its reporters' latest numbers."""
    summed: dict[str, int] = {}
    for line in lines:
        for key, value in (line.counts or {}).items():
            summed[key] = summed.get(key, 0) + value
    return summed


def _merged_text(old: str, new: str) -> str:
    if not new or new in old:
        return old
    return (f"{old}\n{new}" if old else new)[:MAX_TEXT]
